"""scripts/headoffice-try.sh, as a newcomer runs it (docs/headoffice.md, "Try it"): two
branch hubs ship to a throw-away PostgreSQL, keep working while it is stopped, and
head office's report holds every signal of both once it is back."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_try_script_ships_both_branches_through_a_server_stop(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "headoffice-try.sh"), str(tmp_path / "try")],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "B001 and B002 acknowledged every command" in out
    assert "every signal of both branches, once (15)" in out
    report = out.split("lobbylink report --central URL --by branch", 1)[1]
    rows = [line.split() for line in report.splitlines() if line.startswith(("B001", "B002"))]
    assert [(r[0], r[1]) for r in rows] == [("B001", "7"), ("B002", "8")]
    # the script stops what it started: no server left in its folder
    server = Path((tmp_path / "try" / "pgdir").read_text(encoding="utf-8").strip())
    assert not server.exists()
