"""The standby pair's journal checker (issue 14; docs/reliability.md, "Standby hub").

:func:`check_pair_journals` reads the two hubs' journals and says whether they tell one
story with one writer at a time: the same epoch, equal (seq, hash) up to the lower head,
terms never falling and one serving hub per term, a new term starting right after its
``fork_seq``, hub time never going back across a term change, no msg_id journaled twice,
and rows set aside above a fork never acknowledged. It only reads (read-only engines):
the journals are never written. The fault cases ``pairkill`` (app/devtools/faults/pair.py)
and ``paircut`` (app/devtools/faults/paircut.py) end with it.

"Never two writers" is checked from what the hubs wrote, not from what they said, as
Jepsen checks a history rather than trusting the nodes' logs; the rules are those of
the Raft log-matching property (equal entries at equal indexes up to the shorter log,
terms never falling) and of PostgreSQL's timelines (a fork is recorded with the last
shared position, and what the old primary wrote beyond it is never served again).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, inspect, select, text

from app.domain.events import PairChanged, decode_event
from app.domain.record import EventRow, read_body
from app.hub import schema
from app.hub.journal import read_records
from app.hub.readonly import read_only_engine

SET_ASIDE = "events_set_aside"
"""The table where a hub that follows a newer term keeps the rows it held above the fork
(written but never acknowledged)."""


# Reading one journal ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Takeover:
    """A ``pair_changed`` event as journaled."""

    seq: int
    hub_ts_ms: int
    active: str
    peer: str
    term: int
    fork_seq: int


@dataclass
class _Journal:
    """What the checks need of one journal, read once (pure reading: never written)."""

    url: str
    epoch: str = ""
    hashes: dict[int, bytes] = field(default_factory=dict)
    ts: dict[int, int] = field(default_factory=dict)
    msg_ids: dict[str, list[int]] = field(default_factory=dict)
    pair: list[Takeover] = field(default_factory=list)
    set_aside: list[tuple[int, str | None, int]] = field(default_factory=list)
    """(seq, msg_id, hub_ts_ms) of each row of ``events_set_aside``."""
    replies: dict[str, int | None] = field(default_factory=dict)
    """``commands``: msg_id → the seq its reply names (None for a refusal)."""
    unreadable: list[str] = field(default_factory=list)

    @property
    def head(self) -> int:
        return max(self.hashes, default=0)


def _read(url: str) -> _Journal:
    out = _Journal(url)
    engine = read_only_engine(url)
    try:
        _read_meta(engine, out)
        _read_events(engine, out)
        _read_commands(engine, out)
        _read_set_aside(engine, out)
    finally:
        engine.dispose()
    return out


def _read_meta(engine: Engine, out: _Journal) -> None:
    m = schema.meta.c
    with engine.connect() as conn:
        out.epoch = str(conn.execute(select(m.value).where(m.key == "epoch")).scalar() or "")


def _read_events(engine: Engine, out: _Journal) -> None:
    last = -1
    while rows := read_records(engine, last, 20_000):
        last = rows[-1].seq
        for row in rows:
            _read_event(row, out)


def _read_event(row: EventRow, out: _Journal) -> None:
    seq, ts = row.seq, row.hub_ts_ms
    out.hashes[seq] = row.hash if row.hash is not None else b""
    out.ts[seq] = ts
    if row.msg_id:
        out.msg_ids.setdefault(row.msg_id, []).append(seq)
    if row.kind != "pair_changed":
        return
    try:
        env = read_body(row.body)
        event = decode_event(env.kind, bytes(env.payload))
    except ValueError as exc:
        out.unreadable.append(f"seq {seq}: a pair_changed body that does not decode ({exc})")
        return
    if isinstance(event, PairChanged):
        out.pair.append(Takeover(seq, ts, event.active, event.peer, event.term, event.fork_seq))


def _read_commands(engine: Engine, out: _Journal) -> None:
    c = schema.commands.c
    with engine.connect() as conn:
        for msg_id, seq in conn.execute(select(c.msg_id, c.seq)):
            out.replies[str(msg_id)] = None if seq is None else int(seq)


def _read_set_aside(engine: Engine, out: _Journal) -> None:
    if not inspect(engine).has_table(SET_ASIDE):
        return
    columns = {col["name"] for col in inspect(engine).get_columns(SET_ASIDE)}
    msg = "msg_id" if "msg_id" in columns else "NULL"
    ts = "hub_ts_ms" if "hub_ts_ms" in columns else "0"
    with engine.connect() as conn:
        for seq, msg_id, ms in conn.execute(
            text(f"SELECT seq, {msg}, {ts} FROM {SET_ASIDE} ORDER BY seq")
        ):
            out.set_aside.append((int(seq), None if msg_id is None else str(msg_id), int(ms)))


# The checks ----------------------------------------------------------------------------------
@dataclass
class PairReport:
    """What :func:`check_pair_journals` found; ``ok`` when ``problems`` is empty."""

    heads: tuple[int, int]
    epochs: tuple[str, str]
    common_to: int
    """The lower head: every seq up to it must be equal in both journals."""
    first_difference: int | None
    """The first seq (up to ``common_to``) whose hash differs or that only one holds."""
    terms: list[Takeover]
    """The journal with the higher head's ``pair_changed`` events, in seq order."""
    set_aside: tuple[int, int]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def takeovers(self) -> int:
        """New terms started (the first ``pair_changed`` of each term after the first)."""
        return len({t.term for t in self.terms}) - (1 if self.terms else 0)

    def summary(self) -> str:
        state = (
            "clean"
            if self.ok
            else f"{len(self.problems)} problem(s): " + "; ".join(self.problems[:5])
        )
        return (
            f"journals A (head {self.heads[0]}) and B (head {self.heads[1]}): equal up to "
            f"{self.common_to}, terms {sorted({t.term for t in self.terms})}, set aside "
            f"{self.set_aside[0]}/{self.set_aside[1]}; {state}"
        )


