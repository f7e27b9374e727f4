"""The wire from a hostile or clumsy peer: idempotency, strict decoding, a live hub."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest
import zmq

from app.domain.config import Branch
from app.domain.events import RaiseSignal, encode
from messaging.envelope import (
    T_CMD,
    T_HELLO,
    Accepted,
    Envelope,
    Rejected,
    decode_envelope,
    decode_payload,
    encode_envelope,
    make,
)
from tests.helpers import HubProcess, TestStation, journal_rows, keys_for


def dealer(hub: HubProcess, ctx: zmq.Context, station: str) -> zmq.Socket:
    """A bare DEALER with ``station``'s real key: junk from inside."""
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    keys = keys_for(hub.endpoint, station)
    assert keys is not None
    sock.setsockopt(zmq.CURVE_SERVERKEY, keys.hub_public)
    sock.setsockopt(zmq.CURVE_PUBLICKEY, keys.own.public)
    sock.setsockopt(zmq.CURVE_SECRETKEY, keys.own.secret)
    sock.setsockopt(zmq.RCVTIMEO, 5000)
    sock.connect(hub.endpoint.commands)
    return sock


@pytest.fixture
def raw(hub: HubProcess, ctx: zmq.Context) -> Iterator[zmq.Socket]:
    sock = dealer(hub, ctx, "C01")
    yield sock
    sock.close(0)


def ask(sock: zmq.Socket, *frames: bytes) -> tuple[bytes, Envelope]:
    sock.send_multipart(list(frames))
    topic, body = sock.recv_multipart()
    return topic, decode_envelope(body)


def raise_env(station: str = "C01", **fields: object) -> Envelope:
    env = make("raise", station, encode(RaiseSignal(code="assist")))
    for key, value in fields.items():
        setattr(env, key, value)
    return env


def test_duplicate_msg_id_gets_the_original_reply_and_one_row(
    raw: zmq.Socket, hub: HubProcess, db_url: str
) -> None:
    body = encode_envelope(raise_env())
    topic1, first = ask(raw, T_CMD, body)
    topic2, second = ask(raw, T_CMD, body)
    assert topic1 == topic2 == b"accepted"
    assert decode_payload(first, Accepted).seq == decode_payload(second, Accepted).seq
    hub.kill()
    hub.start()
    _topic3, third = ask(raw, T_CMD, body)  # after a restart the answer comes from the journal
    assert decode_payload(third, Accepted).seq == decode_payload(first, Accepted).seq
    assert journal_rows(db_url, "SELECT count(*) FROM events WHERE kind = 'signal_raised'") == [
        (1,)
    ]


def test_another_stations_msg_id_is_refused_not_answered_with_its_reply(
    raw: zmq.Socket, hub: HubProcess, ctx: zmq.Context, db_url: str
) -> None:
    """msg_ids are remembered branch-wide: a second station reusing one gets a loud
    refusal, never the first station's reply; the first keeps getting its own."""
    other = dealer(hub, ctx, "C02")
    try:
        mine = encode_envelope(raise_env(msg_id="shared-id"))
        theirs = encode_envelope(raise_env(station="C02", msg_id="shared-id"))
        topic, first = ask(raw, T_CMD, mine)
        assert topic == b"accepted"
        for restarted in (False, True):  # remembered in memory, then from the journal
            if restarted:
                hub.kill()
                hub.start()
            topic, reply = ask(other, T_CMD, theirs)
            assert topic == b"rejected"
            refused = decode_payload(reply, Rejected)
            assert (refused.code, refused.retry) == ("msg_id_reused", False)
            assert "C01" in refused.reason and reply.msg_id == "shared-id"
            topic, again = ask(raw, T_CMD, mine)
            assert topic == b"accepted"
            assert decode_payload(again, Accepted) == decode_payload(first, Accepted)
    finally:
        other.close(0)
    assert journal_rows(db_url, "SELECT count(*), min(station) FROM events") == [(1, "C01")]
    assert journal_rows(db_url, "SELECT station FROM commands") == [("C01",)]
    hub.stop()
    assert any("msg_id_reused" in line and "C02" in line for line in hub.log)


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        ([T_CMD, b"\xff\x00 not msgpack"], "bad_frame"),
        (
            [
                T_CMD,
                msgspec.msgpack.encode(
                    {"v": 9, "kind": "raise", "msg_id": "x", "station": "C01", "ts_ms": 1}
                ),
            ],
            "bad_version",
        ),
        ([T_CMD, encode_envelope(make("teleport", "C01", {"to": "moon"}))], "unknown_kind"),
        ([T_CMD, encode_envelope(make("raise", "C01", {"code": 42}))], "bad_payload"),
        ([T_CMD, encode_envelope(raise_env(seq=999_999))], "forged_field"),
        ([T_CMD, encode_envelope(raise_env(epoch="0000"))], "forged_field"),
        ([T_CMD, encode_envelope(raise_env(station="ZZ9"))], "station_mismatch"),
        ([T_CMD, encode_envelope(raise_env(station="S1"))], "station_mismatch"),
        ([b"launch", encode_envelope(raise_env())], "unknown_topic"),
        ([T_CMD, encode_envelope(raise_env()), b"extra"], "bad_frame"),
        (
            [
                T_CMD,
                encode_envelope(make("raise", "C01", {"code": "assist", "note": "x" * 40_000})),
            ],
            "too_large",
        ),
    ],
)
def test_bad_input_is_rejected_with_a_reason(
    raw: zmq.Socket, frames: list[bytes], code: str
) -> None:
    topic, reply = ask(raw, *frames)
    assert topic == b"rejected"
    rejected = decode_payload(reply, Rejected)
    assert rejected.code == code and rejected.reason


def test_hub_keeps_serving_through_garbage(
    raw: zmq.Socket, hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str
) -> None:
    teller = TestStation(branch, "C02", hub.endpoint, ctx)
    try:
        for i in range(300):
            raw.send_multipart([T_CMD, bytes([i % 256]) * (i % 50 + 1)])
        raw.send_multipart([T_HELLO, b"\x80"])
        raw.send_multipart(
            [T_CMD, b"x" * (1024 * 1024)]
        )  # over MAXMSGSIZE: the connection is dropped
        sid = teller.accept(RaiseSignal(code="assist"))
        assert sid > 0
        assert journal_rows(db_url, "SELECT count(*) FROM events WHERE kind = 'signal_raised'") == [
            (1,)
        ]
    finally:
        teller.close()
    assert hub.proc is not None and hub.proc.poll() is None, "the hub is still running"


def test_refusals_are_counted_by_reason(raw: zmq.Socket, hub: HubProcess) -> None:
    for _ in range(3):
        ask(raw, T_CMD, b"\xff junk")
    ask(raw, T_CMD, encode_envelope(make("teleport", "C01", {})))
    hub.stop()
    summary = [line for line in hub.log if "refused since the last report" in line]
    assert summary and "bad_frame 3" in summary[-1] and "unknown_kind 1" in summary[-1]
