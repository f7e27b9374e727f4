"""Today's KPIs on small hand-built days: every expected figure is worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.config import Branch
from app.domain.events import (
    Acknowledge,
    Cancel,
    Command,
    Decline,
    RaiseSignal,
    Resolve,
    SetStatus,
    SignalEscalated,
)
from app.domain.kpi import today_kpis
from app.domain.roles import CounterStatus
from app.domain.state import BranchState
from app.domain.timeday import day_bounds_ms

S = 1000
DAY_START, DAY_END = day_bounds_ms(date(2024, 3, 15), "Asia/Shanghai")
T0 = DAY_START + 10 * 3600 * S  # 10:00 local


@pytest.fixture
def state(branch: Branch) -> BranchState:
    return BranchState(branch)


def do(state: BranchState, station: str, command: Command, ts: int) -> int:
    seq = state.last_seq + 1
    state.apply(seq, ts, state.decide(station, command, seq))
    return seq


def escalate(state: BranchState, signal_id: int, role: str, ts: int) -> None:
    level = state.signals[signal_id].level + 1
    state.apply(
        state.last_seq + 1, ts, SignalEscalated(signal_id=signal_id, level=level, role=role)
    )


def build_day(state: BranchState) -> dict[str, int]:
    """Yesterday's leftover plus nine signals today; acks after 10, 30, 40, 20, 25, 4, 2 s."""
    ids: dict[str, int] = {}
    # Yesterday (local): raised 60 s before midnight, escalated, never claimed. Not today's.
    ids["old"] = do(state, "C05", RaiseSignal(code="assist"), DAY_START - 60 * S)
    escalate(state, ids["old"], "supervisor", DAY_START - 30 * S)
    # s1: assist, claimed after 10 s, still in progress.
    ids["s1"] = do(state, "C01", RaiseSignal(code="assist"), T0)
    do(state, "L1", Acknowledge(signal_id=ids["s1"]), T0 + 10 * S)
    # s2: authorize, claimed after 30 s, resolved.
    ids["s2"] = do(state, "C02", RaiseSignal(code="authorize"), T0 + 20 * S)
    do(state, "S1", Acknowledge(signal_id=ids["s2"]), T0 + 50 * S)
    do(state, "S1", Resolve(signal_id=ids["s2"]), T0 + 60 * S)
    # s3: assist, escalated after 30 s, claimed after 40 s.
    ids["s3"] = do(state, "C03", RaiseSignal(code="assist"), T0 + 100 * S)
    escalate(state, ids["s3"], "supervisor", T0 + 130 * S)
    do(state, "L1", Acknowledge(signal_id=ids["s3"]), T0 + 140 * S)
    # s4: cash, resolved straight from open after 20 s (that is the claim).
    ids["s4"] = do(state, "C04", RaiseSignal(code="cash"), T0 + 200 * S)
    do(state, "S1", Resolve(signal_id=ids["s4"]), T0 + 220 * S)
    # s5: complaint, nobody has claimed it.
    ids["s5"] = do(state, "C01", RaiseSignal(code="complaint"), T0 + 300 * S)
    # s6: referral: W1 claims, declines; W2 claims 25 s after the raise and serves.
    ids["s6"] = do(state, "C01", RaiseSignal(code="refer_wealth", need="fund"), T0 + 400 * S)
    do(state, "W1", Acknowledge(signal_id=ids["s6"]), T0 + 405 * S)
    do(state, "W1", Decline(signal_id=ids["s6"], reason="busy"), T0 + 410 * S)
    do(state, "W2", Acknowledge(signal_id=ids["s6"]), T0 + 425 * S)
    do(state, "W2", Resolve(signal_id=ids["s6"], outcome="served", product="fund"), T0 + 600 * S)
    # s7: VIP, claimed after 4 s, the customer never came.
    ids["s7"] = do(state, "L1", RaiseSignal(code="vip"), T0 + 700 * S)
    do(state, "W1", Acknowledge(signal_id=ids["s7"]), T0 + 704 * S)
    do(state, "W1", Resolve(signal_id=ids["s7"], outcome="no_show"), T0 + 800 * S)
    # s8: referral cancelled by its raiser before anyone claimed it.
    ids["s8"] = do(state, "C02", RaiseSignal(code="refer_wealth"), T0 + 900 * S)
    do(state, "C02", Cancel(signal_id=ids["s8"]), T0 + 910 * S)
    # s9: silent duress, claimed by the supervisor after 2 s.
    ids["s9"] = do(state, "C06", RaiseSignal(code="duress"), T0 + 1000 * S)
    do(state, "S1", Acknowledge(signal_id=ids["s9"]), T0 + 1002 * S)
    # Counters: C01 paused, C02 closed, C03 paused and back open.
    do(state, "C01", SetStatus(status=CounterStatus.PAUSED, reason="meal"), T0 + 1100 * S)
    do(state, "C02", SetStatus(status=CounterStatus.CLOSED), T0 + 1101 * S)
    do(state, "C03", SetStatus(status=CounterStatus.PAUSED, reason="away"), T0 + 1102 * S)
    do(state, "C03", SetStatus(status=CounterStatus.OPEN), T0 + 1103 * S)
    return ids


