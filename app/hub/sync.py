"""Sync: what a station needs to catch up with the hub, cut to what its role may read.

The ring holds the last RING event bodies as journaled. A private event (a silent
signal's) is published as a stand-in that only says its seq was used; the stations of
its audience fetch the full body. A hello is answered with a replay from the ring when
it can be, else with a snapshot (docs/protocol.md §11.3).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator

from app.domain.config import Branch
from app.domain.events import Event
from app.domain.state import BranchState
from app.hub.snapshots import SnapshotCache
from app.hub.stamp import Stamp
from messaging.envelope import T_REPLAY, T_SNAPSHOT, Hello

RING = 50_000
REPLAY_CHUNK = 5_000


class Sync:
    """The ring of recent events, their redaction per reader, replays and snapshots."""

    def __init__(
        self, branch: Branch, state: BranchState, stamp: Stamp, snapshots: SnapshotCache
    ) -> None:
        self.branch, self.state, self.stamp, self.snapshots = branch, state, stamp, snapshots
        self.ring: deque[tuple[int, bytes]] = deque(maxlen=RING)
        self.private: dict[int, tuple[frozenset[str], bytes]] = {}
        """seq -> (roles that may read it, the stand-in everyone else gets)."""

    def clear(self) -> None:
        self.ring.clear()
        self.private.clear()

    def record(self, seq: int, ts_ms: int, body: bytes, event: Event) -> bytes:
        """Keep an applied event's body in the ring; return what the PUB carries for it."""
        out = body
        audience = self.state.audience_of(event)
        if audience is not None:  # a silent signal: the PUB carries only a stand-in
            out = self.stamp.stand_in(seq, ts_ms)
            self.private[seq] = (audience, out)
        ring = self.ring
        if len(ring) == ring.maxlen:
            self.private.pop(ring[0][0], None)  # about to leave the ring
        ring.append((seq, body))
        return out

    def role(self, station: str) -> str:
        found = self.branch.station(station)
        return found.role.value if found is not None else ""

    def _body_for(self, seq: int, body: bytes, role: str) -> bytes:
        """The body of event ``seq`` as a station of ``role`` may see it."""
        found = self.private.get(seq)
        if found is None or role in found[0]:
            return body
        return found[1]

    def fetch(self, seq: int, role: str) -> bytes | None:
        """Event ``seq`` as ``role`` may see it; None if the ring no longer holds it."""
        ring = self.ring
        first = ring[0][0] if ring else self.state.last_seq + 1
        if not first <= seq <= self.state.last_seq:
            return None
        return self._body_for(seq, ring[seq - first][1], role)

    def answer(self, hello: Hello, msg_id: str, role: str) -> Iterator[tuple[bytes, bytes]]:
        """The answer to a hello, as (topic, body) messages: the events after the
        station's ``last_seq`` if the ring still holds them all, else a snapshot."""
        last = self.state.last_seq
        ring = self.ring
        first = ring[0][0] if ring else last + 1
        if hello.epoch == self.stamp.epoch and first - 1 <= hello.last_seq <= last:
            start = hello.last_seq + 1 - first
            bodies = [
                self._body_for(seq, body, role) for seq, body in itertools.islice(ring, start, None)
            ]
            for i in range(0, max(len(bodies), 1), REPLAY_CHUNK):
                yield T_REPLAY, self.stamp.replay(msg_id, bodies[i : i + REPLAY_CHUNK], last)
            return
        yield T_SNAPSHOT, self.stamp.snapshot(msg_id, self.snapshots.parts(role), last)
