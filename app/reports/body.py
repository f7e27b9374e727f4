"""The journal's event bodies as the reports read and the generator writes them.

A body is the msgpack envelope the hub published (messaging.envelope.Envelope). The
reports may not import the wire package (import-linter contract), so they read a body
through a two-field view (``kind`` and the raw ``payload``) and decode the payload
with the domain's own decoder. The generator writes bodies byte for byte as the hub
does; tests/unit/test_reports_body.py checks that against messaging.envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import msgspec

from app.domain.events import Event, decode_event, encode, event_kind

E = TypeVar("E", bound=Event)

PROTOCOL_VERSION = 1


class _Stored(msgspec.Struct):
    kind: str
    payload: msgspec.Raw = msgspec.Raw(b"\xc0")


class _Envelope(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Same fields, order and defaults as messaging.envelope.Envelope."""

    v: int
    kind: str
    msg_id: str
    station: str
    ts_ms: int
    payload: msgspec.Raw = msgspec.Raw(b"\xc0")
    seq: int = 0
    epoch: str = ""
    hub_ts_ms: int = 0


_stored = msgspec.msgpack.Decoder(_Stored)
_encoder = msgspec.msgpack.Encoder()


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


def event_body(seq: int, ts_ms: int, event: Event, epoch: str, msg_id: str = "") -> bytes:
    """The body the hub journals for ``event`` sequenced as ``seq`` at ``ts_ms``."""
    env = _Envelope(
        v=PROTOCOL_VERSION,
        kind=event_kind(event),
        msg_id=msg_id,
        station=event.station,
        ts_ms=ts_ms,
        payload=msgspec.Raw(encode(event)),
        seq=seq,
        epoch=epoch,
        hub_ts_ms=ts_ms,
    )
    return _encoder.encode(env)
