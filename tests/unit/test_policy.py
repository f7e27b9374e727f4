"""The lifecycle table against the hub's decisions and the reducer.

``policy.acts`` is what a view enables; ``BranchState.decide`` is what the hub accepts;
``BranchState.apply`` is what every process then shows. For every station and every
state a signal can reach, the three must agree: a station is offered exactly the acts
the hub accepts, and the state the reducer leaves is the table's target state.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain import policy
from app.domain.config import Branch, load_branch
from app.domain.errors import DomainError
from app.domain.events import (
    Acknowledge,
    Arrive,
    Cancel,
    Command,
    Decline,
    RaiseSignal,
    Reoffer,
    Resolve,
    SignalRaised,
    SignIn,
)
from app.domain.policy import Act
from app.domain.roles import SignalState
from app.domain.state import BranchState, SignalRecord

BRANCH: Branch = load_branch()
STATIONS = [s.id for s in BRANCH.config.stations]
T0 = 1_764_000_000_000


def command_for(act: Act, sig: SignalRecord) -> Command:
    """The command for ``act`` with a payload the rules accept (outcome, reason)."""
    match act:
        case Act.CLAIM:
            return Acknowledge(signal_id=sig.id)
        case Act.ARRIVE:
            return Arrive(signal_id=sig.id)
        case Act.CANCEL:
            return Cancel(signal_id=sig.id)
        case Act.RESOLVE:
            return Resolve(signal_id=sig.id, outcome=policy.outcomes(BRANCH, sig.code)[0].value)
        case Act.DECLINE:
            return Decline(signal_id=sig.id, reason=BRANCH.config.decline_reasons[0].code)
        case Act.REOFFER:
            return Reoffer(signal_id=sig.id)


class Branchful:
    """A BranchState driven the way the hub drives it: decide, then apply at the next seq."""

    def __init__(self) -> None:
        self.state = BranchState(BRANCH)
        self.ts = T0

    def do(self, station: str, command: Command) -> SignalRecord | None:
        event = self.state.decide(station, command, self.state.last_seq + 1)
        self.ts += 1000
        return self.state.apply(self.state.last_seq + 1, self.ts, event)

    def raise_(self, station: str, code: str, to: str = "") -> SignalRecord:
        sig = self.do(station, RaiseSignal(code=code, to=to))
        assert sig is not None
        return sig


def hub_accepts(state: BranchState, station: str, command: Command) -> bool:
    try:
        state.decide(station, command, state.last_seq + 1)
    except DomainError:
        return False
    return True


# Every state a signal of each kind can reach, from the stations that can reach it.
SCENARIOS: list[tuple[str, str, str, list[tuple[str, Act]]]] = [
    # (raiser, code, to, steps before the check)
    ("C01", "assist", "", []),
    ("C01", "assist", "", [("L1", Act.CLAIM)]),
    ("C01", "assist", "", [("L1", Act.CLAIM), ("L1", Act.ARRIVE)]),
    ("C01", "assist", "", [("L1", Act.RESOLVE)]),
    ("C01", "assist", "", [("C01", Act.CANCEL)]),
    ("C01", "refer_wealth", "", []),
    ("C01", "refer_wealth", "", [("W1", Act.DECLINE)]),
    ("C01", "refer_wealth", "", [("W1", Act.CLAIM)]),
    ("C01", "refer_wealth", "", [("W1", Act.CLAIM), ("W1", Act.ARRIVE)]),
    ("C01", "refer_wealth", "", [("W1", Act.CLAIM), ("W1", Act.DECLINE)]),
    ("L1", "vip", "", [("W2", Act.CLAIM)]),
    ("L1", "vip", "W1", []),
    ("L1", "vip", "W1", [("W1", Act.DECLINE)]),
    ("C01", "refer_wealth", "W2", [("W2", Act.DECLINE), ("C01", Act.REOFFER)]),
    ("L1", "direct_counter", "C02", []),
    ("L1", "direct_counter", "C02", [("C02", Act.CLAIM)]),
    ("H1", "cover_counter", "", []),
    ("C03", "duress", "", []),
    ("S1", "device_fault", "", [("S1", Act.CLAIM)]),
]


def build(raiser: str, code: str, to: str, steps: list[tuple[str, Act]]) -> tuple[Branchful, int]:
    b = Branchful()
    sig = b.raise_(raiser, code, to)
    for station, act in steps:
        b.do(station, command_for(act, b.state.signal(sig.id)))
    return b, sig.id


@pytest.mark.parametrize(("raiser", "code", "to", "steps"), SCENARIOS)
def test_what_a_view_offers_is_exactly_what_the_hub_accepts(
    raiser: str, code: str, to: str, steps: list[tuple[str, Act]]
) -> None:
    b, sid = build(raiser, code, to, steps)
    for station_id in STATIONS:
        station = BRANCH.station(station_id)
        assert station is not None
        offered = policy.acts(BRANCH, station, b.state.signal(sid))
        for act in Act:
            accepted = hub_accepts(b.state, station_id, command_for(act, b.state.signal(sid)))
            assert (act in offered) == accepted, (station_id, act, b.state.signal(sid).state)
            refusal = policy.refusal(BRANCH, station, act, b.state.signal(sid))
            assert (refusal is None) == accepted


@pytest.mark.parametrize(("raiser", "code", "to", "steps"), SCENARIOS)
def test_the_reducer_leaves_the_tables_target_state(
    raiser: str, code: str, to: str, steps: list[tuple[str, Act]]
) -> None:
    b, sid = build(raiser, code, to, steps)
    for station_id in STATIONS:
        station = BRANCH.station(station_id)
        assert station is not None
        for act in policy.acts(BRANCH, station, b.state.signal(sid)):
            row = policy.transition(BRANCH, station, act, b.state.signal(sid))
            assert row is not None
            again, sid2 = build(raiser, code, to, steps)
            again.do(station_id, command_for(act, again.state.signal(sid2)))
            assert again.state.signal(sid2).state is row.target, (station_id, act)


def test_the_table_read_as_a_person_would() -> None:
    """A few lines of the branch's rules, written out by hand (not from the code)."""
    b = Branchful()
    assist = b.raise_("C01", "assist")
    st = {s: BRANCH.station(s) for s in STATIONS}

    def acts(station: str, sid: int) -> set[str]:
        s = st[station]
        assert s is not None
        return {a.value for a in policy.acts(BRANCH, s, b.state.signal(sid))}

    assert acts("L1", assist.id) == {"claim", "resolve"}
    assert acts("C01", assist.id) == {"cancel"}
    assert acts("W1", assist.id) == set()
    b.do("L1", Acknowledge(signal_id=assist.id))
    assert acts("L1", assist.id) == {"arrive", "resolve"}
    # The raiser may close it too, and confirm that the lobby manager reached its counter.
    assert acts("C01", assist.id) == {"cancel", "arrive", "resolve"}
    refer = b.raise_("C02", "refer_wealth")
    assert acts("W1", refer.id) == {"claim", "resolve", "decline"}
    b.do("W1", Decline(signal_id=refer.id, reason="busy"))
    assert acts("W1", refer.id) == {"resolve"}  # declined: no second claim or decline
    assert acts("W2", refer.id) == {"claim", "resolve", "decline"}


