"""verify --witness SEQ:HASH: a head seen elsewhere finds rows deleted at the tail and
the head, which the chain alone cannot see."""

from __future__ import annotations

from tests.helpers import journal_exec, journal_rows
from tests.integration.test_cli import lobbylink
from tests.integration.test_verify_readonly import make_journal


def head(url: str, seq: int) -> str:
    ((digest,),) = journal_rows(url, "SELECT hash FROM events WHERE seq = :seq", seq=seq)
    return f"{seq}:{bytes(digest).hex()}"


def test_rows_deleted_at_the_tail_fail_the_witness(any_db_url: str) -> None:
    path = make_journal(any_db_url, 10)
    witness = head(path, 10)
    assert lobbylink("verify", "--db", str(path), "--witness", witness).returncode == 0
    journal_exec(path, "DELETE FROM events WHERE seq > 8")  # say, a duress signal
    assert lobbylink("verify", "--db", str(path)).returncode == 0, "the chain alone passes"
    done = lobbylink("verify", "--db", str(path), "--witness", witness)
    assert done.returncode == 1 and "ends at seq 8" in done.stderr, done.stderr


def test_rows_trimmed_at_the_head_fail_the_witness(any_db_url: str) -> None:
    path = make_journal(any_db_url, 10)
    seen = head(path, 3)
    start = head(path, 5)
    journal_exec(path, "DELETE FROM events WHERE seq <= 5")
    journal_exec(path, "DELETE FROM meta WHERE key = 'chain_start'")
    journal_exec(path, "INSERT INTO meta (key, value) VALUES ('chain_start', :v)", v=start)
    assert lobbylink("verify", "--db", str(path)).returncode == 0, "the chain alone passes"
    done = lobbylink("verify", "--db", str(path), "--witness", seen)
    assert done.returncode == 1 and "trimmed" in done.stderr, done.stderr
    done = lobbylink("verify", "--db", str(path), "--witness", "3:" + "ab" * 32)
    assert done.returncode == 1
    garbled = lobbylink("verify", "--db", str(path), "--witness", "3:xyz")
    assert garbled.returncode == 2 and "Traceback" not in garbled.stderr, garbled.stderr
