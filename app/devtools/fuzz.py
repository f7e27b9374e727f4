"""Throw random and mutated frames at a hub's two ports, then check it still serves.

Three kinds of peer: raw TCP junk on both ports (a broken ZMTP/CURVE handshake), a
client with an unknown CURVE key, and a real station key sending mutated envelopes,
wrong frame counts and unknown topics. ``lobbylink bench fuzz`` runs a long one; the
test suite runs a small slice.
"""

from __future__ import annotations

import random
import socket
import time
from dataclasses import dataclass, field

import zmq
import zmq.auth

from app.domain.events import Acknowledge, RaiseSignal, Resolve, encode
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
) -> FuzzStats:
    """Send ``frames`` hostile frames in total; returns what was sent."""
    rng = random.Random(seed)
    stats = FuzzStats()
    started = time.monotonic()
    ctx = zmq.Context()
    try:
        # a real station's connection, sending mutated frames
        station = station_keys.station if station_keys else "C01"
        dealer, _ = station_sockets(ctx, endpoint, station_keys, subscribe=False)
        dealer.setsockopt(zmq.IMMEDIATE, 0)
        dealer.setsockopt(zmq.SNDHWM, 1000)
        seeds = _seeds(station)
        # a stranger with a key the hub never saw
        stranger = None
        if hub_public is not None:
            public, secret = zmq.curve_keypair()
            stranger_keys = StationKeys("ZZ", CurveKeys(public, secret), hub_public)
            stranger, _ = station_sockets(ctx, endpoint, stranger_keys, subscribe=False)
            stranger.setsockopt(zmq.IMMEDIATE, 0)
        while stats.frames < frames:
            choice = rng.random()
            if choice < 0.02:
                _raw_tcp(rng, endpoint)
                stats.raw_tcp += 1
            elif choice < 0.07 and stranger is not None:
                topic, body = rng.choice(seeds)
                _send(stranger, [topic, body])
                stats.unknown_key += 1
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
