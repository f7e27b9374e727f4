"""Enrolment without copying secrets: a station PC's own key, approved by a person."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import zmq

from app.cli.enrol import ask
from app.domain.config import HIDDEN_PIN, Branch, config_hash, decode_shared
from app.domain.events import RaiseSignal
from messaging import keys as keyfiles
from messaging.envelope import (
    ENROLMENTS,
    T_EVENT,
    Answer,
    BranchSettings,
    Enrolment,
    EnrolmentAction,
    EnrolmentRequest,
    Rejected,
)
from messaging.keys import CurveKeys, StationKeys
from messaging.link import StationLink
from messaging.sockets import station_sockets
from tests.helpers import ROOT, HubProcess, TestStation, free_port_pair, keys_for, wait_for
from tests.integration.test_cli import lobbylink


def _hub_public(hub: HubProcess) -> str:
    assert hub.keys_dir is not None
    return keyfiles.read_public(hub.keys_dir / "hub.key").decode()


def _enrol(hub: HubProcess, pc: Path, station: str, wait: float = 30) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "LOBBYLINK_KEYS"}
    args = ["--hub", str(hub.endpoint), "--station", station, "--hub-key", _hub_public(hub)]
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "enrol", *args, "--keys", str(pc), "--wait", str(wait)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _pending(hub: HubProcess, station: str) -> list[str]:
    assert hub.keys_dir is not None
    return [fp for st, fp, _ in keyfiles.pending(hub.keys_dir) if st == station]


def test_a_station_pc_enrols_with_its_own_key_once_approved(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> None:
    assert hub.keys_dir is not None
    pc = tmp_path / "pc"
    old = TestStation(branch, "C03", hub.endpoint, ctx)  # C03's key made on the hub PC
    proc = _enrol(hub, pc, "C03")
    try:
        # a second Python starting on a loaded machine: give it time
        wait_for(lambda: bool(_pending(hub, "C03")), 45, what="C03's enrolment request")
        [fp] = _pending(hub, "C03")
        secret = pc / "stations" / "C03.key_secret"
        assert oct(secret.stat().st_mode & 0o777) == "0o600"
        own = keyfiles.station_keys(pc, "C03")
        assert keyfiles.fingerprint(own.own.public) == fp  # what the PC shows is the request
        assert not (hub.keys_dir / "pending" / f"C03.{fp}.key_secret").exists()
        assert b"secret" not in (hub.keys_dir / "pending" / f"C03.{fp}.key").read_bytes()

        # before approval the new key can do nothing but ask
        waiting = TestStation(branch, "C03", hub.endpoint, ctx, keys=own)
        try:
            refused = waiting.send(RaiseSignal(code="assist", note="not yet"))
            assert isinstance(refused, Rejected) and refused.code == "not_enrolled", refused
        finally:
            waiting.close()

        wrong = lobbylink("keys", "approve", "C03", "AAAAA-AAAAA", "--dir", str(hub.keys_dir))
        assert wrong.returncode == 2 and "no enrolment request" in wrong.stderr
        assert "Traceback" not in wrong.stderr
        done = lobbylink("keys", "approve", "C03", fp.lower(), "--dir", str(hub.keys_dir))
        assert done.returncode == 0, done.stderr

        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert fp in out and "enrolled as C03" in out
        settings = msgspec.msgpack.decode((pc / "branch.msgpack").read_bytes(), type=BranchSettings)
        held = decode_shared(settings.config)
        assert {s.id for s in held.stations} == set(branch.stations)
        assert all(p.pin in ("", HIDDEN_PIN) for p in held.staff)  # no PIN leaves the hub

        # the key C03 had before is revoked by the approval, and cut off
        wait_for(lambda: any("cutting off C03" in line for line in hub.log), 5)
        assert (hub.keys_dir / "revoked" / "C03.key").exists()
        fresh = TestStation(branch, "C03", hub.endpoint, ctx, keys=own)
        try:
            assert fresh.accept(RaiseSignal(code="assist", note="own key")) > 0
        finally:
            fresh.close()
        # the station tools run on the configuration held from the hub, no file of their own
        sent = lobbylink(
            "send", "--hub", str(hub.endpoint), "--station", "C03", "--keys", str(pc),
            "raise", "assist", "--note", "from the enrolled PC",
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        listed = lobbylink("keys", "pending", "--dir", str(hub.keys_dir))
        assert "no enrolment requests" in listed.stdout
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()  # its pipes closed however the test ended
        old.close()


NEW_COUNTER = """
[[stations]]
id = "C09"
name = { zh_CN = "9号窗口", en = "Counter 9" }
role = "teller"
zone = "high"
pos = [500, 95]
"""


def test_the_station_runs_on_the_configuration_from_the_hub(tmp_path: Path) -> None:
    """C09 exists only in the hub's file: a station PC knows it from the hub alone."""
    config = tmp_path / "branch.toml"
    text = (ROOT / "resources" / "branch.toml").read_text(encoding="utf-8")
    config.write_text(text.replace("[[stations]]", NEW_COUNTER + "\n[[stations]]", 1))
    hub = HubProcess(f"sqlite:///{tmp_path / 'j.sqlite'}", free_port_pair(), config=str(config))
    hub.start()
    pc = tmp_path / "pc"
    try:
        send = ("send", "--hub", str(hub.endpoint), "--station", "C09", "--keys", str(pc))
        proc = _enrol(hub, pc, "C09")
        wait_for(lambda: bool(_pending(hub, "C09")), 45, what="C09's enrolment request")
        assert hub.keys_dir is not None
        approved = lobbylink(
            "keys", "approve", "C09", _pending(hub, "C09")[0], "--dir", str(hub.keys_dir)
        )
        assert approved.returncode == 0, approved.stderr
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        sent = lobbylink(*send, "raise", "assist", "--note", "a counter the demo lacks")
        assert sent.returncode == 0, sent.stderr
        (pc / "branch.msgpack").unlink()  # without it, the demo branch has no C09
        sent = lobbylink(*send, "raise", "assist")
        assert sent.returncode == 2 and "not a station" in sent.stderr, sent.stderr
    finally:
        hub.stop()


