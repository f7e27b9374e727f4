"""Reading the journal back: the chain check at start and the state checkpoints.

The hub builds its state from the latest checkpoint that matches the journal and
replays what came after; it writes a checkpoint every CHECKPOINT_EVERY events and at
each clean stop.
"""

from __future__ import annotations

from app import log
from app.domain.state import BranchState, StateSnapshot, decode_snapshot
from app.hub.chain import link
from app.hub.journal import Journal, JournalUnavailable
from app.hub.snapshots import SnapshotCache
from app.hub.verify import Finding

CHECKPOINT_EVERY = 20_000
"""Events between two state checkpoints (and one at every clean stop)."""


def check_chain(journal: Journal) -> Finding | None:
    """The first break of the journal's integrity chain, or None."""
    expected, prev = journal.chain_start()
    for seq, body, stored in journal.rows(after_seq=expected):
        if seq != expected + 1:
            return Finding(seq, f"rows {expected + 1} to {seq - 1} are missing")
        if stored != link(prev, seq, body):
            return Finding(seq, "was edited: its hash does not match its content")
        expected, prev = seq, stored
    return None


class Checkpoints:
    """Where a rebuild starts from, and when to write the next checkpoint."""

    def __init__(self, journal: Journal, state: BranchState, snapshots: SnapshotCache) -> None:
        self.journal, self.state, self.snapshots = journal, state, snapshots
        self.seq = 0
        """The seq of the checkpoint written or read last."""

    def restore(self) -> bool:
        """Reset the state to the journal's checkpoint (or to nothing); True if there
        was one. The journal's events after ``self.seq`` are then to be replayed."""
        # The next row links to the head that is stored, not to the one in memory: a
        # commit may have stuck although it raised.
        self.journal.last_hash = self.journal.stored_head()
        found = self.journal.load_checkpoint()
        if found is None:
            self.seq = 0
            self.state.restore(0, StateSnapshot(signals=[], counters={}, presence={}, staff_at={}))
            return False
        self.seq, _digest, snapshot = found
        self.state.restore(self.seq, decode_snapshot(snapshot))
        return True

    def due(self) -> bool:
        return self.state.last_seq - self.seq >= CHECKPOINT_EVERY

    def save(self) -> None:
        """Best effort: a failure only means a longer replay at the next start."""
        if self.state.last_seq == self.seq:
            return
        try:
            self.journal.save_checkpoint(
                self.state.last_seq, self.journal.last_hash, self.snapshots.snapshot_bytes()
            )
        except JournalUnavailable as exc:
            log.journal.warning("no state checkpoint this time: %s", exc)
            return
        self.seq = self.state.last_seq
