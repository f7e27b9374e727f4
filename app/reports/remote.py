"""The ``report`` query: the branch's measures for a station that asks the hub.

The branch head's board sits on an office PC with no journal of its own; it asks the
hub, whose query worker calls :class:`ReportQuery`. Arguments and answer are msgpack:
the answer is exactly the :class:`~app.reports.measures.Report` that
``lobbylink report --format json`` prints, so the board and the CLI show one set of
numbers.
"""

from __future__ import annotations

import threading
from datetime import date

import msgspec
from sqlalchemy import Engine

from app.domain.config import Branch
from app.hub.journal import make_engine
from app.hub.queries import QueryError, QueryHandler
from app.reports.day import ReportError
from app.reports.measures import GROUPINGS, Report, report
from app.reports.query import MAX_DAYS, NAME, ReportArgs

__all__ = ["NAME", "ReportQuery", "decode_answer"]


def decode_answer(body: bytes) -> Report:
    """The typed report from an answer's body (raises msgspec.ValidationError)."""
    return msgspec.msgpack.decode(body, type=Report)


class ReportQuery:
    """Answers ``report`` queries on the hub's query thread, with an engine of its own."""

    def __init__(self, url: str, branch: Branch) -> None:
        self.url = url
        self.branch = branch
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def handler(self, roles: frozenset[str]) -> QueryHandler:
        return QueryHandler(roles, self)

    def __call__(self, args: bytes) -> bytes:
        try:
            asked = msgspec.msgpack.decode(args, type=ReportArgs)
            first, last = date.fromisoformat(asked.first), date.fromisoformat(asked.last)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            raise QueryError("bad_args", f"report: {exc}") from None
        if asked.by not in GROUPINGS:
            raise QueryError("bad_args", f"report: cannot group by {asked.by!r}")
        if last < first:
            raise QueryError(
                "bad_args", f"report: the range ends ({last}) before it starts ({first})"
            )
        if (last - first).days + 1 > MAX_DAYS:
            raise QueryError("too_long", f"report: at most {MAX_DAYS} days at a time")
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(self.url)
            engine = self._engine
        try:
            found = report(engine, self.branch, first, last, asked.by)
        except ReportError as exc:
            raise QueryError("unreadable", str(exc)) from None
        return msgspec.msgpack.encode(found)

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