def test_empty_day(state: BranchState) -> None:
    k = today_kpis(state, T0)
    assert k.day_start_ms == DAY_START
    assert (k.signals, k.open_now, k.acknowledged, k.escalations) == (0, 0, 0, 0)
    assert k.ack_median_s is None and k.ack_p90_s is None
    assert (k.handoffs_offered, k.handoffs_accepted, k.handoffs_declined) == (0, 0, 0)
    assert (k.handoffs_served, k.handoffs_no_show) == (0, 0)
    assert (k.paused_counters, k.closed_counters) == (0, 0)


def test_a_full_day(state: BranchState) -> None:
    build_day(state)
    k = today_kpis(state, T0 + 2000 * S)
    assert k.day_start_ms == DAY_START
    assert k.signals == 9  # s1..s9; yesterday's assist is not today's
    assert k.open_now == 4  # s1, s3, s9 in progress; s5 waiting
    # Ack times sorted: 2, 4, 10, 20, 25, 30, 40 -> median 20; p90 = rank ceil(6.3) = 7 -> 40.
    assert k.acknowledged == 7
    assert k.ack_median_s == 20.0
    assert k.ack_p90_s == 40.0
    assert k.escalations == 1  # s3 only: yesterday's escalation is yesterday's
    assert k.handoffs_offered == 3  # s6, s7, s8
    assert k.handoffs_accepted == 2  # s6 (by W2, after W1 declined), s7
    assert k.handoffs_declined == 1  # s6
    assert (k.handoffs_served, k.handoffs_no_show) == (1, 1)
    assert (k.paused_counters, k.closed_counters) == (1, 1)  # C01 paused, C02 closed


def test_public_figures_leave_silent_signals_out(state: BranchState) -> None:
    build_day(state)
    k = today_kpis(state, T0 + 2000 * S, include_silent=False)
    assert (k.signals, k.open_now, k.acknowledged) == (8, 3, 6)
    # 4, 10, 20, 25, 30, 40 -> median rank 3 -> 20 (nearest rank, as the reports: not the
    # interpolated (20 + 25) / 2 the board showed before); p90 = rank ceil(5.4) = 6 -> 40.
    assert k.ack_median_s == 20.0
    assert k.ack_p90_s == 40.0


def test_midnight_starts_a_new_day(state: BranchState) -> None:
    build_day(state)
    k = today_kpis(state, DAY_END + 5 * S)  # 00:00:05 the next day
    assert k.day_start_ms == DAY_END
    assert (k.signals, k.open_now, k.acknowledged, k.escalations) == (0, 0, 0, 0)
    assert k.ack_median_s is None
    assert k.paused_counters == 1  # counters are "right now", whatever the day
    # s5 claimed after midnight stays the earlier day's signal; a new raise is today's.
    s5 = next(s.id for s in state.signals.values() if s.code == "complaint")
    do(state, "H1", Acknowledge(signal_id=s5), DAY_END + 8 * S)
    do(state, "C05", RaiseSignal(code="assist"), DAY_END + 10 * S)
    k = today_kpis(state, DAY_END + 20 * S)
    assert (k.signals, k.open_now, k.acknowledged) == (1, 1, 0)


def test_ack_time_counts_from_the_raise_to_the_final_claim(state: BranchState) -> None:
    sid = do(state, "C01", RaiseSignal(code="refer_wealth"), T0)
    do(state, "W1", Acknowledge(signal_id=sid), T0 + 3 * S)
    k = today_kpis(state, T0 + 4 * S)
    assert (k.acknowledged, k.ack_median_s, k.handoffs_accepted) == (1, 3.0, 1)
    do(state, "W1", Decline(signal_id=sid, reason="not_my_area"), T0 + 5 * S)
    k = today_kpis(state, T0 + 6 * S)
    assert (k.acknowledged, k.ack_median_s, k.handoffs_accepted) == (0, None, 0)
    assert (k.handoffs_declined, k.open_now) == (1, 1)
    do(state, "W2", Acknowledge(signal_id=sid), T0 + 9 * S)
    k = today_kpis(state, T0 + 10 * S)
    assert (k.acknowledged, k.ack_median_s, k.ack_p90_s) == (1, 9.0, 9.0)
