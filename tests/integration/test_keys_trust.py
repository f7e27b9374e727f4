"""Keys that mean what they say: against a real hub on 127.0.0.1."""

from __future__ import annotations

import time
from pathlib import Path

import zmq

from app.domain.config import Branch
from app.domain.events import RaiseSignal
from messaging import keys as keyfiles
from messaging.envelope import Rejected
from messaging.keys import CurveKeys, StationKeys
from messaging.sockets import station_sockets
from tests.helpers import HubProcess, TestStation, keys_for, wait_for
from tests.integration.test_cli import lobbylink


def _cut(hub: HubProcess, station: str) -> None:
    wait_for(
        lambda: any(f"cutting off {station}" in line for line in hub.log),
        5,
        what=f"the hub to cut {station}'s old key off",
    )


def _refused_or_silent(station: TestStation) -> bool:
    """The old key's command is never accepted (refused, or goes nowhere)."""
    msg_id = station.session.send(RaiseSignal(code="cash", note="old key"))
    end = time.monotonic() + 3
    while time.monotonic() < end:
        station.pump()
        time.sleep(0.01)
    return msg_id not in station.replies or isinstance(station.replies[msg_id], Rejected)


def test_revoke_and_add_back_to_back_cuts_the_old_key(
    hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    assert hub.keys_dir is not None
    victim = TestStation(branch, "C03", hub.endpoint, ctx)  # holds the old key
    try:
        victim.accept(RaiseSignal(code="assist"))
        keyfiles.revoke(hub.keys_dir, "C03")
        keyfiles.add(hub.keys_dir, "C03")
        _cut(hub, "C03")
        assert _refused_or_silent(victim), "the old key's connection still gets accepted"
        fresh = TestStation(branch, "C03", hub.endpoint, ctx)  # the new key works
        try:
            assert fresh.accept(RaiseSignal(code="assist", note="new key")) > 0
        finally:
            fresh.close()
    finally:
        victim.close()


def test_a_key_copied_over_in_place_cuts_the_old_key(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> None:
    assert hub.keys_dir is not None
    victim = TestStation(branch, "C02", hub.endpoint, ctx)
    try:
        victim.accept(RaiseSignal(code="assist"))
        other = tmp_path / "other"
        keyfiles.init(other, ["C02"])
        stations = hub.keys_dir / "stations"
        mtime = stations.stat().st_mtime_ns
        for name in ("C02.key", "C02.key_secret"):  # same files, same inodes, new content
            (stations / name).write_bytes((other / "stations" / name).read_bytes())
        assert stations.stat().st_mtime_ns == mtime  # the folder itself did not change
        _cut(hub, "C02")
        assert _refused_or_silent(victim), "the overwritten key still gets accepted"
    finally:
        victim.close()


def test_junk_key_entries_neither_kill_the_hub_nor_stop_revocation(
    hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    assert hub.keys_dir is not None
    stations = hub.keys_dir / "stations"
    (stations / "C07.key").write_bytes(b"")
    (stations / "backup.key").mkdir()
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    victim = TestStation(branch, "C04", hub.endpoint, ctx)
    try:
        wait_for(
            lambda: sum("backup.key" in line for line in hub.log) >= 1,
            5,
            what="the hub to note the junk entry",
        )
        assert teller.accept(RaiseSignal(code="assist")) > 0
        keyfiles.revoke(hub.keys_dir, "C04")  # a later change still takes effect
        _cut(hub, "C04")
        assert _refused_or_silent(victim)
        assert teller.accept(RaiseSignal(code="assist", note="still served")) > 0
        assert sum("C07.key" in line for line in hub.log) == 1, "one line, not one per reload"
        listed = lobbylink("keys", "list", "--dir", str(hub.keys_dir))
        assert listed.returncode == 0 and "Traceback" not in listed.stderr
        broken = [line for line in listed.stdout.splitlines() if "broken" in line]
        assert len(broken) == 2, listed.stdout
    finally:
        teller.close()
        victim.close()


def test_cli_refuses_paths_and_unknown_stations(hub: HubProcess) -> None:
    assert hub.keys_dir is not None
    out = lobbylink("keys", "revoke", "../hub", "--dir", str(hub.keys_dir))
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert (hub.keys_dir / "hub.key_secret").exists()
    out = lobbylink("keys", "add", "C99", "--dir", str(hub.keys_dir))
    assert out.returncode != 0 and "C99" in out.stderr and "Traceback" not in out.stderr
    assert not (hub.keys_dir / "stations" / "C99.key").exists()
    assert keys_for(hub.endpoint, "C01") is not None


def test_unknown_key_handshakes_are_logged_once_a_minute(hub: HubProcess, ctx: zmq.Context) -> None:
    real = keys_for(hub.endpoint, "C01")
    assert real is not None
    socks = []
    try:
        for _ in range(5):
            public, secret = zmq.curve_keypair()
            stranger = StationKeys("C01", CurveKeys(public, secret), real.hub_public)
            # the event socket: an unknown key may reach the command socket, to ask for
            # enrolment only (tests/integration/test_enrolment.py), but never read events
            dealer, sub = station_sockets(ctx, hub.endpoint, stranger)
            assert sub is not None
            socks += [dealer, sub]
        teller = StationKeys("C01", real.own, real.hub_public)
        dealer, _ = station_sockets(ctx, hub.endpoint, teller, subscribe=False)
        socks.append(dealer)  # a known key after them: its handshake shows theirs are done
        wait_for(
            lambda: any("unknown or revoked key" in line for line in hub.log),
            5,
            what="the hub to log the refused handshakes",
        )
        time.sleep(1.0)  # the other four handshakes (each retried by ZeroMQ) come meanwhile
        logged = [line for line in hub.log if "unknown or revoked key" in line]
        assert len(logged) == 1, logged
    finally:
        for sock in socks:
            sock.close(0)


def test_one_key_from_two_addresses_is_logged_once(
    hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    keys = keys_for(hub.endpoint, "C05")
    assert keys is not None
    socks = []
    board = TestStation(branch, "H1", hub.endpoint, ctx)  # the branch head's board
    try:
        for source in ("127.0.0.1", "127.0.0.2", "127.0.0.2", "127.0.0.1"):
            dealer = ctx.socket(zmq.DEALER)
            dealer.curve_secretkey = keys.own.secret
            dealer.curve_publickey = keys.own.public
            dealer.curve_serverkey = keys.hub_public
            dealer.connect(f"tcp://{source}:0;127.0.0.1:{hub.endpoint.port}")
            socks.append(dealer)
            time.sleep(0.3)  # handshakes one after the other
        wait_for(
            lambda: any("in use from" in line for line in hub.log),
            5,
            what="the hub to notice one key on two addresses",
        )
        time.sleep(0.5)
        logged = [line for line in hub.log if "in use from" in line]
        assert len(logged) == 1 and "C05" in logged[0], logged
        # journaled, and in the state every station holds (the board shows it)
        wait_for(lambda: "C05" in board.state.shared_keys, 5, board.pump, "the board to hear")
        assert sorted(board.state.shared_keys["C05"]) == ["127.0.0.1", "127.0.0.2"]
        late = TestStation(branch, "S1", hub.endpoint, ctx)  # a snapshot carries it too
        try:
            wait_for(lambda: "C05" in late.state.shared_keys, 10, late.pump, "S1's snapshot")
        finally:
            late.close()
    finally:
        board.close()
        for sock in socks:
            sock.close(0)
