"""``lobbylink bench run``: the product's figures next to raw baselines from the same run.

Every product figure is measured against a real ``lobbylink hub`` process (CURVE on,
durable SQLite journal) and stations in separate processes; each raw baseline uses
the same process layout with bare pyzmq sockets (and bare sqlite3). The ratios, not
the timings, are what compare across machines.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import zmq

from app.devtools.bench import workers
from app.devtools.bench.workers import Spec
from app.devtools.common import (
    ROOT,
    Hub,
    cpu_seconds,
    extra_ids,
    free_port_pair,
    journal_fingerprint,
    journal_last_seq,
    make_keys,
    ratio,
    split,
    stats_ms,
    wait_until,
    write_big_branch,
)
from app.domain.config import load_branch

TARGETS = {
    "click_p50_ms": 1.0,
    "click_p99_ms": 3.0,
    "click_vs_raw": 2.0,
    "capacity_events_per_s": 20_000,
    "resync_ms": 100.0,
    "board_events_per_s": 1000,
    "startup_s": 1.0,
    "rss_mb": 120.0,
}
DEMO_RECEIVERS = ["S1", "L1", "H1", "W1", "W2", "C02", "C03", "C04", "C05", "C06"]
"""Demo stations that listen in the click run (C01 clicks; S1, the target, comes first)."""


@dataclass
class Plan:
    quick: bool
    sizes: tuple[int, ...]
    samples: int
    interval_s: float
    procs: int
    capacity_steps: tuple[int, ...]
    capacity_s: float
    resync_events: int
    resync_reps: int
    board_s: float
    soak_s: float
    soak_speed: float
    raw_samples: int

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(
                True, (20, 200), 150, 0.03, 3, (100, 300), 2.0, 50_000, 3, 3.0, 6.0, 60, 1000
            )
        return cls(
            False, (20, 50, 200), 600, 0.025, 3, (50, 150, 300), 4.0, 50_000, 5, 5.0, 60.0, 60, 5000
        )


class Pool:
    """Worker processes (spawned) and the runner's end of their pipes."""

    def __init__(self) -> None:
        self.ctx = mp.get_context("spawn")
        self.items: list[tuple[mp.process.BaseProcess, Connection]] = []

    def start(self, target: Callable[..., None], *args: Any) -> Connection:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=target, args=(child, *args), daemon=True)
        proc.start()
        self.items.append((proc, parent))
        return parent

    def wait_ready(
        self, conns: list[Connection], timeout: float, what: str, hub: Hub | None = None
    ) -> None:
        def ready() -> bool:
            if hub is not None and hub.proc is not None and hub.proc.poll() is not None:
                raise RuntimeError("the hub ended:\n" + "\n".join(hub.log[-20:]))
            for proc, _conn in self.items:
                if proc.exitcode not in (None, 0):
                    raise RuntimeError(f"a worker failed (exit {proc.exitcode})")
            for conn in conns:
                conn.send("status")
                done, total = conn.recv()
                if done < total:
                    return False
            return True

        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                states = []
                for conn in conns:
                    conn.send("status")
                    states.append(conn.recv())
                raise RuntimeError(f"timed out after {timeout:g} s waiting for {what}: {states}")
            time.sleep(0.1)

    @staticmethod
    def stop(conns: list[Connection]) -> list[Any]:
        for conn in conns:
            conn.send("stop")
        return [conn.recv() for conn in conns]

    def close(self) -> None:
        for proc, conn in self.items:
            proc.join(5)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
            conn.close()
        self.items.clear()


def _latencies(results: list[dict[str, Any]]) -> dict[str, Any]:
    target = [x for r in results for x in r["at_target"]]
    everyone = [x for r in results for x in r["at_all"]]
    worst: dict[str, int] = {}
    for r in results:
        for mid, lat in r["worst"].items():
            worst[mid] = max(worst.get(mid, 0), lat)
    return {
        "target": stats_ms(target),
        "every_station": stats_ms(everyone),
        "last_station": stats_ms(list(worst.values())),
    }


