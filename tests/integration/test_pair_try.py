"""scripts/pair-try.sh, as a newcomer runs it (docs/operations.md, "A standby hub"): the
issue's "done when" from the command line, end to end."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import free_port_pair

ROOT = Path(__file__).resolve().parents[2]


def test_the_try_script_survives_the_primarys_kill(tmp_path: Path) -> None:
    first = free_port_pair(3)
    second = free_port_pair(3)
    while abs(second - first) < 3:
        second = free_port_pair(3)
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pair-try.sh"), str(tmp_path / "try")],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ, PAIR_TRY_PORTS=f"{first} {second}"),
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    journal = out.split("== the backup's journal", 1)[1].split("==", 1)[0]
    kinds = [line.split()[1] for line in journal.splitlines() if line.strip()]
    assert [k for k in kinds if k.startswith("signal_")] == [
        "signal_raised",
        "signal_acknowledged",
        "signal_resolved",
    ]
    report = out.split("== lobbylink report", 1)[1].split("==", 1)[0]
    assert "resolved" in report and "assist" in report
    assert "primary passive" in out
    assert "this hub is the standby" in out
    assert "the old primary refused the command" in out
    assert not list((tmp_path / "try").glob("*.pid")), "the script stops what it started"
