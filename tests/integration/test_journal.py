"""A journal the hub cannot write: it refuses instead of acknowledging, and recovers."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

from app.domain.config import Branch
from app.domain.events import RaiseSignal
from messaging.envelope import Accepted
from tests.helpers import HubProcess, TestStation, journal_rows, wait_for
from tests.integration.test_cli import lobbylink


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module's journals on each engine the hub runs on (SQLite, PostgreSQL)."""
    return any_db_url


@contextlib.contextmanager
def locked(db_url: str) -> Iterator[None]:
    """Another program holds the journal's write lock: SQLite's ``BEGIN EXCLUSIVE`` in
    the sqlite3 shell; on PostgreSQL, ``LOCK TABLE … IN EXCLUSIVE MODE`` in psql (reads
    go on, writes wait)."""
    if db_url.startswith("sqlite"):
        locker = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("LOCK TABLE events, commands, signals IN EXCLUSIVE MODE"))
            yield  # the transaction ends (and the lock goes) on leaving
    finally:
        engine.dispose()


def test_locked_journal_is_refused_then_recovers(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str
) -> None:
    teller = TestStation(branch, "C05", hub.endpoint, ctx)
    try:
        teller.accept(RaiseSignal(code="cash"))
        with locked(db_url):
            msg_id = teller.session.send(RaiseSignal(code="device_fault", note="打印机卡纸"))
            end = time.monotonic() + 3
            while time.monotonic() < end:
                teller.pump()
                time.sleep(0.01)
            assert msg_id not in teller.replies, (
                "nothing is acknowledged while the journal is locked"
            )
            assert len(teller.session.link.outbox) == 1
            cli = lobbylink(
                "send",
                "--hub",
                f"127.0.0.1:{hub.port}",
                "--station",
                "C06",
                "--timeout",
                "3",
                "raise",
                "cash",
            )
            assert cli.returncode == 3 and "locked" in cli.stderr
        wait_for(
            lambda: msg_id in teller.replies, 15, teller.pump, "delivery after the lock is gone"
        )
        assert isinstance(teller.replies[msg_id], Accepted)
        codes = [r[0] for r in journal_rows(db_url, "SELECT code FROM signals ORDER BY signal_id")]
        # the command line gave up waiting, but its resend may still be stored: never twice
        assert codes in (["cash", "device_fault"], ["cash", "cash", "device_fault"])
        assert any("cannot write" in line and "locked" in line for line in hub.log)
        assert any("writable again" in line for line in hub.log)
    finally:
        teller.close()


def test_unopenable_journal_is_a_clear_error(tmp_path: Path) -> None:
    not_a_db = tmp_path / "journal.sqlite"
    not_a_db.write_bytes(b"this is not a database" * 100)
    out = lobbylink("hub", "--db", f"sqlite:///{not_a_db}", "--listen", "127.0.0.1:1", "--insecure")
    assert out.returncode == 2
    assert "cannot read the journal" in out.stderr and "not a database" in out.stderr
    assert "Traceback" not in out.stderr
