"""SIGKILL the hub mid-stream: nothing acknowledged is lost or duplicated."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import zmq

from app.domain.config import Branch
from app.domain.events import Acknowledge, RaiseSignal, Resolve
from app.domain.policy import MAX_OPEN_SIGNALS
from messaging.envelope import Accepted
from messaging.outbox import Outbox
from tests.helpers import HubProcess, TestStation, assert_converged, journal_rows, wait_for


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """This module's journals on each engine the hub runs on (SQLite, PostgreSQL)."""
    return any_db_url


def test_hub_killed_mid_stream_loses_and_duplicates_nothing(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str, tmp_path: Path
) -> None:
    tellers = [
        TestStation(branch, f"C0{i}", hub.endpoint, ctx, Outbox(tmp_path / f"C0{i}.sqlite"))
        for i in (1, 2, 3)
    ]
    lobby = TestStation(branch, "L1", hub.endpoint, ctx, Outbox(tmp_path / "L1.sqlite"))
    everyone = [*tellers, lobby]
    sent: list[str] = []
    kills = 0

    def killer() -> None:
        nonlocal kills
        for _ in range(3):
            time.sleep(0.4)
            hub.kill()
            kills += 1
            hub.start()

    thread = threading.Thread(target=killer)
    try:
        thread.start()
        deadline = time.monotonic() + 20
        # each teller stays under its cap of open signals (a fast machine sends hundreds)
        most = len(tellers) * (MAX_OPEN_SIGNALS - 20)
        while (thread.is_alive() or len(sent) < 60) and time.monotonic() < deadline:
            for teller in tellers:
                if len(sent) < most:
                    sent.append(teller.session.send(RaiseSignal(code="assist")))
            for station in everyone:
                station.pump()
            time.sleep(0.01)
        thread.join()
        assert kills == 3
        wait_for(
            lambda: all(len(s.session.link.outbox) == 0 for s in everyone),
            30,
            lambda: [s.pump() for s in everyone],
            "outboxes empty",
        )
        accepted = {
            mid: r.seq for s in tellers for mid, r in s.replies.items() if isinstance(r, Accepted)
        }
        assert set(accepted) == set(sent), "every command was answered and accepted"
        # each accepted command is in the journal exactly once, under the seq it was acknowledged with
        rows = journal_rows(db_url, "SELECT msg_id, seq FROM events WHERE msg_id IS NOT NULL")
        assert len(rows) == len({mid for mid, _ in rows}), "no msg_id journaled twice"
        assert {mid: seq for mid, seq in rows} == accepted
        # the lobby claims and resolves some of them across one more crash
        ids = sorted(accepted.values())[:5]
        for sid in ids[:3]:
            lobby.accept(Acknowledge(signal_id=sid))
        hub.kill()
        hub.start()
        for sid in ids[:3]:
            lobby.accept(Resolve(signal_id=sid))
        assert_converged(everyone, db_url, branch)
    finally:
        thread.join()
        for station in everyone:
            station.close()


def test_station_restart_keeps_its_outbox(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str, tmp_path: Path
) -> None:
    """Commands made while the hub is down survive a station restart, then go once, in order."""
    hub.stop()
    box = tmp_path / "C04.sqlite"
    first = TestStation(branch, "C04", hub.endpoint, ctx, Outbox(box))
    notes = [f"call {i}" for i in range(6)]
    for note in notes[:3]:
        first.session.send(RaiseSignal(code="assist", note=note))
    first.pump()
    first.close()  # the station PC restarts with three commands unsent
    second = TestStation(branch, "C04", hub.endpoint, ctx, Outbox(box))
    try:
        for note in notes[3:]:
            second.session.send(RaiseSignal(code="assist", note=note))
        assert len(second.session.link.outbox) == 6
        hub.start()
        wait_for(lambda: len(second.session.link.outbox) == 0, 15, second.pump, "outbox delivered")
        rows = journal_rows(db_url, "SELECT s.note FROM signals s ORDER BY s.signal_id")
        assert [r[0] for r in rows] == notes, "delivered once each, in the order they were made"
    finally:
        second.close()
