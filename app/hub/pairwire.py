"""The wire between the two hubs of a standby pair (issue 14): msgpack structs, one
tagged union, over the pair port (PORT+2, CURVE with the branch's hub key).

Stations never see these. Every message carries the sender's ``term``: a hub that
reads a higher term than its own stops serving at once (Raft §5.1).
"""

from __future__ import annotations

import msgspec

from app.domain.record import EventRow, ReplyRow


class Beat(msgspec.Struct, tag="beat", kw_only=True):
    """Each second, and at once on a change of state (Binary Star's state message)."""

    term: int
    role: str
    """The configured role: ``primary`` or ``backup``."""
    state: str
    """app.hub.pair.PairState."""
    epoch: str
    head_seq: int
    head_hash: bytes
    ts_ms: int
    """The sender's hub clock (the other warns when the clocks differ by over 1 s)."""
    mode: str = ""
    """(From the active) its peer: in_sync, catching_up or away."""
    voters: int = 0
    """(From a hub that does not serve) station PCs that asked it in the last 3 s."""
    served: int = 0
    """The term the sender served last."""


class Rows(msgspec.Struct, tag="rows", kw_only=True):
    """Committed events (with their chain hashes) and their replies, from the active."""

    term: int
    prev_seq: int
    prev_hash: bytes
    events: list[EventRow]
    replies: list[ReplyRow]


class Ack(msgspec.Struct, tag="ack", kw_only=True):
    """The follower stored everything up to ``seq`` durably (or, ``ok`` False, it
    could not take rows after ``prev_seq``: its head is ``seq``/``hash``)."""

    term: int
    seq: int
    hash: bytes
    ok: bool = True
    reason: str = ""


class SetAside(msgspec.Struct, tag="set_aside", kw_only=True):
    """Rows above ``fork_seq`` were never acknowledged: set them aside and follow."""

    term: int
    fork_seq: int
    fork_hash: bytes


class Handover(msgspec.Struct, tag="handover", kw_only=True):
    """The active stopped accepting at this head: the follower serves from here."""

    term: int
    head_seq: int
    head_hash: bytes
    reason: str


class Admin(msgspec.Struct, tag="admin", kw_only=True):
    """``lobbylink pair status|handover`` (a client with the hub key)."""

    action: str
    term: int = 0


class AdminReply(msgspec.Struct, tag="admin_reply", kw_only=True):
    ok: bool
    text: str
    term: int = 0


Message = Beat | Rows | Ack | SetAside | Handover | Admin | AdminReply
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Message)


def encode(msg: Message) -> bytes:
    return _encoder.encode(msg)


def decode(raw: bytes) -> Message:
    """Raise ValueError with a reason for anything that is not one of the messages."""
    try:
        return _decoder.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a pair message: {exc}") from exc
