"""What every fault case shares: stations pumped by one thread, and the journal's counts.

A case counts what it sent and what the journal holds by msg_id: an "acknowledged"
command is one whose ``accepted`` reply reached the station, and the journal must hold
it exactly once.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import zmq

from app.devtools.common import (
    Hub,
    journal_fingerprint,
)
from app.domain.config import Branch
from app.domain.events import RaiseSignal, command_kind, encode
from app.station import StationSession
from messaging.envelope import Accepted, Rejected
from messaging.keys import station_keys
from messaging.outbox import Outbox
from messaging.sockets import Endpoint

Say = Callable[[str], None]
T = TypeVar("T")


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
    """Many StationSessions pumped by one background thread, which alone touches them.

    Sockets, outboxes and states belong to the pumping thread. Another thread asks it
    through :meth:`call`, which returns once the function has run there, with its result
    (a concurrent.futures.Future per call, as asyncio.run_coroutine_threadsafe hands
    work to a loop's thread): a case that raised signals then knows they are in the
    outboxes, and what it counts is what it sent.
    """

    def __init__(self, branch: Branch, endpoint: Endpoint | Sequence[Endpoint], keys: Path) -> None:
        """``endpoint``: the hub, or a standby pair's two (primary first)."""
        self.branch, self.endpoint, self.keys = branch, endpoint, keys
        self.ctx = zmq.Context()
        self.sessions: dict[str, StationSession] = {}
        self.acked: dict[str, int] = {}
        self.rejected: dict[str, int] = {}
        self.deferred = 0
        """Replies "not now, send it again" (journal_unavailable, rate_limited)."""
        self.reasons: Counter[str] = Counter()
        """The reasons given with those replies."""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._calls: list[tuple[Callable[[], Any], Future[Any]]] = []

    def add(self, sid: str, outbox: Outbox | None = None) -> StationSession:
        """A new station (before :meth:`start`, or through :meth:`call` after it)."""
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

    def call(self, fn: Callable[[], T], timeout: float = 60.0) -> T:
        """Run ``fn`` on the pumping thread and return its result once it has run there.

        Before :meth:`start` (no pumping thread) the caller owns the sockets: ``fn`` runs
        here. Its exception, if any, is raised here.
        """
        if self._thread is None or threading.current_thread() is self._thread:
            return fn()
        future: Future[T] = Future()
        with self._lock:
            if self._stop.is_set():
                raise RuntimeError("the stations are stopped")
            self._calls.append((fn, future))
        return future.result(timeout)

    def raise_signals(self, ids: list[str], note: str = "") -> list[str]:
        """One cash signal from each station of ``ids``; the msg_ids, once in the outboxes."""

        def raise_all() -> list[str]:
            cmd = RaiseSignal(code="cash", note=note)
            kind, payload = command_kind(cmd), encode(cmd)
            return [self.sessions[sid].link.submit(kind, payload) for sid in ids]

        return self.call(raise_all)

    def queued(self) -> int:
        """Commands in the stations' outboxes (sent or not, not yet answered)."""
        return self.call(lambda: sum(len(s.link.outbox) for s in self.sessions.values()))

    def acked_ids(self) -> list[str]:
        """The msg_ids the hub has accepted so far."""
        return self.call(lambda: list(self.acked))

    def take_deferred(self) -> tuple[int, list[str]]:
        """The "send it again" replies counted since the last take, and their reasons."""

        def take() -> tuple[int, list[str]]:
            out = (self.deferred, sorted(self.reasons))
            self.deferred = 0
            self.reasons.clear()
            return out

        return self.call(take)

    def states(self) -> list[tuple[int, bytes]]:
        """Each station's last seq and state fingerprint, read on the pumping thread."""
        return self.call(
            lambda: [(s.state.last_seq, s.state.fingerprint()) for s in self.sessions.values()]
        )

    def last_seqs(self) -> list[int]:
        """Each station's last seq (cheaper than :meth:`states`, for tight polling)."""
        return self.call(lambda: [s.state.last_seq for s in self.sessions.values()])

    def switches(self) -> int:
        """How many times the stations' links moved to the other hub of a pair, in all."""
        return self.call(lambda: sum(s.link.switches for s in self.sessions.values()))

    def drained(self, timeout: float) -> float | None:
        """Seconds until every outbox is empty, or None if one is not within ``timeout``."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if not self.queued():
                return time.monotonic() - start
            time.sleep(0.05)
        return None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="fault-stations", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                calls, self._calls = self._calls, []
            for fn, future in calls:
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(fn())
                except BaseException as exc:
                    future.set_exception(exc)
            for session in self.sessions.values():
                session.pump()
            time.sleep(0.002)

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            calls, self._calls = self._calls, []
        for _fn, future in calls:
            future.cancel()
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
        states = stations.states()
        if all(last_seq == seq for last_seq, _ in states):
            diverging = sum(1 for _, fingerprint in states if fingerprint != truth)
            if diverging == 0:
                break
        time.sleep(0.2)
    return time.monotonic() - start, diverging


def free_ports(count: int, host: str = "127.0.0.1") -> int:
    """A port P such that P … P+count-1 are all free on ``host`` now (a paired hub uses
    three: commands, events and the pair port)."""
    for _ in range(200):
        with socket.socket() as first:
            first.bind((host, 0))
            port = int(first.getsockname()[1])
        if port + count > 65535:
            continue
        socks: list[socket.socket] = []
        try:
            for p in range(port, port + count):
                sock = socket.socket()
                socks.append(sock)
                sock.bind((host, p))
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
        return port
    raise RuntimeError(f"no {count} consecutive free ports on {host}")


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
