"""The branch's measures over a range of local days, from the journal.

Plain SQLAlchemy Core over the ``signals`` projection (one row per signal) and the
``events`` table (pauses, presence, decline reasons, read from the event bodies).
Definitions, so that the CLI, the HTML export and the board agree:

- A signal belongs to the local day (branch time zone) it was **raised** on; a range
  is ``[first day 00:00, last day + 1 00:00)`` local, in UTC milliseconds.
- Durations are seconds **from the raise**: to acknowledge (first claim; a resolve
  straight from open counts as the claim), to arrive, to resolve.
- Percentiles are app.domain.stats's, the board's too: **nearest rank**, the p-th
  percentile of n sorted values is the value of rank ceil(p/100 * n), rank >= 1.
  p50 is therefore always one of the values (no interpolation).
- ``unanswered``: never acknowledged and not cancelled (still open, or declined back
  to open). ``cancelled``: cancelled by the raiser, acknowledged or not.
- ``escalated``: signals whose level is above 0; ``levels`` counts them by their
  highest level.
- Handoffs (signal types with ``handoff = true``): ``offered`` raised, ``accepted``
  acknowledged now or served (a decline undoes a claim), ``declined`` signals
  declined at least once, ``declines`` decline events, by reason; ``served``,
  ``no_show``; ``products`` of the served ones; ``conversion`` = served / offered.
- Pauses: a counter is paused from a ``counter_status`` event with status
  ``paused`` until its next status event. Each pause is cut to the range (and to
  ``now``); ``count`` pauses overlap the range, ``total_s`` is their time inside it,
  ``longest_s`` the longest part inside it.
- Presence gaps: a counter (teller station, or any station with a status event) is
  offline (a ``presence`` event with online false) while its status is open. Cut to
  the range like pauses.
- A counter's status and presence at the start of the range come from its last
  event before it; when an archive took that away, from what the archive carried
  over (app.reports.carry), so archiving does not change the days after its cut.
- Groups: ``type`` = signal code, ``station`` = the raising station, ``staff`` = the
  responder (who acknowledged: staff id, or the station when nobody signed in;
  ``-`` when nobody did), ``hour`` = local hour of the raise (``08`` = 08:00-08:59).
"""

from __future__ import annotations

import bisect
import itertools
import json
import operator
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    inspect,
    literal,
    null,
    select,
)

from app.domain.config import Branch
from app.domain.events import CounterStatusChanged, PresenceChanged, SignalDeclined
from app.domain.roles import CounterStatus, Outcome, Role
from app.domain.stats import median, percentile
from app.domain.timeday import day_bounds_ms
from app.hub import schema
from app.reports import carry as carry_over
from app.reports.body import read_event, reader
from app.reports.carry import Carried
from app.reports.day import ReportError

GROUPINGS = ("type", "station", "staff", "hour")
NOBODY = "-"
Progress = Callable[[int, int], None]


@dataclass
class Durations:
    """Seconds from the raise: how many, p50, p90 (nearest rank) and the longest."""

    n: int = 0
    p50_s: float | None = None
    p90_s: float | None = None
    max_s: float | None = None

    @classmethod
    def of(cls, sorted_ms: list[int]) -> Durations:
        """n, p50, p90 (app.domain.stats) and max of sorted milliseconds, in seconds."""
        if not sorted_ms:
            return cls()
        return cls(
            n=len(sorted_ms),
            p50_s=median(sorted_ms) / 1000,
            p90_s=percentile(sorted_ms, 90) / 1000,
            max_s=sorted_ms[-1] / 1000,
        )


@dataclass
class Group:
    key: str
    signals: int = 0
    acknowledged: int = 0
    ack: Durations = field(default_factory=Durations)
    arrive: Durations = field(default_factory=Durations)
    resolve: Durations = field(default_factory=Durations)
    escalated: int = 0
    levels: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0
    cancelled: int = 0
    handoffs_offered: int = 0
    handoffs_accepted: int = 0
    handoffs_declined: int = 0
    handoffs_served: int = 0
    handoffs_no_show: int = 0


