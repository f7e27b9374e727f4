"""The journal's typed record writes the bytes the wire envelope writes.

A journal body is the envelope the hub publishes; app.domain.record describes it
without importing the wire package. Same bytes means existing journals keep their hash
chains and the stations keep receiving what docs/protocol.md says.
"""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.events import (
    Event,
    JournalNote,
    PresenceChanged,
    SignalAcknowledged,
    SignalRaised,
    encode,
    event_kind,
)
from app.domain.record import (
    BODY_VERSION,
    EventBody,
    EventRow,
    event_row,
    read_body,
    read_event,
)
from messaging.envelope import PROTOCOL_VERSION, Envelope, decode_envelope, encode_envelope

text = st.text(max_size=12)
ids = st.integers(min_value=1, max_value=2**40)
events: st.SearchStrategy[Event] = st.one_of(
    st.builds(
        SignalRaised,
        signal_id=ids,
        code=text,
        targets=st.tuples(text),
        note=text,
        station=text,
        staff=text,
    ),
    st.builds(SignalAcknowledged, signal_id=ids, station=text, staff=text),
    st.builds(PresenceChanged, online=st.booleans(), station=text),
    st.builds(JournalNote, text=text),
)


def wire_body(
    seq: int, ts: int, event: Event, epoch: str, msg_id: str, sent_ms: int | None
) -> bytes:
    """How the hub encoded an event's body with the wire envelope."""
    env = Envelope(
        v=PROTOCOL_VERSION,
        kind=event_kind(event),
        msg_id=msg_id,
        station=event.station,
        ts_ms=ts if sent_ms is None else sent_ms,
        payload=msgspec.Raw(encode(event)),
        seq=seq,
        epoch=epoch,
        hub_ts_ms=ts,
    )
    return encode_envelope(env)


def test_the_layout_is_the_wire_envelope() -> None:
    assert BODY_VERSION == PROTOCOL_VERSION
    assert EventBody.__struct_fields__ == Envelope.__struct_fields__
    assert EventBody.__struct_defaults__ == Envelope.__struct_defaults__
    assert EventBody.__struct_config__.omit_defaults == Envelope.__struct_config__.omit_defaults


@given(
    seq=ids,
    ts=st.integers(min_value=0, max_value=2**45),
    event=events,
    epoch=text,
    msg_id=text,
    sent_ms=st.one_of(st.none(), st.integers(min_value=0, max_value=2**45)),
)
def test_a_row_carries_the_wire_body(
    seq: int, ts: int, event: Event, epoch: str, msg_id: str, sent_ms: int | None
) -> None:
    row = event_row(seq, ts, event, epoch, msg_id, sent_ms)
    assert row.body == wire_body(seq, ts, event, epoch, msg_id, sent_ms)
    assert row == EventRow(
        seq,
        ts,
        event_kind(event),
        event.station,
        event.staff,
        getattr(event, "signal_id", None),
        msg_id or None,
        row.body,
    )
    body = read_body(row.body)
    env = decode_envelope(row.body)
    assert (body.kind, body.seq, body.epoch, body.hub_ts_ms, body.msg_id) == (
        env.kind,
        env.seq,
        env.epoch,
        env.hub_ts_ms,
        env.msg_id,
    )
    assert read_event(row.body) == event


def test_a_body_that_is_no_envelope_is_named() -> None:
    with pytest.raises(ValueError, match="not a v1 envelope"):
        read_body(b"\x01")
    newer = msgspec.msgpack.encode({"v": 2, "kind": "x", "msg_id": "", "station": "", "ts_ms": 0})
    with pytest.raises(ValueError, match="protocol version 2"):
        read_body(newer)