# Click → shown ---------------------------------------------------------------------------------
def click_product(base: Path, config: Path, keys: Path, n: int, plan: Plan) -> dict[str, Any]:
    folder = base / f"click-{n}"
    folder.mkdir()
    hub = Hub(folder, config, keys).start()
    pool = Pool()
    try:
        listeners = (DEMO_RECEIVERS + extra_ids(n))[: n - 1]
        common: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": hub.port,
            "keys": str(keys),
            "config": str(config),
        }
        recv = [
            pool.start(workers.receivers, Spec(stations=part, target="S1", **common))
            for part in split(listeners, plan.procs)
        ]
        click = pool.start(
            workers.sender,
            Spec(stations=["C01"], count=plan.samples, interval_s=plan.interval_s, **common),
        )
        pool.wait_ready([*recv, click], 90, f"{n} stations synced", hub)
        for conn in recv:
            conn.send("go")
        time.sleep(0.3)
        click.send("go")
        time.sleep(plan.samples * plan.interval_s + 1.5)
        sent = Pool.stop([click])[0]
        time.sleep(0.5)
        out = _latencies(Pool.stop(recv))
        out["stations"] = n
        out["clicks"] = sent["clicks"]
        out["reply"] = stats_ms(sent["replies"])
        out["rejected"] = sent["rejected"]
        out["hub_rss_mb"] = round(hub.rss_mb(), 1)
        return out
    finally:
        pool.close()
        hub.stop()


def click_raw(base: Path, keys: Path, n: int, plan: Plan) -> dict[str, Any]:
    folder = base / f"raw-{n}"
    folder.mkdir()
    port = free_port_pair()
    pool = Pool()
    server = pool.start(workers.raw_hub, port, str(keys), str(folder / "raw.sqlite"))
    try:
        if not server.poll(20):
            raise RuntimeError("raw hub did not start")
        server.recv()
        listeners = (DEMO_RECEIVERS + extra_ids(n))[: n - 1]
        common: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": port,
            "keys": str(keys),
            "config": "",
        }
        recv = [
            pool.start(workers.raw_receivers, Spec(stations=part, target="S1", **common))
            for part in split(listeners, plan.procs)
        ]
        click = pool.start(
            workers.raw_dealers,
            Spec(stations=["C01"], count=plan.samples, interval_s=plan.interval_s, **common),
        )
        pool.wait_ready([click, *recv], 60, "raw dealer and subscribers")
        for conn in recv:
            conn.send("go")
        time.sleep(0.3)
        click.send("go")
        time.sleep(plan.samples * plan.interval_s + 1.0)
        sent = Pool.stop([click])[0]
        time.sleep(0.3)
        out = _latencies(Pool.stop(recv))
        out["reply"] = stats_ms(sent["replies"])
        return out
    finally:
        server.send("stop")
        pool.close()


# Capacity and resync ---------------------------------------------------------------------------
def _load_step(
    pool: Pool,
    target: Callable[..., None],
    stations: list[str],
    common: dict[str, Any],
    procs: int,
    seconds: float,
    extra: dict[str, Any] | None = None,
    server_pid: int | None = None,
) -> dict[str, Any]:
    """One load step; ``server_pid`` (the hub's process) also gets its CPU time measured."""
    conns = [
        pool.start(target, Spec(stations=part, extra=dict(extra or {}), **common))
        for part in split(stations, procs)
    ]
    pool.wait_ready(conns, 90, f"{len(stations)} loaders warmed up")
    cpu0 = cpu_seconds(server_pid) if server_pid else 0.0
    for conn in conns:
        conn.send("go")
    time.sleep(seconds)
    cpu1 = cpu_seconds(server_pid) if server_pid else 0.0
    results = Pool.stop(conns)
    accepted = sum(r["accepted"] for r in results)
    span = max(r["seconds"] for r in results)
    out = {
        "stations": len(stations),
        "accepted": accepted,
        "events_per_s": round(accepted / span) if span else 0,
        "reply": stats_ms([x for r in results for x in r["replies"]]),
    }
    if server_pid and accepted:
        # The server's own cost (every thread: Python, ZeroMQ's I/O with CURVE, ZAP),
        # independent of how fast the simulated stations on the same cores can go.
        out["server_cpu_share"] = round((cpu1 - cpu0) / seconds, 2)
        out["server_cpu_us_per_event"] = round((cpu1 - cpu0) / accepted * 1e6, 1)
    rejected: dict[str, int] = {}
    for r in results:
        for code, count in r.get("rejected", {}).items():
            rejected[code] = rejected.get(code, 0) + count
    if rejected:
        out["rejected"] = rejected
    return out


