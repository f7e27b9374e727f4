"""verify never harms what it checks and sees more: read-only, never creates or
migrates, one line and exit 2 for what is not a journal, SQLite's integrity check."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.devtools.pgserver import PgServer
from app.domain.events import JournalNote
from app.domain.record import event_row
from app.hub.journal import Batch, Journal
from app.hub.readonly import read_only_engine
from tests.helpers import journal_exec, journal_rows
from tests.integration.test_cli import lobbylink


def make_journal(where: Path | str, events: int = 300) -> str:
    """A journal of ``events`` notes at an SQLite path (checkpointed into the file) or a
    database URL; its URL."""
    url = f"sqlite:///{where}" if isinstance(where, Path) else where
    journal = Journal(url)
    try:
        rows = [
            event_row(seq, seq * 1_000, JournalNote(text=f"n{seq}"), journal.epoch)
            for seq in range(1, events + 1)
        ]
        journal.commit(Batch(events=rows))
    finally:
        journal.close()
    if isinstance(where, Path):
        with sqlite3.connect(where) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return url


def one_line_exit_2(done: object) -> str:
    assert getattr(done, "returncode") == 2, getattr(done, "stderr")  # noqa: B009
    err = str(getattr(done, "stderr"))  # noqa: B009
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_a_mistyped_path_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "journal.sqlite"
    err = one_line_exit_2(lobbylink("verify", "--db", f"sqlite:///{missing}"))
    assert "no journal file" in err
    assert not missing.exists() and not missing.parent.exists()
    one_line_exit_2(lobbylink("verify", "--db", str(missing)))  # a plain path too
    assert not missing.exists()


def test_a_file_that_is_not_a_journal(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 200, encoding="utf-8")
    assert "not a journal" in one_line_exit_2(lobbylink("verify", "--db", str(text)))
    empty_db = tmp_path / "other.sqlite"
    sqlite3.connect(empty_db).close()
    assert "not a Lobbylink journal" in one_line_exit_2(lobbylink("verify", "--db", str(empty_db)))


def test_another_schema_version_is_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    make_journal(path, 3)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_newer'")
    before = path.read_bytes()
    err = one_line_exit_2(lobbylink("verify", "--db", str(path)))
    assert "9999_newer" in err
    assert path.read_bytes() == before, "verify changed nothing"


def test_corrupt_index_pages_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    make_journal(path)
    assert lobbylink("verify", "--db", str(path)).returncode == 0
    with sqlite3.connect(path) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            r[0]
            for r in conn.execute(
                "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
            )
        ]
    assert pages
    with path.open("r+b") as f:
        f.seek((pages[0] - 1) * size + 8)  # leave the page type, garble its cells
        f.write(b"\xff" * (size - 8))
    done = lobbylink("verify", "--db", str(path))
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr, done.stderr
    assert "integrity check" in done.stderr or "malformed" in done.stderr, done.stderr


def test_a_postgresql_journal_is_checked_read_only(pg_server: PgServer) -> None:
    """On a server, verify's sessions are read-only transactions; SQLite's page check
    does not apply and the output says so."""
    url = make_journal(pg_server.database(), 5)
    before = journal_rows(url, "SELECT count(*), max(seq) FROM events")
    done = lobbylink("verify", "--db", url)
    assert done.returncode == 0, done.stderr
    assert "journal OK: 5 events" in done.stdout
    assert "SQLite's page check" in done.stdout and "PostgreSQL" in done.stdout
    assert journal_rows(url, "SELECT count(*), max(seq) FROM events") == before
    bare = url.replace("postgresql+psycopg://", "postgresql://")  # the form the docs give
    assert lobbylink("verify", "--db", bare).returncode == 0

    engine = read_only_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
            with pytest.raises(DBAPIError, match="read-only"):
                conn.execute(text("DELETE FROM events"))
    finally:
        engine.dispose()
    assert journal_rows(url, "SELECT count(*) FROM events") == [(5,)]


def test_an_empty_postgresql_database_is_not_made_a_journal(pg_server: PgServer) -> None:
    url = pg_server.database()
    assert "not a Lobbylink journal" in one_line_exit_2(lobbylink("verify", "--db", url))
    tables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
    assert journal_rows(url, tables) == [(0,)], "verify created nothing"


def test_another_schema_version_on_postgresql_is_not_migrated(pg_server: PgServer) -> None:
    url = make_journal(pg_server.database(), 3)
    journal_exec(url, "UPDATE alembic_version SET version_num = '9999_newer'")
    assert "9999_newer" in one_line_exit_2(lobbylink("verify", "--db", url))
    assert journal_rows(url, "SELECT version_num FROM alembic_version") == [("9999_newer",)]