@dataclass
class Handoffs:
    offered: int = 0
    accepted: int = 0
    declined: int = 0
    """Handoff signals declined at least once."""
    declines: int = 0
    """Decline events of those signals."""
    declined_by_reason: dict[str, int] = field(default_factory=dict)
    served: int = 0
    no_show: int = 0
    products: dict[str, int] = field(default_factory=dict)
    conversion: float | None = None
    """served / offered, rounded to 4 places; None when nothing was offered."""


@dataclass
class Span:
    """Pauses of one reason, or presence gaps of one station."""

    key: str
    count: int = 0
    total_s: float = 0.0
    longest_s: float = 0.0


@dataclass
class Deadline:
    """Acknowledge times of one signal type against its deadline (``ack_s``)."""

    code: str
    deadline_s: int
    signals: int
    acknowledged: int
    p50_s: float | None
    p90_s: float | None
    max_s: float | None
    late: int
    """Acknowledged after the deadline, or never acknowledged (and not cancelled)."""


@dataclass
class Report:
    branch: str
    timezone: str
    first_day: str
    last_day: str
    by: str
    total: Group
    groups: list[Group]
    handoffs: Handoffs
    pauses: list[Span]
    presence_gaps: list[Span]
    hourly: list[int]
    """Signals raised in each local hour 00..23, summed over the range's days."""
    deadlines: list[Deadline]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _offsets(first: date, last: date, tz: str) -> list[tuple[int, int]]:
    """(from UTC ms, UTC offset ms) segments covering the range: one unless DST moves."""
    zone = ZoneInfo(tz)
    out: list[tuple[int, int]] = []
    for day in days(first - timedelta(days=1), last + timedelta(days=1)):
        for h in range(24):
            local = datetime(day.year, day.month, day.day, h, tzinfo=zone)
            offset = local.utcoffset() or timedelta(0)
            ms, off = int(local.timestamp() * 1000), int(offset.total_seconds() * 1000)
            if not out or out[-1][1] != off:
                out.append((ms, off))
    return out