def capacity_and_resync(
    base: Path, config: Path, keys: Path, plan: Plan
) -> tuple[dict[str, Any], dict[str, Any], Hub]:
    folder = base / "capacity"
    folder.mkdir()
    hub = Hub(folder, config, keys).start()
    pool = Pool()
    common: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": hub.port,
        "keys": str(keys),
        "config": str(config),
    }
    pool_ids = extra_ids(sum(plan.capacity_steps) + 300)
    used = 0
    steps = []
    try:
        for count in plan.capacity_steps:  # fresh stations each step: rate limits are per station
            ids = pool_ids[used : used + count]
            used += count
            steps.append(
                _load_step(
                    pool,
                    workers.loaders,
                    ids,
                    common,
                    plan.procs,
                    plan.capacity_s,
                    server_pid=hub.pid,
                )
            )
            pool.close()
        best = max(steps, key=lambda s: s["events_per_s"])
        capacity = {"steps": steps, "best": best}
        have = journal_last_seq(hub.db_path)
        if have < plan.resync_events:
            ids = pool_ids[used : used + 300]
            quota = math.ceil((plan.resync_events - have) / len(ids)) + 1
            conns = [
                pool.start(workers.loaders, Spec(stations=part, extra={"quota": quota}, **common))
                for part in split(ids, plan.procs)
            ]
            pool.wait_ready(conns, 90, "fill loaders")
            for conn in conns:
                conn.send("go")
            wait_until(
                lambda: journal_last_seq(hub.db_path) >= plan.resync_events, 120, "a full day"
            )
            Pool.stop(conns)
            pool.close()
        resync = measure_resync(hub, config, keys, plan.resync_reps)
        return capacity, resync, hub
    except BaseException:
        hub.stop()
        raise
    finally:
        pool.close()


def measure_resync(hub: Hub, config: Path, keys: Path, reps: int) -> dict[str, Any]:
    """A station joining the day (last_seq 0: the snapshot path) until it holds the journal."""
    from app.station import StationSession
    from messaging.envelope import Envelope
    from messaging.keys import station_keys

    branch = load_branch(config)
    ctx = zmq.Context()
    events = journal_last_seq(hub.db_path)
    times: list[int] = []
    sizes: list[int] = []
    sessions: list[StationSession] = []
    try:
        for sid in ["H1", "L1", "S1", "W1", "C02", "C03", "C04"][:reps]:
            session = StationSession(branch, sid, hub.endpoint, ctx, keys=station_keys(keys, sid))
            original = session.link.on_snapshot

            def on_snapshot(env: Envelope, _o: Any = original) -> None:
                sizes.append(len(env.payload))
                _o(env)

            session.link.on_snapshot = on_snapshot
            poller = zmq.Poller()
            for sock in session.link.sockets:
                poller.register(sock, zmq.POLLIN)
            start = time.perf_counter_ns()
            session.start()
            deadline = time.monotonic() + 30
            while not (session.link.synced and session.state.last_seq >= events):
                poller.poll(1)
                while session.link.process():
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{sid} did not resync")
                session.link.tick()
            times.append(time.perf_counter_ns() - start)
            sessions.append(session)
        # Then: is what they hold the journal? (their own arrivals add presence events)
        time.sleep(0.5)
        seq, truth = journal_fingerprint(hub.db_url, config)
        equal = 0
        deadline = time.monotonic() + 10
        for session in sessions:
            while session.state.last_seq < seq and time.monotonic() < deadline:
                session.pump()
                time.sleep(0.002)
            if session.state.last_seq == seq and session.state.fingerprint() == truth:
                equal += 1
        return {
            "events": events,
            "snapshot_bytes": max(sizes, default=0),
            "time": stats_ms(times),
            "stations_equal_to_journal": f"{equal}/{len(sessions)}",
        }
    finally:
        for session in sessions:
            session.close()
        ctx.destroy(linger=0)


