"""``lobbylink bench run``: the product's figures next to raw baselines from the same run.

Every product figure is measured against a real ``lobbylink hub`` process (CURVE on,
durable SQLite journal) and stations in separate processes; each raw baseline uses
the same process layout with bare pyzmq sockets (and bare sqlite3). The ratios, not
the timings, are what compare across machines.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq

from app.devtools.bench.baselines import raw_baselines
from app.devtools.bench.board_run import board_and_memory, startup_branch
from app.devtools.bench.capacity import capacity_and_resync, capacity_raw
from app.devtools.bench.click import click_product, click_raw
from app.devtools.bench.plan import Plan
from app.devtools.bench.table import print_result as print_result
from app.devtools.bench.table import ratios
from app.devtools.common import (
    make_keys,
    write_big_branch,
)


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
