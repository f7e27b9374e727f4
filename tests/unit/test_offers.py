"""The rules of offers (issue 12, loops closed): a handoff named to one wealth manager,
availability, a decline going back to the raiser, a re-offer, and "nobody can take it".

Driven as the hub drives the state: decide, then apply at the next seq.
"""

from __future__ import annotations

import pytest

from app.domain import errors as E
from app.domain import policy
from app.domain.config import Branch, load_branch
from app.domain.errors import DomainError
from app.domain.events import (
    Acknowledge,
    Command,
    Decline,
    RaiseSignal,
    Reoffer,
    SetAvailability,
    SignIn,
    SignOut,
)
from app.domain.roles import Availability, SignalState
from app.domain.state import BranchState, SignalRecord, decode_snapshot, encode_snapshot

BRANCH: Branch = load_branch()
T0 = 1_764_000_000_000


class Hubless:
    def __init__(self) -> None:
        self.state = BranchState(BRANCH)
        self.ts = T0

    def do(self, station: str, command: Command) -> SignalRecord | None:
        event = self.state.decide(station, command, self.state.last_seq + 1)
        self.ts += 1000
        return self.state.apply(self.state.last_seq + 1, self.ts, event)

    def refused(self, station: str, command: Command) -> DomainError:
        with pytest.raises(DomainError) as caught:
            self.state.decide(station, command, self.state.last_seq + 1)
        return caught.value

    def inbox(self, station: str) -> list[int]:
        return [s.id for s in self.state.signals_for(station)]


@pytest.fixture
def b() -> Hubless:
    h = Hubless()
    h.do("W1", SignIn(staff="sunli"))
    h.do("W2", SignIn(staff="zhoujie"))
    return h


def test_a_referral_named_to_one_wealth_manager_reaches_only_them(b: Hubless) -> None:
    sig = b.do("C01", RaiseSignal(code="refer_wealth", to="W1"))
    assert sig is not None and sig.to == "W1" and sig.targets == ()
    assert sig.id in b.inbox("W1") and sig.id not in b.inbox("W2")
    refused = b.refused("W2", Acknowledge(signal_id=sig.id))
    assert refused.code == E.FORBIDDEN


def test_a_vip_named_by_person_goes_to_their_desk_and_still_tells_the_branch_head(
    b: Hubless,
) -> None:
    sig = b.do("L1", RaiseSignal(code="vip", to="zhoujie"))
    assert sig is not None and sig.to == "W2" and sig.targets == ("branch_head",)
    assert sig.id in b.inbox("W2") and sig.id in b.inbox("H1") and sig.id not in b.inbox("W1")


def test_naming_someone_who_cannot_take_it_is_refused_in_one_line(b: Hubless) -> None:
    assert b.refused("C01", RaiseSignal(code="refer_wealth", to="C02")).code == E.BAD_REQUEST
    assert b.refused("C01", RaiseSignal(code="refer_wealth", to="nobody")).code == E.BAD_REQUEST
    # a wealth manager who is not signed in anywhere: by name, not reachable
    b.do("W2", SignOut())
    assert b.refused("C01", RaiseSignal(code="refer_wealth", to="zhoujie")).code == E.UNAVAILABLE
    # a type that is no handoff names nobody
    assert b.refused("C01", RaiseSignal(code="assist", to="W1")).code == E.BAD_REQUEST


def test_availability_is_the_wealth_managers_own_and_offers_respect_it(b: Hubless) -> None:
    assert b.state.availability == {"W1": "available", "W2": "available"}
    assert b.refused("C01", SetAvailability(availability=Availability.AWAY)).code == E.FORBIDDEN
    b.do("W1", SetAvailability(availability=Availability.BUSY))
    assert b.state.availability_of("W1") is Availability.BUSY
    assert b.refused("W1", SetAvailability(availability=Availability.BUSY)).code == (
        E.INVALID_TRANSITION
    )
    # with a customer: a named offer still reaches them, for when they are free
    busy = b.do("C01", RaiseSignal(code="refer_wealth", to="W1"))
    assert busy is not None and busy.to == "W1"
    # away: refused by name, the raiser picks another or any
    b.do("W1", SetAvailability(availability=Availability.AWAY))
    refused = b.refused("C01", RaiseSignal(code="refer_wealth", to="W1"))
    assert refused.code == E.UNAVAILABLE and "W1 is away" in refused.reason
    assert b.state.nobody_can_take(busy)  # the one it was offered to went away


def test_signing_out_leaves_the_desk_away_and_signing_in_makes_it_available(b: Hubless) -> None:
    b.do("W1", SignOut())
    assert b.state.availability_of("W1") is Availability.AWAY
    b.do("W1", SignIn(staff="sunli"))
    assert b.state.availability_of("W1") is Availability.AVAILABLE
    assert b.state.availability_of("C01") is None


