"""Loops closed (issue 12) through a real hub on loopback: a referral named to one wealth
manager, declined, back at its raiser with the reason, re-offered to another; a wealth
manager's availability, journaled, snapshotted to a late station, and respected by the
hub's decisions; nobody left to take a handoff, as every station derives it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zmq

from app.domain import errors as E
from app.domain.config import Branch
from app.domain.events import (
    Acknowledge,
    Decline,
    RaiseSignal,
    Reoffer,
    SetAvailability,
    SignIn,
)
from app.domain.roles import Availability, SignalState
from messaging.envelope import Accepted, Rejected
from tests.helpers import HubProcess, TestStation, journal_rows

STATIONS = ("C01", "W1", "W2", "L1")


@pytest.fixture
def stations(hub: HubProcess, branch: Branch, ctx: zmq.Context) -> Iterator[dict[str, TestStation]]:
    made = {s: TestStation(branch, s, hub.endpoint, ctx) for s in STATIONS}
    for station, person in (("C01", "lina"), ("W1", "sunli"), ("W2", "zhoujie")):
        made[station].accept(SignIn(staff=person))
    yield made
    for st in made.values():
        st.close()


def sync_all(stations: dict[str, TestStation], seq: int) -> None:
    for st in stations.values():
        st.sync_to(seq)


def test_a_declined_referral_goes_back_to_its_raiser_and_is_re_offered(
    hub: HubProcess, stations: dict[str, TestStation], db_url: str
) -> None:
    c01, w1, w2, lobby = (stations[s] for s in STATIONS)
    seq = c01.accept(RaiseSignal(code="refer_wealth", to="sunli", ticket="A031", need="fund"))
    sync_all(stations, seq)
    sig_id = max(c01.state.signals)
    assert c01.state.signal(sig_id).to == "W1"
    assert [s.id for s in w1.state.signals_for("W1")] == [sig_id]
    assert w2.state.signals_for("W2") == []  # named: not offered to the other desk
    refused = w2.send(Acknowledge(signal_id=sig_id))
    assert isinstance(refused, Rejected) and refused.code == E.FORBIDDEN

    seq = w1.accept(Decline(signal_id=sig_id, reason="busy"))
    sync_all(stations, seq)
    at_raiser = c01.state.signal(sig_id)
    assert at_raiser.state is SignalState.OPEN
    assert at_raiser.last_decline is not None
    assert (at_raiser.last_decline.station, at_raiser.last_decline.staff) == ("W1", "sunli")
    assert at_raiser.last_decline.reason == "busy"
    # nobody can take it: the raiser and the lobby both derive it from their state
    assert c01.state.nobody_can_take(at_raiser)
    assert [s.id for s in lobby.state.unplaced()] == [sig_id]

    # only the raiser re-offers
    refused = lobby.send(Reoffer(signal_id=sig_id, to="W2"))
    assert isinstance(refused, Rejected) and refused.code == E.FORBIDDEN
    seq = c01.accept(Reoffer(signal_id=sig_id, to="W2"))
    sync_all(stations, seq)
    assert [s.id for s in w2.state.signals_for("W2")] == [sig_id]
    assert w1.state.signals_for("W1") == []
    assert lobby.state.unplaced() == []
    seq = w2.accept(Acknowledge(signal_id=sig_id))
    sync_all(stations, seq)
    assert c01.state.signal(sig_id).acked_staff == "zhoujie"

    rows = journal_rows(db_url, "SELECT kind FROM events ORDER BY seq")
    kinds = [r[0] for r in rows]
    assert kinds[-3:] == ["signal_declined", "signal_reoffered", "signal_acknowledged"]


def test_availability_is_journaled_snapshotted_and_offers_respect_it(
    hub: HubProcess,
    stations: dict[str, TestStation],
    branch: Branch,
    ctx: zmq.Context,
    db_url: str,
) -> None:
    c01, w1, w2, lobby = (stations[s] for s in STATIONS)
    refused = c01.send(SetAvailability(availability=Availability.AWAY))
    assert isinstance(refused, Rejected) and refused.code == E.FORBIDDEN

    seq = w1.accept(SetAvailability(availability=Availability.BUSY))
    sync_all(stations, seq)
    assert lobby.state.availability_of("W1") is Availability.BUSY
    # with a customer: a named referral is still taken, for when she is free
    busy = c01.send(RaiseSignal(code="refer_wealth", to="W1"))
    assert isinstance(busy, Accepted)

    seq = w2.accept(SetAvailability(availability=Availability.AWAY))
    refused = c01.send(RaiseSignal(code="refer_wealth", to="W2"))
    assert isinstance(refused, Rejected) and refused.code == E.UNAVAILABLE
    assert "W2 is away" in refused.reason

    # to any: W1 declines and W2 is away, so nobody can take it
    anyone = c01.send(RaiseSignal(code="refer_wealth"))
    assert isinstance(anyone, Accepted)
    sync_all(stations, anyone.seq)
    sig_id = max(c01.state.signals)
    seq = w1.accept(Decline(signal_id=sig_id, reason="not_my_area"))
    sync_all(stations, seq)
    assert sig_id in [s.id for s in lobby.state.unplaced()]

    # a station that starts now gets the availability in its snapshot
    late = TestStation(branch, "C02", hub.endpoint, ctx)
    try:
        late.sync_to(seq)
        assert late.state.availability == {"W1": "busy", "W2": "away"}
        assert sig_id in [s.id for s in late.state.unplaced()]
    finally:
        late.close()

    rows = journal_rows(
        db_url, "SELECT kind, station FROM events WHERE kind = 'availability_changed'"
    )
    assert rows == [("availability_changed", "W1"), ("availability_changed", "W2")]


def test_the_command_line_sets_availability_and_re_offers(hub: HubProcess) -> None:
    from tests.integration.test_cli import lobbylink

    at = f"127.0.0.1:{hub.port}"

    def send(station: str, staff: str, *args: str) -> tuple[int, str, str]:
        out = lobbylink("send", "--hub", at, "--station", station, "--staff", staff, *args)
        return out.returncode, out.stdout.strip(), out.stderr

    assert send("W1", "sunli", "sign-in", "sunli")[0] == 0
    assert send("W2", "zhoujie", "sign-in", "zhoujie")[0] == 0
    code, _, err = send("W2", "zhoujie", "availability", "away")
    assert code == 0, err
    code, _, err = send("C01", "lina", "raise", "refer_wealth", "--to", "W2")
    assert code == 1 and "unavailable" in err and "W2 is away" in err and "Traceback" not in err
    code, sid, err = send("C01", "lina", "raise", "refer_wealth", "--to", "sunli")
    assert code == 0 and sid.isdigit(), err
    assert send("W1", "sunli", "decline", sid, "--reason", "busy")[0] == 0
    code, _, err = send("C01", "lina", "reoffer", sid)  # to any: W1 may take it again
    assert code == 0, err
    code, _, err = send("W1", "sunli", "ack", sid)
    assert code == 0, err
