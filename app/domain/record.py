"""The journal's records, typed: what the hub writes, ``lobbylink verify`` checks and the
reports read.

An event is journaled as the body the hub publishes for it (docs/protocol.md §4, the
envelope with ``seq``, ``epoch`` and ``hub_ts_ms`` set), so the hash chain covers the
very bytes the stations received. The domain may not import the wire package, so the
body's layout is :class:`EventBody` here; tests/unit/test_record.py checks it byte for
byte against messaging.envelope.Envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import msgspec

from app.domain.events import Event, decode_event, encode, event_kind

E = TypeVar("E", bound=Event)

BODY_VERSION = 1
"""The wire protocol version the bodies are written in (``v``)."""


class EventBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An event's body: the wire envelope's fields, order and defaults."""

    v: int
    kind: str
    msg_id: str
    station: str
    ts_ms: int
    payload: msgspec.Raw = msgspec.Raw(b"\xc0")
    seq: int = 0
    epoch: str = ""
    hub_ts_ms: int = 0


# The rows are plain data that never refer back to themselves (see state.SignalRecord).
class EventRow(msgspec.Struct, gc=False):
    """One row of the ``events`` table: the body and the columns read from it."""

    seq: int
    hub_ts_ms: int
    kind: str
    station: str
    staff: str
    signal_id: int | None
    msg_id: str | None
    """The causing command's msg_id; None for an event the hub made itself."""
    body: bytes
    hash: bytes | None = None
    """The integrity chain's link (app.hub.chain), set when the row is committed."""


class ReplyRow(msgspec.Struct, gc=False):
    """One row of the ``commands`` table: a command's final answer, kept for resends."""

    msg_id: str
    station: str
    seq: int | None
    hub_ts_ms: int
    topic: str
    reply: bytes


_encoder = msgspec.msgpack.Encoder()
_body_decoder = msgspec.msgpack.Decoder(EventBody)


def event_row(
    seq: int, ts_ms: int, event: Event, epoch: str, msg_id: str = "", sent_ms: int | None = None
) -> EventRow:
    """The row of ``event`` sequenced as ``seq`` at hub time ``ts_ms``, body included.

    ``msg_id`` and ``sent_ms`` are the causing command's id and ``ts_ms``; an event the
    hub makes itself has neither (its body's ``ts_ms`` is then the hub time).
    """
    kind = event_kind(event)
    body = EventBody(
        v=BODY_VERSION,
        kind=kind,
        msg_id=msg_id,
        station=event.station,
        ts_ms=ts_ms if sent_ms is None else sent_ms,
        payload=msgspec.Raw(encode(event)),
        seq=seq,
        epoch=epoch,
        hub_ts_ms=ts_ms,
    )
    return EventRow(
        seq,
        ts_ms,
        kind,
        event.station,
        event.staff,
        getattr(event, "signal_id", None),
        msg_id or None,
        _encoder.encode(body),
    )


def event_body(seq: int, ts_ms: int, event: Event, epoch: str, msg_id: str = "") -> bytes:
    """The body the hub journals for ``event`` sequenced as ``seq`` at ``ts_ms``."""
    return event_row(seq, ts_ms, event, epoch, msg_id).body


def read_body(body: bytes) -> EventBody:
    """A journaled body's envelope; ValueError (with the reason) if it is not one."""
    try:
        found = _body_decoder.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # bad UTF-8 is not a DecodeError
        raise ValueError(f"not a v{BODY_VERSION} envelope: {exc}") from None
    if found.v != BODY_VERSION:
        raise ValueError(f"protocol version {found.v} is not supported (want {BODY_VERSION})")
    return found


class _Stored(msgspec.Struct):
    """The two fields of a body the reports need, read without the rest."""

    kind: str
    payload: msgspec.Raw = msgspec.Raw(b"\xc0")


_stored = msgspec.msgpack.Decoder(_Stored)


def read_event(body: bytes) -> Event:
    """The domain event a journal body carries; ValueError if it does not decode."""
    try:
        stored = _stored.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not an event body: {exc}") from None
    return decode_event(stored.kind, bytes(stored.payload))


def reader(cls: type[E]) -> Callable[[bytes], E]:
    """A faster ``read_event`` for bodies of one kind: the payload is decoded as ``cls``
    in the same pass as the envelope. A body of another kind goes through
    ``read_event`` (and is then not a ``cls``)."""
    decoder = msgspec.msgpack.Decoder(msgspec.defstruct(f"_{cls.__name__}Body", [("payload", cls)]))

    def read(body: bytes) -> E:
        try:
            found: E = decoder.decode(body).payload  # type: ignore[attr-defined]
            return found
        except (msgspec.DecodeError, UnicodeDecodeError):
            return read_event(body)  # type: ignore[return-value]

    return read
