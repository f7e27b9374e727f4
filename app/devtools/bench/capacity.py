"""Hub capacity (durable events/s) under loader stations, and a station's resync."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq

from app.devtools.bench import raw, workers
from app.devtools.bench.plan import Plan, Pool
from app.devtools.bench.workers import Spec
from app.devtools.common import (
    Hub,
    cpu_seconds,
    extra_ids,
    free_port_pair,
    journal_fingerprint,
    journal_last_seq,
    split,
    stats_ms,
    wait_until,
)
from app.domain.config import load_branch


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
    server = pool.start(raw.raw_hub, port, str(keys), str(folder / "raw.sqlite"))
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
            raw.raw_dealers,
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
