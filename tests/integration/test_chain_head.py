"""State rebuilt at start (or after a failed commit) carries the chain head with it."""

from __future__ import annotations

from app.domain.config import Branch
from app.domain.events import JournalNote
from app.domain.record import event_row
from app.domain.state import BranchState
from app.hub.journal import Batch, Journal
from app.hub.recovery import Checkpoints, check_chain
from app.hub.snapshots import SnapshotCache


def test_rebuild_refreshes_the_chain_head(any_db_url: str, branch: Branch) -> None:
    url = any_db_url
    hub, other = Journal(url), Journal(url)
    try:
        hub.commit(Batch(events=[event_row(1, 1_000, JournalNote(text="a"), hub.epoch)]))
        # a row the hub's memory did not see: a commit that stuck although it raised,
        # or (before the writer lock) a second hub on the same journal
        other.last_hash = hub.last_hash
        other.commit(Batch(events=[event_row(2, 2_000, JournalNote(text="b"), hub.epoch)]))
        state = BranchState(branch)
        Checkpoints(hub, state, SnapshotCache(state)).restore()
        assert hub.last_hash == other.last_hash
        hub.commit(Batch(events=[event_row(3, 3_000, JournalNote(text="c"), hub.epoch)]))
        assert check_chain(hub) is None, "the next row links to the head that is stored"
    finally:
        hub.close()
        other.close()
