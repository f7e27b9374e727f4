"""The journal's integrity chain finds edited, deleted and reordered rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zmq

from app.domain.config import Branch
from app.domain.events import Acknowledge, RaiseSignal, Resolve
from app.hub.journal import Journal
from app.hub.verify import verify
from tests.helpers import HubProcess, TestStation, journal_exec, journal_rows


@pytest.fixture
def journal_with_history(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str
) -> Iterator[str]:
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    lobby = TestStation(branch, "L1", hub.endpoint, ctx)
    try:
        for _ in range(3):
            sid = teller.accept(RaiseSignal(code="assist"))
            lobby.accept(Acknowledge(signal_id=sid))
            lobby.accept(Resolve(signal_id=sid))
    finally:
        teller.close()
        lobby.close()
    assert hub.stop() == 0
    yield db_url


def findings(db_url: str, branch: Branch) -> list[str]:
    journal = Journal(db_url)
    try:
        return [str(f) for f in verify(journal, branch)]
    finally:
        journal.close()


def sql(db_url: str, statement: str, **params: object) -> None:
    journal_exec(db_url, statement, **params)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module's journals on each engine the hub runs on (SQLite, PostgreSQL)."""
    return any_db_url


def test_untouched_journal_verifies(journal_with_history: str, branch: Branch) -> None:
    assert findings(journal_with_history, branch) == []


def test_edited_body_is_found(journal_with_history: str, branch: Branch) -> None:
    ((seq, body),) = journal_rows(
        journal_with_history,
        "SELECT seq, body FROM events WHERE kind = 'signal_acknowledged' ORDER BY seq LIMIT 1",
    )
    edited = bytes(body).replace(b"L1", b"L2")
    assert edited != bytes(body)
    sql(
        journal_with_history,
        "UPDATE events SET body = :body WHERE seq = :seq",
        body=edited,
        seq=seq,
    )
    found = findings(journal_with_history, branch)
    assert found[0] == f"row {seq}: was edited: its hash does not match its content"


def test_deleted_row_is_found(journal_with_history: str, branch: Branch) -> None:
    sql(journal_with_history, "DELETE FROM events WHERE seq = 4")
    assert findings(journal_with_history, branch)[0] == "row 5: rows 4 to 4 are missing (deleted?)"


def test_reordered_rows_are_found(journal_with_history: str, branch: Branch) -> None:
    ((a_body, a_hash),) = journal_rows(
        journal_with_history, "SELECT body, hash FROM events WHERE seq = 3"
    )
    ((b_body, b_hash),) = journal_rows(
        journal_with_history, "SELECT body, hash FROM events WHERE seq = 4"
    )
    update = "UPDATE events SET body = :body, hash = :hash WHERE seq = :seq"
    sql(journal_with_history, update, body=b_body, hash=b_hash, seq=3)
    sql(journal_with_history, update, body=a_body, hash=a_hash, seq=4)
    found = findings(journal_with_history, branch)
    assert found[0] == "row 3: was edited: its hash does not match its content"
    assert "row 3: holds the event of seq 4 (rows reordered?)" in found


def test_edited_column_and_projection_are_found(journal_with_history: str, branch: Branch) -> None:
    sql(journal_with_history, "UPDATE events SET station = 'C09' WHERE seq = 2")
    sql(journal_with_history, "UPDATE signals SET acked_staff = 'nobody'")
    found = findings(journal_with_history, branch)
    assert "row 2: column station says 'C09', its body says 'C01'" in found
    assert any("signals table: acked_staff is 'nobody'" in f for f in found)


def test_row_edited_as_text_is_named_not_a_traceback(
    journal_with_history: str, branch: Branch
) -> None:
    """A row edited in the sqlite3 shell with replace() comes back as text (SQLite); in
    psql, overlay() on the bytes keeps it bytes (PostgreSQL's bytea has no text form)."""
    if journal_with_history.startswith("sqlite"):
        edit = "UPDATE events SET body = replace(body, 'C01', 'C02') WHERE seq = 2"
    else:
        edit = (
            "UPDATE events SET body = overlay(body placing 'C02'::bytea "
            "from position('C01'::bytea in body) for 3) WHERE seq = 2"
        )
    sql(journal_with_history, edit)
    found = findings(journal_with_history, branch)
    assert found[0] == "row 2: was edited: its hash does not match its content"
