"""Check a journal: the integrity chain, each row against its body, the projection.

Used by ``lobbylink verify`` and by the hub before it serves a journal.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from app.domain.config import Branch
from app.domain.events import decode_event
from app.domain.record import read_body
from app.domain.state import BranchState
from app.hub import schema
from app.hub.chain import link
from app.hub.journal import Journal, chain_end, signal_row
from messaging.outbox import Head


@dataclass(frozen=True)
class Finding:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"row {self.seq}: {self.problem}"


class BrokenJournal(Exception):
    """The journal's chain or content does not hold; ``finding`` is the first problem."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(str(finding))
        self.finding = finding


def chain_findings(journal: Journal) -> Iterator[Finding]:
    """Problems of the chain and of each row against its body, in seq order."""
    expected, prev = journal.chain_start()
    for row in journal.records():
        seq, stored = row.seq, row.hash
        if seq != expected + 1:
            yield Finding(seq, f"rows {expected + 1} to {seq - 1} are missing (deleted?)")
        if stored is None:
            yield Finding(seq, "has no integrity hash")
        elif stored != link(prev, seq, row.body):
            yield Finding(seq, "was edited: its hash does not match its content")
        try:
            body = read_body(row.body)
        except ValueError as exc:
            yield Finding(seq, f"its body does not decode ({exc})")
        else:
            if body.seq != seq:
                yield Finding(seq, f"holds the event of seq {body.seq} (rows reordered?)")
            payload_id = _signal_id(body.kind, bytes(body.payload))
            for name, column, truth in (
                ("kind", row.kind, body.kind),
                ("station", row.station, body.station),
                ("hub_ts_ms", row.hub_ts_ms, body.hub_ts_ms),
                ("signal_id", row.signal_id, payload_id),
            ):
                if column != truth:
                    yield Finding(seq, f"column {name} says {column!r}, its body says {truth!r}")
        expected = seq
        prev = stored if stored is not None else link(prev, seq, row.body)


def _signal_id(kind: str, payload: bytes) -> int | None:
    try:
        return getattr(decode_event(kind, payload), "signal_id", None)
    except ValueError:
        return None


def projection_findings(journal: Journal, branch: Branch) -> Iterator[Finding]:
    """Rows of the ``signals`` table that differ from the events they come from."""
    state = BranchState(branch)
    for seq, raw in journal.bodies():
        try:
            body = read_body(raw)
            state.apply(seq, body.hub_ts_ms, decode_event(body.kind, bytes(body.payload)))
        except (ValueError, KeyError):
            continue  # reported by chain_findings
    stored: dict[int, dict[str, object]] = {}
    with journal.engine.connect() as conn:
        for found in conn.execute(select(schema.signals)).mappings():
            stored[int(found["signal_id"])] = dict(found)
    for sid, sig in sorted(state.signals.items()):
        truth = signal_row(sig)
        row = stored.pop(sid, None)
        if row is None:
            yield Finding(sid, "signal is missing from the signals table")
            continue
        for name, value in truth.items():
            if row.get(name) != value:
                yield Finding(
                    sid, f"signals table: {name} is {row.get(name)!r}, the events say {value!r}"
                )
                break
    for sid in sorted(stored):
        yield Finding(sid, "signals table holds a signal no event raised")


def parse_witness(text: str) -> tuple[int, bytes]:
    """``SEQ:HASH`` (a chain head seen elsewhere) as (seq, hash); ValueError if garbled."""
    seq, sep, digest = text.strip().partition(":")
    if not sep or not seq.isdigit() or len(digest) != 64:
        raise ValueError(f"{text!r} is not SEQ:HASH (a seq and a 64-digit hex hash)")
    return int(seq), bytes.fromhex(digest)


def witness_findings(journal: Journal, seq: int, digest: bytes) -> Iterator[Finding]:
    """The journal holds row ``seq`` with hash ``digest`` (a head witnessed elsewhere)."""
    start_seq, start_hash = journal.chain_start()
    if seq < start_seq or (seq == start_seq and digest != start_hash):
        yield Finding(
            seq,
            f"witnessed, but the journal now starts after seq {start_seq}: "
            "trimmed; check it against the archive of those rows",
        )
        return
    if seq == start_seq:
        return
    found = journal.stored_hash(seq)
    if found is None:
        last = journal.last_seq()
        if last < seq:
            gone = f"row {seq} is" if last + 1 == seq else f"rows {last + 1} to {seq} are"
            where = f"the journal ends at seq {last}: {gone} missing"
        else:
            where = "the row is missing"
        yield Finding(seq, f"witnessed, but {where} (rows deleted?)")
    elif found != digest:
        yield Finding(seq, "witnessed with another hash: the chain up to it was rewritten")


def integrity_findings(journal: Journal) -> Iterator[Finding]:
    """SQLite's own check of its pages and indexes (corrupt index pages included)."""
    if journal.engine.dialect.name != "sqlite":
        return
    with journal.engine.connect() as conn:
        lines = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    if lines != ["ok"]:
        for line in lines:
            yield Finding(0, f"SQLite integrity check: {line}")


def verify(journal: Journal, branch: Branch) -> list[Finding]:
    """Every problem found: the database's pages first, then the chain."""
    return [
        *integrity_findings(journal),
        *chain_findings(journal),
        *projection_findings(journal, branch),
    ]


def station_witness_findings(
    journal: Journal, heads: list[Head], source: str, archive: Journal | None = None
) -> tuple[list[Finding], list[str]]:
    """The journal (or an archive) against the chain heads a station kept (its outbox,
    ``source``): the findings, and notes on heads that could not be checked here.

    Heads of this journal's epoch are checked where their rows are: in the journal, or,
    before its start, in ``archive`` (the file its oldest rows went to), else they fail
    as trimmed. Checking an archive, heads past its end belong to the journal: noted.
    None of this epoch at all: the station saw another journal (a replaced one?).
    """
    mine = [h for h in heads if h.epoch == journal.epoch]
    if not mine:
        seen = ", ".join(sorted({h.epoch for h in heads}))
        return [
            Finding(
                0,
                f"{source} saw the journal of epoch {seen}, this one is epoch "
                f"{journal.epoch or '(none)'}: replaced, or another hub's",
            )
        ], []
    end = chain_end(journal.engine)
    end_seq = parse_witness(end)[0] if end is not None else None
    start_seq = journal.chain_start()[0]
    found: list[Finding] = []
    notes: list[str] = []
    for head in mine:
        where = journal
        if end_seq is not None and head.seq > end_seq:
            notes.append(f"{head.text()} is past this archive's end: check it on the journal")
            continue
        if head.seq < start_seq and archive is not None:
            if head.seq < archive.chain_start()[0]:
                notes.append(f"{head.text()} is older than the archive: check it on an older one")
                continue
            where = archive
        seen = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(head.seen_ms / 1000))
        for finding in witness_findings(where, head.seq, head.hash):
            problem = f"{finding.problem} [head {head.seq} seen by {source} at {seen}]"
            if where is archive:
                problem = f"in the archive: {problem}"
            found.append(Finding(finding.seq, problem))
    return found, notes
