"""Simple raw baselines: DEALER↔ROUTER round trips, PUB→SUB one way, sqlite3 commits."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import zmq

from app.devtools.bench import raw
from app.devtools.bench.plan import Plan, Pool
from app.devtools.bench.raw import curve_client
from app.devtools.bench.workers import Spec, stamped_ns
from app.devtools.common import (
    free_port_pair,
    stats_ms,
)


# Simple baselines ----------------------------------------------------------------------------
def _echo_round_trips(port: int, count: int, size: int = 0, keys: Path | None = None) -> list[int]:
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    if keys is not None:
        curve_client(dealer, Spec("127.0.0.1", port, str(keys), "", ["C01"]), "C01")
    dealer.connect(f"tcp://127.0.0.1:{port}")
    body = f"S{size}".encode() if size else b"x" * 200
    out = []
    try:
        for i in range(count + 50):
            t = time.perf_counter_ns()
            dealer.send(body)
            dealer.recv()
            if i >= 50:
                out.append(time.perf_counter_ns() - t)
    finally:
        dealer.close(0)
        ctx.destroy(linger=0)
    return out


def raw_baselines(base: Path, keys: Path, plan: Plan, snapshot_bytes: int) -> dict[str, Any]:
    pool = Pool()
    out: dict[str, Any] = {}
    try:
        port = free_port_pair()
        echo = pool.start(raw.raw_echo, port, "")
        echo.recv()
        out["dealer_router_rtt"] = stats_ms(_echo_round_trips(port, plan.raw_samples))
        echo.send("stop")
        port = free_port_pair()
        cecho = pool.start(raw.raw_echo, port, str(keys))
        cecho.recv()
        out["dealer_router_rtt_curve"] = stats_ms(
            _echo_round_trips(port, plan.raw_samples, keys=keys)
        )
        if snapshot_bytes:
            out["bulk_reply_curve"] = stats_ms(
                _echo_round_trips(port, 20, size=snapshot_bytes, keys=keys)
            )
            out["bulk_reply_curve"]["bytes"] = snapshot_bytes
        cecho.send("stop")
        out["pub_sub_one_way"] = _pub_sub(pool, plan)
        out["sqlite_insert_commit"] = _sqlite(base, plan.raw_samples // 5)
    finally:
        pool.close()
    return out


def _pub_sub(pool: Pool, plan: Plan) -> dict[str, Any]:
    port = free_port_pair()
    pub = pool.start(raw.raw_pub, port, plan.raw_samples, 0.0005)
    pub.recv()
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(f"tcp://127.0.0.1:{port}")
    lat: list[int] = []
    try:
        while True:  # the slow joiner: warm-ups until the subscription is in place
            pub.send("warm")
            if sub.poll(100):
                sub.recv_multipart()
                break
        while sub.poll(0):
            sub.recv_multipart()
        pub.send("go")
        while len(lat) < plan.raw_samples and sub.poll(2000):
            _topic, body = sub.recv_multipart()
            sent = stamped_ns(body.decode("ascii", "replace"))
            if sent is not None:
                lat.append(time.monotonic_ns() - sent)
        pub.recv()
        pub.send("bye")
    finally:
        sub.close(0)
        ctx.destroy(linger=0)
    return stats_ms(lat)


def _sqlite(base: Path, count: int) -> dict[str, Any]:
    import sqlite3

    path = base / "raw-insert.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE ev (seq INTEGER PRIMARY KEY, body BLOB)")
    body = os.urandom(200)
    lat = []
    try:
        for seq in range(1, count + 1):
            t = time.perf_counter_ns()
            db.execute("BEGIN")
            db.execute("INSERT INTO ev VALUES (?, ?)", (seq, body))
            db.execute("COMMIT")
            lat.append(time.perf_counter_ns() - t)
    finally:
        db.close()
    return stats_ms(lat)
