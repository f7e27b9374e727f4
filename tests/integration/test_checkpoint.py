"""A restart replays only what came after the last state checkpoint, and still converges."""

from __future__ import annotations

import json

import pytest
import zmq

from app.domain.config import Branch
from app.domain.events import Acknowledge, RaiseSignal, Resolve
from tests.helpers import HubProcess, TestStation, assert_converged, journal_exec, journal_rows


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module's journals on each engine the hub runs on (SQLite, PostgreSQL)."""
    return any_db_url


def start_line(hub: HubProcess) -> str:
    return next(line for line in hub.log if "events replayed" in line)


def test_restart_resumes_from_the_checkpoint(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str
) -> None:
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    lobby = TestStation(branch, "L1", hub.endpoint, ctx)
    try:
        for _ in range(5):
            sid = teller.accept(RaiseSignal(code="assist"))
            lobby.accept(Acknowledge(signal_id=sid))
        open_one = sid
        lobby.accept(Resolve(signal_id=sid - 2))
        hub.stop()  # a clean stop writes a checkpoint
        ((value,),) = journal_rows(db_url, "SELECT value FROM meta WHERE key = 'checkpoint'")
        at = json.loads(value)["seq"]
        hub.log.clear()
        hub.start()
        assert f"the checkpoint at seq {at}, 0 events replayed" in start_line(hub)
        lobby.accept(Resolve(signal_id=open_one))  # the state survived: the claim is known
        teller.accept(RaiseSignal(code="cash"))
        assert_converged([teller, lobby], db_url, branch)
        # killed (no checkpoint at stop): the old one plus a replay of what came after
        hub.kill()
        hub.log.clear()
        hub.start()
        line = start_line(hub)
        assert f"the checkpoint at seq {at}," in line and "0 events replayed" not in line
        assert_converged([teller, lobby], db_url, branch)
    finally:
        teller.close()
        lobby.close()


def test_a_checkpoint_that_does_not_match_is_ignored(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str
) -> None:
    teller = TestStation(branch, "C02", hub.endpoint, ctx)
    try:
        teller.accept(RaiseSignal(code="assist"))
        hub.stop()
        ((value,),) = journal_rows(db_url, "SELECT value FROM meta WHERE key = 'checkpoint'")
        found = json.loads(value)
        found["hash"] = "00" * 32
        journal_exec(
            db_url, "UPDATE meta SET value = :v WHERE key = 'checkpoint'", v=json.dumps(found)
        )
        hub.log.clear()
        hub.start()
        assert "state from the start" in start_line(hub)
        assert any("does not match the journal" in line for line in hub.log)
        teller.accept(RaiseSignal(code="cash"))
        assert_converged([teller], db_url, branch)
    finally:
        teller.close()
