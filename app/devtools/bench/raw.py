"""The raw baseline's processes: bare pyzmq sockets (and sqlite3) in the product's layout.

Same protocol with the runner as :mod:`app.devtools.bench.workers`: ``"status"``,
``"go"``, ``"stop"``.
"""

from __future__ import annotations

import contextlib
import time
from multiprocessing.connection import Connection

import zmq

from app.devtools.bench.workers import Spec, control, stamp, stamped_ns
from messaging.keys import station_keys


def curve_client(sock: zmq.Socket, spec: Spec, sid: str) -> None:
    keys = station_keys(spec.keys, sid)
    sock.setsockopt(zmq.CURVE_SERVERKEY, keys.hub_public)
    sock.setsockopt(zmq.CURVE_PUBLICKEY, keys.own.public)
    sock.setsockopt(zmq.CURVE_SECRETKEY, keys.own.secret)
    sock.setsockopt(zmq.LINGER, 0)


def raw_receivers(conn: Connection, spec: Spec) -> None:
    """Plain SUB sockets (CURVE), one per station: what ZeroMQ alone costs per arrival."""
    ctx = zmq.Context()
    subs: list[tuple[str, zmq.Socket]] = []
    ordered = sorted(spec.stations, key=lambda s: s != spec.target)
    for sid in ordered:
        sub = ctx.socket(zmq.SUB)
        curve_client(sub, spec, sid)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect(spec.endpoint.events)
        subs.append((sid, sub))
    seen: set[str] = set()
    at_target: list[int] = []
    at_all: list[int] = []
    worst: dict[str, int] = {}
    poller = zmq.Poller()
    for _sid, sub in subs:
        poller.register(sub, zmq.POLLIN)
    recording = False
    try:
        while True:
            msg = control(conn, len(seen), len(subs))
            if msg == "go":
                recording = True
            elif msg == "stop":
                conn.send({"at_target": at_target, "at_all": at_all, "worst": worst})
                break
            events = dict(poller.poll(5))
            for sid, sub in subs:
                if sub not in events:
                    continue
                while True:
                    try:
                        _topic, body = sub.recv_multipart(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    seen.add(sid)
                    msg_id = body.decode("ascii", "replace")
                    sent = stamped_ns(msg_id) if recording else None
                    if sent is None:
                        continue
                    lat = time.monotonic_ns() - sent
                    at_all.append(lat)
                    if sid == spec.target:
                        at_target.append(lat)
                    worst[msg_id] = max(worst.get(msg_id, 0), lat)
    finally:
        for _sid, sub in subs:
            sub.close(0)
        ctx.destroy(linger=0)


def raw_dealers(conn: Connection, spec: Spec) -> None:
    """Plain DEALERs (CURVE), one command in flight each: paced clicks or a flood."""
    ctx = zmq.Context()
    dealers: list[tuple[str, zmq.Socket]] = []
    for sid in spec.stations:
        d = ctx.socket(zmq.DEALER)
        curve_client(d, spec, sid)
        d.connect(spec.endpoint.commands)
        dealers.append((sid, d))
    flood = bool(spec.extra.get("flood"))
    poller = zmq.Poller()
    for _sid, d in dealers:
        poller.register(d, zmq.POLLIN)
    warmed: set[int] = set()
    inflight: dict[int, int] = {}
    replies: list[int] = []
    accepted = 0
    go = stop = False
    started = 0
    made = 0
    next_click = 0.0
    for i, (_sid, d) in enumerate(dealers):
        d.send_multipart([b"warm", b"w"])
        inflight[i] = 0
    try:
        while True:
            msg = control(conn, len(warmed), len(dealers))
            if msg == "go":
                go, started, next_click = True, time.monotonic_ns(), time.monotonic()
                if flood:
                    for i, (_sid, d) in enumerate(dealers):
                        if i not in inflight:
                            inflight[i] = time.monotonic_ns()
                            d.send_multipart([b"cmd", stamp().encode()])
            elif msg == "stop":
                stop = True
                conn.send(
                    {
                        "accepted": accepted,
                        "seconds": (time.monotonic_ns() - started) / 1e9,
                        "replies": replies,
                        "clicks": made,
                    }
                )
                break
            if go and not flood and made < spec.count and time.monotonic() >= next_click:
                next_click += spec.interval_s
                if 0 not in inflight:
                    inflight[0] = time.monotonic_ns()
                    dealers[0][1].send_multipart([b"cmd", stamp().encode()])
                    made += 1
            events = dict(poller.poll(1 if go and not flood else 2))
            for i, (_sid, d) in enumerate(dealers):
                if d not in events:
                    continue
                while True:
                    try:
                        d.recv_multipart(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    at = inflight.pop(i, 0)
                    if not at:
                        warmed.add(i)
                    elif go and not stop:
                        replies.append(time.monotonic_ns() - at)
                        accepted += 1
                    if go and flood:
                        inflight[i] = time.monotonic_ns()
                        d.send_multipart([b"cmd", stamp().encode()])
    finally:
        for _sid, d in dealers:
            d.close(0)
        ctx.destroy(linger=0)


def raw_hub(conn: Connection, port: int, keys: str, db_path: str) -> None:
    """The raw path: ROUTER → SQLite insert + group commit (WAL, FULL) → PUB → reply.

    CURVE servers with the hub's keys and no ZAP handler (every key accepted): the
    encryption costs the same as the product's, the policy nothing.
    """
    import sqlite3

    from messaging.keys import hub_keys

    ctx = zmq.Context()
    curve = hub_keys(keys)
    router = ctx.socket(zmq.ROUTER)
    pub = ctx.socket(zmq.PUB)
    for sock in (router, pub):
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.CURVE_SERVER, 1)
        sock.setsockopt(zmq.CURVE_PUBLICKEY, curve.public)
        sock.setsockopt(zmq.CURVE_SECRETKEY, curve.secret)
    router.setsockopt(zmq.SNDHWM, 100_000)
    router.setsockopt(zmq.RCVHWM, 100_000)
    pub.setsockopt(zmq.SNDHWM, 100_000)
    router.bind(f"tcp://127.0.0.1:{port}")
    pub.bind(f"tcp://127.0.0.1:{port + 1}")
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS ev (seq INTEGER PRIMARY KEY, body BLOB)")
    seq = 0
    conn.send("ready")
    poller = zmq.Poller()
    poller.register(router, zmq.POLLIN)
    try:
        while not conn.poll(0):
            if not poller.poll(50):
                pub.send_multipart([b"hb", b"idle"])  # like the hub's heartbeat: joiners see it
                continue
            batch: list[list[bytes]] = []
            for _ in range(1000):
                try:
                    batch.append(router.recv_multipart(zmq.NOBLOCK))
                except zmq.Again:
                    break
            cmds = [b for b in batch if b[1] == b"cmd"]
            if cmds:
                rows = []
                for frames in cmds:
                    seq += 1
                    rows.append((seq, frames[2]))
                db.execute("BEGIN")
                db.executemany("INSERT INTO ev VALUES (?, ?)", rows)
                db.execute("COMMIT")
                for frames in cmds:
                    pub.send_multipart([b"ev", frames[2]])
            for frames in batch:
                router.send_multipart([frames[0], b"ok", frames[2][:64]])
    finally:
        db.close()
        router.close(0)
        pub.close(0)
        ctx.destroy(linger=0)


def raw_echo(conn: Connection, port: int, curve_keys: str = "") -> None:
    """ROUTER echo (plain); a body ``S<n>`` is answered with n bytes (a bulk reply)."""
    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    router.setsockopt(zmq.LINGER, 0)
    if curve_keys:
        from messaging.keys import hub_keys

        curve = hub_keys(curve_keys)
        router.setsockopt(zmq.CURVE_SERVER, 1)
        router.setsockopt(zmq.CURVE_PUBLICKEY, curve.public)
        router.setsockopt(zmq.CURVE_SECRETKEY, curve.secret)
    router.bind(f"tcp://127.0.0.1:{port}")
    conn.send("ready")
    poller = zmq.Poller()
    poller.register(router, zmq.POLLIN)
    try:
        while not conn.poll(0):
            if not poller.poll(50):
                continue
            while True:
                try:
                    ident, body = router.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                if body.startswith(b"S"):
                    router.send_multipart([ident, b"x" * int(body[1:])])
                else:
                    router.send_multipart([ident, body])
    finally:
        router.close(0)
        ctx.destroy(linger=0)


def raw_pub(conn: Connection, port: int, count: int, interval_s: float) -> None:
    """PUB sending ``count`` stamped messages, one every ``interval_s``, after 'go'."""
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.setsockopt(zmq.LINGER, 0)
    pub.bind(f"tcp://127.0.0.1:{port}")
    conn.send("ready")
    try:
        while conn.recv() != "go":
            pub.send_multipart([b"ev", b"warm"])
        for _ in range(count):
            pub.send_multipart([b"ev", stamp().encode()])
            time.sleep(interval_s)
        conn.send("done")
        with contextlib.suppress(EOFError):
            conn.recv()
    finally:
        pub.close(0)
        ctx.destroy(linger=0)
