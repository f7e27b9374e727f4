from __future__ import annotations

import pytest

from app.domain.config import Branch
from app.domain.errors import DomainError
from app.domain.events import (
    Acknowledge,
    Arrive,
    Cancel,
    Command,
    Decline,
    RaiseSignal,
    Resolve,
    SetStatus,
    SignIn,
)
from app.domain.roles import CounterStatus, SignalState
from app.domain.state import BranchState, decode_snapshot, encode_snapshot


class Clock:
    def __init__(self) -> None:
        self.ms = 1_700_000_000_000


@pytest.fixture
def state(branch: Branch) -> BranchState:
    return BranchState(branch)


def do(state: BranchState, station: str, command: Command, ts: int | None = None) -> int:
    seq = state.last_seq + 1
    event = state.decide(station, command, seq)
    state.apply(seq, ts if ts is not None else 1_700_000_000_000 + seq * 1000, event)
    return seq


def refused(state: BranchState, station: str, command: Command, code: str) -> str:
    with pytest.raises(DomainError) as info:
        state.decide(station, command, state.last_seq + 1)
    assert info.value.code == code, info.value.reason
    return info.value.reason


def test_assist_lifecycle(state: BranchState) -> None:
    do(state, "L1", SignIn(staff="wangfang"))
    sid = do(state, "C01", RaiseSignal(code="assist", staff="lina"))
    sig = state.signals[sid]
    assert sig.state is SignalState.OPEN and sig.targets == ("lobby_manager",)
    assert [s.id for s in state.signals_for("L1")] == [sid]
    assert state.signals_for("S1") == []
    do(state, "L1", Acknowledge(signal_id=sid))
    assert sig.state is SignalState.ACKNOWLEDGED
    assert (sig.acked_station, sig.acked_staff) == ("L1", "wangfang")
    do(state, "L1", Arrive(signal_id=sid))
    do(state, "L1", Resolve(signal_id=sid))
    assert sig.state is SignalState.RESOLVED and sig.outcome == "done"
    assert sig.raised_ms < sig.acked_ms < sig.arrived_ms < sig.resolved_ms
    refused(state, "L1", Resolve(signal_id=sid), "invalid_transition")


def test_first_claim_wins_and_says_who(state: BranchState) -> None:
    sid = do(state, "C01", RaiseSignal(code="refer_wealth", need="fund"))
    do(state, "W1", Acknowledge(signal_id=sid, staff="sunli"))
    reason = refused(state, "W2", Acknowledge(signal_id=sid), "already_claimed")
    assert "sunli" in reason and "W1" in reason


def test_who_may_do_what(state: BranchState) -> None:
    refused(state, "C01", RaiseSignal(code="vip"), "forbidden")
    sid = do(state, "C01", RaiseSignal(code="authorize"))
    refused(state, "C02", Acknowledge(signal_id=sid), "forbidden")  # a teller cannot authorize
    refused(state, "C02", Cancel(signal_id=sid), "forbidden")  # nor cancel another's signal
    refused(state, "L1", Arrive(signal_id=sid), "invalid_transition")
    refused(state, "X9", RaiseSignal(code="assist"), "forbidden")
    refused(state, "C01", RaiseSignal(code="nonsense"), "bad_request")
    refused(state, "C01", RaiseSignal(code="assist", staff="sunli"), "forbidden")
    refused(state, "C01", Acknowledge(signal_id=999), "not_found")
    do(state, "C01", Cancel(signal_id=sid))
    assert state.signals[sid].state is SignalState.CANCELLED
    refused(state, "S1", Acknowledge(signal_id=sid), "invalid_transition")


def test_direct_counter_goes_to_one_station(state: BranchState) -> None:
    refused(state, "L1", RaiseSignal(code="direct_counter"), "bad_request")
    refused(state, "L1", RaiseSignal(code="direct_counter", to="W1"), "bad_request")
    sid = do(state, "L1", RaiseSignal(code="direct_counter", to="C03", ticket="A017"))
    assert [s.id for s in state.signals_for("C03")] == [sid]
    assert state.signals_for("C02") == []


