"""Raise → claim → arrive → resolve across three stations, against a real hub."""

from __future__ import annotations

import zmq

from app.domain.config import Branch
from app.domain.events import Acknowledge, Arrive, RaiseSignal, Resolve, SignIn
from app.domain.roles import SignalState
from messaging.envelope import Rejected
from tests.helpers import (
    HubProcess,
    TestStation,
    assert_converged,
    journal_rows,
    journal_state,
    wait_for,
)


def test_three_stations_see_the_same_lifecycle(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str
) -> None:
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    lobby = TestStation(branch, "L1", hub.endpoint, ctx)
    board = TestStation(branch, "H1", hub.endpoint, ctx)
    stations = [teller, lobby, board]
    try:
        lobby.accept(SignIn(staff="wangfang"))
        sid = teller.accept(RaiseSignal(code="assist", staff="lina", note="大额取款"))
        lobby.sync_to(sid)
        assert [s.id for s in lobby.state.signals_for("L1")] == [sid]
        lobby.accept(Acknowledge(signal_id=sid))
        late = board.send(Acknowledge(signal_id=sid))
        assert isinstance(late, Rejected) and late.code == "forbidden"
        lobby.accept(Arrive(signal_id=sid))
        last = lobby.accept(Resolve(signal_id=sid))
        for station in stations:
            station.sync_to(last)
        assert_converged(stations, db_url, branch)
        truth = journal_state(db_url, branch)
        sig = truth.signals[sid]
        assert sig.state is SignalState.RESOLVED
        assert (sig.staff, sig.acked_staff, sig.resolved_station) == ("lina", "wangfang", "L1")
        rows = journal_rows(
            db_url,
            f"SELECT state, acked_staff, resolved_ms IS NOT NULL FROM signals WHERE signal_id = {sid}",
        )
        assert rows == [("resolved", "wangfang", 1)]
    finally:
        for station in stations:
            station.close()


def test_presence_goes_online_then_offline_after_silence(
    hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    watcher = TestStation(branch, "H1", hub.endpoint, ctx)
    teller = TestStation(branch, "C02", hub.endpoint, ctx)
    try:
        wait_for(
            lambda: watcher.state.presence.get("C02") is True,
            10,
            lambda: [s.pump() for s in (watcher, teller)],
            "C02 online",
        )
        teller.close()
        wait_for(
            lambda: watcher.state.presence.get("C02") is False, 10, watcher.pump, "C02 offline"
        )
    finally:
        watcher.close()
