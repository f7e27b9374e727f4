"""A station's outbox on disk: a command stays here until the hub accepts or rejects it.

SQLite (stdlib) with synchronous=FULL, so a click survives a crash of the station, a
cable pull or a hub restart. Commands leave in the order they were made.

The same file keeps the station's witness of the hub's journal: the chain heads the
hub published in its heartbeats (table ``chain_head``, one row per stretch of heads
that moved forward; see messaging.witness and docs/protocol.md §5.5). An outbox made by
an older version gets the table when it is next opened; nothing else changes.
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


MAX_HEADS = 100
"""Chain heads kept (the newest; the newest of each epoch is never dropped)."""


@dataclass(frozen=True)
class Head:
    """A chain head the hub published: event ``seq`` of journal ``epoch`` has ``hash``."""

    epoch: str
    seq: int
    hash: bytes
    seen_ms: int
    """When this station last saw it (its own clock)."""

    def text(self) -> str:
        """``SEQ:HASH``, as ``lobbylink verify --witness`` takes it."""
        return f"{self.seq}:{self.hash.hex()}"


_HEADS_TABLE = (
    "CREATE TABLE IF NOT EXISTS chain_head ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " epoch TEXT NOT NULL, seq INTEGER NOT NULL, hash BLOB NOT NULL,"
    " seen_ms INTEGER NOT NULL)"
)
_HEADS_SELECT = "SELECT epoch, seq, hash, seen_ms FROM chain_head ORDER BY id"


def read_heads(path: str | Path) -> list[Head]:
    """The chain heads kept in the outbox file at ``path``, oldest first, read without
    writing anything (``mode=ro``: a missing file is an error, never a new outbox).

    Raises OutboxError saying why when the file cannot be read or keeps no heads table.
    """
    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise OutboxError(f"there is no outbox file at {file}")
    # A WAL file that is not there (the station stopped cleanly) is not made either:
    # with none, the file is read as immutable; with one (the station running, or
    # stopped by a crash), SQLite reads it too, as a reader of that WAL.
    wal = Path(f"{file}-wal").exists()
    try:
        db = sqlite3.connect(f"file:{file}?mode=ro{'' if wal else '&immutable=1'}", uri=True)
    except sqlite3.Error as exc:
        raise OutboxError(f"{file} cannot be opened ({exc})") from exc
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if "chain_head" not in tables:
            what = (
                "an outbox from before chain heads were kept"
                if "outbox" in tables
                else ("not a station outbox")
            )
            raise OutboxError(f"{file} keeps no chain heads ({what})")
        return [_head(row) for row in db.execute(_HEADS_SELECT)]
    except sqlite3.Error as exc:
        raise OutboxError(f"{file} cannot be read ({exc})") from exc
    finally:
        db.close()


def _head(row: tuple[object, ...]) -> Head:
    epoch, seq, digest, seen = row
    if not isinstance(seq, int) or not isinstance(digest, bytes) or not isinstance(seen, int):
        raise sqlite3.DatabaseError(f"a chain_head row of the wrong types: {row!r}")
    return Head(str(epoch), seq, digest, seen)


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
        try:  # the witness: an outbox of an older version gets its table now
            self._db.execute(_HEADS_TABLE)
        except sqlite3.Error as exc:  # a read-only file still sends its commands
            wire_log.warning("the outbox cannot keep chain heads: %s", exc)

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

    def heads(self) -> list[Head]:
        """The chain heads kept, oldest first (none if they cannot be read)."""
        try:
            return [_head(row) for row in self._db.execute(_HEADS_SELECT)]
        except sqlite3.Error as exc:
            wire_log.warning("the outbox's chain heads cannot be read: %s", exc)
            return []

    def keep_head(self, head: Head, *, new_row: bool) -> None:
        """Store ``head`` durably: over the newest row of its epoch, or (``new_row``, or
        none yet) as a row of its own, the rows before it kept as they were.

        Raises OutboxError (nothing stored) saying why.
        """
        try:
            with self._db:  # one transaction: the row and the trim stick together
                self._db.execute("BEGIN IMMEDIATE")
                newest = self._db.execute(
                    "SELECT max(id) FROM chain_head WHERE epoch = ?", (head.epoch,)
                ).fetchone()[0]
                values = (head.epoch, head.seq, head.hash, head.seen_ms)
                if newest is None or new_row:
                    self._db.execute(
                        "INSERT INTO chain_head (epoch, seq, hash, seen_ms) VALUES (?, ?, ?, ?)",
                        values,
                    )
                else:
                    self._db.execute(
                        "UPDATE chain_head SET epoch = ?, seq = ?, hash = ?, seen_ms = ?"
                        " WHERE id = ?",
                        (*values, newest),
                    )
                self._db.execute(
                    "DELETE FROM chain_head WHERE id NOT IN"
                    " (SELECT id FROM chain_head ORDER BY id DESC LIMIT ?)"
                    " AND id NOT IN (SELECT max(id) FROM chain_head GROUP BY epoch)",
                    (MAX_HEADS,),
                )
        except sqlite3.Error as exc:
            raise OutboxError(str(exc)) from exc

    def __len__(self) -> int:
        return int(self._count)

    def close(self) -> None:
        self._db.close()