def test_handoff_decline_reoffer_and_outcome(state: BranchState) -> None:
    sid = do(
        state,
        "C01",
        RaiseSignal(code="refer_wealth", need="insurance", ticket="B042", note="想了解养老保险"),
    )
    do(state, "W1", Acknowledge(signal_id=sid))
    refused(state, "W1", Decline(signal_id=sid, reason=""), "bad_request")
    refused(state, "W1", Decline(signal_id=sid, reason="bored"), "bad_request")
    do(state, "W1", Decline(signal_id=sid, reason="busy"))
    sig = state.signals[sid]
    assert sig.state is SignalState.OPEN and sig.acked_station == ""
    assert state.signals_for("W1") == [] and [s.id for s in state.signals_for("W2")] == [sid]
    refused(state, "W1", Acknowledge(signal_id=sid), "forbidden")
    do(state, "W2", Acknowledge(signal_id=sid))
    refused(state, "W2", Resolve(signal_id=sid), "bad_request")  # a handoff needs an outcome
    refused(state, "W2", Resolve(signal_id=sid, outcome="served", product="yacht"), "bad_request")
    do(state, "W2", Resolve(signal_id=sid, outcome="served", product="insurance"))
    assert (sig.outcome, sig.product) == ("served", "insurance")


def test_counter_status_needs_a_reason_to_pause(state: BranchState) -> None:
    refused(state, "C01", SetStatus(status=CounterStatus.PAUSED), "bad_request")
    refused(state, "L1", SetStatus(status=CounterStatus.CLOSED), "forbidden")
    do(state, "C01", SetStatus(status=CounterStatus.PAUSED, reason="meal"))
    assert state.counters["C01"].status is CounterStatus.PAUSED
    assert state.counters["C01"].reason == "meal"
    do(state, "C01", SetStatus(status=CounterStatus.OPEN))
    refused(state, "C01", SetStatus(status=CounterStatus.OPEN), "invalid_transition")


def test_escalation_ladder(state: BranchState) -> None:
    sid = do(state, "C01", RaiseSignal(code="assist"), ts=0)
    assert state.next_deadline_ms() == 30_000
    assert state.due_escalations(29_999) == []
    (first,) = state.due_escalations(30_000)
    assert (first.level, first.role) == (1, "supervisor")
    state.apply(state.last_seq + 1, 30_000, first)
    assert [s.id for s in state.signals_for("S1")] == [sid]
    assert state.next_deadline_ms() == 60_000
    (second,) = state.due_escalations(60_000)
    state.apply(state.last_seq + 1, 60_000, second)
    assert state.signals[sid].targets == ("lobby_manager", "supervisor", "branch_head")
    assert state.next_deadline_ms() is None
    assert state.due_escalations(10**9) == []


def test_acknowledged_signal_does_not_escalate(state: BranchState) -> None:
    sid = do(state, "C01", RaiseSignal(code="authorize"), ts=0)
    do(state, "S1", Acknowledge(signal_id=sid), ts=5_000)
    assert state.due_escalations(10**9) == []


def test_sign_in_moves_staff_and_checks_pin(state: BranchState) -> None:
    do(state, "C01", SignIn(staff="zhaomin"))
    do(state, "L1", SignIn(staff="zhaomin"))
    assert state.staff_at == {"L1": "zhaomin"}
    refused(state, "C02", SignIn(staff="wangfang"), "forbidden")  # not a teller


def test_snapshot_round_trip(state: BranchState, branch: Branch) -> None:
    sid = do(state, "C01", RaiseSignal(code="refer_wealth"))
    do(state, "W1", Decline(signal_id=sid, reason="away"))
    do(state, "C02", SetStatus(status=CounterStatus.CLOSED))
    copy = BranchState(branch)
    copy.restore(state.last_seq, decode_snapshot(encode_snapshot(state.snapshot())))
    assert copy.fingerprint() == state.fingerprint()


def test_events_out_of_order_are_refused(state: BranchState) -> None:
    do(state, "C01", RaiseSignal(code="assist"))
    event = state.decide("C01", RaiseSignal(code="assist"), 1)
    with pytest.raises(ValueError, match="not after"):
        state.apply(1, 0, event)
