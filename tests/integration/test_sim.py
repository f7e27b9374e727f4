"""The simulator drives every kind of branch activity through a real hub."""

from __future__ import annotations

from collections import Counter

import msgspec
import pytest
import zmq

from app.domain.config import Branch
from app.domain.events import CounterStatusChanged, Event, SignalDeclined, SignalResolved
from app.domain.roles import Role
from app.domain.state import SignalRecord
from app.hub.journal import Journal
from app.sim import Simulator, assign_staff
from messaging.envelope import decode_envelope
from tests.helpers import HubProcess, TestStation, wait_for

EVERY_KIND = {
    "signal_raised",
    "signal_acknowledged",
    "signal_arrived",
    "signal_resolved",
    "signal_declined",
    "counter_status",
    "signed_in",
}
EVERY_CODE = {"assist", "authorize", "refer_wealth", "cash", "complaint", "vip", "direct_counter"}


def test_assign_staff_puts_one_fitting_person_at_each_station(branch: Branch) -> None:
    staff = assign_staff(branch, branch.stations)
    assert set(staff) == set(branch.stations)
    assert len(set(staff.values())) == len(staff)
    for station, person in staff.items():
        role = branch.stations[station].role
        assert role in branch.staff[person].roles
    assert staff["L1"] == "wangfang"  # the teller who can also run the lobby stays a teller


def test_simulator_refuses_unknown_stations_and_speeds(branch: Branch, hub: HubProcess) -> None:
    with pytest.raises(ValueError, match="X9"):
        Simulator(branch, hub.endpoint, ["C01", "X9"])
    with pytest.raises(ValueError, match="speed"):
        Simulator(branch, hub.endpoint, speed=0)


@pytest.mark.slow
def test_simulated_branch_does_every_kind_of_work(
    branch: Branch, hub: HubProcess, ctx: zmq.Context, db_url: str
) -> None:
    observer = TestStation(branch, "H1", hub.endpoint, ctx)
    kinds: Counter[str] = Counter()
    events: list[Event] = []

    def seen(_seq: int, event: Event, _sig: SignalRecord | None) -> None:
        kinds[type(event).__struct_config__.tag] += 1  # type: ignore[index]
        events.append(event)

    observer.state.listeners.append(seen)
    sim = Simulator(branch, hub.endpoint, speed=10.0, seed=7, keys_dir=hub.keys_dir)
    sim.start()
    try:

        def all_done() -> bool:
            codes = {s.code for s in observer.state.signals.values()}
            resumed = any(
                isinstance(e, CounterStatusChanged) and e.status == "open" for e in events
            )
            served = any(isinstance(e, SignalResolved) and e.outcome == "served" for e in events)
            return (
                set(kinds) >= EVERY_KIND
                and codes >= EVERY_CODE
                and resumed
                and served
                and handed_on()
            )

        def handed_on() -> bool:
            """A declined handoff was picked up by the other wealth manager."""
            declined = {e.signal_id: e.station for e in events if isinstance(e, SignalDeclined)}
            return any(
                observer.state.signals[sid].acked_station not in ("", who)
                for sid, who in declined.items()
                if sid in observer.state.signals
            )

        wait_for(all_done, timeout=40, step=observer.pump, what="every kind of activity")
    finally:
        sim.stop()
        observer.close()
    assert sim.error is None
    assert not sim._sessions or all(s.link.dealer.closed for s in sim._sessions.values())
    assert sim.actions["raise"] >= len(EVERY_CODE)

    # Everyone was signed in by the simulator, in the roles the roster allows.
    for station, person in observer.state.staff_at.items():
        assert branch.stations[station].role in branch.staff[person].roles
    assert observer.state.staff_of("L1") == "wangfang"
    assert all(
        branch.stations[s.acked_station].role is Role.WEALTH_MANAGER
        for s in observer.state.signals.values()
        if s.code == "refer_wealth" and s.acked_station
    )

    # The journal holds the same story.
    hub.stop()
    journal = Journal(db_url)
    try:
        envelopes = [decode_envelope(body) for _seq, body in journal.bodies()]
    finally:
        journal.close()
    assert {env.kind for env in envelopes} >= EVERY_KIND
    raised = {
        msgspec.msgpack.decode(env.payload)["code"]
        for env in envelopes
        if env.kind == "signal_raised"
    }
    assert raised >= EVERY_CODE