def check_pair_journals(url_a: str, url_b: str) -> PairReport:
    """Check that two hubs' journals tell one story, written by one hub at a time.

    - the same ``meta.epoch`` (a pair shares one: a backup's new journal takes it);
    - the same (seq, hash) at every seq up to the lower head (the first that differs is
      reported);
    - ``pair_changed`` terms never falling in seq order, one serving hub (``active``)
      per term in both journals together, a new term's event right after its
      ``fork_seq`` and not before it;
    - ``hub_ts_ms`` never going back across a term change;
    - no msg_id with two event rows in either journal;
    - every row of ``events_set_aside``: above some term's ``fork_seq``, and no reply of
      that journal names it (the command was never acknowledged as that row; a resend
      decided again in a later term has its reply pointing at the new row).
    """
    a, b = _read(url_a), _read(url_b)
    problems: list[str] = [f"A: {p}" for p in a.unreadable] + [f"B: {p}" for p in b.unreadable]
    problems += _epochs(a, b)
    common_to = min(a.head, b.head)
    first_diff = _first_difference(a, b, common_to)
    if first_diff is not None:
        problems.append(f"the journals differ at seq {first_diff} (equal up to {first_diff - 1})")
    for name, j in (("A", a), ("B", b)):
        problems += [f"{name}: {p}" for p in _own_rules(j)]
    problems += _one_active_per_term(a, b)
    longer = a if a.head >= b.head else b
    return PairReport(
        heads=(a.head, b.head),
        epochs=(a.epoch, b.epoch),
        common_to=common_to,
        first_difference=first_diff,
        terms=list(longer.pair),
        set_aside=(len(a.set_aside), len(b.set_aside)),
        problems=problems,
    )


def _epochs(a: _Journal, b: _Journal) -> list[str]:
    if a.epoch == b.epoch:
        return []
    return [f"the epochs differ: A {a.epoch!r}, B {b.epoch!r}"]


def _first_difference(a: _Journal, b: _Journal, upto: int) -> int | None:
    for seq in range(1, upto + 1):
        one, two = a.hashes.get(seq), b.hashes.get(seq)
        if one is None and two is None:
            continue  # archived in both (the chain starts later)
        if one != two:
            return seq
    return None


def _own_rules(j: _Journal) -> list[str]:
    problems = [
        f"msg_id {mid} has {len(seqs)} event rows (seqs {seqs[:4]})"
        for mid, seqs in j.msg_ids.items()
        if len(seqs) > 1
    ]
    term, active = 0, ""
    for t in j.pair:
        if t.term < term:
            problems.append(f"seq {t.seq}: the term falls from {term} to {t.term}")
        elif t.term == term and t.active != active:
            problems.append(
                f"seq {t.seq}: term {t.term} served by {active!r} and then by {t.active!r}"
            )
        elif t.term > term and term > 0:
            problems += _term_change(j, t)
        if t.term >= term:
            term, active = t.term, t.active
    starts = [t for t in j.pair if t.fork_seq > 0]
    forks = [t.fork_seq for t in starts]
    for seq, msg_id, ts in j.set_aside:
        if not any(seq > fork for fork in forks):
            problems.append(f"set-aside row {seq} is not above any term's fork_seq {forks}")
            continue
        if msg_id is not None and j.replies.get(msg_id, -1) == seq:
            problems.append(f"set-aside row {seq} ({msg_id}) still has its reply in commands")
        # The term that replaced the row began (hub time) before the old hub accepted it:
        # for that while two hubs accepted commands (the clocks are one PC's in the runs).
        new = max((t for t in starts if t.fork_seq < seq), key=lambda t: t.fork_seq)
        if msg_id is not None and ts > new.hub_ts_ms:
            problems.append(
                f"set-aside row {seq} ({msg_id}) was accepted {ts - new.hub_ts_ms} ms after "
                f"term {new.term} began on the other hub: two hubs accepted commands at once"
            )
    return problems


def _term_change(j: _Journal, t: Takeover) -> list[str]:
    problems = []
    if t.fork_seq >= t.seq:
        problems.append(f"seq {t.seq}: term {t.term} forks at {t.fork_seq}, not before it")
    elif t.fork_seq and t.seq != t.fork_seq + 1:
        problems.append(
            f"seq {t.seq}: term {t.term} starts {t.seq - t.fork_seq - 1} rows after its "
            f"fork_seq {t.fork_seq} (the term before wrote after the fork)"
        )
    before = max((ts for seq, ts in j.ts.items() if seq < t.seq), default=0)
    after = min((ts for seq, ts in j.ts.items() if seq >= t.seq), default=before)
    if after < before:
        problems.append(
            f"seq {t.seq}: hub_ts_ms goes back {before - after} ms across the change to "
            f"term {t.term}"
        )
    return problems


def _one_active_per_term(a: _Journal, b: _Journal) -> list[str]:
    serving: dict[int, set[str]] = {}
    for t in (*a.pair, *b.pair):
        serving.setdefault(t.term, set()).add(t.active)
    return [
        f"term {term} was served by {' and '.join(sorted(who))}"
        for term, who in sorted(serving.items())
        if len(who) > 1
    ]
