"""A standby hub follows its active (issue 14): rows in, checked, stored, acknowledged.

The follower's half of the pair's replication (the active's is in app.hub.pairing):
each message of rows must extend this journal's head (the previous seq and its chain
hash, as Raft's AppendEntries consistency check, §5.3), every row's hash must be the
chain's next link, and the rows are applied to the state (which stays warm for a
takeover), stored in one transaction with their replies, then acknowledged. Rows this
hub holds above a later term's fork were never acknowledged: they are set aside.
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from app import log
from app.domain.events import Event, PairChanged, SignalRaised, decode_event
from app.domain.state import BranchState
from app.hub import pairstore, pairwire
from app.hub.chain import link
from app.hub.clock import HubClock
from app.hub.commands import Commands
from app.hub.journal import Batch, Journal, JournalUnavailable
from app.hub.pairstore import PairMeta
from app.hub.ports import HubPorts
from app.hub.recovery import Checkpoints
from app.hub.sequencer import Sequencer
from app.hub.stamp import Stamp
from app.hub.sync import Sync
from messaging.envelope import decode_envelope
from messaging.sockets import Endpoint


class Hub(Protocol):
    """What the pair needs of the hub (app.hub.service.Hub), named here so that the two
    modules do not import each other."""

    endpoint: Endpoint
    ports: HubPorts
    journal: Journal
    state: BranchState
    sync: Sync
    stamp: Stamp
    clock: HubClock
    sequencer: Sequencer
    commands: Commands
    checkpoints: Checkpoints

    def emit(self, event: Event) -> int: ...
    def rebuild(self) -> None: ...
    def set_epoch(self, epoch: str) -> None: ...
    def restart_timers(self) -> None: ...


def hash_at(hub: Hub, seq: int) -> bytes:
    """The chain hash of stored row ``seq`` (the chain's start for 0; b"" if none)."""
    if seq == hub.state.last_seq:
        return hub.journal.last_hash
    if seq <= 0:
        return hub.journal.chain_start()[1]
    return hub.journal.stored_hash(seq) or b""


def _head_ack(hub: Hub, meta: PairMeta, reason: str) -> pairwire.Ack:
    """A refusal that tells the active where this journal's head is."""
    seq = hub.state.last_seq
    return pairwire.Ack(term=meta.term, seq=seq, hash=hash_at(hub, seq), ok=False, reason=reason)


def apply(hub: Hub, meta: PairMeta, rows: pairwire.Rows) -> pairwire.Ack:
    """Store the active's rows if they extend this journal; the answer to send."""
    state, sync = hub.state, hub.sync
    digest = hash_at(hub, state.last_seq)
    if rows.prev_seq != state.last_seq or rows.prev_hash != digest:
        return _head_ack(hub, meta, "not my head")
    batch = Batch()
    prev = digest
    for row in rows.events:
        if row.seq != state.last_seq + 1 or link(prev, row.seq, row.body) != row.hash:
            log.journal.error(
                "SECURITY: the active hub sent row %d that does not extend the chain: refused",
                row.seq,
            )
            hub.rebuild()  # what was applied of this message is not stored
            return _head_ack(hub, meta, "bad row")
        try:
            env = decode_envelope(row.body)
            event = decode_event(env.kind, env.payload)
            sig = state.apply(row.seq, env.hub_ts_ms, event)
        except Exception as exc:  # a row costs a log line, never the hub
            log.journal.error("the active hub sent row %d that cannot be applied: %s", row.seq, exc)
            hub.rebuild()  # what was applied of this message is not stored
            return _head_ack(hub, meta, "bad row")
        if sig is not None:
            batch.touch(sig, new=isinstance(event, SignalRaised))
        sync.record(row.seq, env.hub_ts_ms, row.body, event)
        batch.events.append(msgspec.structs.replace(row))
        if isinstance(event, PairChanged) and event.term > meta.term:
            meta.term = event.term  # a takeover's first event: its fork, with it
            meta.forks[event.term] = (row.seq - 1, prev)
            batch.meta[pairstore.META_KEY] = meta.encode()
        prev = row.hash
    batch.replies = list(rows.replies)
    try:
        hub.journal.commit(batch)
    except JournalUnavailable as exc:
        log.journal.error("cannot store the active's rows: %s", exc)
        hub.rebuild()
        return _head_ack(hub, meta, "not stored")
    hub.commands.remember(batch.replies)
    return pairwire.Ack(term=meta.term, seq=state.last_seq, hash=hub.journal.last_hash)


def set_aside(hub: Hub, meta: PairMeta, msg: pairwire.SetAside) -> pairwire.Ack | None:
    """Set aside the rows above the active's fork; the answer to send (None: refused)."""
    if msg.fork_seq < hub.state.last_seq:
        if hash_at(hub, msg.fork_seq) != msg.fork_hash:
            log.journal.error(
                "SECURITY: the active's fork at seq %d is not this journal's: not following",
                msg.fork_seq,
            )
            return None
        moved, touched = pairstore.set_aside(
            hub.journal,
            msg.fork_seq,
            meta.term,
            hub.clock.now_ms(),
            f"never acknowledged: term {msg.term} began after seq {msg.fork_seq}",
        )
        log.journal.warning(
            "set aside %d rows above seq %d (never acknowledged; kept in events_set_aside)",
            moved,
            msg.fork_seq,
        )
        hub.rebuild()
        signals = hub.state.signals
        pairstore.rewrite_signals(
            hub.journal, [signals[i] for i in sorted(touched) if i in signals]
        )
    return _head_ack(hub, meta, "set aside")
