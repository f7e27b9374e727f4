"""What a run measures and the worker processes it starts: the plan and the pool."""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from app.devtools.common import (
    Hub,
)

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