def test_a_declined_named_offer_goes_back_to_its_raiser_who_offers_it_again(b: Hubless) -> None:
    sig = b.do("C01", RaiseSignal(code="refer_wealth", to="W1"))
    assert sig is not None
    b.do("W1", Decline(signal_id=sig.id, reason="busy"))
    assert sig.state is SignalState.OPEN
    assert sig.last_decline is not None and sig.last_decline.reason == "busy"
    assert sig.last_decline.station == "W1"
    assert b.state.nobody_can_take(sig) and b.state.unplaced() == [sig]
    # only the raiser re-offers, and only while nobody has taken it
    assert b.refused("L1", Reoffer(signal_id=sig.id, to="W2")).code == E.FORBIDDEN
    b.do("C01", Reoffer(signal_id=sig.id, to="W2"))
    assert sig.to == "W2" and sig.id in b.inbox("W2") and sig.id not in b.inbox("W1")
    assert sig.last_decline is None and not b.state.nobody_can_take(sig)
    assert [d.reason for d in sig.declines] == ["busy"]  # the history stays for reports
    b.do("W2", Acknowledge(signal_id=sig.id))
    assert b.refused("C01", Reoffer(signal_id=sig.id)).code == E.INVALID_TRANSITION


def test_a_re_offer_to_the_one_who_declined_lets_them_take_it_after_all(b: Hubless) -> None:
    sig = b.do("C01", RaiseSignal(code="refer_wealth", to="W1"))
    assert sig is not None
    b.do("W1", Decline(signal_id=sig.id, reason="busy"))
    assert b.refused("W1", Acknowledge(signal_id=sig.id)).code == E.FORBIDDEN
    b.do("C01", Reoffer(signal_id=sig.id, to="W1"))
    b.do("W1", Acknowledge(signal_id=sig.id))
    assert sig.state is SignalState.ACKNOWLEDGED and sig.acked_station == "W1"


def test_offered_to_any_nobody_can_take_it_once_all_declined_or_are_away(b: Hubless) -> None:
    sig = b.do("C01", RaiseSignal(code="refer_wealth"))
    assert sig is not None and sig.targets == ("wealth_manager",)
    b.do("W1", Decline(signal_id=sig.id, reason="not_my_area"))
    assert not b.state.nobody_can_take(sig)
    b.do("W2", SetAvailability(availability=Availability.AWAY))
    assert b.state.nobody_can_take(sig)
    b.do("W2", SetAvailability(availability=Availability.AVAILABLE))
    assert not b.state.nobody_can_take(sig)
    b.do("W2", Decline(signal_id=sig.id, reason="busy"))
    assert b.state.nobody_can_take(sig)
    # back to any: both may take it again
    b.do("C01", Reoffer(signal_id=sig.id))
    assert sig.to == "" and sig.targets == ("wealth_manager",)
    assert sig.id in b.inbox("W1") and sig.id in b.inbox("W2")
    assert not b.state.nobody_can_take(sig)


def test_only_an_unclaimed_handoff_can_be_left_with_nobody(b: Hubless) -> None:
    assist = b.do("C01", RaiseSignal(code="assist"))
    assert assist is not None and not b.state.nobody_can_take(assist)
    b.do("W1", SetAvailability(availability=Availability.AWAY))
    b.do("W2", SetAvailability(availability=Availability.AWAY))
    vip = b.do("L1", RaiseSignal(code="vip"))
    assert vip is not None and b.state.nobody_can_take(vip)
    b.do("H1", Acknowledge(signal_id=vip.id))  # the branch head took it after all
    assert not b.state.nobody_can_take(vip)


def test_availability_travels_in_the_snapshot(b: Hubless) -> None:
    b.do("W2", SetAvailability(availability=Availability.BUSY))
    sig = b.do("C01", RaiseSignal(code="refer_wealth", to="W1"))
    assert sig is not None
    b.do("W1", Decline(signal_id=sig.id, reason="away"))
    b.do("C01", Reoffer(signal_id=sig.id, to="W2"))
    copy = BranchState(BRANCH)
    copy.restore(b.state.last_seq, decode_snapshot(encode_snapshot(b.state.snapshot())))
    assert copy.availability == {"W1": "available", "W2": "busy"}
    again = copy.signal(sig.id)
    assert again.declines_before == 1 and not again.declined_by("W1") and again.to == "W2"


def test_the_rule_reads_as_written() -> None:
    """policy's offer rules, by hand: the serving role is the type's first target."""
    assert policy.serving_role(BRANCH, "vip") == "wealth_manager"
    assert policy.serving_role(BRANCH, "assist") is None
    assert policy.serving_role(BRANCH, "direct_counter") is None
    assert [s.id for s in policy.offer_choices(BRANCH, "refer_wealth")] == ["W1", "W2"]
    assert policy.offer_targets(BRANCH, "vip", "W1") == ("branch_head",)
    assert policy.offer_targets(BRANCH, "vip", "") == ("wealth_manager", "branch_head")


def test_a_long_unknown_name_is_refused_in_one_short_line(b: Hubless) -> None:
    refused = b.refused("C01", RaiseSignal(code="refer_wealth", to="x" * 5000))
    assert refused.code == E.BAD_REQUEST and len(refused.reason) < 120
    sig = b.do("C01", RaiseSignal(code="refer_wealth"))
    assert sig is not None
    again = b.refused("C01", Reoffer(signal_id=sig.id, to="y" * 5000))
    assert again.code == E.BAD_REQUEST and len(again.reason) < 120
