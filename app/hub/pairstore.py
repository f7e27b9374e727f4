"""What a standby pair keeps in each hub's journal (issue 14), beside the events.

- ``meta.pair``: the pair's term, the term this hub last served, and the fork of every
  term (the last seq of the term before it, and that row's chain hash), written in the
  transaction of the term's first event (:func:`term_meta`);
- ``events_set_aside``: rows a returning hub held above a fork (never acknowledged);
- the replies of a range of seqs, for a peer that catches up.

Followed: PostgreSQL's timeline history files (each timeline's switch point, kept with
the WAL) and Raft's rule that a follower deletes its entries that conflict with the
leader's (§5.3), except that the rows are kept aside as evidence, not deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import msgspec
from sqlalchemy import LargeBinary, cast, delete, insert, select, update

from app.domain.record import ReplyRow
from app.domain.state import SignalRecord
from app.hub import schema
from app.hub.journal import GarbledJournal, Journal, read_records, signal_row

META_KEY = "pair"
asdict = msgspec.structs.asdict


@dataclass
class PairMeta:
    term: int = 1
    """The newest term this journal holds events of (1: no takeover yet)."""
    served: int = 0
    """The term this hub served last (0: never served as one of a pair)."""
    forks: dict[int, tuple[int, bytes]] = field(default_factory=dict)
    """term -> (the last seq of the term before it, its chain hash)."""

    def encode(self) -> str:
        forks = {str(t): [seq, digest.hex()] for t, (seq, digest) in sorted(self.forks.items())}
        return json.dumps({"term": self.term, "served": self.served, "forks": forks})

    def fork_after(self, term: int) -> tuple[int, bytes] | None:
        """Where the first term after ``term`` began: rows of ``term`` above it were
        never acknowledged by the pair."""
        later = [fork for t, fork in self.forks.items() if t > term]
        return min(later) if later else None


def read_meta(journal: Journal) -> PairMeta:
    with journal.engine.connect() as conn:
        raw = conn.execute(
            select(schema.meta.c.value).where(schema.meta.c.key == META_KEY)
        ).scalar()
    if not raw:
        return PairMeta()
    try:
        found = json.loads(raw)
        forks = {int(t): (int(v[0]), bytes.fromhex(v[1])) for t, v in found["forks"].items()}
        return PairMeta(int(found["term"]), int(found["served"]), forks)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise GarbledJournal(f"meta.pair is garbled ({str(raw)[:60]!r})") from exc


def set_epoch(journal: Journal, epoch: str) -> None:
    """Make an empty journal one with the active's (a new backup's first follow)."""
    m = schema.meta.c
    with journal.engine.begin() as conn:
        conn.execute(update(schema.meta).where(m.key == "epoch").values(value=epoch))
    journal.epoch = epoch


def replies_between(journal: Journal, after_seq: int, upto: int) -> list[ReplyRow]:
    """The stored replies of the commands whose events are in (after_seq, upto]."""
    c = schema.commands.c
    with journal.engine.connect() as conn:
        rows = conn.execute(
            select(c.msg_id, c.station, c.seq, c.hub_ts_ms, c.topic, cast(c.reply, LargeBinary))
            .where(c.seq > after_seq, c.seq <= upto)
            .order_by(c.seq)
        ).all()
    return [ReplyRow(m, s, int(q), int(t), topic, bytes(r)) for m, s, q, t, topic, r in rows]


def set_aside(
    journal: Journal, fork_seq: int, term: int, now_ms: int, reason: str
) -> tuple[int, set[int]]:
    """Move the rows above ``fork_seq`` to ``events_set_aside``, drop their replies and
    the signals rows they touched (the caller writes those again from the rebuilt
    state: :func:`rewrite_signals`); the number of rows moved, and those signals. One
    transaction."""
    rows = list(read_records(journal.engine, fork_seq, 1_000_000))
    if not rows:
        return 0, set()
    e, c, s = schema.events.c, schema.commands.c, schema.signals.c
    touched = {row.signal_id for row in rows if row.signal_id is not None}
    with journal.engine.begin() as conn:
        aside = {"set_aside_ms": now_ms, "term": term, "reason": reason}
        conn.execute(insert(schema.events_set_aside), [asdict(r) | aside for r in rows])
        conn.execute(delete(schema.events).where(e.seq > fork_seq))
        conn.execute(delete(schema.commands).where(c.seq > fork_seq))
        if touched:
            conn.execute(delete(schema.signals).where(s.signal_id.in_(sorted(touched))))
    journal._drop_dbapi()  # the fast path's connection must not hold an old snapshot
    journal.last_hash = journal.stored_head()
    return len(rows), touched


def rewrite_signals(journal: Journal, records: list[SignalRecord]) -> None:
    """Write these signals' rows as the state now has them (after a set-aside)."""
    if records:
        with journal.engine.begin() as conn:
            conn.execute(insert(schema.signals), [signal_row(r) for r in records])
