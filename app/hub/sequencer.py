"""Sequencing and the journal write: every event's seq, its row, one commit per step."""

from __future__ import annotations

from app.domain.events import Event, SignalRaised
from app.domain.record import event_row
from app.domain.state import BranchState
from app.hub.clock import HubClock
from app.hub.journal import Batch, Journal
from app.hub.sync import Sync
from messaging.envelope import Envelope


class Sequencer:
    """Gives each event the next seq and the hub's time, applies it to the state, keeps
    its body for sync, and gathers the step's rows for one group commit."""

    def __init__(self, state: BranchState, journal: Journal, clock: HubClock, sync: Sync) -> None:
        self.state, self.journal, self.clock, self.sync = state, journal, clock, sync
        self.epoch = journal.epoch
        self.batch = Batch()
        self.published: list[bytes] = []
        """What the PUB carries for the batch's events, once they are stored."""

    def sequence(self, event: Event, origin: Envelope | None = None) -> int:
        """Sequence ``event`` (caused by the command ``origin``, if any); its seq."""
        state = self.state
        seq = state.last_seq + 1
        ts = max(self.clock.now_ms(), state.last_ts_ms)
        if origin is None:
            row = event_row(seq, ts, event, self.epoch)
        else:
            row = event_row(seq, ts, event, self.epoch, origin.msg_id, origin.ts_ms)
        sig = state.apply(seq, ts, event)
        batch = self.batch
        if sig is not None:
            batch.touch(sig, new=isinstance(event, SignalRaised))
        batch.events.append(row)
        self.published.append(self.sync.record(seq, ts, row.body, event))
        return seq

    def commit(self) -> tuple[Batch, list[bytes]]:
        """Write the batch in one transaction; return it and what to publish for it.

        Raises JournalUnavailable (the batch is then dropped: the state holds events
        that were not stored, and must be rebuilt).
        """
        batch, published = self.batch, self.published
        self.batch, self.published = Batch(), []
        self.journal.commit(batch)
        return batch, published
