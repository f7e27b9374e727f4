"""verify never harms what it checks and sees more: read-only, never creates or
migrates, one line and exit 2 for what is not a journal, SQLite's integrity check."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.domain.events import JournalNote
from app.domain.record import event_row
from app.hub.journal import Batch, Journal
from tests.integration.test_cli import lobbylink


def make_journal(path: Path, events: int = 300) -> None:
    journal = Journal(f"sqlite:///{path}")
    try:
        rows = [
            event_row(seq, seq * 1_000, JournalNote(text=f"n{seq}"), journal.epoch)
            for seq in range(1, events + 1)
        ]
        journal.commit(Batch(events=rows))
    finally:
        journal.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


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