def test_a_handoff_is_never_resolved_without_an_outcome() -> None:
    b = Branchful()
    refer = b.raise_("C01", "refer_wealth")
    b.do("W1", Acknowledge(signal_id=refer.id))
    assert policy.needs_outcome(BRANCH, "refer_wealth")
    assert not policy.needs_outcome(BRANCH, "assist")
    for station in ("W1", "C01"):  # the claimer and the raiser alike
        with pytest.raises(DomainError) as refused:
            b.state.decide(station, Resolve(signal_id=refer.id), b.state.last_seq + 1)
        assert refused.value.code == "bad_request"
        assert "needs an outcome" in refused.value.reason
    for outcome in policy.outcomes(BRANCH, "refer_wealth"):
        assert hub_accepts(b.state, "C01", Resolve(signal_id=refer.id, outcome=outcome.value))


def _sig(
    code: str, sid: int, raised_ms: int, state: SignalState = SignalState.OPEN
) -> SignalRecord:
    return SignalRecord(
        id=sid, code=code, station="C01", staff="", targets=(), raised_ms=raised_ms, state=state
    )


def test_one_urgency_order_and_an_unknown_type_counts_as_the_default() -> None:
    complaint = BRANCH.signal_type("complaint")
    assert complaint is not None
    newer = _sig("from_a_newer_hub", 1, raised_ms=100)
    urgent = _sig("complaint", 2, raised_ms=300)
    old_plain = _sig("assist", 3, raised_ms=50)
    later_plain = _sig("assist", 4, raised_ms=200)
    assert policy.priority(BRANCH, "from_a_newer_hub") == policy.UNKNOWN_PRIORITY == 2
    ordered = policy.by_urgency(BRANCH, [later_plain, newer, old_plain, urgent])
    expected = sorted(
        [later_plain, newer, old_plain, urgent],
        key=lambda s: (policy.priority(BRANCH, s.code), s.raised_ms),
    )
    assert [s.id for s in ordered] == [s.id for s in expected]
    # The unknown type sits among the priority-2 calls by age: after the older assist.
    assert [s.id for s in ordered].index(3) < [s.id for s in ordered].index(1)
    claimed = _sig("complaint", 5, raised_ms=10, state=SignalState.ACKNOWLEDGED)
    assert policy.most_urgent_waiting(BRANCH, [claimed, *ordered]) is ordered[0]
    keys = sorted([claimed, *ordered], key=lambda s: policy.waiting_first_key(BRANCH, s))
    assert keys[-1] is claimed  # claimed calls sort below every waiting one