def capacity_raw(base: Path, keys: Path, stations: int, plan: Plan) -> dict[str, Any]:
    folder = base / "raw-capacity"
    folder.mkdir()
    port = free_port_pair()
    pool = Pool()
    server = pool.start(workers.raw_hub, port, str(keys), str(folder / "raw.sqlite"))
    server_pid = pool.items[-1][0].pid
    try:
        if not server.poll(20):
            raise RuntimeError("raw hub did not start")
        server.recv()
        common: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": port,
            "keys": str(keys),
            "config": "",
        }
        return _load_step(
            pool,
            workers.raw_dealers,
            extra_ids(stations),
            common,
            plan.procs,
            plan.capacity_s,
            {"flood": True},
            server_pid=server_pid,
        )
    finally:
        server.send("stop")
        pool.close()


# Simple baselines ----------------------------------------------------------------------------
def _echo_round_trips(port: int, count: int, size: int = 0, keys: Path | None = None) -> list[int]:
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    if keys is not None:
        workers._curve_client(dealer, Spec("127.0.0.1", port, str(keys), "", ["C01"]), "C01")
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
        echo = pool.start(workers.raw_echo, port, "")
        echo.recv()
        out["dealer_router_rtt"] = stats_ms(_echo_round_trips(port, plan.raw_samples))
        echo.send("stop")
        port = free_port_pair()
        cecho = pool.start(workers.raw_echo, port, str(keys))
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
    pub = pool.start(workers.raw_pub, port, plan.raw_samples, 0.0005)
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
            sent = workers.stamped_ns(body.decode("ascii", "replace"))
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


