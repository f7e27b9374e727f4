"""Write events straight into a journal, as the hub would: for tests and the generator.

Each event gets the next seq, its body, its row and the ``signals`` projection in the
same batch, and ``Journal.commit`` chains the hashes. No commands, no wire: the
events are taken as decided (they must be valid in sequence, as the hub's are).
"""

from __future__ import annotations

from app.domain.config import Branch
from app.domain.events import Event, SignalRaised
from app.domain.record import event_row
from app.domain.state import BranchState
from app.hub.journal import Batch, Journal


class JournalWriter:
    """Appends events at given hub times; ``flush`` commits what was added."""

    def __init__(self, journal: Journal, branch: Branch) -> None:
        self.journal = journal
        self.state = BranchState(branch)
        self.state.last_seq = journal.last_seq()
        self.batch = Batch()

    @property
    def next_seq(self) -> int:
        return self.state.last_seq + 1

    def add(self, ts_ms: int, event: Event) -> int:
        """Sequence ``event`` at hub time ``ts_ms``; return its seq (a raise: the id)."""
        seq = self.state.last_seq + 1
        ts = max(ts_ms, self.state.last_ts_ms)
        if isinstance(event, SignalRaised) and event.signal_id != seq:
            raise ValueError(f"a raised signal's id is its seq ({seq}), not {event.signal_id}")
        row = event_row(seq, ts, event, self.journal.epoch)
        sig = self.state.apply(seq, ts, event)
        if sig is not None:
            self.batch.touch(sig, new=isinstance(event, SignalRaised))
        self.batch.events.append(row)
        return seq

    def flush(self) -> None:
        self.journal.commit(self.batch)
        self.batch = Batch()
