"""A broadcast against a real hub: the lobby manager sends one to the high counters, two
counters acknowledge it, every station converges, the journal holds all three events,
and a late station gets it from the hub's snapshot."""

from __future__ import annotations

import msgspec
import zmq

from app.domain.config import Branch
from app.domain.events import AckBroadcast, Broadcast, SignIn
from messaging.envelope import Rejected
from tests.helpers import HubProcess, TestStation, assert_converged, journal_rows, journal_state


def test_a_broadcast_is_acknowledged_by_two_stations_and_journaled(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str
) -> None:
    lobby = TestStation(branch, "L1", hub.endpoint, ctx)
    c01 = TestStation(branch, "C01", hub.endpoint, ctx)
    c02 = TestStation(branch, "C02", hub.endpoint, ctx)
    stations = [lobby, c01, c02]
    late: TestStation | None = None
    try:
        lobby.accept(SignIn(staff="wangfang"))
        c01.accept(SignIn(staff="lina"))
        bid = lobby.accept(Broadcast(text="十分钟后开晨会", zone="high"))
        refused = c01.send(Broadcast(text="我也想发"))
        assert isinstance(refused, Rejected) and refused.code == "forbidden"
        c01.sync_to(bid)
        assert c01.state.broadcasts[bid].waiting_at("C01")
        c01.accept(AckBroadcast(broadcast_id=bid))
        last = c02.accept(AckBroadcast(broadcast_id=bid))
        twice = c02.send(AckBroadcast(broadcast_id=bid))
        assert isinstance(twice, Rejected) and twice.code == "invalid_transition"
        for station in stations:
            station.sync_to(last)
        assert_converged(stations, db_url, branch)
        sent = lobby.state.broadcasts[bid]
        assert sent.text == "十分钟后开晨会" and sent.staff == "wangfang"
        assert sent.recipients == ("C01", "C02", "C03", "C04")
        assert set(sent.acks) == {"C01", "C02"}  # the sender sees 2 of 4

        rows = journal_rows(
            db_url,
            "SELECT kind, station, staff FROM events WHERE kind LIKE 'broadcast%' ORDER BY seq",
        )
        assert rows == [
            ("broadcast_sent", "L1", "wangfang"),
            ("broadcast_acknowledged", "C01", "lina"),
            ("broadcast_acknowledged", "C02", ""),
        ]
        truth = journal_state(db_url, branch)  # the journal replayed gives the same
        assert msgspec.structs.asdict(truth.broadcasts[bid]) == msgspec.structs.asdict(sent)

        late = TestStation(branch, "C03", hub.endpoint, ctx)  # starts from the snapshot
        late.sync_to(last)
        assert late.state.broadcasts[bid].waiting_at("C03")
        assert set(late.state.broadcasts[bid].acks) == {"C01", "C02"}
    finally:
        for station in [*stations, *([late] if late else [])]:
            station.close()
