"""The pair port: the sockets between the two hubs of a standby pair (issue 14).

Each hub binds a ROUTER on its pair port (PORT+2) and connects a DEALER to its peer's:
it sends on the DEALER and reads on the ROUTER, one direction per socket, as Binary
Star's state PUB/SUB pair (zguide ch. 4, bstar.py) but without PUB's silent drops. The
DEALER is IMMEDIATE: nothing queues for a peer that is not connected, so a send that
cannot leave says so at once. ``lobbylink pair`` talks to the ROUTER with the hub key
and gets its answer back on the same connection.

CURVE with the branch's one hub key pair, installed on both hub PCs; the ZAP handler of
this port (a context of its own, pyzmq's ThreadAuthenticator) admits that key only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import zmq
from zmq.auth.thread import ThreadAuthenticator

from app import log
from app.hub import pairwire
from messaging.keys import CurveKeys
from messaging.sockets import Endpoint

PAIR_OFFSET = 2
"""The pair port is the command port + 2 (events are on + 1)."""
ZAP_DOMAIN = "pair"
MAX_MESSAGE = 64 * 1024 * 1024
"""A catch-up chunk of rows is megabytes at most."""


def pair_address(endpoint: Endpoint) -> str:
    return f"tcp://{endpoint.host}:{endpoint.port + PAIR_OFFSET}"


class _OnlyHubKey:
    """ZAP: only a holder of the branch's hub key may talk to the pair port."""

    def __init__(self, public: bytes) -> None:
        self.public = public

    def callback(self, domain: str, key: bytes) -> bool:
        if key != self.public:
            log.wire.warning("SECURITY: pair port: refused a key that is not the hub's")
        return key == self.public


def client_socket(
    ctx: zmq.Context, address: str, keys: CurveKeys | None, immediate: bool = True
) -> zmq.Socket:
    """A DEALER to a pair port: the peer's (``immediate``: nothing queues while it is
    not connected), or a hub's for ``lobbylink pair`` (the question waits for the
    connection)."""
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.IMMEDIATE, 1 if immediate else 0)
    sock.setsockopt(zmq.SNDHWM, 1_000)
    sock.setsockopt(zmq.RECONNECT_IVL, 100)
    sock.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
    sock.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
    if keys is not None:
        sock.setsockopt(zmq.CURVE_SERVERKEY, keys.public)
        sock.setsockopt(zmq.CURVE_PUBLICKEY, keys.public)
        sock.setsockopt(zmq.CURVE_SECRETKEY, keys.secret)
    sock.connect(address)
    return sock


class PairPort:
    """This hub's ROUTER (bound) and the DEALER to the peer."""

    def __init__(self, listen: Endpoint, peer: Endpoint, keys: CurveKeys | None) -> None:
        self.ctx = zmq.Context()
        self.auth: ThreadAuthenticator | None = None
        if keys is not None:
            self.auth = ThreadAuthenticator(self.ctx)
            self.auth.start()
            self.auth.configure_curve_callback(ZAP_DOMAIN, _OnlyHubKey(keys.public))
        router = self.router = self.ctx.socket(zmq.ROUTER)
        router.setsockopt(zmq.LINGER, 0)
        router.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
        if keys is not None:
            router.setsockopt(zmq.CURVE_SERVER, 1)
            router.setsockopt(zmq.CURVE_PUBLICKEY, keys.public)
            router.setsockopt(zmq.CURVE_SECRETKEY, keys.secret)
            router.setsockopt(zmq.ZAP_DOMAIN, ZAP_DOMAIN.encode())
        try:
            router.bind(pair_address(listen))
        except zmq.ZMQError:
            self.close()
            raise
        self.dealer = client_socket(self.ctx, pair_address(peer), keys)
        self.poller = zmq.Poller()
        self.poller.register(router, zmq.POLLIN)

    def send(self, msg: pairwire.Message) -> bool:
        """To the peer; False when it cannot leave now (no connection, or a full queue)."""
        try:
            self.dealer.send(pairwire.encode(msg), zmq.NOBLOCK)
        except zmq.Again:
            return False
        return True

    def reply(self, identity: bytes, msg: pairwire.Message) -> None:
        with contextlib.suppress(zmq.ZMQError):  # the asker is gone
            self.router.send_multipart([identity, pairwire.encode(msg)], zmq.NOBLOCK)

    def receive(self, timeout_ms: int) -> Iterator[tuple[bytes, pairwire.Message]]:
        """What came in, waiting up to ``timeout_ms`` for the first message."""
        if timeout_ms > 0 and not self.poller.poll(timeout_ms):
            return
        while True:
            try:
                frames = self.router.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            if len(frames) != 2:
                log.wire.warning("pair port: dropped a %d-frame message", len(frames))
                continue
            try:
                yield frames[0], pairwire.decode(frames[1])
            except ValueError as exc:
                log.wire.warning("pair port: %s", exc)

    def close(self) -> None:
        for sock in (getattr(self, "router", None), getattr(self, "dealer", None)):
            if sock is not None:
                sock.close(0)
        if self.auth is not None:
            self.auth.stop()
        self.ctx.term()
