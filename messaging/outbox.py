"""A station's outbox on disk: a command stays here until the hub accepts or rejects it.

SQLite (stdlib) with synchronous=FULL, so a click survives a crash of the station, a
cable pull or a hub restart. Commands leave in the order they were made.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

wire_log = logging.getLogger("lobbylink.wire")
"""The ``wire`` category of app/log.py, by its name: messaging imports no app code."""


class OutboxError(Exception):
    """The outbox cannot store a command (disk full, read-only file): it was not queued."""


@dataclass(frozen=True)
class Pending:
    msg_id: str
    kind: str
    payload: bytes
    ts_ms: int


class Outbox:
    """Ordered durable queue of commands; ``path=None`` keeps it in memory."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.set_aside: Path | None = None
        """Where a corrupt outbox file found at start was moved (None: none was)."""
        if path is None:
            self._open(":memory:")
            return
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._open(str(path))
        except sqlite3.DatabaseError as exc:  # "file is not a database", a torn page…
            if hasattr(self, "_db"):
                self._db.close()
            stamp = time.strftime("%Y%m%dT%H%M%S")
            self.set_aside = Path(f"{path}.corrupt-{stamp}")
            Path(path).replace(self.set_aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            wire_log.error(
                "the outbox %s is unreadable (%s): moved to %s, a new one is made; its "
                "unsent commands are lost",
                path,
                exc,
                self.set_aside,
            )
            self._open(str(path))

    def _open(self, target: str) -> None:
        self._db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS outbox ("
            " pos INTEGER PRIMARY KEY AUTOINCREMENT,"
            " msg_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
            " payload BLOB NOT NULL, ts_ms INTEGER NOT NULL)"
        )
        self._head: Pending | None = None
        self._count = self._db.execute("SELECT count(*) FROM outbox").fetchone()[0]

    def add(self, item: Pending) -> None:
        """Store ``item`` durably, or raise OutboxError (nothing stored) saying why."""
        try:
            self._db.execute(
                "INSERT INTO outbox (msg_id, kind, payload, ts_ms) VALUES (?, ?, ?, ?)",
                (item.msg_id, item.kind, item.payload, item.ts_ms),
            )
        except sqlite3.Error as exc:
            raise OutboxError(str(exc)) from exc
        self._count += 1

    def head(self) -> Pending | None:
        if self._head is None and self._count:
            row = self._db.execute(
                "SELECT msg_id, kind, payload, ts_ms FROM outbox ORDER BY pos LIMIT 1"
            ).fetchone()
            self._head = Pending(*row) if row else None
        return self._head

    def items(self) -> list[Pending]:
        rows = self._db.execute("SELECT msg_id, kind, payload, ts_ms FROM outbox ORDER BY pos")
        return [Pending(*row) for row in rows]

    def remove(self, msg_id: str) -> bool:
        cur = self._db.execute("DELETE FROM outbox WHERE msg_id = ?", (msg_id,))
        if self._head is not None and self._head.msg_id == msg_id:
            self._head = None
        self._count -= cur.rowcount
        return cur.rowcount > 0

    def __len__(self) -> int:
        return int(self._count)

    def close(self) -> None:
        self._db.close()
