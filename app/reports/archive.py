"""Retention: move a journal's oldest rows into an archive file, keep the chain verifiable.

The archive is a SQLite file with the journal's own tables (events with bodies and
hashes, their signals, the command replies) and, in its ``meta``, where its chain
starts and ends. The journal then records the last archived row as its chain start
(``meta.chain_start = "SEQ:HEXHASH"``), which ``lobbylink verify`` and the hub read.

The cut never splits a signal: it stops before the first signal raised before the
cut that is still open or changed after it, so the hub rebuilds the same signals
from what remains. Nor does it lose a counter's state: the last status and presence
event of each station among the archived rows stay in the journal's
``meta.carry_over`` (app.reports.carry), so a pause or an offline spell that began
before the cut counts the same in the reports of the days after it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    LargeBinary,
    and_,
    cast,
    create_engine,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, OperationalError

from app.domain.roles import SignalState
from app.domain.timeday import day_bounds_ms
from app.hub import schema
from app.hub.chain import link
from app.hub.journal import Journal, explain
from app.reports import carry
from app.reports.measures import Progress

TERMINAL = tuple(s.value for s in SignalState if s.terminal)


class ArchiveError(Exception):
    """The archive cannot be made; the journal was left as it was."""


@dataclass
class Archived:
    first_seq: int
    last_seq: int
    """0 when nothing was old enough."""
    last_hash: str
    events: int
    signals: int
    commands: int
    file: str
    kept: int = 0
    """Events the cut-off let go but ``shipped_to`` kept: head office lacks them."""


def _put_meta(conn: Connection, key: str, value: str) -> None:
    m = schema.meta.c
    if conn.execute(select(m.value).where(m.key == key)).scalar() is None:
        conn.execute(insert(schema.meta).values(key=key, value=value))
    else:
        conn.execute(update(schema.meta).where(m.key == key).values(value=value))


def _old_commands(last: int, cutoff_ms: int) -> Any:
    """Replies to commands stored at or before ``last``, and old refusals (no seq)."""
    c = schema.commands.c
    return or_(c.seq <= last, and_(c.seq.is_(None), c.hub_ts_ms < cutoff_ms))


def _undo_file(journal: Journal, target: Path, new_start: str, exc: BaseException) -> None:
    """The journal refused the delete (a role that may only read, a lock, a lost
    server): its transaction rolled back, so the archive file is a copy of rows the
    journal still holds; remove it, so that the next run is not refused as "exists".
    A commit that stuck although it raised (the connection lost on the way) shows as
    the journal's new chain start: then the file is the only copy and stays."""
    try:
        start = journal.chain_start()
    except (OperationalError, DBAPIError, ValueError):
        raise ArchiveError(
            f"the journal could not be changed ({explain(exc)}) and cannot be read to "
            f"check; {target} is kept: run `lobbylink verify --archive {target}`"
        ) from None
    if f"{start[0]}:{start[1].hex()}" == new_start:
        return  # it stuck
    target.unlink(missing_ok=True)
    raise ArchiveError(
        f"the journal could not be changed ({explain(exc)}); it was left as it was "
        f"and {target} was removed"
    ) from None


def cut_seq(journal: Journal, cutoff_ms: int, upto: int | None = None) -> int:
    """The last seq that can be archived for a cut at ``cutoff_ms`` (0: none), and at
    ``upto`` at most (the last row head office holds, when the branch ships).

    A signal is never split: the cut stops before the first signal raised at or before
    it that is still open or that a row after the cut changed, which is one changed at
    or after the cut-off, or the first kept row's time when the cut stops earlier (the
    newest row, always kept, or ``upto``)."""
    e, s = schema.events.c, schema.signals.c
    with journal.engine.connect() as conn:
        last = conn.execute(select(func.max(e.seq)).where(e.hub_ts_ms < cutoff_ms)).scalar()
        if not last:
            return 0
        # keep at least the newest row: the hub numbers new events after the last row
        newest = int(conn.execute(select(func.max(e.seq))).scalar() or 0)
        last = min(int(last), newest - 1, newest if upto is None else upto)
        if last <= 0:
            return 0
        first_kept = conn.execute(select(e.hub_ts_ms).where(e.seq == last + 1)).scalar()
        changed_ms = cutoff_ms if first_kept is None else min(cutoff_ms, int(first_kept))
        pinned = conn.execute(
            select(func.min(s.signal_id)).where(
                s.signal_id <= last,
                or_(s.state.not_in(TERMINAL), s.updated_ms >= changed_ms),
            )
        ).scalar()
    return int(last) if pinned is None else min(int(last), int(pinned) - 1)


