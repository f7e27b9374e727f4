"""Read-only questions to the hub (reports for the board), answered off its main loop.

The hub's loop must never wait for a report: a month's figures take up to a second.
:class:`QueryRunner` hands each query to one worker thread and gives the answers back
to the loop, which sends them (ZeroMQ sockets stay on the loop's thread). What a
query may ask and who may ask it is given by the composition root (``lobbylink hub``),
so the hub knows nothing of reports.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from app import log

MAX_WAITING = 8
"""Queries queued or running at once, all stations together; more are told ``busy``."""
PER_STATION = 3
"""Queries one station may have queued or running (a board's two pages and an export)."""


class QueryError(Exception):
    """A query that cannot be answered; ``code`` is stable, the message says why."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class QueryHandler:
    """Who may ask (role values) and the function that answers (args -> body)."""

    roles: frozenset[str]
    answer: Callable[[bytes], bytes]


@dataclass(frozen=True)
class Answer:
    """A query's answer, before the hub puts it on the wire (as messaging's Answer)."""

    ok: bool
    body: bytes = b""
    code: str = ""
    reason: str = ""
    retry: bool = False


@dataclass
class Finished:
    identity: bytes
    msg_id: str
    answer: Answer


class QueryRunner:
    """Runs queries on one worker thread; :meth:`finished` hands back the answers."""

    def __init__(self, handlers: dict[str, QueryHandler]) -> None:
        self.handlers = handlers
        self._pool: ThreadPoolExecutor | None = None
        self._done: queue.SimpleQueue[Finished] = queue.SimpleQueue()
        self._busy: Counter[str] = Counter()
        """Queries queued or running, by station."""
        self._lock = threading.Lock()

    @property
    def running(self) -> int:
        with self._lock:
            return sum(self._busy.values())

    def submit(
        self, identity: bytes, msg_id: str, station: str, role: str, name: str, args: bytes
    ) -> Answer | None:
        """Start a query; an Answer now if it is refused at once, else None."""
        handler = self.handlers.get(name)
        if handler is None:
            return Answer(False, code="unknown_query", reason=f"no query named {name[:32]!r}")
        if role not in handler.roles:
            return Answer(
                False,
                code="forbidden",
                reason=f"a {role or 'unknown'} station may not ask for {name!r}",
            )
        with self._lock:
            if self._busy[station] >= PER_STATION:
                return Answer(
                    False,
                    code="busy",
                    reason=f"this station already has {PER_STATION} queries running",
                    retry=True,
                )
            if sum(self._busy.values()) >= MAX_WAITING:
                return Answer(
                    False, code="busy", reason="the hub is answering other queries", retry=True
                )
            self._busy[station] += 1
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="hub-query")
        self._pool.submit(self._run, identity, msg_id, station, name, handler, args)
        return None

    def _run(
        self,
        identity: bytes,
        msg_id: str,
        station: str,
        name: str,
        handler: QueryHandler,
        args: bytes,
    ) -> None:
        try:
            answer = Answer(True, body=handler.answer(args))
        except QueryError as exc:
            answer = Answer(False, code=exc.code, reason=exc.reason)
        except Exception as exc:  # a query may fail; the hub goes on
            log.hub.exception("query %s from %s failed", name, station)
            answer = Answer(False, code="internal", reason=f"the hub could not answer: {exc}")
        with self._lock:
            self._busy[station] -= 1
            if self._busy[station] <= 0:
                del self._busy[station]
        self._done.put(Finished(identity, msg_id, answer))

    def finished(self) -> list[Finished]:
        out = []
        while True:
            try:
                out.append(self._done.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
