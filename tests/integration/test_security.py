"""With the default settings, the branch LAN is not trusted (docs/security.md)."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path

import zmq

from app.devtools.fuzz import run as fuzz
from app.domain.config import Branch
from app.domain.events import Acknowledge, RaiseSignal, encode
from messaging.envelope import (
    T_CMD,
    Accepted,
    Rejected,
    decode_envelope,
    decode_payload,
    encode_envelope,
    make,
)
from messaging.keys import CurveKeys, StationKeys
from messaging.sockets import station_sockets
from tests.helpers import HubProcess, TestStation, free_port_pair, journal_rows, keys_for, wait_for
from tests.integration.test_cli import lobbylink


def listen_quietly(sock: zmq.Socket, seconds: float) -> list[list[bytes]]:
    got = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if sock.poll(50):
            got.append(sock.recv_multipart())
    return got


def test_unknown_key_gets_nothing_and_sends_nothing(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str
) -> None:
    real = keys_for(hub.endpoint, "C01")
    assert real is not None
    public, secret = zmq.curve_keypair()
    stranger = StationKeys("C01", CurveKeys(public, secret), real.hub_public)
    dealer, sub = station_sockets(ctx, hub.endpoint, stranger)
    plain_dealer, plain_sub = station_sockets(ctx, hub.endpoint, None)  # no encryption at all
    assert sub is not None and plain_sub is not None
    dealer.setsockopt(zmq.IMMEDIATE, 0)
    plain_dealer.setsockopt(zmq.IMMEDIATE, 0)
    teller = TestStation(branch, "C02", hub.endpoint, ctx)
    try:
        for sock in (dealer, plain_dealer):
            body = encode_envelope(make("raise", "C01", encode(RaiseSignal(code="duress"))))
            with contextlib.suppress(zmq.Again):  # refused peers may not even queue it
                sock.send_multipart([T_CMD, body], zmq.NOBLOCK)
        sid = teller.accept(RaiseSignal(code="assist", note="被看见了吗"))
        assert sid > 0
        for sock in (sub, plain_dealer, plain_sub):
            assert listen_quietly(sock, 1.0) == [], "an unknown peer received something"
        # An unknown key may reach the command socket to ask for enrolment
        # (protocol §2.5): at most the refusal of its command, never an event or a reply.
        for topic, body in listen_quietly(dealer, 1.0):
            refusal = decode_payload(decode_envelope(body), Rejected)
            assert (topic, refusal.code) == (b"rejected", "not_enrolled"), (topic, refusal)
        assert journal_rows(db_url, "SELECT code FROM signals") == [("assist",)]
    finally:
        teller.close()
        for sock in (dealer, sub, plain_dealer, plain_sub):
            sock.close(0)


def test_a_key_speaks_only_for_its_station(hub: HubProcess, ctx: zmq.Context) -> None:
    keys = keys_for(hub.endpoint, "C01")
    dealer, _ = station_sockets(ctx, hub.endpoint, keys, subscribe=False)
    dealer.setsockopt(zmq.IMMEDIATE, 0)
    try:
        dealer.send_multipart(
            [T_CMD, encode_envelope(make("raise", "S1", encode(RaiseSignal(code="device_fault"))))]
        )
        assert dealer.poll(5000)
        topic, body = dealer.recv_multipart()
        rejected = decode_payload(decode_envelope(body), Rejected)
        assert topic == b"rejected" and rejected.code == "station_mismatch"
        assert "C01" in rejected.reason
    finally:
        dealer.close(0)


def test_teller_key_cannot_act_as_supervisor(
    hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    other = TestStation(branch, "C02", hub.endpoint, ctx)
    try:
        sid = teller.accept(RaiseSignal(code="authorize"))
        refused = other.send(Acknowledge(signal_id=sid))
        assert isinstance(refused, Rejected) and refused.code == "forbidden"
    finally:
        teller.close()
        other.close()


def test_revoked_station_is_cut_off_while_others_work(
    hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    assert hub.keys_dir is not None
    victim = TestStation(branch, "C03", hub.endpoint, ctx)
    lobby = TestStation(branch, "L1", hub.endpoint, ctx)
    teller = TestStation(branch, "C04", hub.endpoint, ctx)
    try:
        first = teller.accept(RaiseSignal(code="assist"))
        victim.sync_to(first)
        out = lobbylink("keys", "revoke", "C03", "--dir", str(hub.keys_dir))
        assert out.returncode == 0, out.stderr
        wait_for(
            lambda: any("cutting off C03" in line for line in hub.log),
            10,
            what="the hub to cut C03 off",
        )
        # the others reconnect and carry on
        second = teller.accept(RaiseSignal(code="assist", note="after the revocation"))
        lobby.accept(Acknowledge(signal_id=second))
        lobby.sync_to(second)
        # the revoked station hears nothing more and its commands go nowhere
        msg_id = victim.session.send(RaiseSignal(code="cash"))
        end = time.monotonic() + 4
        while time.monotonic() < end:
            victim.pump()
            time.sleep(0.01)
        assert victim.state.last_seq < second, "the revoked station still receives events"
        assert msg_id not in victim.replies or isinstance(victim.replies[msg_id], Rejected)
        assert not any(s.code == "cash" for s in lobby.state.signals.values())
    finally:
        for station in (victim, lobby, teller):
            station.close()


def test_fuzz_slice_leaves_the_hub_serving(
    hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    keys = keys_for(hub.endpoint, "C05")
    assert keys is not None
    stats = fuzz(hub.endpoint, 3000, keys, keys.hub_public, seed=7)
    assert (
        stats.frames == 3000
        and stats.mutated > 2000
        and stats.raw_tcp > 0
        and stats.unknown_key > 0
    )
    teller = TestStation(branch, "C06", hub.endpoint, ctx)
    try:
        assert isinstance(teller.send(RaiseSignal(code="assist")), Accepted)
    finally:
        teller.close()
    assert hub.proc is not None and hub.proc.poll() is None


def test_hub_needs_keys_unless_told_insecure(tmp_path: Path) -> None:
    port = free_port_pair()
    out = lobbylink(
        "hub",
        "--db",
        f"sqlite:///{tmp_path / 'j.sqlite'}",
        "--listen",
        f"127.0.0.1:{port}",
        "--keys",
        str(tmp_path / "none"),
    )
    assert out.returncode == 2 and "no hub key" in out.stderr and "keys init" in out.stderr
    loud = HubProcess(
        f"sqlite:///{tmp_path / 'j2.sqlite'}", free_port_pair(), insecure=True
    ).start()
    try:
        assert any("RUNNING WITHOUT ENCRYPTION" in line for line in loud.log)
    finally:
        loud.stop()


def test_broken_journal_stops_the_hub_unless_accepted(
    tmp_path: Path, branch: Branch, ctx: zmq.Context
) -> None:
    db = tmp_path / "journal.sqlite"
    url = f"sqlite:///{db}"
    hub = HubProcess(url, free_port_pair()).start()
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    teller.accept(RaiseSignal(code="assist"))
    teller.accept(RaiseSignal(code="cash"))
    teller.close()
    hub.stop()
    verified = lobbylink("verify", "--db", url)
    assert verified.returncode == 0 and "journal OK" in verified.stdout
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM events WHERE seq = 2")
    verified = lobbylink("verify", "--db", url)
    assert verified.returncode == 1 and "row 3: rows 2 to 2 are missing" in verified.stderr
    refused = lobbylink(
        "hub", "--db", url, "--listen", f"127.0.0.1:{free_port_pair()}", "--keys", str(hub.keys_dir)
    )
    assert (
        refused.returncode == 2
        and "is broken" in refused.stderr
        and "--accept-broken-journal" in refused.stderr
    )
    accepted = HubProcess(
        url, free_port_pair(), keys_dir=hub.keys_dir, extra=["--accept-broken-journal"]
    ).start()
    try:
        wait_for(
            lambda: bool(
                journal_rows(url, "SELECT count(*) FROM events WHERE kind = 'journal_note'")[0][0]
            ),
            10,
            what="the decision journaled",
        )
    finally:
        accepted.stop()