def test_an_unknown_key_reads_no_events(hub: HubProcess, branch: Branch, ctx: zmq.Context) -> None:
    public, secret = zmq.curve_keypair()
    real = keyfiles.station_keys(hub.keys_dir or Path(), "C01")
    stranger = StationKeys("C01", CurveKeys(public, secret), real.hub_public)
    _dealer, sub = station_sockets(ctx, hub.endpoint, stranger)
    assert sub is not None
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    try:
        time.sleep(0.5)
        teller.accept(RaiseSignal(code="assist", note="for staff only"))
        end = time.monotonic() + 2
        while time.monotonic() < end:
            if sub.poll(100):
                topic = sub.recv_multipart()[0]
                assert topic != T_EVENT, "an unknown key read an event"
        wait_for(lambda: any("unknown or revoked key" in line for line in hub.log), 5)
    finally:
        teller.close()
        _dealer.close(0)
        sub.close(0)


def test_enrolment_requests_are_rate_limited_and_capped(hub: HubProcess, tmp_path: Path) -> None:
    assert hub.keys_dir is not None
    answers = []
    for i in range(12):  # fresh keys, one after the other, faster than one a second
        pc = tmp_path / f"pc{i}"
        keyfiles.set_hub_public(pc, _hub_public(hub).encode())
        keyfiles.own_keys(pc, "C05")
        answers.append(ask(hub.endpoint, keyfiles.station_keys(pc, "C05"), 5))
    limited = [a for a in answers if isinstance(a, Rejected) and a.code == "rate_limited"]
    assert limited, answers  # the branch's enrolment rate, whatever the number of keys
    assert len(_pending(hub, "C05")) == len(answers) - len(limited)
    assert len(_pending(hub, "C05")) <= keyfiles.MAX_PENDING


