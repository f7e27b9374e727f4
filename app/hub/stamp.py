"""Outbound stamping: the hub's own messages (replies, answers, replays, snapshots,
heartbeats, the stand-ins of private events), each with the hub's clock and epoch.

Events are not made here: their bodies are journal records (app.domain.record).
"""

from __future__ import annotations

import msgspec

from app.hub.clock import HubClock
from messaging.envelope import (
    HEAD_HASH_BYTES,
    PRIVATE,
    PROTOCOL_VERSION,
    Accepted,
    Answer,
    Envelope,
    Health,
    Heartbeat,
    Rejected,
    Replay,
    encode_envelope,
    raw,
)

_HOLE = b"\x90"
"""A stand-in payload (an empty array; not the default, so it is encoded)..."""
_HOLE_AT = b"\xa7payload" + _HOLE
"""...and how it shows in an encoded envelope: the ``payload`` key, then the stand-in."""


def encode_with_payload(env: Envelope, payload: list[bytes | memoryview]) -> bytes:
    """``env`` encoded with ``payload``'s pieces as its payload, copied once (a snapshot
    is megabytes: joining it, then encoding the envelope around it, copied it twice)."""
    envelope = encode_envelope(msgspec.structs.replace(env, payload=msgspec.Raw(_HOLE)))
    at = envelope.find(_HOLE_AT)
    if at < 0 or envelope.find(_HOLE_AT, at + 1) >= 0:  # not found just once: never guess
        return encode_envelope(msgspec.structs.replace(env, payload=msgspec.Raw(b"".join(payload))))
    cut = at + len(_HOLE_AT) - len(_HOLE)
    view = memoryview(envelope)
    return b"".join([view[:cut], *payload, view[cut + len(_HOLE) :]])


class Stamp:
    """Makes the bodies of the hub's own messages (docs/protocol.md §4.3)."""

    def __init__(self, clock: HubClock, epoch: str) -> None:
        self.clock = clock
        self.epoch = epoch

    def envelope(self, kind: str, msg_id: str, payload: object, seq: int) -> Envelope:
        """A message of the hub's own, stamped with its clock and epoch."""
        now = self.clock.now_ms()
        return Envelope(
            v=PROTOCOL_VERSION,
            kind=kind,
            msg_id=msg_id,
            station="",
            ts_ms=now,
            payload=raw(payload),
            seq=seq,
            epoch=self.epoch,
            hub_ts_ms=now,
        )

    def accepted(self, msg_id: str, seq: int) -> bytes:
        return encode_envelope(self.envelope("accepted", msg_id, Accepted(seq), seq))

    def rejected(self, msg_id: str, code: str, reason: str, retry: bool = False) -> bytes:
        return encode_envelope(self.envelope("rejected", msg_id, Rejected(code, reason, retry), 0))

    def answer(self, msg_id: str, answer: Answer, last_seq: int) -> bytes:
        return encode_envelope(self.envelope("answer", msg_id, answer, last_seq))

    def heartbeat(
        self, last_seq: int, head: bytes | None = None, health: Health | None = None
    ) -> bytes:
        """``head``: the chain hash of the stored event ``last_seq`` (the journal's
        committed head), published for stations to keep; None or seq 0: left out.
        ``health``: how the hub keeps (the board shows it)."""
        if head is None or last_seq <= 0 or len(head) != HEAD_HASH_BYTES:
            beat = Heartbeat(last_seq, health=health)
        else:
            beat = Heartbeat(last_seq, head_seq=last_seq, head_hash=head, health=health)
        return encode_envelope(self.envelope("heartbeat", "", beat, last_seq))

    def replay(self, msg_id: str, bodies: list[bytes], last_seq: int) -> bytes:
        return encode_envelope(self.envelope("replay", msg_id, Replay(bodies, last_seq), last_seq))

    def snapshot(self, msg_id: str, parts: list[bytes | memoryview], last_seq: int) -> bytes:
        """A snapshot reply around the snapshot's encoded ``parts`` (app.hub.snapshots)."""
        return encode_with_payload(self.envelope("snapshot", msg_id, None, last_seq), parts)

    def stand_in(self, seq: int, ts_ms: int) -> bytes:
        """What everyone sees of an event only some may read: that seq was used."""
        env = Envelope(
            v=PROTOCOL_VERSION,
            kind=PRIVATE,
            msg_id="",
            station="",
            ts_ms=ts_ms,
            seq=seq,
            epoch=self.epoch,
            hub_ts_ms=ts_ms,
        )
        return encode_envelope(env)
