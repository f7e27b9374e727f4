"""Every socket Lobbylink opens is made here, so security is switched on in one place.

The hub binds ROUTER (commands, port P) and PUB (events, port P+1); a station
connects DEALER and SUB. CurveZMQ keys and the ZAP allow-list are added here.
"""

from __future__ import annotations

import resource
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import zmq

from messaging.envelope import MAX_FRAME, T_EVENT, T_HEARTBEAT
from messaging.keys import CurveKeys, StationKeys

ZAP_DOMAIN = b"lobbylink"
COMMANDS_DOMAIN = b"lobbylink-commands"
"""The ROUTER's ZAP domain: there an unknown key may connect, to ask for enrolment only
(app.hub.admission refuses it everything else); the PUB's domain admits known keys only."""

STATION_MAX_FRAME = 64 * 1024 * 1024
"""Replies to a station carry whole snapshots: allow them, but still bound them."""

DEFAULT_HWM = 100_000
"""High-water mark (messages queued per peer) of the hub's ROUTER and PUB and of a
station's SUB. Past it the PUB drops events for that subscriber, which then sees a gap
and resyncs (docs/reliability.md shows it with a small mark, e.g. ``--pub-hwm 100``)."""


HANDSHAKE_IVL_MS = 3000
"""How long the hub gives a new connection to finish its ZMTP and CURVE handshake before
closing it (libzmq's default is 30 s). A station on a LAN handshakes in milliseconds; a
peer that opens a TCP connection and then sends nothing, or only part of the greeting,
holds one of the hub's file descriptors only this long, so a few hundred of them cannot
keep the stations out (tests/integration/test_starvation.py)."""


def raise_fd_limit() -> tuple[int, int]:
    """Raise this process's soft limit on open files to its hard limit, as servers do at
    start (an unprivileged process may; only the hard limit needs root). Every TCP
    connection holds a file descriptor, and a process that runs out cannot accept a
    station's connection however short-lived the others are.

    Returns (before, after); ``after == before`` when there was nothing to raise or the
    system refused. An unlimited hard limit is taken as 65,536 (Linux refuses more
    than its ``nr_open`` for open files).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = 65_536 if hard == resource.RLIM_INFINITY else hard
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft, soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return soft, soft
    return soft, target


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str, default_host: str = "127.0.0.1") -> Endpoint:
        """Parse ``HOST:PORT`` (or ``PORT``); raise ValueError saying what is wrong."""
        host, sep, port_text = text.rpartition(":")
        if not sep:
            host, port_text = default_host, text
        host = host.strip("[]") or default_host
        try:
            port = int(port_text)
        except ValueError:
            raise ValueError(f"{text!r}: the port must be a number (HOST:PORT)") from None
        if not 0 < port < 65535:
            raise ValueError(f"{text!r}: the port must be 1 to 65534 (events use PORT+1)")
        return cls(host, port)

    @property
    def commands(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    @property
    def events(self) -> str:
        return f"tcp://{self.host}:{self.port + 1}"

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


Hubs: TypeAlias = "Endpoint | Sequence[Endpoint]"
"""Where a station's hub is: one endpoint, or a standby pair's two (primary first)."""


def _common(sock: zmq.Socket) -> None:
    sock.setsockopt(zmq.LINGER, 0)


def hub_sockets(
    ctx: zmq.Context,
    endpoint: Endpoint,
    keys: CurveKeys | None,
    *,
    pub_hwm: int = DEFAULT_HWM,
) -> tuple[zmq.Socket, zmq.Socket]:
    """Bind the hub's ROUTER (commands) and PUB (events).

    With ``keys`` both are CURVE servers in the ZAP domains ``lobbylink-commands`` and
    ``lobbylink``: a ZAP handler
    must already run in ``ctx`` (app.hub.auth), or every client would be accepted.
    ``keys=None`` is the explicit, development-only plain-text mode. ``pub_hwm`` is the
    PUB's send high-water mark per subscriber (at least 1; 0 would mean "no limit").
    A connection that has not finished its handshake within :data:`HANDSHAKE_IVL_MS` is
    closed by ZeroMQ.
    """
    if pub_hwm < 1:
        raise ValueError(f"pub_hwm must be at least 1, not {pub_hwm}")
    router = ctx.socket(zmq.ROUTER)
    pub = ctx.socket(zmq.PUB)
    try:
        for sock in (router, pub):
            _common(sock)
            sock.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME)
            sock.setsockopt(zmq.HANDSHAKE_IVL, HANDSHAKE_IVL_MS)
            if keys is not None:
                sock.setsockopt(zmq.CURVE_SERVER, 1)
                sock.setsockopt(zmq.CURVE_PUBLICKEY, keys.public)
                sock.setsockopt(zmq.CURVE_SECRETKEY, keys.secret)
                sock.setsockopt(zmq.ZAP_DOMAIN, COMMANDS_DOMAIN if sock is router else ZAP_DOMAIN)
        router.setsockopt(zmq.ROUTER_HANDOVER, 1)
        router.setsockopt(zmq.SNDHWM, DEFAULT_HWM)
        router.setsockopt(zmq.RCVHWM, DEFAULT_HWM)
        pub.setsockopt(zmq.SNDHWM, pub_hwm)
        router.bind(endpoint.commands)
        pub.bind(endpoint.events)
    except zmq.ZMQError:
        router.close(0)
        pub.close(0)
        raise
    return router, pub


def _client(sock: zmq.Socket, keys: StationKeys | None) -> None:
    _common(sock)
    if keys is not None:
        sock.setsockopt(zmq.CURVE_SERVERKEY, keys.hub_public)
        sock.setsockopt(zmq.CURVE_PUBLICKEY, keys.own.public)
        sock.setsockopt(zmq.CURVE_SECRETKEY, keys.own.secret)


def station_sockets(
    ctx: zmq.Context,
    endpoint: Endpoint,
    keys: StationKeys | None = None,
    *,
    subscribe: bool = True,
    sub_hwm: int = DEFAULT_HWM,
) -> tuple[zmq.Socket, zmq.Socket | None]:
    """Connect a station's DEALER (commands) and, if asked, SUB (events).

    With ``keys`` both speak CURVE and pin the hub's public key. ``sub_hwm`` is the
    SUB's receive high-water mark (at least 1).
    """
    if sub_hwm < 1:
        raise ValueError(f"sub_hwm must be at least 1, not {sub_hwm}")
    dealer = ctx.socket(zmq.DEALER)
    _client(dealer, keys)
    dealer.setsockopt(zmq.MAXMSGSIZE, STATION_MAX_FRAME)
    # Queue nothing for a hub that is not connected: the outbox keeps it instead.
    dealer.setsockopt(zmq.IMMEDIATE, 1)
    dealer.setsockopt(zmq.RECONNECT_IVL, 100)
    dealer.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
    dealer.connect(endpoint.commands)
    sub: zmq.Socket | None = None
    if subscribe:
        sub = ctx.socket(zmq.SUB)
        _client(sub, keys)
        sub.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME)
        sub.setsockopt(zmq.RCVHWM, sub_hwm)
        sub.setsockopt(zmq.RECONNECT_IVL, 100)
        sub.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
        sub.setsockopt(zmq.SUBSCRIBE, T_EVENT)
        sub.setsockopt(zmq.SUBSCRIBE, T_HEARTBEAT)
        sub.connect(endpoint.events)
    return dealer, sub
