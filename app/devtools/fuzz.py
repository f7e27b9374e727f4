"""Throw random and mutated frames at a hub's two ports, then check it still serves.

Four kinds of peer: raw TCP junk on both ports (a broken ZMTP/CURVE handshake), a few
hundred connections held half-open (the greeting's first 11 bytes, then nothing; the
hub closes them after its handshake time and they are opened again), a client with an
unknown CURVE key, and a real station key sending mutated envelopes, wrong frame counts,
unknown topics, envelopes nested thousands deep and valid raises with the longest notes
(past the station's cap on open signals). ``lobbylink bench fuzz`` runs a long one; the
test suite runs a small slice.
"""

from __future__ import annotations

import contextlib
import errno
import random
import select
import socket
import time
from dataclasses import dataclass, field

import zmq
import zmq.auth

from app.domain.events import Acknowledge, RaiseSignal, Resolve, encode
from app.domain.policy import MAX_NOTE
from messaging.envelope import T_CMD, T_HELLO, T_PING, Hello, encode_envelope, make
from messaging.envelope import encode as encode_wire
from messaging.keys import CurveKeys, StationKeys
from messaging.sockets import Endpoint, station_sockets


@dataclass
class FuzzStats:
    frames: int = 0
    raw_tcp: int = 0
    unknown_key: int = 0
    mutated: int = 0
    nested: int = 0
    long_raises: int = 0
    half_open: int = 0
    replies: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)


def _seeds(station: str) -> list[tuple[bytes, bytes]]:
    """Valid frames to mutate."""
    out = []
    for topic, kind, payload in (
        (T_CMD, "raise", encode(RaiseSignal(code="assist", note="x" * 20))),
        (T_CMD, "ack", encode(Acknowledge(signal_id=1))),
        (T_CMD, "resolve", encode(Resolve(signal_id=1, outcome="served"))),
        (T_HELLO, "hello", encode_wire(Hello(0, ""))),
        (T_PING, "ping", b"\xc0"),
    ):
        out.append((topic, encode_envelope(make(kind, station, payload))))
    return out


NESTED_DEPTH = 15_000
GREETING_START = b"\xff" + bytes(8) + b"\x7f\x03"
"""The ZMTP 3 signature and major version: what a half-open connection sends."""
HALF_OPEN_EVERY_S = 2.0


def _nested(station: str, depth: int = NESTED_DEPTH) -> bytes:
    """A ``raise`` envelope whose payload is an array nested ``depth`` deep."""
    enc = encode_wire
    head = {"v": 1, "kind": "raise", "msg_id": "deep", "station": station, "ts_ms": 1}
    fields = b"".join(enc(k) + enc(v) for k, v in head.items())
    return b"\x86" + fields + enc("payload") + b"\x91" * depth + b"\xc0"


def _long_raise(station: str) -> bytes:
    """A valid raise with the longest note (three bytes a character)."""
    payload = encode(RaiseSignal(code="assist", note="很" * MAX_NOTE))
    return encode_envelope(make("raise", station, payload))


def mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:  # flip a byte
            buf[pos % len(buf)] ^= 1 << rng.randrange(8)
        elif op == 1:  # insert junk
            buf[pos:pos] = rng.randbytes(rng.randint(1, 16))
        elif op == 2 and buf:  # delete a run
            del buf[pos : pos + rng.randint(1, 8)]
        elif op == 3:  # truncate
            buf = buf[:pos]
        elif op == 4:  # duplicate a run
            buf[pos:pos] = buf[max(0, pos - 8) : pos]
        else:  # a msgpack type byte somewhere
            buf[pos:pos] = bytes([rng.choice([0xC0, 0xC1, 0xDC, 0xDE, 0xDB, 0xFF, 0x91, 0x80])])
    return bytes(buf)