# Random walks: whatever the order of commands, the table and the reducer agree. -----
step = st.tuples(st.sampled_from(STATIONS), st.sampled_from([*Act, "raise"]), st.integers(0, 30))
RAISES = [
    ("C01", "assist", ""),
    ("C02", "refer_wealth", ""),
    ("L1", "vip", ""),
    ("C03", "refer_wealth", "W1"),
    ("L1", "direct_counter", "C03"),
    ("S1", "device_fault", ""),
    ("C04", "authorize", ""),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, max_size=40))
def test_random_walks_keep_table_hub_and_reducer_in_step(steps: list) -> None:
    b = Branchful()
    for station_id, act, n in steps:
        if act == "raise":
            raiser, code, to = RAISES[n % len(RAISES)]
            b.raise_(raiser, code, to)
            continue
        if not b.state.signals:
            continue
        ids = sorted(b.state.signals)
        sig = b.state.signal(ids[n % len(ids)])
        station = BRANCH.station(station_id)
        assert station is not None
        row = policy.transition(BRANCH, station, act, sig)
        cmd = command_for(act, sig)
        accepted = hub_accepts(b.state, station_id, cmd)
        assert accepted == (row is not None), (station_id, act, sig.state)
        if row is not None:
            after = b.do(station_id, cmd)
            assert after is not None and after.state is row.target
    for sig in b.state.signals.values():
        assert isinstance(sig, SignalRecord)


def test_every_event_the_table_allows_is_one_the_hub_makes() -> None:
    """decide() returns the event kind of the act, for the station the table names."""
    b = Branchful()
    sig = b.raise_("C01", "assist")
    event = b.state.decide("L1", Acknowledge(signal_id=sig.id), b.state.last_seq + 1)
    assert type(event).__name__ == "SignalAcknowledged"
    raised = b.state.decide("C01", RaiseSignal(code="assist"), 99)
    assert isinstance(raised, SignalRaised) and raised.signal_id == 99


def _with_pin(staff_id: str, pin: str) -> Branch:
    import msgspec

    config = BRANCH.config
    staff = [msgspec.structs.replace(p, pin=pin) if p.id == staff_id else p for p in config.staff]
    return Branch(msgspec.structs.replace(config, staff=staff))


def test_a_command_names_only_the_person_signed_in() -> None:
    """With wugang signed in at S1, an ack naming zhenghua was accepted and journaled as
    zhenghua's, without zhenghua's PIN."""
    state = BranchState(_with_pin("zhenghua", "2468"))
    b = Branchful()
    b.state = state
    b.do("S1", SignIn(staff="wugang"))
    sig = b.raise_("C01", "authorize")
    with pytest.raises(DomainError) as refused:
        state.decide("S1", Acknowledge(signal_id=sig.id, staff="zhenghua"), state.last_seq + 1)
    assert refused.value.code == "forbidden"
    assert "zhenghua is not signed in at S1; sign in first" in str(refused.value)
    acked = b.do("S1", Acknowledge(signal_id=sig.id, staff="wugang"))
    assert acked is not None and acked.acked_staff == "wugang"


