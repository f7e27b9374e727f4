"""The board (the Qt station, a child process) under load, its start-up, and memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from app.devtools.bench import workers
from app.devtools.bench.plan import Plan, Pool
from app.devtools.bench.workers import Spec
from app.devtools.common import (
    ROOT,
    Hub,
    extra_ids,
    journal_last_seq,
    split,
    write_big_branch,
)
from app.domain.config import load_branch


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
