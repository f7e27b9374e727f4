"""The journal: every accepted command's event, in sequence, durably, in SQL.

SQLite (WAL, synchronous=FULL) by default; PostgreSQL (psycopg 3, synchronous_commit=on)
for a branch that runs one; any SQLAlchemy URL works. The schema is
created and upgraded by Alembic at open. Writes come in batches (group commit): one
transaction, one fsync, for everything the hub sequenced since the last one.
"""

from __future__ import annotations

import base64
import contextlib
import json
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import platformdirs
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from sqlalchemy import (
    Engine,
    LargeBinary,
    Table,
    bindparam,
    cast,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import PoolProxiedConnection

from app import log
from app.domain.record import EventRow, ReplyRow
from app.domain.state import SignalRecord
from app.hub import schema
from app.hub.chain import GENESIS, link
from app.hub.readonly import (
    NotReadable,
    check_revision,
    engine_url,
    pg_options,
    read_only_engine,
)
from app.hub.readonly import chain_end as chain_end  # verify reads it from here

astuple, asdict = msgspec.structs.astuple, msgspec.structs.asdict

MIGRATIONS = Path(__file__).with_name("migrations")
WAL_AUTOCHECKPOINT = 10_000
"""Pages (4 KiB) the hub's writer lets the WAL grow to before copying it into the file.
SQLite's default, 1 000, made every other group commit also a checkpoint (the
scattered index pages of a 300-event batch are about 2 MiB): a larger WAL writes each
hot page into the file once per checkpoint instead. Durability is the same: every
commit is in the WAL and synced (synchronous=FULL) before it returns."""
PG_SETTINGS = ("synchronous_commit=on", "lock_timeout=1000")
"""Every session of the hub on PostgreSQL: a commit returns only once its WAL is flushed
(a server or role configured with ``synchronous_commit=off`` would let the hub
acknowledge what a crash then loses), and a write waits at most a second for a lock
(a ``LOCK TABLE`` in psql, a long migration) before the hub says the journal is locked
and refuses commands, as SQLite's ``busy_timeout`` does; without it the hub would hang."""
SET_AT_RAISE = frozenset(
    {"signal_id", "code", "station", "staff", "to_station", "ticket", "need", "note", "raised_ms"}
)
"""Columns of ``signals`` a later event never changes: an update leaves them (and their
indexes) alone."""


class GarbledJournal(ValueError):
    """The journal's own bookkeeping (``meta``) does not parse: damaged or edited."""


class JournalUnavailable(Exception):
    """The journal cannot be opened or written right now (locked, read-only, disk full…).

    A known condition, not a bug: the hub says so plainly and refuses commands
    rather than acknowledge what it did not store.
    """


def default_url() -> str:
    folder = Path(platformdirs.user_data_dir("lobbylink", appauthor=False))
    return f"sqlite:///{folder / 'journal.sqlite'}"


def explain(exc: BaseException) -> str:
    """A plain sentence for a database failure a branch can do something about."""
    # one line: PostgreSQL's messages carry DETAIL and HINT lines (libpq: "Is the server
    # running on that host…?"), which a log line or a reply reason must not split on
    text = "; ".join(
        line.strip() for line in str(getattr(exc, "orig", exc)).splitlines() if line.strip()
    )
    text = text or type(exc).__name__
    low = text.lower()
    if "locked" in low or "busy" in low or "lock timeout" in low:
        return f"the journal is locked by another program ({text})"
    if "readonly" in low or "read-only" in low or "read only" in low:
        return f"the journal is read-only ({text})"
    if "disk is full" in low or "no space" in low or "could not extend" in low:
        return f"the disk holding the journal is full ({text})"
    if isinstance(exc, (IntegrityError, sqlite3.IntegrityError)):
        return f"the journal refused the write; is another hub using it? ({text})"
    if any(
        part in low
        for part in (
            "connection failed",
            "connection refused",
            "server closed the connection",
            "terminating connection",
            "the database system is",  # … starting up / shutting down / in recovery mode
        )
    ):
        return f"the journal's database server cannot be reached ({text})"
    if "not a database" in low:
        return f"it is not a journal ({text})"
    if "unable to open" in low:
        return f"the journal file cannot be opened ({text})"
    return f"the journal cannot be written ({text})"


@dataclass
class Batch:
    """What one group commit writes."""

    events: list[EventRow] = field(default_factory=list)
    replies: list[ReplyRow] = field(default_factory=list)
    new_signals: dict[int, SignalRecord] = field(default_factory=dict)
    changed_signals: dict[int, SignalRecord] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    """``meta`` rows to set in the same transaction (a standby pair's term: app.hub.pairing)."""

    def __bool__(self) -> bool:
        return bool(self.events or self.replies)

    def touch(self, sig: SignalRecord, new: bool) -> None:
        if new:
            self.new_signals[sig.id] = sig
        elif sig.id not in self.new_signals:
            self.changed_signals[sig.id] = sig


def _blob(value: Any) -> bytes:
    """A BLOB column's value; a hand-edited row may hold text (the chain then fails)."""
    return value.encode("utf-8", "surrogateescape") if isinstance(value, str) else bytes(value)


def signal_row(sig: SignalRecord) -> dict[str, Any]:
    return {
        "signal_id": sig.id,
        "code": sig.code,
        "station": sig.station,
        "staff": sig.staff,
        "to_station": sig.to,
        "ticket": sig.ticket,
        "need": sig.need,
        "note": sig.note,
        "state": sig.state.value,
        "level": sig.level,
        "raised_ms": sig.raised_ms,
        "acked_ms": sig.acked_ms,
        "acked_station": sig.acked_station,
        "acked_staff": sig.acked_staff,
        "arrived_ms": sig.arrived_ms,
        "resolved_ms": sig.resolved_ms,
        "resolved_station": sig.resolved_station,
        "resolved_staff": sig.resolved_staff,
        "cancelled_ms": sig.cancelled_ms,
        "outcome": sig.outcome,
        "product": sig.product,
        "declines": len(sig.declines),
        "updated_ms": sig.updated_ms,
    }


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=1000")
    cur.close()


def make_engine(url: str) -> Engine:
    url = engine_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, connect_args=pg_options(*PG_SETTINGS))
    return create_engine(url, pool_pre_ping=True)


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        alembic_command.upgrade(cfg, "head")


