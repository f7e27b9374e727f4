"""What every fault case shares: stations pumped by one thread, and the journal's counts.

A case counts what it sent and what the journal holds by msg_id: an "acknowledged"
command is one whose ``accepted`` reply reached the station, and the journal must hold
it exactly once.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import zmq

from app.devtools.common import (
    Hub,
    journal_fingerprint,
)
from app.domain.config import Branch
from app.station import StationSession
from messaging.envelope import Accepted, Rejected
from messaging.keys import station_keys
from messaging.outbox import Outbox
from messaging.sockets import Endpoint

Say = Callable[[str], None]


def journal_counts(db_path: Path, msg_ids: list[str]) -> dict[str, int]:
    """How many event rows carry each msg_id."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(
            "SELECT msg_id, count(*) FROM events WHERE msg_id IS NOT NULL GROUP BY msg_id"
        ).fetchall()
    have = {str(m): int(c) for m, c in rows}
    return {mid: have.get(mid, 0) for mid in msg_ids}


def journal_order(db_path: Path, msg_ids: list[str]) -> list[str]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("SELECT msg_id FROM events WHERE msg_id IS NOT NULL ORDER BY seq")
        wanted = set(msg_ids)
        return [str(m) for (m,) in rows if m in wanted]


def lost_and_duplicated(db_path: Path, acked: list[str]) -> tuple[int, int]:
    counts = journal_counts(db_path, acked)
    return sum(1 for c in counts.values() if c == 0), sum(1 for c in counts.values() if c > 1)


class Stations:
    """Many StationSessions (or bare links) pumped by one background thread."""

    def __init__(self, branch: Branch, endpoint: Endpoint, keys: Path) -> None:
        self.branch, self.endpoint, self.keys = branch, endpoint, keys
        self.ctx = zmq.Context()
        self.sessions: dict[str, StationSession] = {}
        self.acked: dict[str, int] = {}
        self.rejected: dict[str, int] = {}
        self.deferred = 0
        """Replies "not now, send it again" (journal_unavailable, rate_limited)."""
        self.reasons: Counter[str] = Counter()
        """The reasons given with those replies."""
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._calls: list[Callable[[], None]] = []

    def add(self, sid: str, outbox: Outbox | None = None) -> StationSession:
        session = StationSession(
            self.branch, sid, self.endpoint, self.ctx, outbox, station_keys(self.keys, sid)
        )

        def on_reply(msg_id: str, result: Accepted | Rejected) -> None:
            if isinstance(result, Accepted):
                self.acked[msg_id] = result.seq
            elif result.retry:
                self.deferred += 1
                self.reasons[result.reason] += 1
            else:
                self.rejected[result.code] = self.rejected.get(result.code, 0) + 1

        session.on_reply = on_reply
        session.start()
        self.sessions[sid] = session
        return session

    def call(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the pumping thread (sockets belong to one thread)."""
        with self.lock:
            self._calls.append(fn)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.lock:
                calls, self._calls = self._calls, []
            for fn in calls:
                fn()
            for session in self.sessions.values():
                session.pump()
            time.sleep(0.002)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        for session in self.sessions.values():
            session.close()
        self.ctx.destroy(linger=0)


def converge(
    stations: Stations, hub: Hub, config: Path, timeout: float = 60.0
) -> tuple[float, int]:
    """Seconds until every station equals the journal, and how many still differ."""
    start = time.monotonic()
    diverging = len(stations.sessions)
    while time.monotonic() - start < timeout:
        seq, truth = journal_fingerprint(hub.db_url, config)
        sessions = list(stations.sessions.values())
        if all(s.state.last_seq == seq for s in sessions):
            diverging = sum(1 for s in sessions if s.state.fingerprint() != truth)
            if diverging == 0:
                break
        time.sleep(0.2)
    return time.monotonic() - start, diverging


class FaultSetupError(RuntimeError):
    """The machine cannot stage this fault (not root, no loop device, no tool…)."""


def run_tool(*cmd: str, ok: tuple[int, ...] = (0,)) -> str:
    """Run a system tool; raise FaultSetupError with its message if it fails."""
    try:
        done = subprocess.run(list(cmd), capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FaultSetupError(f"{' '.join(cmd)}: {exc}") from exc
    if done.returncode not in ok:
        text = (done.stderr or done.stdout).strip()
        raise FaultSetupError(f"{' '.join(cmd)} exited {done.returncode}: {text}")
    return done.stdout
