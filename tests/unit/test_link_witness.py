"""The link keeps the hub's chain head (its witness of the journal) in the outbox: a head
moving forward replaces it, one going back is logged once and kept as evidence."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import zmq

from messaging.envelope import T_HEARTBEAT, Envelope, Heartbeat, encode_envelope, raw
from messaging.link import StationLink
from messaging.outbox import Head, Outbox, OutboxError, read_heads
from messaging.sockets import Endpoint
from tests.helpers import free_port_pair

H = [bytes([i]) * 32 for i in range(8)]


def beat(link: StationLink, seq: int, digest: bytes | None, epoch: str = "e1") -> None:
    payload = Heartbeat(seq) if digest is None else Heartbeat(seq, seq, digest)
    env = Envelope(
        v=1,
        kind="heartbeat",
        msg_id="",
        station="",
        ts_ms=1,
        payload=raw(payload),
        seq=seq,
        epoch=epoch,
        hub_ts_ms=1,
    )
    link._handle(True, [T_HEARTBEAT, encode_envelope(env)])


def rows(path: Path) -> list[tuple[str, int, bytes]]:
    return [(h.epoch, h.seq, h.hash) for h in read_heads(path)]


def test_heads_forward_back_and_after_a_restart(
    tmp_path: Path, ctx: zmq.Context, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "outbox-C01.sqlite"
    endpoint = Endpoint("127.0.0.1", free_port_pair())
    link = StationLink(ctx, endpoint, "C01", Outbox(path))
    caplog.set_level(logging.INFO, logger="lobbylink.wire")
    try:
        assert link.witness is None
        beat(link, 3, None)  # a hub of before: no head, nothing kept
        assert link.witness is None and rows(path) == []
        beat(link, 3, H[3])
        beat(link, 3, H[3])
        beat(link, 5, H[5])  # forward: over the same row
        assert rows(path) == [("e1", 5, H[5])] and link.witness == (5, H[5])
        beat(link, 4, H[4])  # back: logged, the old head kept as evidence
        for _ in range(3):  # two journals answering in turn: no new row, no new alarm
            beat(link, 5, H[5])
            beat(link, 4, H[4])
        alarms = [r for r in caplog.records if "SECURITY" in r.getMessage()]
        assert len(alarms) == 1 and alarms[0].levelno == logging.ERROR
        assert f"went back from 5:{H[5].hex()} to 4:" in alarms[0].getMessage()
        assert rows(path) == [("e1", 5, H[5]), ("e1", 4, H[4])]
        beat(link, 4, H[6])  # the same seq, another hash: rewritten
        alarms = [r for r in caplog.records if "SECURITY" in r.getMessage()]
        assert len(alarms) == 2 and "changed its hash" in alarms[1].getMessage()
        assert rows(path)[-2:] == [("e1", 4, H[4]), ("e1", 4, H[6])]
        link.connected = False  # the hub was silent; the next frame brings it back
        beat(link, 7, H[7])
        assert rows(path)[-2:] == [("e1", 4, H[6]), ("e1", 7, H[7])], "a row per connection"
        for _ in range(3):
            beat(link, 8, b"short")  # a garbled head: ignored, said once
        assert sum("ignored a chain head" in r.getMessage() for r in caplog.records) == 1
        assert link.witness == (7, H[7])
        beat(link, 2, H[2], epoch="e2")  # another journal: its own row
        assert link.witness == (2, H[2])
    finally:
        link.close()
    again = StationLink(ctx, endpoint, "C01", Outbox(path))
    try:
        again.epoch = "e1"
        assert again.witness == (7, H[7]), "kept across a restart"
    finally:
        again.close()


def test_a_head_the_outbox_cannot_write_is_kept_later(
    tmp_path: Path, ctx: zmq.Context, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "outbox-C01.sqlite"
    link = StationLink(ctx, Endpoint("127.0.0.1", free_port_pair()), "C01", Outbox(path))
    caplog.set_level(logging.WARNING, logger="lobbylink.wire")
    real = link.outbox.keep_head
    failing = [True]

    def keep(head: Head, *, new_row: bool) -> None:
        if failing[0]:
            raise OutboxError("database or disk is full")
        real(head, new_row=new_row)

    link.outbox.keep_head = keep  # type: ignore[method-assign]
    try:
        beat(link, 3, H[3])
        beat(link, 3, H[3])
        warned = [r for r in caplog.records if "cannot keep the chain head" in r.getMessage()]
        assert len(warned) == 1, "one warning, not one a second"
        assert link.witness == (3, H[3]) and rows(path) == []
        failing[0] = False
        beat(link, 3, H[3])  # the next heartbeat writes it
        assert rows(path) == [("e1", 3, H[3])]
    finally:
        link.close()