def run(
    endpoint: Endpoint,
    frames: int,
    station_keys: StationKeys | None,
    hub_public: bytes | None,
    seed: int = 1,
    half_open: int = 300,
) -> FuzzStats:
    """Send ``frames`` hostile frames in total, holding ``half_open`` half-open
    connections to the command port all along; returns what was sent."""
    rng = random.Random(seed)
    stats = FuzzStats()
    started = time.monotonic()
    ctx = zmq.Context()
    held: list[socket.socket] = []
    next_half_open = 0.0
    try:
        # a real station's connection, sending mutated frames
        station = station_keys.station if station_keys else "C01"
        dealer, _ = station_sockets(ctx, endpoint, station_keys, subscribe=False)
        dealer.setsockopt(zmq.IMMEDIATE, 0)
        dealer.setsockopt(zmq.SNDHWM, 1000)
        seeds = _seeds(station)
        nested, long_raise = _nested(station), _long_raise(station)
        # a stranger with a key the hub never saw
        stranger = None
        if hub_public is not None:
            public, secret = zmq.curve_keypair()
            stranger_keys = StationKeys("ZZ", CurveKeys(public, secret), hub_public)
            stranger, _ = station_sockets(ctx, endpoint, stranger_keys, subscribe=False)
            stranger.setsockopt(zmq.IMMEDIATE, 0)
        while stats.frames < frames:
            if half_open and time.monotonic() >= next_half_open:
                _close(held)  # the hub has closed them by now, or will: open new ones
                held = _half_open(endpoint, half_open)
                stats.half_open += len(held)
                next_half_open = time.monotonic() + HALF_OPEN_EVERY_S
            choice = rng.random()
            if choice < 0.02:
                _raw_tcp(rng, endpoint)
                stats.raw_tcp += 1
            elif choice < 0.07 and stranger is not None:
                topic, body = rng.choice(seeds)
                _send(stranger, [topic, body])
                stats.unknown_key += 1
            elif choice < 0.09:
                _send(dealer, [T_CMD, nested])
                stats.nested += 1
            elif choice < 0.12:
                _send(dealer, [T_CMD, long_raise])  # a new msg_id each: make() draws one
                stats.long_raises += 1
                long_raise = _long_raise(station)
            else:
                topic, body = rng.choice(seeds)
                parts = [topic, mutate(rng, body)]
                shape = rng.random()
                if shape < 0.05:
                    parts.append(rng.randbytes(rng.randint(0, 32)))
                elif shape < 0.1:
                    parts = [rng.randbytes(rng.randint(0, 8))]
                elif shape < 0.15:
                    parts[0] = rng.randbytes(rng.randint(0, 12))
                _send(dealer, parts)
                stats.mutated += 1
            stats.frames += 1
            while dealer.poll(0):
                dealer.recv_multipart()
                stats.replies += 1
        end = time.monotonic() + 1
        while time.monotonic() < end and dealer.poll(100):
            dealer.recv_multipart()
            stats.replies += 1
    finally:
        _close(held)
        ctx.destroy(linger=0)
    stats.seconds = time.monotonic() - started
    return stats


def _send(sock: zmq.Socket, parts: list[bytes]) -> None:
    try:
        sock.send_multipart(parts, zmq.NOBLOCK)
    except zmq.Again:
        time.sleep(0.001)


def _raw_tcp(rng: random.Random, endpoint: Endpoint) -> None:
    """Junk straight onto a TCP port: half a greeting, random bytes, then hang up."""
    port = endpoint.port + rng.randrange(2)
    greeting = b"\xff" + bytes(8) + b"\x7f\x03\x00CURVE" + bytes(15)
    junk = [
        rng.randbytes(rng.randint(1, 300)),
        greeting[: rng.randint(1, len(greeting))] + rng.randbytes(64),
    ]
    try:
        with socket.create_connection((endpoint.host, port), timeout=1) as conn:
            conn.sendall(rng.choice(junk))
    except OSError:
        pass


def _half_open(endpoint: Endpoint, count: int) -> list[socket.socket]:
    """``count`` connections to the command port, each sending the greeting's first 11
    bytes once connected (or as soon as it can), then nothing."""
    socks: list[socket.socket] = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        if sock.connect_ex((endpoint.host, endpoint.port)) not in (0, errno.EINPROGRESS):
            sock.close()
            continue
        socks.append(sock)
    deadline = time.monotonic() + 1
    pending = list(socks)
    while pending and time.monotonic() < deadline:
        _, writable, _ = select.select([], pending, [], 0.1)
        for sock in writable:
            pending.remove(sock)
            with contextlib.suppress(OSError):
                sock.send(GREETING_START)
    return socks


def _close(socks: list[socket.socket]) -> None:
    for sock in socks:
        sock.close()
