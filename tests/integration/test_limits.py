"""Limits that protect the hub never block an honest station."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import cast

import msgspec
import pytest
import zmq

from app.domain.config import Branch
from app.domain.events import Cancel, Command, RaiseSignal, SetStatus
from app.domain.policy import MAX_OPEN_SIGNALS
from app.domain.roles import CounterStatus
from app.hub.admission import LINES_PER_CODE, Admission, Refusals
from app.hub.auth import StationAuthenticator
from app.hub.clock import HubClock
from messaging.envelope import T_CMD, Accepted, Rejected, WireError, decode_envelope
from messaging.outbox import Outbox
from messaging.sockets import station_sockets
from tests.helpers import HubProcess, TestStation, journal_rows, keys_for, wait_for


def test_oversized_command_is_refused_before_it_reaches_the_outbox(
    hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    try:
        with pytest.raises(WireError, match="limit"):
            teller.session.send(RaiseSignal(code="assist", note="很" * 20_000))
        assert len(teller.session.link.outbox) == 0
        assert isinstance(teller.send(RaiseSignal(code="assist", note="ok")), Accepted)
    finally:
        teller.close()


def test_a_long_outbox_drains_through_the_rate_limit(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str, tmp_path: Path
) -> None:
    """600 clicks stored during an outage: all delivered, once each, in order. (A third
    of them raises, so that the station stays within its cap on open signals.)"""
    hub.stop()
    teller = TestStation(branch, "C02", hub.endpoint, ctx, Outbox(tmp_path / "C02.sqlite"))
    try:
        notes = [str(i) for i in range(200)]
        assert len(notes) <= MAX_OPEN_SIGNALS
        pause = branch.config.pause_reasons[0].code
        for note in notes:
            clicks: list[Command] = [
                RaiseSignal(code="cash", note=note),
                SetStatus(status=CounterStatus.PAUSED, reason=pause),
                SetStatus(status=CounterStatus.OPEN),
            ]
            for click in clicks:
                teller.session.send(click)
        assert len(teller.session.link.outbox) == 600
        hub.start()
        wait_for(lambda: len(teller.session.link.outbox) == 0, 60, teller.pump, "outbox drained")
        assert [
            r[0] for r in journal_rows(db_url, "SELECT note FROM signals ORDER BY signal_id")
        ] == notes
        assert all(isinstance(r, Accepted) for r in teller.replies.values())
    finally:
        teller.close()


def _nested_command(depth: int) -> bytes:
    """A `raise` envelope whose payload is an array nested ``depth`` deep."""
    enc = msgspec.msgpack.encode
    head = {"v": 1, "kind": "raise", "msg_id": "deep", "station": "C01", "ts_ms": 1}
    fields = b"".join(enc(k) + enc(v) for k, v in head.items())
    return b"\x86" + fields + enc("payload") + b"\x91" * depth + b"\xc0"


def test_a_frame_nested_thousands_deep_costs_a_refusal_not_a_traceback(
    hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    """Nested 15,000 deep, 3,000 times: one refusal each, no traceback, no log flood; an
    honest command right after is accepted."""
    with pytest.raises(WireError, match="nested too deeply"):
        decode_envelope(_nested_command(15_000))
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    try:
        dealer = teller.session.link.dealer
        before = len(hub.log)
        for _ in range(3_000):
            dealer.send_multipart([b"cmd", _nested_command(15_000)])
        assert isinstance(teller.send(RaiseSignal(code="assist", note="after")), Accepted)
        logged = hub.log[before:]
        assert not [line for line in logged if "Traceback" in line or "RecursionError" in line]
        assert sum(len(line) for line in logged) < 10_000, logged[:5]
    finally:
        teller.close()


def test_a_station_at_its_open_signal_cap_is_refused_and_the_others_are_not(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str
) -> None:
    """Within the rate limits, one station could raise signals until the snapshot was
    more than a station can load: past MAX_OPEN_SIGNALS open it is refused with
    ``too_many_open`` (logged once), the others go on, and closing one makes room."""
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    other = TestStation(branch, "C02", hub.endpoint, ctx)
    try:
        sent = [
            teller.session.send(RaiseSignal(code="assist", note=f"{i}"))
            for i in range(MAX_OPEN_SIGNALS + 5)
        ]
        wait_for(lambda: all(m in teller.replies for m in sent), 60, teller.pump, "every answer")
        answers = [teller.replies[m] for m in sent]
        accepted = [a for a in answers if isinstance(a, Accepted)]
        refused = [a for a in answers if isinstance(a, Rejected)]
        assert len(accepted) == MAX_OPEN_SIGNALS and answers[:MAX_OPEN_SIGNALS] == accepted
        assert [r.code for r in refused] == ["too_many_open"] * 5
        assert "C01 already has 200 open signals" in refused[0].reason
        assert isinstance(other.send(RaiseSignal(code="assist", note="other")), Accepted)
        teller.accept(Cancel(signal_id=accepted[0].seq))
        assert isinstance(teller.send(RaiseSignal(code="assist", note="room again")), Accepted)
        rows = journal_rows(db_url, "SELECT count(*) FROM signals WHERE station = 'C01'")
        assert rows == [(MAX_OPEN_SIGNALS + 1,)]
        logged = [line for line in hub.log if "too_many_open" in line]
        assert len(logged) == 1, logged
    finally:
        teller.close()
        other.close()
    hub.stop()  # a restarted hub counts the open signals again from its journal
    hub.start()
    again = TestStation(branch, "C01", hub.endpoint, ctx)
    try:
        refused_again = again.send(RaiseSignal(code="assist", note="after a restart"))
        assert isinstance(refused_again, Rejected) and refused_again.code == "too_many_open"
    finally:
        again.close()


def test_refusals_are_logged_per_station_not_per_connection(
    hub: HubProcess, ctx: zmq.Context
) -> None:
    """40 connections with one station's key, one junk frame each: every frame refused
    and counted, one log line (each connection used to get its own)."""
    keys = keys_for(hub.endpoint, "C05")
    dealers = [station_sockets(ctx, hub.endpoint, keys, subscribe=False)[0] for _ in range(40)]
    try:
        for dealer in dealers:
            dealer.send_multipart([T_CMD, b"\xff junk"])
        for dealer in dealers:
            assert dealer.poll(10_000), "no answer"
            assert dealer.recv_multipart()[0] == b"rejected"
    finally:
        for dealer in dealers:
            dealer.close(0)
    hub.stop()
    lines = [line for line in hub.log if "rejected from" in line and "bad_frame" in line]
    assert len(lines) == 1 and "rejected from C05" in lines[0], lines
    summary = [line for line in hub.log if "refused since the last report" in line]
    assert summary and "bad_frame 40" in summary[-1], summary


class _Clock(HubClock):
    def __init__(self) -> None:
        self.t = 100.0

    def mono(self) -> float:
        return self.t


def test_a_refusal_code_logs_a_few_lines_a_minute_whatever_the_peers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """1,000 peers refused for one reason: all counted, LINES_PER_CODE lines a minute;
    another reason still gets its line."""
    clock = _Clock()
    refusals = Refusals(clock)
    with caplog.at_level(logging.WARNING, logger="lobbylink.wire"):
        for i in range(1_000):
            refusals.complain("bad_frame", "junk", f"peer{i}")
        refusals.complain("unknown_topic", "what", "peer1")
        assert refusals.counts["bad_frame"] == 1_000
        lines = [r.getMessage() for r in caplog.records]
        assert sum("bad_frame" in line for line in lines) == LINES_PER_CODE
        assert sum("unknown_topic" in line for line in lines) == 1
        clock.t += 61
        refusals.complain("bad_frame", "junk", "peer999")
        assert sum("bad_frame" in r.getMessage() for r in caplog.records) == LINES_PER_CODE + 1


class _Keys:
    """A key folder that cannot be read (out of file descriptors), then can."""

    folder = Path("/keys")
    fail = True

    def reload(self) -> set[str]:
        if self.fail:
            raise OSError(24, "Too many open files")
        return set()


def test_a_key_folder_that_cannot_be_read_is_logged_once_a_minute(
    branch: Branch, caplog: pytest.LogCaptureFixture
) -> None:
    """A flood that uses up the hub's file descriptors made it log one error a second."""
    clock, keys = _Clock(), _Keys()
    auth = cast(StationAuthenticator, keys)
    admission = Admission(branch, clock, Refusals(clock), {}, auth)
    with caplog.at_level(logging.INFO, logger="lobbylink.hub"):
        for second in range(120):
            admission.revoked(100.0 + second)
        keys.fail = False
        admission.revoked(221.0)
        for second in range(120):  # flapping: fails and succeeds by turns
            keys.fail = second % 2 == 0
            admission.revoked(222.0 + second)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 7, lines
    assert "cannot read the key folder" in lines[0] and "(1 failed reads since" in lines[0]
    assert "(60 failed reads since" in lines[1]
    assert lines[2] == "the key folder can be read again"
    assert "cannot read the key folder" in lines[3] and lines[4] == lines[2]