# Board, start-up, memory --------------------------------------------------------------------
def _board_child(
    hub: Hub, config: Path, keys: Path, measure_s: float, soak_s: float
) -> subprocess.Popen[str]:
    """``python -m app.devtools.bench.board`` for H1, started now (its first line: the start-up)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")
    t0 = time.monotonic_ns()
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.devtools.bench.board",
            "--hub",
            str(hub.endpoint),
            "--keys",
            str(keys),
            "--config",
            str(config),
            "--station",
            "H1",
            "--t0",
            str(t0),
            "--measure",
            str(measure_s),
            "--soak",
            str(soak_s),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def startup_branch(base: Path, keys: Path, runs: int) -> dict[str, Any]:
    """Start-up of the board on a branch-sized config: the demo's stations plus the 40
    simulated tellers of the board load (the main run's config has 680 more, every one
    of them on the board's floor map). ``runs`` fresh processes, one after the other."""
    import json
    import statistics

    folder = base / "startup"
    folder.mkdir()
    config = write_big_branch(folder, 40)
    hub = Hub(folder, config, keys).start()
    times: list[float] = []
    try:
        for _ in range(runs):
            child = _board_child(hub, config, keys, 1.0, 1.0)
            try:
                assert child.stdout is not None
                line = child.stdout.readline()
                if not line:
                    raise RuntimeError("the board process ended before its window was ready")
                times.append(float(json.loads(line)["startup_s"]))
            finally:
                child.kill()
                child.wait(5)
        return {
            "stations": len(load_branch(config).stations),
            "runs": [round(t, 3) for t in times],
            "median_s": round(statistics.median(times), 3),
        }
    finally:
        hub.stop()


def board_and_memory(base: Path, config: Path, keys: Path, plan: Plan) -> dict[str, Any]:
    import json

    from app.sim import Simulator

    folder = base / "board"
    folder.mkdir()
    hub = Hub(folder, config, keys).start()
    pool = Pool()
    child = _board_child(hub, config, keys, plan.board_s, plan.soak_s)
    out: dict[str, Any] = {}
    sim: Simulator | None = None
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line:
            raise RuntimeError("the board process ended before its window was ready")
        first = json.loads(line)
        out["startup_s"] = round(first["startup_s"], 3)
        out["station_rss_at_start_mb"] = round(first["rss_mb"], 1)
        out["startup_stations"] = len(load_branch(config).stations)
        # 1,000 events/s: 40 tellers raising and cancelling at 25 commands/s each.
        common: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": hub.port,
            "keys": str(keys),
            "config": str(config),
        }
        conns = [
            pool.start(
                workers.loaders, Spec(stations=part, code="assist", extra={"rate": 25.0}, **common)
            )
            for part in split(extra_ids(40), 2)
        ]
        pool.wait_ready(conns, 60, "board load")
        for conn in conns:
            conn.send("go")
        line = child.stdout.readline()
        Pool.stop(conns)
        out["board"] = json.loads(line)["board"]
        # Then the branch at work, compressed: the demo's people at soak_speed× for soak_s.
        branch = load_branch(config)
        people = [s for s in branch.stations if not s.startswith("X") and s != "H1"]
        sim = Simulator(branch, hub.endpoint, people, speed=plan.soak_speed, seed=1, keys_dir=keys)
        sim.start()
        line = child.stdout.readline()
        last = json.loads(line) if line else {}
        out["station_rss_mb"] = round(last.get("rss_mb", float("nan")), 1)
        out["hub_rss_mb"] = round(hub.rss_mb(), 1)
        out["soak"] = {
            "simulated_minutes": round(plan.soak_s * plan.soak_speed / 60, 1),
            "commands_accepted": sum(sim.actions.values()),
            "journal_events": journal_last_seq(hub.db_path),
        }
        child.wait(20)
        return out
    finally:
        if sim is not None:
            sim.stop()
        if child.poll() is None:
            child.kill()
            child.wait(5)
        pool.close()
        hub.stop()


# The run ----------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "memory": free.splitlines()[1] if free else "",
        "python": platform.python_version(),
        "pyzmq": zmq.pyzmq_version(),
        "libzmq": zmq.zmq_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def run(quick: bool, keep: bool = False, say: Callable[[str], None] = print) -> dict[str, Any]:
    plan = Plan.make(quick)
    started = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="lobbylink-bench-"))
    result: dict[str, Any] = {"mode": "quick" if quick else "full", "machine": machine()}
    try:
        config = write_big_branch(base, sum(plan.capacity_steps) + 320)
        keys = make_keys(base, config)
        say(f"bench: {len(list((keys / 'stations').glob('*.key')))} station keys in {base}")
        clicks = []
        for n in plan.sizes:
            say(f"bench: click → shown, {n} stations …")
            product = click_product(base, config, keys, n, plan)
            raw = click_raw(base, keys, n, plan)
            clicks.append({"stations": n, "product": product, "raw": raw})
        result["click"] = clicks
        say("bench: hub capacity and resync …")
        capacity, resync, hub = capacity_and_resync(base, config, keys, plan)
        hub.stop()
        result["capacity"] = capacity
        result["resync"] = resync
        result["capacity_raw"] = capacity_raw(base, keys, capacity["best"]["stations"], plan)
        say("bench: board, start-up and memory …")
        result["board"] = board_and_memory(base, config, keys, plan)
        say("bench: start-up on a branch-sized config …")
        result["startup"] = startup_branch(base, keys, 3 if quick else 5)
        say("bench: raw baselines …")
        result["raw"] = raw_baselines(base, keys, plan, resync["snapshot_bytes"])
        result["ratios"] = ratios(result)
        result["seconds"] = round(time.monotonic() - started, 1)
        return result
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)