def test_with_nobody_signed_in_a_person_with_a_pin_must_sign_in() -> None:
    b = Branchful()
    b.state = BranchState(_with_pin("wugang", "1357"))
    sig = b.raise_("C01", "authorize")
    assert not hub_accepts(b.state, "S1", Acknowledge(signal_id=sig.id, staff="wugang"))
    # zhenghua has no PIN in this config: the branch chose to let the name stand
    assert hub_accepts(b.state, "S1", Acknowledge(signal_id=sig.id, staff="zhenghua"))
    b.do("S1", SignIn(staff="wugang", pin="1357"))
    assert hub_accepts(b.state, "S1", Acknowledge(signal_id=sig.id, staff="wugang"))


def test_a_station_at_the_open_signal_cap_may_not_raise_another() -> None:
    """11 keys raising within the rate limits grew the snapshot past what a station can
    load: each station may have at most MAX_OPEN_SIGNALS open; others are unaffected, and
    closing one makes room. The hub's count follows applies, restores and new days."""
    from app.domain.decisions import check_open_cap
    from app.hub.caps import OpenSignals

    b = Branchful()
    counts = OpenSignals(b.state)
    first = b.raise_("C01", "assist")
    for _ in range(policy.MAX_OPEN_SIGNALS - 1):
        b.raise_("C01", "assist")
    assert counts.of("C01") == policy.MAX_OPEN_SIGNALS and counts.of("C02") == 0
    with pytest.raises(DomainError) as refused:
        check_open_cap("C01", RaiseSignal(code="assist"), counts.of("C01"))
    assert refused.value.code == "too_many_open"
    assert "C01 already has 200 open signals" in refused.value.reason
    check_open_cap("C01", Cancel(signal_id=first.id), counts.of("C01"))  # acts stay allowed
    check_open_cap("C02", RaiseSignal(code="assist"), counts.of("C02"))
    b.do("C01", Cancel(signal_id=first.id))
    assert counts.of("C01") == policy.MAX_OPEN_SIGNALS - 1
    check_open_cap("C01", RaiseSignal(code="assist"), counts.of("C01"))
    restored = BranchState(BRANCH)
    again = OpenSignals(restored)
    restored.restore(b.state.last_seq, b.state.snapshot())
    assert again.of("C01") == policy.MAX_OPEN_SIGNALS - 1


def test_every_free_text_a_command_carries_is_bounded() -> None:
    """Notes, reasons, tickets, and needs or products when the config lists none: none
    can carry more than MAX_NOTE characters into the state every station loads."""
    import msgspec

    free = Branch(msgspec.structs.replace(BRANCH.config, needs=[]))
    state = BranchState(free)
    long = "很" * (policy.MAX_NOTE + 1)
    for command in (
        RaiseSignal(code="assist", note=long),
        RaiseSignal(code="assist", ticket="1" * (policy.MAX_TICKET + 1)),
        RaiseSignal(code="assist", need=long),
    ):
        with pytest.raises(DomainError) as refused:
            state.decide("C01", command, 1)
        assert refused.value.code == "bad_request" and "longer than" in refused.value.reason
    assert hub_accepts(state, "C01", RaiseSignal(code="assist", need="n" * policy.MAX_NOTE))


def test_the_raiser_confirms_the_arrival_at_its_counter() -> None:
    """The teller who called confirms that the lobby manager is at the counter (a
    nurse-call presence button); nobody else but the claimer may, and not before a claim."""
    b = Branchful()
    assist = b.raise_("C01", "assist")
    with pytest.raises(DomainError) as early:
        b.state.decide("C01", Arrive(signal_id=assist.id), b.state.last_seq + 1)
    assert early.value.code == "invalid_transition"
    assert "or C01, which raised it" in early.value.reason
    b.do("L1", Acknowledge(signal_id=assist.id))
    with pytest.raises(DomainError):
        b.state.decide("C02", Arrive(signal_id=assist.id), b.state.last_seq + 1)
    sig = b.do("C01", Arrive(signal_id=assist.id))
    assert sig is not None and sig.state is SignalState.ARRIVED
    assert sig.acked_station == "L1"  # who came is unchanged: the raiser only confirms it
