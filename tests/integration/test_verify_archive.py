"""verify checks an archive file by itself, and a journal against the archive its
oldest rows went to: a start moved past more deleted rows is found."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.domain.config import Branch
from tests.integration.test_cli import lobbylink
from tests.integration.test_reports_cli import _journal


def test_a_start_moved_past_the_archive_is_found(tmp_path: Path, branch: Branch) -> None:
    url = _journal(tmp_path, branch)
    target = tmp_path / "old.sqlite"
    out = lobbylink("archive", "--db", url, "--before", "2026-03-09", "--to", str(target))
    assert out.returncode == 0, out.stderr
    ok = lobbylink("verify", "--db", f"sqlite:///{target}")
    assert ok.returncode == 0 and "journal OK: 3 events" in ok.stdout, ok.stderr
    ok = lobbylink("verify", "--db", url, "--archive", str(target))
    assert ok.returncode == 0, ok.stderr
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        (digest,) = conn.execute("SELECT hash FROM events WHERE seq = 4").fetchone()
        conn.execute("DELETE FROM events WHERE seq = 4")
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'chain_start'", (f"4:{bytes(digest).hex()}",)
        )
    assert lobbylink("verify", "--db", url).returncode == 0, "the chain alone passes"
    done = lobbylink("verify", "--db", url, "--archive", str(target))
    assert done.returncode == 1 and "the archive ends at 3:" in done.stderr, done.stderr
    # an archive edited is found too
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE events SET hub_ts_ms = hub_ts_ms + 1 WHERE seq = 2")
    done = lobbylink("verify", "--db", f"sqlite:///{target}")
    assert done.returncode == 1, done.stderr
    not_archive = lobbylink("verify", "--db", url, "--archive", path)
    assert not_archive.returncode == 2 and "not an archive" in not_archive.stderr