def ratios(r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    raw = r["raw"]
    for c in r["click"]:
        n, p, b = c["stations"], c["product"], c["raw"]
        out[f"click_{n}_target_p50_vs_raw_fanout"] = ratio(
            p["target"]["p50_ms"], b["target"]["p50_ms"]
        )
        out[f"click_{n}_target_p99_vs_raw_fanout"] = ratio(
            p["target"]["p99_ms"], b["target"]["p99_ms"]
        )
        out[f"click_{n}_last_station_p50_vs_raw_fanout"] = ratio(
            p["last_station"]["p50_ms"], b["last_station"]["p50_ms"]
        )
        out[f"click_{n}_reply_p50_vs_raw_dealer_router_rtt"] = ratio(
            p["reply"]["p50_ms"], raw["dealer_router_rtt"]["p50_ms"]
        )
        out[f"click_{n}_target_p50_vs_raw_pub_sub"] = ratio(
            p["target"]["p50_ms"], raw["pub_sub_one_way"]["p50_ms"]
        )
    best, rawcap = r["capacity"]["best"], r["capacity_raw"]
    out["capacity_vs_raw"] = ratio(best["events_per_s"], rawcap["events_per_s"])
    out["capacity_reply_p99_vs_raw"] = ratio(best["reply"]["p99_ms"], rawcap["reply"]["p99_ms"])
    if "server_cpu_us_per_event" in best and "server_cpu_us_per_event" in rawcap:
        out["capacity_cpu_per_event_vs_raw"] = ratio(
            best["server_cpu_us_per_event"], rawcap["server_cpu_us_per_event"]
        )
    out["capacity_vs_sqlite_single_commits"] = ratio(
        best["events_per_s"], 1000 / raw["sqlite_insert_commit"]["p50_ms"]
    )
    if "bulk_reply_curve" in raw:
        out["resync_vs_raw_bulk_reply"] = ratio(
            r["resync"]["time"]["p50_ms"], raw["bulk_reply_curve"]["p50_ms"]
        )
    out["board_apply_p50_vs_raw_pub_sub"] = ratio(
        r["board"]["board"]["apply"]["p50_ms"], raw["pub_sub_one_way"]["p50_ms"]
    )
    return out


def table(r: dict[str, Any]) -> str:
    """The figures as a Markdown table: figure, measured, baseline, ratio, target."""
    raw, rows = r["raw"], []

    def row(name: str, value: str, base: str = "", rat: str = "", target: str = "") -> None:
        rows.append(f"| {name} | {value} | {base} | {rat} | {target} |")

    def f(s: dict[str, Any]) -> str:
        return f"{s['p50_ms']:.3f} / {s['p99_ms']:.3f} / {s['max_ms']:.3f}"

    rt = r["ratios"]
    for c in r["click"]:
        n, p, b = c["stations"], c["product"], c["raw"]
        target = "p50 ≤ 1, p99 ≤ 3 ms; ≤ 2× raw" if n == 200 else ""
        row(
            f"click → shown at target (S1), {n} stations, ms p50/p99/max",
            f(p["target"]),
            f(b["target"]),
            f"{rt[f'click_{n}_target_p50_vs_raw_fanout']}× / "
            f"{rt[f'click_{n}_target_p99_vs_raw_fanout']}×",
            target,
        )
        row(
            f"click → shown at the last of {n - 1} listeners, ms",
            f(p["last_station"]),
            f(b["last_station"]),
            f"{rt[f'click_{n}_last_station_p50_vs_raw_fanout']}×",
        )
        row(f"click → accepted (reply), {n} stations, ms", f(p["reply"]), f(b["reply"]))
    best, rawcap = r["capacity"]["best"], r["capacity_raw"]
    row(
        f"hub capacity, durable events/s ({best['stations']} stations)",
        f"{best['events_per_s']:,}",
        f"{rawcap['events_per_s']:,}",
        f"{rt['capacity_vs_raw']}×",
        "≥ 20,000",
    )
    row(
        "  reply time at that rate, ms",
        f(best["reply"]),
        f(rawcap["reply"]),
        f"{rt['capacity_reply_p99_vs_raw']}× (p99)",
    )
    if "capacity_cpu_per_event_vs_raw" in rt:
        us, raw_us = best["server_cpu_us_per_event"], rawcap["server_cpu_us_per_event"]
        row(
            "  hub CPU per accepted event, µs (all threads; events/s on one core)",
            f"{us:.0f} ({1e6 / us:,.0f}/s)",
            f"{raw_us:.0f} ({1e6 / raw_us:,.0f}/s)",
            f"{rt['capacity_cpu_per_event_vs_raw']}×",
        )
    rs = r["resync"]
    row(
        f"resync of {rs['events']:,} events (snapshot {rs['snapshot_bytes']:,} B), ms",
        f(rs["time"]),
        f(raw["bulk_reply_curve"]) if "bulk_reply_curve" in raw else "",
        f"{rt.get('resync_vs_raw_bulk_reply', '')}×",
        "≤ 100 ms",
    )
    bd = r["board"]["board"]
    row(
        f"board: apply one event ({bd['events_per_s']:.0f} events/s arriving), ms",
        f(bd["apply"]),
        "",
        "",
        "1,000 events/s",
    )
    row("board: refresh, ms", f(bd["refresh"]))
    row(
        "board: UI thread's longest stall, ms",
        f"{bd['stall_max_ms']:.1f}",
        "",
        "",
        "without freezing",
    )
    bm = r["board"]
    row(
        f"station start → shown and synced (board H1, {bm.get('startup_stations', '?')} "
        "stations), s",
        f"{bm['startup_s']:.2f}",
        "",
        "",
        "≤ 1 s",
    )
    if "startup" in r:
        su = r["startup"]
        row(
            f"station start → shown and synced (board H1, {su['stations']} stations), "
            f"s, median of {len(su['runs'])}",
            f"{su['median_s']:.2f}",
            "",
            "",
            "≤ 1 s",
        )
    row(
        f"RSS after {bm['soak']['simulated_minutes']} simulated minutes: station, MB",
        f"{bm['station_rss_mb']:.0f}",
        "",
        "",
        "≤ 120 MB",
    )
    row("RSS: hub, MB", f"{bm['hub_rss_mb']:.0f}", "", "", "≤ 120 MB")
    row("raw DEALER↔ROUTER round trip (plain), ms", f(raw["dealer_router_rtt"]))
    row("raw DEALER↔ROUTER round trip (CURVE), ms", f(raw["dealer_router_rtt_curve"]))
    row("raw PUB→SUB one way (plain), ms", f(raw["pub_sub_one_way"]))
    row("raw sqlite3 insert + commit (WAL, FULL), ms", f(raw["sqlite_insert_commit"]))
    head = "| figure | measured | raw baseline | ratio | DESIGN target |\n|---|---|---|---|---|\n"
    return head + "\n".join(rows)


def print_result(r: dict[str, Any], say: Callable[[str], None] = print) -> None:
    m = r["machine"]
    say(
        f"\nLobbylink bench ({r['mode']}, {r['seconds']} s) — {m['date']}; {m['nproc']} cores; "
        f"Python {m['python']}, pyzmq {m['pyzmq']}, libzmq {m['libzmq']}\n"
    )
    say(table(r))
