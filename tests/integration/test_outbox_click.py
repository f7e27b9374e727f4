"""A click made while the hub is down counts from the click: the station's own link
sends a queued command with the time it was made (kept in its outbox), not the time of
the attempt that finally reached the hub."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import msgspec
import zmq

from app.domain.events import RaiseSignal, command_kind, encode
from messaging.envelope import Accepted, now_ms
from messaging.link import StationLink
from messaging.outbox import Outbox
from messaging.sockets import Endpoint
from tests.helpers import HubProcess, free_port_pair, keys_for, wait_for


def test_a_raise_queued_while_the_hub_is_down_counts_from_its_click(
    tmp_path: Path, ctx: zmq.Context
) -> None:
    port = free_port_pair()
    hub = HubProcess(f"sqlite:///{tmp_path / 'j.sqlite'}", port)  # keys made, not started
    endpoint = Endpoint.parse(f"127.0.0.1:{port}")
    link = StationLink(
        ctx, endpoint, "C01", Outbox(tmp_path / "outbox.sqlite"), keys=keys_for(endpoint, "C01")
    )
    replies: dict[str, object] = {}
    link.on_reply = replies.__setitem__
    link.start()
    clicked = now_ms()
    msg_id = link.submit("raise", encode(RaiseSignal(code="assist", note="hub down")))
    assert command_kind(RaiseSignal(code="assist")) == "raise"
    end = time.monotonic() + 4  # the hub PC is rebooting
    while time.monotonic() < end:
        link.process()
        link.tick()
        time.sleep(0.05)
    hub.start()
    try:

        def step() -> None:
            link.process()
            link.tick()

        wait_for(lambda: msg_id in replies, 20, step, "the queued raise to be accepted")
        result = replies[msg_id]
        assert isinstance(result, Accepted), result
        with sqlite3.connect(tmp_path / "j.sqlite") as db:
            hub_ts, body = db.execute(
                "SELECT hub_ts_ms, body FROM events WHERE seq = ?", (result.seq,)
            ).fetchone()
        raised = msgspec.msgpack.decode(body)["payload"].get("clicked_ms") or hub_ts
        assert hub_ts - clicked >= 3500, "the raise reached the hub seconds after the click"
        assert abs(raised - clicked) < 1500, (
            f"raised {raised - clicked} ms after the click: counted from its arrival"
        )
    finally:
        link.close()
        hub.stop()