def test_a_hello_with_another_configuration_gets_the_hubs(
    hub: HubProcess, ctx: zmq.Context, branch: Branch
) -> None:
    got: list[BranchSettings] = []
    stale = StationLink(ctx, hub.endpoint, "C01", keys=keys_for(hub.endpoint, "C01"))
    stale.config_hash = "0" * 16  # what it held before the hub's file changed
    stale.on_config = got.append
    try:
        stale.start()
        wait_for(lambda: stale.synced, 10, lambda: _drive(stale), "C01 to sync")
        [settings] = got
        assert config_hash(bytes(settings.config)) == settings.hash
        assert decode_shared(settings.config).stations == branch.config.stations
    finally:
        stale.close()
    current = StationLink(ctx, hub.endpoint, "C02", keys=keys_for(hub.endpoint, "C02"))
    current.config_hash = settings.hash
    current.on_config = got.append
    own_file = StationLink(ctx, hub.endpoint, "C04", keys=keys_for(hub.endpoint, "C04"))
    own_file.on_config = got.append  # config_hash "": runs on its own file
    try:
        for link in (current, own_file):
            link.start()
            _sync(link)
        assert len(got) == 1  # neither was sent the configuration again
    finally:
        current.close()
        own_file.close()


def _drive(link: StationLink) -> None:
    link.process()
    link.tick()


def _sync(link: StationLink) -> None:
    wait_for(lambda: link.synced, 10, lambda: _drive(link), f"{link.station} to sync")


def _ask(link: StationLink, action: EnrolmentAction) -> Answer:
    answers: dict[str, Answer] = {}
    link.on_answer = answers.__setitem__
    msg_id = link.query(ENROLMENTS, msgspec.msgpack.encode(action))
    wait_for(lambda: msg_id in answers, 10, lambda: _drive(link), "the enrolments answer")
    return answers[msg_id]


def _notes(db_url: str) -> list[str]:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
        rows = db.execute("SELECT body FROM events WHERE kind = 'journal_note'").fetchall()
    return [bytes(body).decode("utf-8", "replace") for (body,) in rows]


def test_the_branch_head_approves_on_the_board_and_the_journal_keeps_it(
    hub: HubProcess, ctx: zmq.Context, db_url: str, tmp_path: Path
) -> None:
    assert hub.keys_dir is not None
    pc = tmp_path / "pc"
    keyfiles.set_hub_public(pc, _hub_public(hub).encode())
    keyfiles.own_keys(pc, "C06")
    asked = ask(hub.endpoint, keyfiles.station_keys(pc, "C06"), 5)
    assert isinstance(asked, Enrolment) and asked.status == "pending"
    fp = asked.fingerprint
    board = StationLink(ctx, hub.endpoint, "H1", keys=keys_for(hub.endpoint, "H1"))
    teller = StationLink(ctx, hub.endpoint, "C01", keys=keys_for(hub.endpoint, "C01"))
    try:
        for link in (board, teller):
            link.start()
            _sync(link)
        refused = _ask(teller, EnrolmentAction("approve", "C06", fp))
        assert not refused.ok and refused.code == "forbidden"
        listed = msgspec.msgpack.decode(
            _ask(board, EnrolmentAction()).body, type=list[EnrolmentRequest]
        )
        assert [(r.station, r.fingerprint) for r in listed] == [("C06", fp)]
        wrong = _ask(board, EnrolmentAction("approve", "C06", "AAAAA-AAAAA"))
        assert not wrong.ok and "no enrolment request" in wrong.reason
        done = _ask(board, EnrolmentAction("approve", "C06", fp))
        assert done.ok and msgspec.msgpack.decode(done.body) == []
    finally:
        board.close()
        teller.close()

    def enrolled() -> bool:  # the hub re-reads its allow-list about once a second
        again = ask(hub.endpoint, keyfiles.station_keys(pc, "C06"), 5)
        return isinstance(again, Enrolment) and again.status == "enrolled"

    wait_for(enrolled, 10, what="C06 to be enrolled")
    wait_for(lambda: any("of C06 allowed" in n for n in _notes(db_url)), 5, what="the note")
    notes = _notes(db_url)
    assert any(f"key {fp} of C06 approved at H1" in n for n in notes), notes
    assert any("station key of C06 no longer allowed" in n for n in notes), notes
