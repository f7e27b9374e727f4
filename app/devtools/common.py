"""What every benchmark and fault run shares: a real hub process, a big branch, figures.

No Qt here (only app.devtools.bench.board imports it). Every timing is in nanoseconds from
``time.monotonic_ns()``, which is one clock for every process on the machine (Linux
CLOCK_MONOTONIC), so a send in one process and an arrival in another compare directly.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.domain.config import default_config_path, load_branch
from app.hub.process import ROOT as ROOT
from app.hub.process import HubProcess
from app.hub.process import free_port_pair as free_port_pair
from messaging import keys as keyfiles

EXTRA_PREFIX = "X"


def extra_ids(count: int) -> list[str]:
    return [f"{EXTRA_PREFIX}{i:04d}" for i in range(1, count + 1)]


def write_big_branch(folder: Path, extra: int) -> Path:
    """The demo branch plus ``extra`` simulated teller stations (X0001…), as a TOML file."""
    text = default_config_path().read_text(encoding="utf-8")
    blocks = []
    for i, sid in enumerate(extra_ids(extra)):
        blocks.append(
            f'\n[[stations]]\nid = "{sid}"\n'
            f'name = {{ zh_CN = "模拟{sid}", en = "Sim {sid}" }}\n'
            f'role = "teller"\nzone = "lobby"\npos = [{280 + (i * 7) % 440}, {220 + (i * 13) % 150}]\n'
        )
    path = folder / "bench-branch.toml"
    path.write_text(text + "".join(blocks), encoding="utf-8")
    load_branch(path)  # fail here, not in a child, if the file is wrong
    return path


def make_keys(folder: Path, config: Path) -> Path:
    keys = folder / "keys"
    keyfiles.init(keys, sorted(load_branch(config).stations))
    return keys


class Hub(HubProcess):
    """``lobbylink hub`` as a real child process (CURVE on, durable SQLite journal)."""

    def __init__(self, folder: Path, config: Path, keys: Path, port: int | None = None) -> None:
        self.folder = folder
        self.keys = keys
        self.db_path = folder / "journal.sqlite"
        super().__init__(
            f"sqlite:///{self.db_path}", port or free_port_pair(), keys_dir=keys, config=str(config)
        )

    def start(self, timeout: float = 30.0) -> Hub:
        self.log = []
        super().start(timeout)
        return self

    def rss_mb(self) -> float:
        return rss_mb(self.pid)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system, every thread) a process has used so far, in seconds."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def journal_last_seq(db_path: Path) -> int:
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        row = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()
    return int(row[0])


def percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return float(sorted_values[k])


def stats_ms(samples_ns: Sequence[int]) -> dict[str, Any]:
    """p50 / p99 / max of nanosecond samples, in milliseconds."""
    values = sorted(samples_ns)
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50) / 1e6, 4),
        "p99_ms": round(percentile(values, 99) / 1e6, 4),
        "max_ms": round((values[-1] if values else float("nan")) / 1e6, 4),
    }


def ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b and b == b and a == a else float("nan")


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise RuntimeError(f"timed out after {timeout:g} s waiting for {what}")


def split(items: Sequence[str], parts: int) -> list[list[str]]:
    """``items`` dealt into ``parts`` lists (the first gets the first item)."""
    out: list[list[str]] = [[] for _ in range(max(1, parts))]
    for i, item in enumerate(items):
        out[i % len(out)].append(item)
    return [o for o in out if o]


def journal_fingerprint(db_url: str, config: Path) -> tuple[int, bytes]:
    from app.domain.events import decode_event
    from app.domain.state import BranchState
    from app.hub.journal import Journal
    from messaging.envelope import decode_envelope

    journal = Journal(db_url)
    state = BranchState(load_branch(config))
    try:
        for seq, body in journal.bodies():
            env = decode_envelope(body)
            state.apply(seq, env.hub_ts_ms, decode_event(env.kind, bytes(env.payload)))
    finally:
        journal.close()
    return state.last_seq, state.fingerprint()
