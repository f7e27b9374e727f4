"""The group commit's SQLite path writes what the SQLAlchemy Core path writes, and the
Core path on a real PostgreSQL journal writes the same rows.

On SQLite the hub writes through the DBAPI connection (one executemany per table);
any other database goes through Core. Both must leave the same rows, chain the same
hashes, sync the same way, and turn a failure into JournalUnavailable.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from app.devtools.pgserver import PgServer
from app.domain.config import load_branch
from app.domain.events import (
    SignalAcknowledged,
    SignalCancelled,
    SignalDeclined,
    SignalRaised,
    SignalResolved,
)
from app.domain.record import ReplyRow
from app.hub.journal import Journal, JournalUnavailable
from app.hub.verify import verify
from app.reports.writer import JournalWriter
from tests.helpers import journal_rows

BRANCH = load_branch()
TABLES = {
    "events": "seq",
    "commands": "msg_id",
    "signals": "signal_id",
}


def fill(journal: Journal) -> None:
    """Three batches: raises, then changes to them, then more changes and a reply each."""
    w = JournalWriter(journal, BRANCH)
    ts = 1_795_400_000_000
    a = w.add(ts, SignalRaised(signal_id=1, code="assist", targets=("lobby_manager",)))
    b = w.add(ts + 1, SignalRaised(signal_id=2, code="refer_wealth", targets=("wealth_manager",)))
    w.batch.replies.append(ReplyRow("m1", "C01", a, ts, "accepted", b"\x01"))
    w.flush()
    w.add(ts + 2, SignalAcknowledged(signal_id=a, station="L1", staff=""))
    w.add(ts + 3, SignalDeclined(signal_id=b, station="W1", staff="", reason="busy"))
    w.batch.replies.append(ReplyRow("m2", "W1", None, ts + 3, "rejected", b"\x02"))
    w.flush()
    w.add(ts + 4, SignalResolved(signal_id=a, station="L1", staff="", outcome="done"))
    w.add(ts + 5, SignalCancelled(signal_id=b, station="C01", staff=""))
    c = w.add(ts + 6, SignalRaised(signal_id=7, code="cash", targets=("supervisor",)))
    assert c == 7
    w.flush()


def rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as db:
        return {
            t: db.execute(f"SELECT * FROM {t} ORDER BY {key}").fetchall()
            for t, key in TABLES.items()
        }


def test_the_sqlite_path_writes_what_core_writes(tmp_path: Path) -> None:
    fast = Journal(f"sqlite:///{tmp_path / 'fast.sqlite'}")
    core = Journal(f"sqlite:///{tmp_path / 'core.sqlite'}")
    core._fast = False  # what a non-SQLite database goes through
    core.epoch = fast.epoch  # the bodies carry it: the same bodies, the same hashes
    try:
        fill(fast)
        fill(core)
        assert fast.last_hash == core.last_hash
        assert fast.find_replies(["m1", "m2", "nope"]) == core.find_replies(["m1", "m2", "nope"])
        assert set(fast.find_replies(["m1", "m2", "nope"])) == {"m1", "m2"}
    finally:
        fast.close()
        core.close()
    got, want = rows(tmp_path / "fast.sqlite"), rows(tmp_path / "core.sqlite")
    assert got == want
    assert [r[0] for r in got["signals"]] == [1, 2, 7]
    again = Journal(f"sqlite:///{tmp_path / 'fast.sqlite'}")
    try:
        assert verify(again, BRANCH) == []  # chain and signals projection both hold
    finally:
        again.close()


def test_the_writer_connection_syncs_fully(tmp_path: Path) -> None:
    journal = Journal(f"sqlite:///{tmp_path / 'j.sqlite'}")
    try:
        db = journal._dbapi()
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        journal.close()


def test_a_failed_write_is_unavailable_and_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    journal = Journal(f"sqlite:///{path}")
    try:
        fill(journal)
        before, last_hash = rows(path), journal.last_hash
        w = JournalWriter(journal, BRANCH)
        w.add(1_795_500_000_000, SignalRaised(signal_id=w.next_seq, code="cash", targets=()))
        # the same msg_id twice: the primary key refuses the whole batch
        w.batch.replies.append(ReplyRow("m1", "C01", None, 0, "rejected", b""))
        with pytest.raises(JournalUnavailable, match="refused the write"):
            w.flush()
        assert rows(path) == before
        assert journal.last_hash == last_hash
        assert journal._raw is None  # the next write opens a fresh connection
        w.batch.replies.clear()
        w.flush()  # and works
        assert len(rows(path)["events"]) == len(before["events"]) + 1
    finally:
        journal.close()


def test_postgresql_writes_what_sqlite_writes(tmp_path: Path, pg_server: PgServer) -> None:
    """The Core path on a real PostgreSQL journal: the same rows (bytea, bigint), the
    same chain, the same replies found, and a journal verify passes."""
    fast = Journal(f"sqlite:///{tmp_path / 'fast.sqlite'}")
    url = pg_server.database().replace("postgresql+psycopg://", "postgresql://")
    pg = Journal(url)  # a bare postgresql:// URL means psycopg 3
    pg.epoch = fast.epoch
    try:
        assert pg.engine.dialect.name == "postgresql" and not pg._fast
        fill(fast)
        fill(pg)
        assert fast.last_hash == pg.last_hash == pg.stored_head()
        assert fast.find_replies(["m1", "m2", "nope"]) == pg.find_replies(["m1", "m2", "nope"])
        assert verify(pg, BRANCH) == []
    finally:
        fast.close()
        pg.close()
    want = rows(tmp_path / "fast.sqlite")
    for table, key in TABLES.items():
        got = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in journal_rows(url, f"SELECT * FROM {table} ORDER BY {key}")
        ]
        assert got == want[table], table


def test_postgresql_sessions_sync_and_time_out_on_locks(pg_server: PgServer) -> None:
    """Durability does not depend on the server's default: every hub session commits
    with synchronous_commit=on, and waits at most a second for a lock."""
    journal = Journal(pg_server.database())
    try:
        with journal.engine.connect() as conn:
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "1s"
    finally:
        journal.close()


def test_a_failed_write_on_postgresql_leaves_nothing(pg_server: PgServer) -> None:
    url = pg_server.database()
    journal = Journal(url)
    try:
        fill(journal)
        count = "SELECT count(*) FROM events"
        before, last_hash = journal_rows(url, count), journal.last_hash
        w = JournalWriter(journal, BRANCH)
        w.add(1_795_500_000_000, SignalRaised(signal_id=w.next_seq, code="cash", targets=()))
        w.batch.replies.append(ReplyRow("m1", "C01", None, 0, "rejected", b""))
        with pytest.raises(JournalUnavailable, match="refused the write"):
            w.flush()
        assert journal_rows(url, count) == before and journal.last_hash == last_hash
        w.batch.replies.clear()
        w.flush()
        assert journal_rows(url, count) == [(before[0][0] + 1,)]
        assert verify(journal, BRANCH) == []
    finally:
        journal.close()


def test_a_postgresql_server_out_of_reach_is_named() -> None:
    """What the hub logs and answers while its PostgreSQL is down or restarting."""
    from psycopg import OperationalError as PgOperationalError
    from sqlalchemy.exc import OperationalError

    from app.hub.journal import explain

    for text_ in (
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        "Connection refused\n\tIs the server running on that host and accepting TCP/IP "
        "connections?",
        "terminating connection due to administrator command",
        "FATAL:  the database system is starting up",
    ):
        exc = OperationalError("SELECT 1", {}, PgOperationalError(text_))
        assert explain(exc).startswith("the journal's database server cannot be reached ("), text_
        assert "\n" not in explain(exc)
    locked = OperationalError(
        "INSERT", {}, PgOperationalError("canceling statement due to lock timeout")
    )
    assert explain(locked).startswith("the journal is locked by another program")
