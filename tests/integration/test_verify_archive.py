"""verify checks an archive file by itself, and a journal against the archive its
oldest rows went to: a start moved past more deleted rows is found."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.domain.config import Branch
from tests.helpers import journal_exec, journal_rows
from tests.integration.test_cli import lobbylink
from tests.integration.test_reports_cli import _journal


def test_a_start_moved_past_the_archive_is_found(
    tmp_path: Path, branch: Branch, any_db_url: str
) -> None:
    """The archive is an SQLite file whichever engine holds the journal."""
    url = _journal(any_db_url, branch)
    target = tmp_path / "old.sqlite"
    out = lobbylink("archive", "--db", url, "--before", "2026-03-09", "--to", str(target))
    assert out.returncode == 0, out.stderr
    ok = lobbylink("verify", "--db", f"sqlite:///{target}")
    assert ok.returncode == 0 and "journal OK: 3 events" in ok.stdout, ok.stderr
    ok = lobbylink("verify", "--db", url, "--archive", str(target))
    assert ok.returncode == 0, ok.stderr
    ((digest,),) = journal_rows(url, "SELECT hash FROM events WHERE seq = 4")
    journal_exec(url, "DELETE FROM events WHERE seq = 4")
    start = f"4:{bytes(digest).hex()}"
    journal_exec(url, "UPDATE meta SET value = :v WHERE key = 'chain_start'", v=start)
    assert lobbylink("verify", "--db", url).returncode == 0, "the chain alone passes"
    done = lobbylink("verify", "--db", url, "--archive", str(target))
    assert done.returncode == 1 and "the archive ends at 3:" in done.stderr, done.stderr
    # an archive edited is found too
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE events SET hub_ts_ms = hub_ts_ms + 1 WHERE seq = 2")
    done = lobbylink("verify", "--db", f"sqlite:///{target}")
    assert done.returncode == 1, done.stderr
    journal_file = tmp_path / "another-journal.sqlite"  # a journal, not an archive
    _journal(f"sqlite:///{journal_file}", branch)
    not_archive = lobbylink("verify", "--db", url, "--archive", str(journal_file))
    assert not_archive.returncode == 2 and "not an archive" in not_archive.stderr
