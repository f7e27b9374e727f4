"""Pauses by reason and presence gaps by station, cut to the range (and to now)."""

from __future__ import annotations

import operator
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, bindparam, select

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


READ = {"counter_status": reader(CounterStatusChanged), "presence": reader(PresenceChanged)}
"""How the events of each kind a span is made of are read from their bodies."""
_SEQ = operator.itemgetter(0)


Changes = dict[str, list[tuple[int, int, Any]]]
"""Per station, its events of one kind in the range: (seq, hub ms, the event)."""


def _spans(
    conn: Connection,
    kind: str,
    start: int,
    end: int,
    stations: set[str],
    carried: dict[str, Carried],
) -> tuple[Changes, dict[str, Any]]:
    """Events of ``kind`` in the range per station, and each station's last one before:
    from the journal, or else the one an archive carried over if it is before ``start``
    (the archived rows hold no other after it, so it is the last one before)."""
    read = READ[kind]
    during: Changes = defaultdict(list)
    for seq, station, ts, body in conn.execute(
        select(_e.seq, _e.station, _e.hub_ts_ms, _e.body)
        .where(_e.kind == kind, _e.hub_ts_ms >= start, _e.hub_ts_ms < end)
        .order_by(_e.seq)
    ).all():
        during[station].append((int(seq), int(ts), read(bytes(body))))
    before: dict[str, Any] = {}
    for station in sorted(stations | set(during) | set(carried)):
        found = conn.execute(
            _LAST_BEFORE, {"kind": kind, "station": station, "start": start}
        ).scalar()
        if found is not None:
            before[station] = read(bytes(found))
        elif station in carried and carried[station].ts_ms < start:
            before[station] = read(carried[station].body)
    return during, before


def counter_spans(
    conn: Connection, branch: Branch, start: int, end: int, now_ms: int
) -> tuple[list[Span], list[Span]]:
    """Pauses by reason and presence gaps by station within [start, min(end, now)), from
    the journal (and what its archives carried over)."""
    tellers = {s.id for s in branch.stations_of(Role.TELLER)}
    try:
        carry = carry_over.load(conn)
    except ValueError as exc:
        raise ReportError(f"the journal's state at its start: {exc}") from None
    status_in, status_before = _spans(
        conn, "counter_status", start, end, tellers, carry.of("counter_status")
    )
    counters = tellers | set(status_in) | set(status_before)
    presence_in, presence_before = _spans(
        conn, "presence", start, end, counters, carry.of("presence")
    )
    return walk(
        counters, status_in, status_before, presence_in, presence_before, start, end, now_ms
    )


def walk(
    counters: set[str],
    status_in: Changes,
    status_before: dict[str, Any],
    presence_in: Changes,
    presence_before: dict[str, Any],
    start: int,
    end: int,
    now_ms: int,
) -> tuple[list[Span], list[Span]]:
    """Pauses by reason and presence gaps by station within [start, min(end, now)) of
    ``counters``, from their changes of status and presence in the range and the last
    of each before it (however they were read: a branch's journal here, head office's
    rows of many branches at once in app.reports.central)."""
    stop = max(start, min(end, now_ms))
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
        changes = [*status_in.get(station, ()), *presence_in.get(station, ())]
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
