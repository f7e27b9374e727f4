"""``lobbylink central`` and ``hub --central`` as a person types them: bad input is one
line, exit 2, nothing created."""

from __future__ import annotations

from pathlib import Path

from app.devtools.pgserver import PgServer
from tests.integration.test_cli import lobbylink


def test_bad_central_input_is_one_line_and_creates_nothing(
    pg_server: PgServer, tmp_path: Path
) -> None:
    done = lobbylink("central", "init", "--central", f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0
    assert "must be PostgreSQL" in done.stderr and not (tmp_path / "x.sqlite").exists()
    done = lobbylink("central", "init", "--central", "postgresql://nobody:s3cret@127.0.0.1:1/x")
    assert done.returncode == 2 and "Connection refused" in done.stderr
    assert "s3cret" not in done.stderr
    assert "Traceback" not in done.stderr
    admin = pg_server.database()
    assert lobbylink("central", "init", "--central", admin).returncode == 0
    done = lobbylink("central", "add-branch", "--central", admin, "--code", "no spaces")
    assert done.returncode == 2 and "is not a branch code" in done.stderr
    journal = tmp_path / "journal.sqlite"
    done = lobbylink("hub", "--insecure", "--db", f"sqlite:///{journal}", "--central", "nonsense")
    assert done.returncode == 2 and "--central" in done.stderr and "Traceback" not in done.stderr
    assert not journal.exists()  # checked before the journal is opened
    again = lobbylink("central", "init", "--central", admin)
    assert again.returncode == 0 and "up to date" in again.stdout