class Journal:
    """Durable, ordered storage of events plus the replies given to each command."""

    def __init__(self, url: str, read_only: bool = False) -> None:
        """``read_only`` (for verify) never creates, migrates or writes: the schema must
        already be this version's, else JournalUnavailable."""
        self.url = url
        self._raw: PoolProxiedConnection | None = None
        """The DBAPI connection the group commit writes through (SQLite), held open."""
        self._statements: dict[tuple[str, str, tuple[str, ...]], str] = {}
        try:
            self.engine = read_only_engine(url) if read_only else make_engine(url)
            self._fast = self.engine.dialect.name == "sqlite"
            self._commands = self.engine.dialect.identifier_preparer.quote(schema.commands.name)
            if read_only:
                check_revision(self.engine)
            else:
                upgrade(self.engine)
            self.epoch = self._read_epoch() if read_only else self._ensure_epoch()
            self.last_hash = self.stored_head()
        except (OperationalError, DBAPIError) as exc:
            raise JournalUnavailable(explain(exc)) from exc
        except NotReadable as exc:
            raise JournalUnavailable(str(exc)) from exc
        except OSError as exc:
            raise JournalUnavailable(f"the journal cannot be opened ({exc})") from exc

    def _read_epoch(self) -> str:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == "epoch")
            ).scalar()
        return str(found or "")

    def _ensure_epoch(self) -> str:
        with self.engine.begin() as conn:
            found = conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == "epoch")
            ).scalar()
            if found:
                return str(found)
            epoch = uuid.uuid4().hex[:16]
            conn.execute(insert(schema.meta).values(key="epoch", value=epoch))
            log.journal.info("new journal, epoch %s", epoch)
            return epoch

    def stored_head(self) -> bytes:
        """The hash of the newest stored row (the chain's head), read from the journal."""
        e = schema.events.c
        with self.engine.connect() as conn:
            found = conn.execute(select(e.hash).order_by(e.seq.desc()).limit(1)).scalar()
        return self.chain_start()[1] if found is None else bytes(found)

    def stored_hash(self, seq: int) -> bytes | None:
        e = schema.events.c
        with self.engine.connect() as conn:
            found = conn.execute(select(e.hash).where(e.seq == seq)).scalar()
        return None if found is None else bytes(found)

    def last_seq(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(schema.events.c.seq).order_by(schema.events.c.seq.desc()).limit(1)
                ).scalar()
                or 0
            )

    def bodies(self, after_seq: int = 0, chunk: int = 10_000) -> Iterator[tuple[int, bytes]]:
        """Every event body after ``after_seq``, in order, in chunks."""
        for seq, body, _hash in self.rows(after_seq, chunk):
            yield seq, body

    def records(self, after_seq: int = 0, chunk: int = 10_000) -> Iterator[EventRow]:
        """Every event row after ``after_seq``, in order, columns and all."""
        last = after_seq
        while True:
            rows = read_records(self.engine, last, chunk)
            if not rows:
                return
            yield from rows
            last = rows[-1].seq

    def rows(
        self, after_seq: int = 0, chunk: int = 10_000
    ) -> Iterator[tuple[int, bytes, bytes | None]]:
        """(seq, body, stored hash) of every event after ``after_seq``, in order."""
        e = schema.events.c
        last = after_seq
        while True:
            with self.engine.connect() as conn:
                # CAST: a row edited by hand may hold text that is not even UTF-8
                rows = conn.execute(
                    select(e.seq, cast(e.body, LargeBinary), cast(e.hash, LargeBinary))
                    .where(e.seq > last)
                    .order_by(e.seq)
                    .limit(chunk)
                ).all()
            if not rows:
                return
            for seq, body, stored in rows:
                yield int(seq), _blob(body), None if stored is None else _blob(stored)
            last = int(rows[-1][0])

    def save_checkpoint(self, seq: int, digest: bytes, snapshot: bytes) -> None:
        """Keep the hub's state at ``seq`` so a restart replays only what came after."""
        value = json.dumps(
            {"seq": seq, "hash": digest.hex(), "state": base64.b64encode(snapshot).decode()}
        )
        m = schema.meta.c
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(schema.meta).where(m.key == "checkpoint"))
                conn.execute(insert(schema.meta).values(key="checkpoint", value=value))
        except (OperationalError, DBAPIError) as exc:
            raise JournalUnavailable(explain(exc)) from exc

    def load_checkpoint(self) -> tuple[int, bytes, bytes] | None:
        """(seq, chain hash at seq, state) if a checkpoint matches the journal, else None."""
        m, e = schema.meta.c, schema.events.c
        with self.engine.connect() as conn:
            raw = conn.execute(select(m.value).where(m.key == "checkpoint")).scalar()
            if not raw:
                return None
            try:
                found = json.loads(raw)
                seq, digest = int(found["seq"]), bytes.fromhex(found["hash"])
                state = base64.b64decode(found["state"])
            except (ValueError, KeyError, TypeError):
                log.journal.warning("the state checkpoint does not decode; replaying everything")
                return None
            row = conn.execute(select(cast(e.hash, LargeBinary)).where(e.seq == seq)).scalar()
        if row is None or _blob(row) != digest:
            log.journal.warning("the state checkpoint does not match the journal; replaying all")
            return None
        return seq, digest, state

    def chain_start(self) -> tuple[int, bytes]:
        """Where the chain begins: (seq before the first row, hash before it)."""
        with self.engine.connect() as conn:
            start = conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == "chain_start")
            ).scalar()
        if not start:
            return 0, GENESIS
        seq, _, digest = str(start).partition(":")
        try:
            found = int(seq), bytes.fromhex(digest)
        except ValueError:
            found = (-1, b"")
        if found[0] < 0 or len(found[1]) != 32:
            raise GarbledJournal(f"meta.chain_start is garbled ({str(start)[:40]!r})")
        return found

    def find_replies(self, msg_ids: list[str]) -> dict[str, tuple[str, str, bytes]]:
        """Replies already given to these command ids (idempotent resubmission), as
        (station that sent it, topic, reply body)."""
        if not msg_ids:
            return {}
        found: dict[str, tuple[str, str, bytes]] = {}
        try:
            if self._fast:
                cur = self._dbapi().cursor()
                try:
                    for i in range(0, len(msg_ids), 500):
                        part = msg_ids[i : i + 500]
                        cur.execute(
                            f"SELECT msg_id, station, topic, reply FROM {self._commands} "
                            f"WHERE msg_id IN ({', '.join('?' * len(part))})",
                            part,
                        )
                        for mid, station, topic, reply in cur.fetchall():
                            found[mid] = (station, topic, bytes(reply))
                finally:
                    cur.close()
                return found
            c = schema.commands.c
            with self.engine.connect() as conn:
                for i in range(0, len(msg_ids), 500):
                    part = msg_ids[i : i + 500]
                    for mid, station, topic, reply in conn.execute(
                        select(c.msg_id, c.station, c.topic, c.reply).where(c.msg_id.in_(part))
                    ):
                        found[mid] = (station, topic, bytes(reply))
        except (OperationalError, DBAPIError, sqlite3.Error) as exc:
            self._drop_dbapi()
            raise JournalUnavailable(explain(exc)) from exc
        return found

    def commit(self, batch: Batch) -> None:
        """Write a batch in one transaction; raise JournalUnavailable if it did not stick."""
        if not batch:
            return
        prev = self.last_hash
        for row in batch.events:
            prev = row.hash = link(prev, row.seq, row.body)
        try:
            if self._fast:
                self._commit_sqlite(batch)
            else:
                self._commit_core(batch)
        except (OperationalError, DBAPIError, sqlite3.Error) as exc:
            raise JournalUnavailable(explain(exc)) from exc
        self.last_hash = prev

    # The group commit's hot path on SQLite: the DBAPI connection itself, one executemany
    # per table, the statements made once from the SQLAlchemy tables (which Alembic owns).
    # Same transaction, same PRAGMAs (synchronous=FULL), same rows as the Core path.
    def _dbapi(self) -> Any:
        if self._raw is None:
            self._raw = self.engine.raw_connection()
            db = self._raw.driver_connection
            assert db is not None
            db.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
        return self._raw.driver_connection

    def _drop_dbapi(self) -> None:
        """After a failure: give the connection back invalidated; the next write opens anew."""
        if self._raw is not None:
            raw, self._raw = self._raw, None
            with contextlib.suppress(Exception):
                raw.invalidate()

    def _sql(self, verb: str, table: Table, keys: tuple[str, ...]) -> str:
        found = self._statements.get((verb, table.name, keys))
        if found is None:
            quote = self.engine.dialect.identifier_preparer.quote
            cols = [k for k in keys if k in table.c]
            if verb == "insert":  # a row given as a dict
                found = (
                    f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in cols)}) "
                    f"VALUES ({', '.join(':' + c for c in cols)})"
                )
            elif verb == "append":  # a record's fields, in order (app.domain.record)
                found = (
                    f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))})"
                )
            else:  # update signals by signal_id
                sets = ", ".join(f"{quote(c)} = :{c}" for c in cols if c not in SET_AT_RAISE)
                found = f"UPDATE {quote(table.name)} SET {sets} WHERE signal_id = :signal_id"
            self._statements[(verb, table.name, keys)] = found
        return found

    def _commit_sqlite(self, batch: Batch) -> None:
        db = self._dbapi()
        try:
            if db.in_transaction:  # nothing may ride along from an earlier failure
                db.rollback()
            if batch.events:
                sql = self._sql("append", schema.events, EventRow.__struct_fields__)
                db.executemany(sql, map(astuple, batch.events))
            if batch.replies:
                sql = self._sql("append", schema.commands, ReplyRow.__struct_fields__)
                db.executemany(sql, map(astuple, batch.replies))
            if batch.new_signals:
                rows = [signal_row(s) for s in batch.new_signals.values()]
                db.executemany(self._sql("insert", schema.signals, tuple(rows[0])), rows)
            if batch.changed_signals:
                rows = [signal_row(s) for s in batch.changed_signals.values()]
                db.executemany(self._sql("update", schema.signals, tuple(rows[0])), rows)
            for key, value in batch.meta.items():
                db.execute("DELETE FROM meta WHERE key = ?", (key,))
                db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
            db.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                db.rollback()
            self._drop_dbapi()
            raise

    def _commit_core(self, batch: Batch) -> None:
        with self.engine.begin() as conn:
            if batch.events:
                conn.execute(insert(schema.events), [asdict(row) for row in batch.events])
            if batch.replies:
                conn.execute(insert(schema.commands), [asdict(row) for row in batch.replies])
            if batch.new_signals:
                conn.execute(
                    insert(schema.signals), [signal_row(s) for s in batch.new_signals.values()]
                )
            if batch.changed_signals:
                rows = [signal_row(s) for s in batch.changed_signals.values()]
                for row in rows:
                    row["b_id"] = row.pop("signal_id")
                conn.execute(
                    update(schema.signals).where(schema.signals.c.signal_id == bindparam("b_id")),
                    rows,
                )
            for key, value in batch.meta.items():
                conn.execute(delete(schema.meta).where(schema.meta.c.key == key))
                conn.execute(insert(schema.meta).values(key=key, value=value))

    def close(self) -> None:
        self._drop_dbapi()
        self.engine.dispose()


def read_records(engine: Engine, after_seq: int, limit: int) -> list[EventRow]:
    """Up to ``limit`` event rows after ``after_seq``, in order, columns and all (the
    journal's own iteration and the head-office shipper read with it)."""
    e = schema.events.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                e.seq,
                e.hub_ts_ms,
                e.kind,
                e.station,
                e.staff,
                e.signal_id,
                e.msg_id,
                cast(e.body, LargeBinary),
                cast(e.hash, LargeBinary),
            )
            .where(e.seq > after_seq)
            .order_by(e.seq)
            .limit(limit)
        ).all()
    return [
        EventRow(
            int(seq),
            int(ts),
            kind,
            station,
            staff,
            signal_id,
            msg_id,
            _blob(body),
            None if stored is None else _blob(stored),
        )
        for seq, ts, kind, station, staff, signal_id, msg_id, body, stored in rows
    ]