def archive(
    journal: Journal,
    before: date,
    timezone: str,
    to: str | Path,
    progress: Progress | None = None,
    shipped_to: int | None = None,
) -> Archived:
    """Archive every row before local midnight starting ``before`` into ``to``, then
    delete those rows from the journal. Refuses an existing file and a broken chain.

    ``shipped_to``: the branch ships to head office and it holds the rows up to this seq
    (app.central.db.shipped_up_to); nothing after it is archived (``kept`` says how many
    events the cut-off alone would have taken), so the shipper still finds them."""
    target = Path(to)
    if target.exists():
        raise ArchiveError(f"{target} exists; archive into a new file")
    cutoff = day_bounds_ms(before, timezone)[0]
    last = cut_seq(journal, cutoff)
    start_seq, start_hash = journal.chain_start()
    kept = 0
    if shipped_to is not None and last > shipped_to:
        wanted = last
        last = cut_seq(journal, cutoff, shipped_to)
        kept = wanted - max(last, start_seq)
    result = Archived(start_seq + 1, 0, "", 0, 0, 0, str(target), kept)
    if last <= start_seq:
        return result
    step = progress or (lambda _done, _total: None)
    target.parent.mkdir(parents=True, exist_ok=True)
    out = create_engine(f"sqlite:///{target}")
    e, s = schema.events.c, schema.signals.c
    try:
        schema.metadata.create_all(out)
        prev, expected = start_hash, start_seq
        total = last - start_seq
        with out.begin() as dst:
            # events, checked link by link on the way: never archive (and delete) a
            # range whose chain does not hold
            for seq, body, stored in journal.rows(start_seq):
                if seq > last:
                    break
                if seq != expected + 1 or stored is None or stored != link(prev, seq, body):
                    raise ArchiveError(
                        f"the journal's chain breaks at row {seq}; run `lobbylink verify`"
                    )
                prev, expected = stored, seq
                if (seq - start_seq) % 10_000 == 0:
                    step(seq - start_seq, total)
            copied = 0
            with journal.engine.connect() as src:
                for lo in range(start_seq, last, 20_000):
                    hi = min(lo + 20_000, last)
                    rows = [
                        dict(r)
                        for r in src.execute(
                            select(
                                *(
                                    col
                                    for col in schema.events.c
                                    if col.name not in ("body", "hash")
                                ),
                                cast(e.body, LargeBinary).label("body"),
                                cast(e.hash, LargeBinary).label("hash"),
                            ).where(e.seq > lo, e.seq <= hi)
                        ).mappings()
                    ]
                    if rows:
                        dst.execute(insert(schema.events), rows)
                    copied += len(rows)
                    step(hi - start_seq, total)
                sig_rows = [
                    dict(r)
                    for r in src.execute(
                        select(schema.signals).where(s.signal_id <= last)
                    ).mappings()
                ]
                if sig_rows:
                    dst.execute(insert(schema.signals), sig_rows)
                cmd_rows = [
                    dict(r)
                    for r in src.execute(
                        select(schema.commands).where(_old_commands(last, cutoff))
                    ).mappings()
                ]
                if cmd_rows:
                    dst.execute(insert(schema.commands), cmd_rows)
                epoch = src.execute(
                    select(schema.meta.c.value).where(schema.meta.c.key == "epoch")
                ).scalar()
                try:
                    carried_in = carry.load(src)
                except ValueError as exc:
                    raise ArchiveError(f"the journal's state at its start: {exc}") from None
                carried = carry.after_cut(src, carried_in, last)
            dst.execute(
                insert(schema.meta),
                [
                    {"key": "epoch", "value": str(epoch or "")},
                    {"key": "chain_start", "value": f"{start_seq}:{start_hash.hex()}"},
                    {"key": "chain_end", "value": f"{last}:{prev.hex()}"},
                    # the state at this file's first row, for reports over it
                    *(
                        [{"key": carry.KEY, "value": carried_in.to_json()}]
                        if carried_in.events
                        else []
                    ),
                ],
            )
        if copied != last - start_seq:
            raise ArchiveError(f"copied {copied} rows, expected {last - start_seq}")
    except BaseException:
        out.dispose()
        target.unlink(missing_ok=True)
        raise
    out.dispose()
    with open(target, "rb") as fh:  # on disk before anything is deleted
        os.fsync(fh.fileno())
    try:
        with journal.engine.begin() as conn:
            _put_meta(conn, "chain_start", f"{last}:{prev.hex()}")
            _put_meta(conn, carry.KEY, carried.to_json())
            conn.execute(delete(schema.commands).where(_old_commands(last, cutoff)))
            conn.execute(delete(schema.signals).where(s.signal_id <= last))
            conn.execute(delete(schema.events).where(e.seq <= last))
    except (OperationalError, DBAPIError) as exc:
        _undo_file(journal, target, f"{last}:{prev.hex()}", exc)
    step(total, total)
    result.last_seq, result.last_hash = last, prev.hex()
    result.events, result.signals, result.commands = copied, len(sig_rows), len(cmd_rows)
    return result