def _hour_expr(first: date, last: date, tz: str) -> ColumnElement[Any]:
    """SQL: the local hour (0-23) of a signal's raise."""
    raised = schema.signals.c.raised_ms
    segments = _offsets(first, last, tz)
    offset: ColumnElement[Any]
    if len(segments) == 1:
        offset = literal(segments[0][1])
    else:
        offset = case(
            *((raised < nxt, off) for (_ms, off), (nxt, _o) in itertools.pairwise(segments)),
            else_=segments[-1][1],
        )
    return ((raised + offset) // 3_600_000) % 24


def _group_expr(by: str, first: date, last: date, tz: str) -> ColumnElement[Any]:
    s = schema.signals.c
    if by == "type":
        return s.code
    if by == "station":
        return s.station
    if by == "staff":  # the responder: who acknowledged (staff, else the station)
        return case(
            (s.acked_ms.is_(None), NOBODY),
            else_=func.coalesce(
                func.nullif(s.acked_staff, ""), func.nullif(s.acked_station, ""), NOBODY
            ),
        )
    if by == "hour":
        return _hour_expr(first, last, tz)
    return literal("(all)")


# The range's signals are read in ONE pass with no GROUP BY: a GROUP BY makes SQLite
# sort every row of the range in a temporary b-tree, which on a month costs more than
# everything else, and fetching one row per signal costs as much again in Python
# objects. Instead the database concatenates each column over the range into one
# string (group_concat in SQLite, string_agg in PostgreSQL); the aggregates of one
# query step through the same rows in the same order, so the columns line up (their
# lengths are checked). Python splits, counts and ranks them.
_SEP = "\x1e"
"""Between the values of a concatenated text column (codes, groups, products)."""
ACKED, CANCELLED, DECLINED, SERVED, NO_SHOW = 1, 2, 4, 8, 16
"""Bits of a signal's flags: acknowledged now, cancelled, declined at least once,
resolved served, resolved no-show. A signal's mark is ``level * 32 + flags``."""
_LEVEL = 32
_NONE = -1


@dataclass
class _Columns:
    """The range's signals, one entry per signal in each list, whichever way read."""

    codes: list[str]
    groups: list[str]
    marks: list[int]
    durations: tuple[list[int], list[int], list[int]]
    """ms from the raise to acknowledge, arrive, resolve; -1: did not happen (a real
    one is never negative: the hub's clock never goes back)."""
    hours: list[int]
    """Local hour of each raise; empty when grouped by hour (the groups say it)."""
    declined: list[int]
    """Ids of the handoffs declined at least once (not one per signal)."""
    declined_until: int
    """The last change of those handoffs (0 when none)."""
    products: list[str]
    """Product of each served handoff (not one per signal)."""


@dataclass
class _Signals:
    """What the measures need of the range's signals."""

    counts: dict[tuple[str, str, int], int]
    """(code, group, mark): how many signals."""
    durations: dict[tuple[str, str], tuple[list[int], list[int], list[int]]]
    """(code, group): the sorted ms from the raise to acknowledge, arrive, resolve."""
    hourly: list[int]
    """Signals raised in each local hour (zeros when grouped by hour)."""
    declined: list[int]
    declined_until: int
    products: list[str]


def _text(value: ColumnElement[Any]) -> ColumnElement[str]:
    return cast(value, String)


def _columns(
    by: str, first: date, last: date, tz: str, handoff_codes: set[str]
) -> dict[str, ColumnElement[Any]]:
    """One expression per column of the read; the durations are ms from the raise."""
    s = schema.signals.c
    handoff = s.code.in_(sorted(handoff_codes)) if handoff_codes else literal(False)
    flags = (
        case((s.acked_ms.is_not(None), ACKED), else_=0)
        + case((s.cancelled_ms.is_not(None), CANCELLED), else_=0)
        + case((s.declines > 0, DECLINED), else_=0)
        + case((s.outcome == Outcome.SERVED.value, SERVED), else_=0)
        + case((s.outcome == Outcome.NO_SHOW.value, NO_SHOW), else_=0)
    )
    return {
        "code": s.code,
        "group": _group_expr(by, first, last, tz),
        "mark": s.level * _LEVEL + flags,
        "ack": s.acked_ms - s.raised_ms,
        "arrive": s.arrived_ms - s.raised_ms,
        "resolve": s.resolved_ms - s.raised_ms,
        "hour": _hour_expr(first, last, tz),
        "declined": case((and_(handoff, s.declines > 0), s.signal_id), else_=None),
        "declined_until": case((and_(handoff, s.declines > 0), s.updated_ms), else_=None),
        "product": case((and_(handoff, s.outcome == Outcome.SERVED.value), s.product)),
    }


def _read_columns(
    conn: Connection, where: list[Any], columns: dict[str, ColumnElement[Any]], by: str
) -> _Columns:
    """The range's signals by one concatenating read, or row by row when a text value
    holds the separator (say, a product typed with control characters)."""
    c = columns
    sqlite = conn.dialect.name == "sqlite"

    def text(value: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.aggregate_strings(value, _SEP)

    def numbers(value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A JSON array of integers (SQLite's own is a third faster than concatenating
        text); elsewhere its items, -1 for NULL."""
        if sqlite:
            return func.json_group_array(value)
        return func.aggregate_strings(_text(func.coalesce(value, _NONE)), ",")

    def ints(value: str | None) -> list[Any]:
        if value is None:
            return []
        if sqlite:  # only digits, commas, minus signs and null in it
            return list(json.loads(value.replace("null", str(_NONE))))
        return list(json.loads(f"[{value}]"))

    found = conn.execute(
        select(
            func.count(),
            text(c["code"]),
            text(_text(c["group"])) if by != "type" else null(),
            numbers(c["mark"]),
            numbers(c["ack"]),
            numbers(c["arrive"]),
            numbers(c["resolve"]),
            numbers(c["hour"]) if by != "hour" else null(),
            func.aggregate_strings(_text(c["declined"]), ","),
            func.max(c["declined_until"]),
            text(c["product"]),
            func.count(c["product"]),
        ).where(*where)
    ).one()
    n = int(found[0] or 0)
    if not n:
        return _Columns([], [], [], ([], [], []), [], [], 0, [])
    codes = found[1].split(_SEP)
    groups = codes if by == "type" else found[2].split(_SEP)
    products = [] if found[10] is None else found[10].split(_SEP)
    if len(codes) != n or len(groups) != n or len(products) != found[11]:
        return _read_rows(conn, where, columns, by)
    marks, acks, arrives, resolves, hours = (ints(v) for v in found[3:8])
    if not len(marks) == len(acks) == len(arrives) == len(resolves) == n:
        raise ReportError(f"the journal's columns do not line up ({n} signals)")
    durations = (acks, arrives, resolves)
    until = int(found[9] or 0)
    declined = [] if found[8] is None else [int(i) for i in found[8].split(",")]
    return _Columns(codes, groups, marks, durations, hours, declined, until, products)


def _read_rows(
    conn: Connection, where: list[Any], columns: dict[str, ColumnElement[Any]], by: str
) -> _Columns:
    """The same as ``_read_columns``, one row per signal: slower, no separators."""
    names = ["code", "group", "mark", "ack", "arrive", "resolve", "hour", "declined"]
    names += ["declined_until", "product"]
    rows = conn.execute(select(*(columns[n] for n in names)).where(*where)).all()

    def ms(i: int) -> list[int]:
        return [_NONE if r[i] is None else int(r[i]) for r in rows]

    return _Columns(
        codes=[r[0] for r in rows],
        groups=[str(r[1]) for r in rows],
        marks=[int(r[2]) for r in rows],
        durations=(ms(3), ms(4), ms(5)),
        hours=[int(r[6]) for r in rows] if by != "hour" else [],
        declined=[int(r[7]) for r in rows if r[7] is not None],
        declined_until=max((int(r[8]) for r in rows if r[8] is not None), default=0),
        products=[r[9] for r in rows if r[9] is not None],
    )


def _tally(columns: _Columns) -> _Signals:
    """Counts per (code, group, mark), sorted durations per (code, group)."""
    acks, arrives, resolves = columns.durations
    keys = zip(columns.codes, columns.groups, columns.marks, strict=True)
    buckets: dict[tuple[str, str, int], tuple[list[int], list[int], list[int]]] = {}
    for key, a, r, z in zip(keys, acks, arrives, resolves, strict=True):
        b = buckets.get(key)
        if b is None:
            b = buckets[key] = ([], [], [])
        b[0].append(a)
        b[1].append(r)
        b[2].append(z)
    counts: dict[tuple[str, str, int], int] = {}
    durations: dict[tuple[str, str], tuple[list[int], list[int], list[int]]] = {}
    for (code, group, mark), lists in buckets.items():
        counts[code, group, mark] = len(lists[0])
        into = durations.setdefault((code, group), ([], [], []))
        for mine, values in zip(into, lists, strict=True):
            mine.extend(values)
    for ranked in durations.values():
        for ms in ranked:
            ms.sort()
            del ms[: bisect.bisect_left(ms, 0)]  # the -1 of what did not happen
    hourly = [0] * 24
    for h, n in Counter(columns.hours).items():
        hourly[h] = n
    return _Signals(
        counts, durations, hourly, columns.declined, columns.declined_until, columns.products
    )


def _merged(runs: list[list[int]]) -> list[int]:
    """One sorted list of sorted runs (sorting sorted runs merges them)."""
    return runs[0] if len(runs) == 1 else sorted(itertools.chain.from_iterable(runs))


def _build(
    found: _Signals, by: str, handoff_codes: set[str]
) -> tuple[dict[str, Group], dict[str, Group], Group]:
    """The groups by type, by ``by`` and in all, from the tallied signals."""
    by_type: dict[str, Group] = {}
    grouped: dict[str, Group] = by_type if by == "type" else {}
    total = Group("(all)")

    def name(g: str) -> str:
        return f"{int(g):02d}" if by == "hour" else g

    def targets(code: str, g: str) -> list[Group]:
        mine = [by_type.setdefault(code, Group(code)), total]
        if grouped is not by_type:
            mine.append(grouped.setdefault(name(g), Group(name(g))))
        return mine

    for (code, g, mark), n in found.counts.items():
        handoff = code in handoff_codes
        level, flags = divmod(mark, _LEVEL)
        for grp in targets(code, g):
            grp.signals += n
            if flags & ACKED:
                grp.acknowledged += n
            if level > 0:
                grp.escalated += n
                grp.levels[str(level)] = grp.levels.get(str(level), 0) + n
            if not flags & (ACKED | CANCELLED):
                grp.unanswered += n
            if flags & CANCELLED:
                grp.cancelled += n
            if handoff:
                grp.handoffs_offered += n
                grp.handoffs_accepted += n if flags & ACKED else 0
                grp.handoffs_declined += n if flags & DECLINED else 0
                grp.handoffs_served += n if flags & SERVED else 0
                grp.handoffs_no_show += n if flags & NO_SHOW else 0
    for grp in [*by_type.values(), *([] if grouped is by_type else grouped.values()), total]:
        grp.levels = {k: grp.levels[k] for k in sorted(grp.levels, key=int)}

    # durations: each group's from its sorted runs, the total from the groups' (fewer
    # runs to merge); of the types, when they are not the groups, only what the
    # deadlines show (acknowledge)
    def runs() -> tuple[list[list[int]], list[list[int]], list[list[int]]]:
        return [], [], []

    of_type: dict[str, tuple[list[list[int]], ...]] = defaultdict(runs)
    of_group: dict[str, tuple[list[list[int]], ...]] = defaultdict(runs)
    for (code, g), lists in found.durations.items():
        for i, values in enumerate(lists):
            of_type[code][i].append(values)
            if grouped is not by_type:
                of_group[name(g)][i].append(values)
    everything = runs()
    for g, group_runs in (of_type if grouped is by_type else of_group).items():
        grp = grouped[g]
        merged = [_merged(r) for r in group_runs]
        grp.ack, grp.arrive, grp.resolve = (Durations.of(m) for m in merged)
        for into, values in zip(everything, merged, strict=True):
            into.append(values)
    if everything[0]:
        total.ack, total.arrive, total.resolve = (Durations.of(_merged(r)) for r in everything)
    if grouped is not by_type:
        for code, type_runs in of_type.items():
            by_type[code].ack = Durations.of(_merged(type_runs[0]))
    return by_type, grouped, total


def _late(branch: Branch, found: _Signals) -> dict[str, int]:
    """Per type with a deadline: acknowledged after it, or never (and not cancelled)."""
    limits = {c: t.ack_s * 1000 for c, t in branch.signal_types.items() if t.ack_s}
    late: dict[str, int] = {}
    for (code, _g, mark), n in found.counts.items():
        if code in limits:
            late[code] = late.get(code, 0) + (0 if mark & (ACKED | CANCELLED) else n)
    for (code, _g), (acks, _arrive, _resolve) in found.durations.items():
        if code in limits:
            late[code] += len(acks) - bisect.bisect_right(acks, limits[code])
    return late


def _products(found: _Signals) -> dict[str, int]:
    products = Counter(p or NOBODY for p in found.products)
    return dict(sorted(products.items()))


_e = schema.events.c
# Built once: each counter's last status (or presence) before a range, by index.
_LAST_BEFORE = (
    select(_e.body)
    .where(
        _e.kind == bindparam("kind"),
        _e.station == bindparam("station"),
        _e.hub_ts_ms < bindparam("start"),
    )
    .order_by(_e.hub_ts_ms.desc(), _e.seq.desc())
    .limit(1)
)


_READ = {"counter_status": reader(CounterStatusChanged), "presence": reader(PresenceChanged)}
_TIME_ORDER = operator.itemgetter(0, 1)


def _spans(
    conn: Connection,
    kind: str,
    start: int,
    end: int,
    stations: set[str],
    carried: dict[str, Carried],
) -> tuple[dict[str, list[tuple[int, Any]]], dict[str, Any]]:
    """Events of ``kind`` in the range per station, and each station's last one before:
    from the journal, or else the one an archive carried over if it is before ``start``
    (the archived rows hold no other after it, so it is the last one before)."""
    e = schema.events.c
    read = _READ[kind]
    during: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    for station, ts, body in conn.execute(
        select(e.station, e.hub_ts_ms, e.body)
        .where(e.kind == kind, e.hub_ts_ms >= start, e.hub_ts_ms < end)
        .order_by(e.hub_ts_ms, e.seq)
    ).all():
        during[station].append((int(ts), read(bytes(body))))
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


def _counter_spans(
    conn: Connection, branch: Branch, start: int, end: int, now_ms: int
) -> tuple[list[Span], list[Span]]:
    """Pauses by reason and presence gaps by station within [start, min(end, now))."""
    stop = max(start, min(end, now_ms))
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

    pauses: dict[str, Span] = {}
    gaps: dict[str, Span] = {}

    def add(table: dict[str, Span], key: str, a: int, b: int) -> None:
        if not (a < stop and b > start) and not (a == b and start <= a < stop):
            return  # no part of it inside the range (a zero-length one counts inside)
        a, b = max(a, start), min(b, stop)
        span = table.setdefault(key, Span(key))
        span.count += 1
        span.total_s += (b - a) / 1000
        span.longest_s = max(span.longest_s, (b - a) / 1000)

    for station in sorted(counters):
        # every change of status or presence of this counter, in time order
        changes: list[tuple[int, int, Any]] = [(ts, 0, ev) for ts, ev in status_in[station]]
        changes += [(ts, 1, ev) for ts, ev in presence_in[station]]
        changes.sort(key=_TIME_ORDER)
        prev_status = status_before.get(station)
        status = prev_status.status if prev_status is not None else CounterStatus.OPEN
        reason = prev_status.reason if prev_status is not None else ""
        prev_presence = presence_before.get(station)
        online = prev_presence.online if prev_presence is not None else None
        paused_at: int | None = start if status is CounterStatus.PAUSED else None
        gap_at: int | None = start if online is False and status is CounterStatus.OPEN else None
        for ts, _order, ev in changes:
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


def _declines(conn: Connection, signal_ids: list[int], start: int, until: int) -> dict[str, int]:
    """Decline reasons of these signals, raised at or after ``start`` and changed last
    at ``until``: their declines lie between (the hub's clock never goes back), so they
    are read by the kind and time index, not signal by signal."""
    e = schema.events.c
    wanted = set(signal_ids)
    reasons: dict[str, int] = defaultdict(int)
    if not wanted:
        return {}
    for signal_id, body in conn.execute(
        select(e.signal_id, e.body).where(
            e.kind == "signal_declined", e.hub_ts_ms >= start, e.hub_ts_ms <= until
        )
    ):
        if signal_id in wanted:
            ev = read_event(bytes(body))
            if isinstance(ev, SignalDeclined):
                reasons[ev.reason or NOBODY] += 1
    return dict(sorted(reasons.items()))


def report(
    engine: Engine,
    branch: Branch,
    first: date,
    last: date,
    by: str = "type",
    *,
    now_ms: int | None = None,
    progress: Progress | None = None,
) -> Report:
    """The measures of the local days ``first`` to ``last`` (inclusive), grouped ``by``."""
    if by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r}; one of {', '.join(GROUPINGS)}")
    if last < first:
        raise ReportError(f"the range ends ({last}) before it starts ({first})")
    tz = branch.timezone
    start, end = day_bounds_ms(first, tz)[0], day_bounds_ms(last, tz)[1]
    now = int(time.time() * 1000) if now_ms is None else now_ms
    step = progress or (lambda _done, _total: None)
    handoff_codes = {c for c, t in branch.signal_types.items() if t.handoff}
    try:
        if not inspect(engine).has_table("signals"):
            raise ReportError(f"{engine.url!r} holds no Lobbylink journal")
        with engine.connect() as conn:
            where = _id_range(conn, start, end)
            step(0, 5)
            columns = _columns(by, first, last, tz, handoff_codes)
            found = _tally(_read_columns(conn, where, columns, by))
            step(1, 5)
            by_type, grouped, total = _build(found, by, handoff_codes)
            hourly = found.hourly
            if by == "hour":
                for k, g in grouped.items():
                    hourly[int(k)] = g.signals
            step(2, 5)
            by_reason = _declines(conn, found.declined, start, found.declined_until)
            handoffs = Handoffs(
                offered=total.handoffs_offered,
                accepted=total.handoffs_accepted,
                declined=total.handoffs_declined,
                declines=sum(by_reason.values()),
                declined_by_reason=by_reason,
                served=total.handoffs_served,
                no_show=total.handoffs_no_show,
                products=_products(found),
                conversion=round(total.handoffs_served / total.handoffs_offered, 4)
                if total.handoffs_offered
                else None,
            )
            late = _late(branch, found)
            step(3, 5)
            pauses, gaps = _counter_spans(conn, branch, start, end, now)
            step(5, 5)
    except (ReportError, ValueError):
        raise
    except Exception as exc:  # an unreadable file, a wrong URL: say so, plainly
        raise ReportError(f"cannot read the journal at {engine.url!r}: {exc}") from exc
    return Report(
        branch=branch.config.branch.id,
        timezone=tz,
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        by=by,
        total=total,
        groups=[grouped[k] for k in sorted(grouped)],
        handoffs=handoffs,
        pauses=pauses,
        presence_gaps=gaps,
        hourly=hourly,
        deadlines=_deadlines(branch, by_type, late),
    )


def _id_range(conn: Connection, start: int, end: int) -> list[Any]:
    """The range's signals as a range of ids: a signal's id is the seq of its raise and
    the hub's clock never goes back, so ids and raise times go up together. Scanning
    by id reads the table in order, with no index lookup per row."""
    s = schema.signals.c
    lo = conn.execute(
        select(s.signal_id)
        .where(s.raised_ms >= start, s.raised_ms < end)
        .order_by(s.raised_ms, s.signal_id)
        .limit(1)
    ).scalar()
    hi = conn.execute(
        select(s.signal_id)
        .where(s.raised_ms >= start, s.raised_ms < end)
        .order_by(s.raised_ms.desc(), s.signal_id.desc())
        .limit(1)
    ).scalar()
    if lo is None or hi is None:
        return [literal(False)]
    return [s.signal_id >= lo, s.signal_id <= hi]


def _deadlines(branch: Branch, by_type: dict[Any, Group], late: dict[str, int]) -> list[Deadline]:
    out = []
    for code in sorted(by_type):
        kind = branch.signal_type(code)
        if kind is None or not kind.ack_s:
            continue
        g = by_type[code]
        out.append(
            Deadline(
                code=code,
                deadline_s=kind.ack_s,
                signals=g.signals,
                acknowledged=g.acknowledged,
                p50_s=g.ack.p50_s,
                p90_s=g.ack.p90_s,
                max_s=g.ack.max_s,
                late=late.get(code, 0),
            )
        )
    return out
