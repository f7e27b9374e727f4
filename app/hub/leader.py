"""The active hub's half of a standby pair's replication (issue 14): its peer's mode,
what the peer acknowledged, the synchronous wait, catch-up.

Followed: PostgreSQL's ``synchronous_commit=on`` and Kafka's ``acks=all`` with
``min.insync.replicas=2`` (a step is answered only after the peer's commit); Kafka's ISR
shrink (no acknowledgement for 2 s: the active goes on alone, once it has said so);
Raft's ``nextIndex`` (catch-up resumes from what the peer acknowledged) and its rule
that a follower's conflicting entries give way (here: set aside, app.hub.replica).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app import log
from app.domain.events import Event, PairChanged
from app.domain.pair import AWAY, CATCHING_UP, IN_SYNC
from app.hub import pairstore, pairwire
from app.hub.journal import Batch, JournalUnavailable, read_records
from app.hub.pairport import PairPort
from app.hub.pairstore import PairMeta
from app.hub.replica import Hub, hash_at
from messaging.envelope import T_HEARTBEAT

ACK_WAIT_S = 2.0
"""The longest the active waits for its peer to store a step."""
WAIT_BEAT_S = 0.5
"""While a step waits for the standby, the stations get a heartbeat this often (at the
head acknowledged before the step): a standby that is slow or cut off must not look,
to the stations, like the active's death (they move after 2 s of silence)."""
CHUNK = 2_000
"""Rows per catch-up message."""


class NotServing(JournalUnavailable):
    """This hub stopped serving while a step waited for its peer: the step's events are
    stored here but were never acknowledged (the new active's rows replace them)."""


class Leader:
    """What the active knows of its peer's copy, and how it keeps it in step."""

    def __init__(self, hub: Hub, port: PairPort, role: str) -> None:
        self.hub, self.port, self.role = hub, port, role
        self.mode = AWAY
        """The peer: in_sync, catching_up or away."""
        self.since_ms = hub.clock.now_ms()
        self.acked = 0
        """The peer's stored head, as it acknowledged."""
        self.sent = 0
        """The last seq sent in catch-up and not acknowledged yet (0: none)."""
        self.sent_at = 0.0

    def start(self, peer_head: int | None) -> None:
        """Serving begins; ``peer_head``: the peer's head if it is alive."""
        self.set(AWAY if peer_head is None else CATCHING_UP)
        self.acked = peer_head or 0
        self.sent = 0

    def set(self, mode: str) -> None:
        self.mode, self.since_ms = mode, self.hub.clock.now_ms()

    def stop(self) -> None:
        self.mode, self.sent = AWAY, 0

    def lag(self) -> int:
        return max(0, self.hub.state.last_seq - self.acked)

    def waiting(self, mono: float) -> bool:
        """A catch-up chunk has waited for its acknowledgement longer than a step may."""
        return bool(self.sent) and mono - self.sent_at > ACK_WAIT_S

    def replicate(
        self, batch: Batch, term: int, pump: Callable[[float], bool], beat: Callable[[], None]
    ) -> list[Event]:
        """After the active's commit of ``batch``: ship it and wait for the peer's commit.
        What to journal before acknowledging alone (the peer is away), if anything.
        ``pump(seconds)`` reads the pair port that long and says whether this hub still
        serves; ``beat()`` tells the standby this hub is alive. Raises NotServing."""
        if self.mode != IN_SYNC or not batch.events:
            return []
        first, last = batch.events[0].seq, batch.events[-1].seq
        prev_hash = hash_at(self.hub, first - 1)
        rows = pairwire.Rows(
            term=term,
            prev_seq=first - 1,
            prev_hash=prev_hash,
            events=batch.events,
            replies=batch.replies,
        )
        if self.acked != first - 1 or not self.port.send(rows):
            return self.away("the standby hub cannot be reached", term)
        now = time.monotonic()
        deadline, beat_at = now + ACK_WAIT_S, now + WAIT_BEAT_S
        while self.acked < last:
            now = time.monotonic()
            if now >= deadline:
                return self.away("the standby hub did not store a step within 2 s", term)
            if now >= beat_at:  # the stations must not take this wait for the hub's death
                beat_at = now + WAIT_BEAT_S
                self.hub.ports.publish(T_HEARTBEAT, self.hub.stamp.heartbeat(first - 1, prev_hash))
                beat()  # nor the standby
            if not pump(min(deadline, beat_at) - now):
                raise NotServing("this hub stopped serving: a newer term exists")
            if self.mode != IN_SYNC:
                return self.away("the standby hub fell behind", term)
        return []

    def away(self, reason: str, term: int) -> list[Event]:
        self.stop()
        self.set(AWAY)
        log.hub.warning("standby hub away: %s; acknowledging alone", reason)
        return [PairChanged(active=self.role, peer=AWAY, term=term, reason=reason)]

    def on_ack(self, ack: pairwire.Ack, meta: PairMeta, peer_term: int) -> None:
        if ack.ok:
            self.acked = max(self.acked, ack.seq)
            if self.sent and ack.seq >= self.sent:
                self.sent = 0
            return
        self.sent = 0  # the peer could not take rows: its head is ack.seq/ack.hash
        self.realign(ack.seq, ack.hash, ack.reason, meta, peer_term)

    def realign(self, seq: int, digest: bytes, reason: str, meta: PairMeta, peer_term: int) -> None:
        """The peer's head is ``seq``: stream from there if it is a prefix of this
        journal, else tell it where its own rows stop being the pair's."""
        head = self.hub.state.last_seq
        if seq <= head and hash_at(self.hub, seq) == digest:
            self.acked = seq
            if self.mode == IN_SYNC and seq < head:
                self.mode = CATCHING_UP
            return
        fork = meta.fork_after(peer_term)
        if fork is None or fork[0] > head:
            log.hub.error(
                "the standby hub's journal differs at seq %d and no takeover explains it "
                "(%s): not streaming to it; check both with lobbylink verify",
                seq,
                reason,
            )
            self.mode = AWAY
            return
        self.port.send(pairwire.SetAside(term=meta.term, fork_seq=fork[0], fork_hash=fork[1]))

    def stream(self, term: int) -> bool:
        """Send a catching-up peer the next chunk; True once it has every event."""
        if self.mode != CATCHING_UP or self.sent:
            return False
        if self.acked >= self.hub.state.last_seq:
            return True
        journal = self.hub.journal
        rows = read_records(journal.engine, self.acked, CHUNK)
        if not rows:
            return False
        msg = pairwire.Rows(
            term=term,
            prev_seq=self.acked,
            prev_hash=hash_at(self.hub, self.acked),
            events=rows,
            replies=pairstore.replies_between(journal, self.acked, rows[-1].seq),
        )
        if self.port.send(msg):
            self.sent, self.sent_at = rows[-1].seq, self.hub.clock.mono()
        return False

    def shippable(self, serving: bool) -> int:
        """The last seq head office may have: what the pair acknowledged (0 while this
        hub does not serve). Read from the shipper's thread."""
        if not serving:
            return 0
        head = self.hub.state.last_seq
        return min(head, self.acked) if self.mode == IN_SYNC else head
