"""Today's key figures for the branch head's board, computed from the branch state.

Pure Python: the board calls it on its refresh timer, the tests call it on hand-built
states. "Today" is the local calendar day (branch time zone) that contains ``now_ms``;
a signal belongs to the day it was raised on.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.roles import CounterStatus, Outcome
from app.domain.state import BranchState
from app.domain.stats import median, percentile
from app.domain.timeday import day_start_ms


@dataclass(frozen=True)
class Kpis:
    """Figures for the signals raised since local midnight, plus counters right now.

    Every ``handoffs_*`` figure counts handoff signals (not events): a handoff declined
    twice and then served counts once as declined and once as served.
    """

    day_start_ms: int
    signals: int
    """Signals raised today."""
    open_now: int
    """Of those, how many are not resolved or cancelled yet."""
    acknowledged: int
    """Of those, how many were claimed (a resolve straight from open is a claim)."""
    ack_median_s: float | None
    """Median seconds from raise to claim (app.domain.stats: nearest rank, so one real
    claim time, as the reports print it); None when nothing was claimed today."""
    ack_p90_s: float | None
    """90th percentile (nearest rank) of the same; None when nothing was claimed."""
    escalations: int
    """Signals that went up the ladder at least once."""
    handoffs_offered: int
    handoffs_accepted: int
    """Handoffs whose offer is claimed now or was served (a decline undoes a claim)."""
    handoffs_declined: int
    """Handoffs declined at least once."""
    handoffs_served: int
    handoffs_no_show: int
    paused_counters: int
    """Counters paused right now (whatever day they were paused on)."""
    closed_counters: int
    """Counters closed right now."""


def today_kpis(state: BranchState, now_ms: int, *, include_silent: bool = True) -> Kpis:
    """Key figures of the local day containing ``now_ms`` (hub time, UTC ms).

    ``include_silent=False`` leaves silent signals (duress) out of every figure, for
    public screens where even a count must not give one away.
    """
    start = day_start_ms(now_ms, state.branch.timezone)
    types = state.branch.signal_types
    signals = open_now = escalations = 0
    offered = accepted = declined = served = no_show = 0
    ack_s: list[float] = []
    for sig in state.signals.values():
        if sig.raised_ms < start:
            continue
        kind = types.get(sig.code)
        if kind is not None and kind.silent and not include_silent:
            continue
        signals += 1
        if sig.open:
            open_now += 1
        if sig.acked_ms is not None:
            ack_s.append((sig.acked_ms - sig.raised_ms) / 1000)
        if sig.level > 0 or sig.escalations:
            escalations += 1
        if kind is not None and kind.handoff:
            offered += 1
            if sig.acked_ms is not None:
                accepted += 1
            if sig.declines:
                declined += 1
            if sig.outcome == Outcome.SERVED.value:
                served += 1
            elif sig.outcome == Outcome.NO_SHOW.value:
                no_show += 1
    ack_s.sort()
    counters = state.counters.values()
    return Kpis(
        day_start_ms=start,
        signals=signals,
        open_now=open_now,
        acknowledged=len(ack_s),
        ack_median_s=median(ack_s) if ack_s else None,
        ack_p90_s=percentile(ack_s, 90) if ack_s else None,
        escalations=escalations,
        handoffs_offered=offered,
        handoffs_accepted=accepted,
        handoffs_declined=declined,
        handoffs_served=served,
        handoffs_no_show=no_show,
        paused_counters=sum(1 for c in counters if c.status is CounterStatus.PAUSED),
        closed_counters=sum(1 for c in counters if c.status is CounterStatus.CLOSED),
    )
