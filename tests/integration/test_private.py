"""A silent signal (duress) is read only by the roles it is for, down to the wire."""

from __future__ import annotations

import zmq

from app.domain.config import Branch
from app.domain.events import Acknowledge, RaiseSignal, Resolve
from messaging.sockets import station_sockets
from tests.helpers import HubProcess, TestStation, keys_for, wait_for


def test_duress_reaches_only_its_audience(
    hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    keys = keys_for(hub.endpoint, "C02")
    _dealer, spy = station_sockets(ctx, hub.endpoint, keys)  # a teller PC listening to everything
    assert spy is not None
    stations = {
        sid: TestStation(branch, sid, hub.endpoint, ctx) for sid in ("C01", "L1", "S1", "H1")
    }
    try:
        wait_for(
            lambda: all(s.session.link.synced for s in stations.values()),
            10,
            lambda: [s.pump() for s in stations.values()],
            "synced",
        )
        sid = stations["C01"].accept(RaiseSignal(code="duress", note="柜台前有人持刀"))
        after = stations["C01"].accept(RaiseSignal(code="assist"))
        for station in stations.values():
            station.sync_to(after)
        for reader in ("S1", "H1"):
            sig = stations[reader].state.signals[sid]
            assert (sig.code, sig.station, sig.note) == ("duress", "C01", "柜台前有人持刀")
        for outsider in ("C01", "L1"):
            assert sid not in stations[outsider].state.signals
            assert after in stations[outsider].state.signals  # and nothing else is lost
        stations["S1"].accept(Acknowledge(signal_id=sid))
        done = stations["S1"].accept(Resolve(signal_id=sid))
        for station in stations.values():
            station.sync_to(done)
        assert stations["H1"].state.signals[sid].state.value == "resolved"
        assert sid not in stations["L1"].state.signals
        # what crossed the wire to a teller's SUB never names it
        frames = []
        while spy.poll(200):
            frames.append(b"".join(spy.recv_multipart()))
        assert frames, "the spy heard the other events"
        assert not any(b"duress" in f or "持刀".encode() in f for f in frames)
        # late joiners: a snapshot for each, cut to what its role may read
        late_lobby = TestStation(branch, "L1", hub.endpoint, ctx)
        late_head = TestStation(branch, "H1", hub.endpoint, ctx)
        try:
            late_lobby.sync_to(done)
            late_head.sync_to(done)
            assert sid not in late_lobby.state.signals
            assert late_head.state.signals[sid].note == "柜台前有人持刀"
        finally:
            late_lobby.close()
            late_head.close()
    finally:
        spy.close(0)
        _dealer.close(0)
        for station in stations.values():
            station.close()
