"""One person, one station: signing in at a second counter while the first is in use is
refused with where they still are; a first station that is offline (its PC crashed) does
not lock the person out: the sign-in moves them, and nobody is shown at two counters."""

from __future__ import annotations

import pytest

from app.domain.config import load_branch
from app.domain.errors import DomainError
from app.domain.events import Event, PresenceChanged, SignIn, SignOut
from app.domain.state import BranchState

T0 = 1_764_000_000_000


class Hubless:
    def __init__(self) -> None:
        self.state = BranchState(load_branch())
        self.ts = T0

    def apply(self, event: Event) -> None:
        self.ts += 1000
        self.state.apply(self.state.last_seq + 1, self.ts, event)

    def do(self, station: str, command: SignIn | SignOut) -> None:
        self.apply(self.state.decide(station, command, self.state.last_seq + 1))

    def online(self, station: str, up: bool = True) -> None:
        self.apply(PresenceChanged(station=station, online=up))


def test_a_second_counter_is_refused_while_the_first_is_in_use() -> None:
    hub = Hubless()
    hub.online("C01")
    hub.online("C02")
    hub.do("C01", SignIn(staff="lina"))
    with pytest.raises(DomainError) as refused:
        hub.do("C02", SignIn(staff="lina"))
    assert refused.value.code == "invalid_transition"
    assert refused.value.reason == "lina is signed in at C01; sign out there first"
    assert hub.state.staff_at == {"C01": "lina"}
    hub.do("C01", SignIn(staff="lina"))  # signing in again where she is: accepted
    hub.do("C01", SignOut())
    hub.do("C02", SignIn(staff="lina"))
    assert hub.state.staff_at == {"C02": "lina"}


def test_a_first_station_gone_offline_does_not_lock_the_person_out() -> None:
    hub = Hubless()
    hub.online("C01")
    hub.do("C01", SignIn(staff="lina"))
    hub.online("C01", False)  # the PC crashed: nobody can sign out there
    hub.do("C02", SignIn(staff="lina"))
    assert hub.state.staff_at == {"C02": "lina"}  # at one counter only


def test_two_people_at_two_counters_are_unaffected() -> None:
    hub = Hubless()
    hub.online("C01")
    hub.online("C02")
    hub.do("C01", SignIn(staff="lina"))
    hub.do("C02", SignIn(staff="zhangwei"))
    assert hub.state.staff_at == {"C01": "lina", "C02": "zhangwei"}
