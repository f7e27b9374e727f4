"""verify --witness SEQ:HASH: a head seen elsewhere finds rows deleted at the tail and
the head, which the chain alone cannot see."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.integration.test_cli import lobbylink
from tests.integration.test_verify_readonly import make_journal


def head(path: Path, seq: int) -> str:
    with sqlite3.connect(path) as conn:
        (digest,) = conn.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
    return f"{seq}:{bytes(digest).hex()}"


def test_rows_deleted_at_the_tail_fail_the_witness(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    make_journal(path, 10)
    witness = head(path, 10)
    assert lobbylink("verify", "--db", str(path), "--witness", witness).returncode == 0
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM events WHERE seq > 8")  # say, a duress signal
    assert lobbylink("verify", "--db", str(path)).returncode == 0, "the chain alone passes"
    done = lobbylink("verify", "--db", str(path), "--witness", witness)
    assert done.returncode == 1 and "ends at seq 8" in done.stderr, done.stderr


def test_rows_trimmed_at_the_head_fail_the_witness(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    make_journal(path, 10)
    seen = head(path, 3)
    start = head(path, 5)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM events WHERE seq <= 5")
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('chain_start', ?)", (start,))
    assert lobbylink("verify", "--db", str(path)).returncode == 0, "the chain alone passes"
    done = lobbylink("verify", "--db", str(path), "--witness", seen)
    assert done.returncode == 1 and "trimmed" in done.stderr, done.stderr
    done = lobbylink("verify", "--db", str(path), "--witness", "3:" + "ab" * 32)
    assert done.returncode == 1
    garbled = lobbylink("verify", "--db", str(path), "--witness", "3:xyz")
    assert garbled.returncode == 2 and "Traceback" not in garbled.stderr, garbled.stderr
