"""Any sequence of commands keeps the lifecycle's invariants."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.config import Branch, load_branch
from app.domain.errors import DomainError
from app.domain.events import (
    Acknowledge,
    Arrive,
    Cancel,
    Decline,
    RaiseSignal,
    Resolve,
    SetStatus,
    SignalEscalated,
)
from app.domain.roles import CounterStatus, SignalState
from app.domain.state import BranchState, SignalRecord

BRANCH: Branch = load_branch()
STATIONS = [s.id for s in BRANCH.config.stations]
CODES = [s.code for s in BRANCH.config.signals]

# "*" picks a station that fits the signal (a target, the claimer or the raiser), so
# that most generated commands are ones the rules accept.
ACTOR = st.one_of(st.just("*"), st.just("*"), st.sampled_from(STATIONS))

step = st.one_of(
    st.tuples(st.just("raise"), ACTOR, st.sampled_from(CODES), st.sampled_from(["", "C02", "C05"])),
    st.tuples(st.sampled_from(["ack", "arrive", "cancel"]), ACTOR, st.integers(0, 40)),
    st.tuples(
        st.just("resolve"),
        ACTOR,
        st.integers(0, 40),
        st.sampled_from(["", "served", "no_show", "done"]),
    ),
    st.tuples(st.just("decline"), ACTOR, st.integers(0, 40), st.sampled_from(["busy", ""])),
    st.tuples(
        st.just("status"),
        st.sampled_from(STATIONS),
        st.sampled_from(list(CounterStatus)),
        st.sampled_from(["", "meal"]),
    ),
    st.tuples(st.just("tick"), st.integers(0, 120_000)),
)


def command(s: tuple, state: BranchState):
    """Build the command; a signal is picked among the existing ones by index."""
    ids = sorted(state.signals) or [1]
    if s[0] in ("ack", "arrive", "cancel", "resolve", "decline"):
        s = (s[0], s[1], ids[s[2] % len(ids)], *s[3:])
    match s[0]:
        case "raise":
            return RaiseSignal(code=s[2], to=s[3])
        case "ack":
            return Acknowledge(signal_id=s[2])
        case "arrive":
            return Arrive(signal_id=s[2])
        case "cancel":
            return Cancel(signal_id=s[2])
        case "resolve":
            return Resolve(signal_id=s[2], outcome=s[3])
        case "decline":
            return Decline(signal_id=s[2], reason=s[3])
        case "status":
            return SetStatus(status=s[2], reason=s[3])
    raise AssertionError(s)


def actor(s: tuple, state: BranchState) -> str:
    if s[1] != "*":
        return str(s[1])
    if s[0] == "raise":
        kind = BRANCH.signal_types[s[2]]
        fit = [
            x.id
            for x in BRANCH.config.stations
            if "any" in kind.raisers or x.role.value in kind.raisers
        ]
        return fit[len(state.signals) % len(fit)]
    ids = sorted(state.signals)
    if not ids:
        return STATIONS[0]
    sig = state.signals[ids[s[2] % len(ids)]]
    if s[0] == "cancel":
        return sig.station
    if sig.acked_station and s[0] in ("arrive", "resolve"):
        return sig.acked_station
    fitting = [st.id for st in BRANCH.config.stations if state.is_target(sig, st)]
    return fitting[s[2] % len(fitting)] if fitting else STATIONS[0]


def snapshot(sig: SignalRecord) -> tuple:
    return (sig.state, sig.acked_station, sig.acked_ms, sig.resolved_ms, sig.cancelled_ms)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, max_size=60))
def test_invariants_hold(steps: list[tuple]) -> None:
    state = BranchState(BRANCH)
    now = 1_000_000
    terminal: dict[int, tuple] = {}
    for s in steps:
        if s[0] == "tick":
            now += s[1]
            for esc in state.due_escalations(now):
                state.apply(state.last_seq + 1, now, esc)
                assert isinstance(esc, SignalEscalated)
        else:
            now += 10
            station = actor(s, state)
            try:
                event = state.decide(station, command(s, state), state.last_seq + 1)
            except DomainError as exc:
                assert exc.code and exc.reason
                continue
            state.apply(state.last_seq + 1, now, event)
        for sig in state.signals.values():
            # one claimer: a claim time exactly when there is a claiming station
            assert (sig.acked_ms is None) == (sig.acked_station == "")
            if sig.state in (SignalState.ACKNOWLEDGED, SignalState.ARRIVED):
                assert sig.acked_station
            if sig.state is SignalState.OPEN:
                assert sig.acked_station == ""
            # times never go backwards along the lifecycle
            times = [
                t
                for t in (sig.raised_ms, sig.acked_ms, sig.arrived_ms, sig.closed_ms)
                if t is not None
            ]
            assert times == sorted(times)
            assert sig.level <= len(BRANCH.signal_types[sig.code].escalate)
            # terminal stays terminal, and unchanged
            if sig.id in terminal:
                assert snapshot(sig) == terminal[sig.id]
            elif sig.state.terminal:
                terminal[sig.id] = snapshot(sig)
