"""The hub's snapshot cache: the state's snapshot, encoded one signal at a time.

A snapshot holds a day of signals, most of them closed and unchanging. The cache keeps
each signal's msgpack encoding until that signal changes, so answering a hello (or
writing a checkpoint) costs a join of kept bytes, not an encode of the whole day. The
result is ``encode_snapshot(state.snapshot(reader))`` byte for byte
(tests/unit/test_snapshot_bytes.py checks it after any sequence of events).
"""

from __future__ import annotations

from typing import cast

import msgspec

from app.domain.events import Event
from app.domain.state import BranchState, SignalRecord, StateSnapshot, encode_snapshot

_encoder = msgspec.msgpack.Encoder()
_SIGNALS_KEY = b"\x89\xa7signals"
"""A StateSnapshot's encoding starts so: a map of its 9 fields, ``signals`` first."""
_NO_SIGNALS = _SIGNALS_KEY + b"\x90"


def _array_header(n: int) -> bytes:
    """msgpack's header of an array of ``n`` items."""
    if n < 16:
        return bytes([0x90 | n])
    if n < 1 << 16:
        return b"\xdc" + n.to_bytes(2, "big")
    return b"\xdd" + n.to_bytes(4, "big")


class SnapshotCache:
    """Listens to a BranchState: an applied event forgets its signal's encoding; a
    restore or a new day (its reset listeners) forgets them all."""

    def __init__(self, state: BranchState) -> None:
        self.state = state
        self._encoded: dict[int, bytes] = {}
        state.listeners.append(self._on_applied)
        state.reset_listeners.append(self._encoded.clear)

    def _on_applied(self, _seq: int, _event: Event, sig: SignalRecord | None) -> None:
        if sig is not None:
            self._encoded.pop(sig.id, None)

    def snapshot_bytes(self, reader: str | None = None) -> bytes:
        """``encode_snapshot(state.snapshot(reader))``, byte for byte."""
        return b"".join(self.parts(reader))

    def parts(self, reader: str | None = None) -> list[bytes | memoryview]:
        """:meth:`snapshot_bytes` in pieces, for a caller that joins them into something
        bigger anyway (the hub's reply envelope): the snapshot is copied once, not twice."""
        state, cache = self.state, self._encoded
        signals = state.readable(reader)
        get = cache.get
        chunks: list[bytes | None] = [get(s.id) for s in signals]
        if None in chunks:  # changed (or never asked for) since the last time
            for i, found in enumerate(chunks):
                if found is None:
                    sig = signals[i]
                    chunks[i] = cache[sig.id] = _encoder.encode(sig)
        rest = _encoder.encode(
            StateSnapshot(
                signals=[],
                counters=state.counters,
                presence=state.presence,
                staff_at=state.staff_at,
                last_ts_ms=state.last_ts_ms,
                shared_keys=state.shared_keys,
                broadcasts=list(state.broadcasts.values()),
                pause_lengths=state.pause_lengths,
                availability=state.availability,
            )
        )
        if not rest.startswith(_NO_SIGNALS):  # the layout changed: encode it all
            return [encode_snapshot(state.snapshot(reader))]
        head = _SIGNALS_KEY + _array_header(len(chunks))
        return [head, *cast(list[bytes], chunks), memoryview(rest)[len(_NO_SIGNALS) :]]
