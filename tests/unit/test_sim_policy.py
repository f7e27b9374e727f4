"""The simulator asks the branch's policy what its people may do, and the hub would agree.

The simulated stations here are fakes that hold one shared BranchState and check every
command with app.domain.decisions.decide, the hub's own decision, before recording it.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.domain import decisions, policy
from app.domain.config import Branch
from app.domain.events import (
    Acknowledge,
    Arrive,
    Command,
    Decline,
    Event,
    RaiseSignal,
    Resolve,
    SignalAcknowledged,
    SignalArrived,
    SignalCancelled,
    SignalDeclined,
    SignalEscalated,
    SignalRaised,
    StaffSignedIn,
)
from app.domain.roles import Outcome
from app.domain.state import BranchState
from app.sim import Simulator, assign_staff
from messaging.sockets import Endpoint


class FakeSession:
    def __init__(self, station: str, state: BranchState, sent: list[tuple[str, Command]]):
        self.station, self.state, self.sent = station, state, sent

    def send(self, command: Command) -> str:
        # What the hub would answer: a refused command raises DomainError here.
        decisions.decide(self.state, self.station, command, self.state.last_seq + 1)
        self.sent.append((self.station, command))
        return f"m{len(self.sent)}"


class Branchworld:
    """One state, simulated people at ``stations``, and a clock that jumps."""

    def __init__(self, branch: Branch, stations: list[str]) -> None:
        self.branch = branch
        self.state = BranchState(branch)
        self.sent: list[tuple[str, Command]] = []
        self.now = 0.0
        self.seq = 0
        self.sim = Simulator(
            branch, Endpoint("127.0.0.1", 9), stations, seed=3, clock=lambda: self.now
        )
        sessions: dict[str, Any] = {s: FakeSession(s, self.state, self.sent) for s in stations}
        self.sim._sessions = sessions
        for station, staff in assign_staff(branch, branch.stations).items():
            self.apply(StaffSignedIn(station=station, staff=staff))

    def apply(self, event: Event) -> None:
        self.seq += 1
        self.state.apply(self.seq, self.seq * 1000, event)

    def raise_(self, station: str, code: str, **fields: Any) -> int:
        kind = self.branch.signal_type(code)
        assert kind is not None
        targets = () if kind.to_station else tuple(r.value for r in kind.targets)
        self.apply(SignalRaised(signal_id=self.seq + 1, code=code, targets=targets,
                                station=station, **fields))  # fmt: skip
        return self.seq

    def step(self) -> list[tuple[str, Command]]:
        """The simulated people look, then a minute passes: what they sent."""
        before = len(self.sent)
        self.sim._react()
        self.now += 60.0
        self.sim._run_due()
        return self.sent[before:]


def test_only_a_station_the_call_goes_to_claims_it(branch: Branch) -> None:
    world = Branchworld(branch, ["C02", "L1", "S1", "W1"])
    sid = world.raise_("C01", "assist")
    assert world.step() == [("L1", Acknowledge(signal_id=sid))]


def test_the_supervisor_claims_an_assist_once_it_escalated_to_it(branch: Branch) -> None:
    world = Branchworld(branch, ["C02", "S1"])  # the lobby manager is not simulated
    sid = world.raise_("C01", "assist")
    assert world.step() == []
    world.apply(SignalEscalated(signal_id=sid, level=1, role="supervisor"))
    assert world.step() == [("S1", Acknowledge(signal_id=sid))]


def test_a_wealth_manager_who_declined_leaves_the_handoff_to_the_other(branch: Branch) -> None:
    world = Branchworld(branch, ["W1", "W2"])
    sid = world.raise_("C01", "refer_wealth", need="wealth", ticket="A001")
    sent = dict(world.step())
    # The first handoff is declined at once by one; the other claims it.
    (who,) = [station for station, command in sent.items() if isinstance(command, Decline)]
    other = "W2" if who == "W1" else "W1"
    assert sent[other] == Acknowledge(signal_id=sid)
    world.apply(SignalDeclined(signal_id=sid, reason="busy", station=who))
    world.sent.clear()
    world.sim._planned.clear()  # let both look at it afresh: the decliner may not claim
    assert world.step() == [(other, Acknowledge(signal_id=sid))]


def test_the_claimer_walks_over_then_closes_a_handoff_with_a_policy_outcome(
    branch: Branch,
) -> None:
    world = Branchworld(branch, ["W2"])  # alone: nobody to decline to
    sid = world.raise_("C01", "refer_wealth", need="wealth", ticket="A002")
    assert world.step() == [("W2", Acknowledge(signal_id=sid))]
    world.apply(SignalAcknowledged(signal_id=sid, station="W2"))
    assert world.step() == [("W2", Arrive(signal_id=sid))]
    world.apply(SignalArrived(signal_id=sid, station="W2"))
    ((station, command),) = world.step()
    assert station == "W2" and isinstance(command, Resolve)
    assert Outcome(command.outcome) in policy.outcomes(branch, "refer_wealth")


def test_a_plain_call_is_resolved_without_an_outcome(branch: Branch) -> None:
    world = Branchworld(branch, ["S1"])
    sid = world.raise_("C01", "cash")
    assert world.step() == [("S1", Acknowledge(signal_id=sid))]
    world.apply(SignalAcknowledged(signal_id=sid, station="S1"))
    assert world.step() == [("S1", Resolve(signal_id=sid))]


@pytest.mark.parametrize("gone", ["cancelled", "claimed"])
def test_nothing_is_sent_for_a_call_that_went_before_its_turn(branch: Branch, gone: str) -> None:
    world = Branchworld(branch, ["S1"])
    sid = world.raise_("C01", "cash")
    world.sim._react()  # the claim is planned …
    if gone == "cancelled":
        world.apply(SignalCancelled(signal_id=sid, station="C01"))
    else:
        world.apply(SignalAcknowledged(signal_id=sid, station="H1"))  # someone else took it
    world.now += 60.0
    world.sim._run_due()  # … and, when due, asks again: it may no longer
    assert world.sent == []


def test_the_lobby_manager_sends_customers_only_where_the_policy_allows(branch: Branch) -> None:
    world = Branchworld(branch, ["L1"])
    world.sim._direct("L1", "W1")  # a wealth room is no counter
    assert world.sent == []
    world.sim._direct("L1", "C03")
    ((station, command),) = world.sent
    assert station == "L1" and isinstance(command, RaiseSignal)
    assert (command.code, command.to) == ("direct_counter", "C03")
    assert "C03" in {s.id for s in policy.destinations(branch, "direct_counter")}
