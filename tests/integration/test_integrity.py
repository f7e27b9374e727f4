"""The journal's integrity chain finds edited, deleted and reordered rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
import zmq

from app.domain.config import Branch
from app.domain.events import Acknowledge, RaiseSignal, Resolve
from app.hub.journal import Journal
from app.hub.verify import verify
from tests.helpers import HubProcess, TestStation


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


def sql(db_url: str, statement: str) -> None:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        conn.execute(statement)


def test_untouched_journal_verifies(journal_with_history: str, branch: Branch) -> None:
    assert findings(journal_with_history, branch) == []


def test_edited_body_is_found(journal_with_history: str, branch: Branch) -> None:
    row = (
        sqlite3.connect(journal_with_history.removeprefix("sqlite:///"))
        .execute(
            "SELECT seq, body FROM events WHERE kind = 'signal_acknowledged' ORDER BY seq LIMIT 1"
        )
        .fetchone()
    )
    seq, body = row
    edited = bytes(body).replace(b"L1", b"L2")
    assert edited != bytes(body)
    sql(journal_with_history, f"UPDATE events SET body = x'{edited.hex()}' WHERE seq = {seq}")
    found = findings(journal_with_history, branch)
    assert found[0] == f"row {seq}: was edited: its hash does not match its content"


def test_deleted_row_is_found(journal_with_history: str, branch: Branch) -> None:
    sql(journal_with_history, "DELETE FROM events WHERE seq = 4")
    assert findings(journal_with_history, branch)[0] == "row 5: rows 4 to 4 are missing (deleted?)"


def test_reordered_rows_are_found(journal_with_history: str, branch: Branch) -> None:
    path = journal_with_history.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        a = conn.execute("SELECT body, hash FROM events WHERE seq = 3").fetchone()
        b = conn.execute("SELECT body, hash FROM events WHERE seq = 4").fetchone()
        conn.execute("UPDATE events SET body = ?, hash = ? WHERE seq = 3", b)
        conn.execute("UPDATE events SET body = ?, hash = ? WHERE seq = 4", a)
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
    """A row edited in the sqlite3 shell with replace() comes back as text."""
    sql(journal_with_history, "UPDATE events SET body = replace(body, 'C01', 'C02') WHERE seq = 2")
    found = findings(journal_with_history, branch)
    assert found[0] == "row 2: was edited: its hash does not match its content"
