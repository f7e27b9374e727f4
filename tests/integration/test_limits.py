"""Limits that protect the hub never block an honest station."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
import zmq

from app.domain.config import Branch
from app.domain.events import RaiseSignal
from messaging.envelope import Accepted, WireError, decode_envelope
from messaging.outbox import Outbox
from tests.helpers import HubProcess, TestStation, journal_rows, wait_for


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
    """600 clicks stored during an outage: all delivered, once each, in order."""
    hub.stop()
    teller = TestStation(branch, "C02", hub.endpoint, ctx, Outbox(tmp_path / "C02.sqlite"))
    try:
        notes = [str(i) for i in range(600)]
        for note in notes:
            teller.session.send(RaiseSignal(code="cash", note=note))
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
