"""Pauses by reason and presence gaps by station, cut to the range (and to now)."""

from __future__ import annotations

import operator
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select

from app.domain.config import Branch
from app.domain.events import CounterStatusChanged, PresenceChanged
from app.domain.roles import CounterStatus, Role
from app.hub import schema
from app.reports import carry as carry_over
from app.reports.body import reader
from app.reports.carry import Carried
from app.reports.day import ReportError
from app.reports.figures import NOBODY, Span

_e = schema.events.c
# Built once: each counter's last status (or presence) before a range, by index.
_LAST_BEFORE = (
    select(_e.body)
    .where(
        _e.kind == bindparam("kind"),
        _e.station == bindparam("station"),
        _e.hub_ts_ms < bindparam("start"),
    )
    .order_by(_e.seq.desc())
    .limit(1)
)


_READ = {"counter_status": reader(CounterStatusChanged), "presence": reader(PresenceChanged)}
_SEQ = operator.itemgetter(0)


def _spans(
    conn: Connection,
    kind: str,
    start: int,
    end: int,
    stations: set[str],
    carried: dict[str, Carried],
    table: Table = schema.events,
    where: tuple[Any, ...] = (),
) -> tuple[dict[str, list[tuple[int, int, Any]]], dict[str, Any]]:
    """Events of ``kind`` in the range per station, and each station's last one before:
    from the journal, or else the one an archive carried over if it is before ``start``
    (the archived rows hold no other after it, so it is the last one before).
    ``table`` and ``where``: head office's events of one branch (app.reports.central)."""
    e = table.c
    read = _READ[kind]
    during: dict[str, list[tuple[int, int, Any]]] = defaultdict(list)
    for seq, station, ts, body in conn.execute(
        select(e.seq, e.station, e.hub_ts_ms, e.body)
        .where(e.kind == kind, e.hub_ts_ms >= start, e.hub_ts_ms < end, *where)
        .order_by(e.seq)
    ).all():
        during[station].append((int(seq), int(ts), read(bytes(body))))
    before: dict[str, Any] = {}
    last_before = _LAST_BEFORE
    if table is not schema.events or where:
        last_before = (
            select(e.body)
            .where(
                e.kind == bindparam("kind"),
                e.station == bindparam("station"),
                e.hub_ts_ms < bindparam("start"),
                *where,
            )
            .order_by(e.seq.desc())
            .limit(1)
        )
    for station in sorted(stations | set(during) | set(carried)):
        found = conn.execute(
            last_before, {"kind": kind, "station": station, "start": start}
        ).scalar()
        if found is not None:
            before[station] = read(bytes(found))
        elif station in carried and carried[station].ts_ms < start:
            before[station] = read(carried[station].body)
    return during, before


def counter_spans(
    conn: Connection,
    branch: Branch,
    start: int,
    end: int,
    now_ms: int,
    events: Table = schema.events,
    where: tuple[Any, ...] = (),
) -> tuple[list[Span], list[Span]]:
    """Pauses by reason and presence gaps by station within [start, min(end, now)).
    ``events`` and ``where``: head office's events of one branch, which carry nothing
    over from archives (its rows are kept whole)."""
    stop = max(start, min(end, now_ms))
    tellers = {s.id for s in branch.stations_of(Role.TELLER)}
    central = events is not schema.events
    try:
        carry = carry_over.CarryOver() if central else carry_over.load(conn)
    except ValueError as exc:
        raise ReportError(f"the journal's state at its start: {exc}") from None
    status_in, status_before = _spans(
        conn, "counter_status", start, end, tellers, carry.of("counter_status"), events, where
    )
    counters = tellers | set(status_in) | set(status_before)
    presence_in, presence_before = _spans(
        conn, "presence", start, end, counters, carry.of("presence"), events, where
    )

    pauses: dict[str, Span] = {}
    gaps: dict[str, Span] = {}

    def add(table: dict[str, Span], key: str, a: int, b: int) -> None:
        if not (a < stop and b > start) and not (a == b and start <= a < stop):
            return  # no part of it inside the range (a zero-length one counts inside)
        a, b = max(a, start), min(b, stop)
        b = max(a, b)  # the hub's clock stepped back in between: no negative time
        span = table.setdefault(key, Span(key))
        span.count += 1
        span.total_s += (b - a) / 1000
        span.longest_s = max(span.longest_s, (b - a) / 1000)

    for station in sorted(counters):
        # every change of status or presence of this counter, in the journal's order (the
        # seq's: after a step of the hub's clock, the stamps may go back)
        changes = [*status_in[station], *presence_in[station]]
        changes.sort(key=_SEQ)
        prev_status = status_before.get(station)
        status = prev_status.status if prev_status is not None else CounterStatus.OPEN
        reason = prev_status.reason if prev_status is not None else ""
        prev_presence = presence_before.get(station)
        online = prev_presence.online if prev_presence is not None else None
        paused_at: int | None = start if status is CounterStatus.PAUSED else None
        gap_at: int | None = start if online is False and status is CounterStatus.OPEN else None
        for _seq, ts, ev in changes:
            if isinstance(ev, CounterStatusChanged):
                if paused_at is not None:
                    add(pauses, reason or NOBODY, paused_at, ts)
                    paused_at = None
                status, reason = ev.status, ev.reason
                if status is CounterStatus.PAUSED:
                    paused_at = ts
            elif isinstance(ev, PresenceChanged):
                online = ev.online
            offline_open = online is False and status is CounterStatus.OPEN
            if offline_open and gap_at is None:
                gap_at = ts
            elif not offline_open and gap_at is not None:
                add(gaps, station, gap_at, ts)
                gap_at = None
        if paused_at is not None:
            add(pauses, reason or NOBODY, paused_at, stop)
        if gap_at is not None:
            add(gaps, station, gap_at, stop)
    for table in (pauses, gaps):
        for span in table.values():
            span.total_s = round(span.total_s, 3)
    return (
        sorted(pauses.values(), key=lambda s: s.key),
        sorted(gaps.values(), key=lambda s: s.key),
    )
