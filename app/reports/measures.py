"""The branch's measures over a range of local days, from the journal.

Plain SQLAlchemy Core over the ``signals`` projection (one row per signal) and the
``events`` table (pauses, presence, decline reasons, read from the event bodies).
Definitions, so that the CLI, the HTML export and the board agree:

- A signal belongs to the local day (branch time zone) it was **raised** on; a range
  is ``[first day 00:00, last day + 1 00:00)`` local, in UTC milliseconds.
- Durations are seconds **from the raise**: to acknowledge (first claim; a resolve
  straight from open counts as the claim), to arrive, to resolve.
- Percentiles use the **nearest-rank** method (as app.domain.kpi): the p-th
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
- Groups: ``type`` = signal code, ``station`` = the raising station, ``staff`` = the
  responder (who acknowledged: staff id, or the station when nobody signed in;
  ``-`` when nobody did), ``hour`` = local hour of the raise (``08`` = 08:00-08:59).
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    bindparam,
    case,
    func,
    inspect,
    literal,
    or_,
    select,
)

from app.domain.config import Branch
from app.domain.events import CounterStatusChanged, PresenceChanged, SignalDeclined
from app.domain.roles import CounterStatus, Outcome, Role
from app.domain.timeday import day_bounds_ms
from app.hub import schema
from app.reports.body import read_event
from app.reports.day import ReportError

GROUPINGS = ("type", "station", "staff", "hour")
NOBODY = "-"
Progress = Callable[[int, int], None]


def nearest_rank(ordered: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile of already sorted, non-empty ``ordered`` (nearest rank)."""
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


@dataclass
class Durations:
    """Seconds from the raise: how many, p50, p90 (nearest rank) and the longest."""

    n: int = 0
    p50_s: float | None = None
    p90_s: float | None = None
    max_s: float | None = None

    @classmethod
    def of(cls, values_ms: list[int]) -> Durations:
        if not values_ms:
            return cls()
        ordered = sorted(values_ms)
        return cls(
            n=len(ordered),
            p50_s=nearest_rank(ordered, 50) / 1000,
            p90_s=nearest_rank(ordered, 90) / 1000,
            max_s=ordered[-1] / 1000,
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


def _flag(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((cond, 1), else_=0))


def _groups(
    conn: Connection,
    key: ColumnElement[Any] | None,
    where: list[Any],
    handoff_codes: set[str],
) -> dict[Any, Group]:
    """Counts and maxima of each group by SQL, then its percentiles (``key`` None: all)."""
    s = schema.signals.c
    handoff = s.code.in_(sorted(handoff_codes)) if handoff_codes else literal(False)
    g = (key if key is not None else literal("(all)")).label("g")
    out: dict[Any, Group] = {}
    for row in conn.execute(
        select(
            g,
            func.count(),
            func.count(s.acked_ms),
            func.max(s.acked_ms - s.raised_ms),
            func.max(s.arrived_ms - s.raised_ms),
            func.max(s.resolved_ms - s.raised_ms),
            _flag(s.level > 0),
            _flag(and_(s.acked_ms.is_(None), s.cancelled_ms.is_(None))),
            _flag(s.cancelled_ms.is_not(None)),
            _flag(handoff),
            _flag(and_(handoff, s.acked_ms.is_not(None))),
            _flag(and_(handoff, s.declines > 0)),
            _flag(and_(handoff, s.outcome == Outcome.SERVED.value)),
            _flag(and_(handoff, s.outcome == Outcome.NO_SHOW.value)),
        )
        .where(*where)
        .group_by(*([] if key is None else [g]))
    ):
        if not row[1]:
            continue  # no GROUP BY and no rows: one row of nulls
        grp = Group(row[0])
        grp.signals, grp.acknowledged = int(row[1]), int(row[2])
        grp.ack.max_s, grp.arrive.max_s, grp.resolve.max_s = (_s(v) for v in row[3:6])
        (
            grp.escalated,
            grp.unanswered,
            grp.cancelled,
            grp.handoffs_offered,
            grp.handoffs_accepted,
            grp.handoffs_declined,
            grp.handoffs_served,
            grp.handoffs_no_show,
        ) = (int(v or 0) for v in row[6:14])
        out[row[0]] = grp
    for k, level, n in conn.execute(
        select(g, s.level, func.count())
        .where(*where, s.level > 0)
        .group_by(*([] if key is None else [g]), s.level)
    ):
        out[k].levels[str(level)] = int(n)
    return out


def _percentiles(
    conn: Connection,
    key: ColumnElement[Any],
    where: list[Any],
    tables: tuple[dict[Any, Group], dict[Any, Group], Group],
) -> None:
    """Nearest-rank p50 and p90 of the durations of each type, each group and in all.

    One lean read (type, group, three integers, in table order), ranked in Python:
    SQLite's window functions sort every partition in a temporary b-tree, which on a
    month costs ten times more.
    """
    s = schema.signals.c
    by_type, grouped, total = tables

    def lists() -> tuple[list[int], list[int], list[int]]:
        return [], [], []

    per_type: dict[Any, tuple[list[int], list[int], list[int]]] = defaultdict(lists)
    per_group: dict[Any, tuple[list[int], list[int], list[int]]] = defaultdict(lists)
    everything = lists()
    rows = conn.execute(
        select(
            s.code,
            key,
            s.acked_ms - s.raised_ms,
            s.arrived_ms - s.raised_ms,
            s.resolved_ms - s.raised_ms,
        ).where(*where)
    ).all()
    for code, g, *durations in rows:
        for i, value in enumerate(durations):
            if value is not None:
                per_type[code][i].append(value)
                per_group[g][i].append(value)
                everything[i].append(value)
    targets = [(by_type, per_type), (grouped, per_group), ({"(all)": total}, {"(all)": everything})]
    for groups, found in targets:
        for g, values in found.items():
            group = groups[g]
            for dur, vals in zip((group.ack, group.arrive, group.resolve), values, strict=True):
                if vals:
                    vals.sort()
                    dur.n = len(vals)
                    dur.p50_s = nearest_rank(vals, 50) / 1000
                    dur.p90_s = nearest_rank(vals, 90) / 1000


def _s(ms: Any) -> float | None:
    return None if ms is None else int(ms) / 1000


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


def _spans(
    conn: Connection,
    kind: str,
    start: int,
    end: int,
    stations: set[str],
) -> tuple[dict[str, list[tuple[int, Any]]], dict[str, Any]]:
    """Events of ``kind`` in the range per station, and each station's last one before."""
    e = schema.events.c
    during: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    for station, ts, body in conn.execute(
        select(e.station, e.hub_ts_ms, e.body)
        .where(e.kind == kind, e.hub_ts_ms >= start, e.hub_ts_ms < end)
        .order_by(e.hub_ts_ms, e.seq)
    ):
        during[station].append((int(ts), read_event(bytes(body))))
    before: dict[str, Any] = {}
    for station in sorted(stations | set(during)):
        found = conn.execute(
            _LAST_BEFORE, {"kind": kind, "station": station, "start": start}
        ).scalar()
        if found is not None:
            before[station] = read_event(bytes(found))
    return during, before


def _counter_spans(
    conn: Connection, branch: Branch, start: int, end: int, now_ms: int
) -> tuple[list[Span], list[Span]]:
    """Pauses by reason and presence gaps by station within [start, min(end, now))."""
    stop = max(start, min(end, now_ms))
    tellers = {s.id for s in branch.stations_of(Role.TELLER)}
    status_in, status_before = _spans(conn, "counter_status", start, end, tellers)
    counters = tellers | set(status_in) | set(status_before)
    presence_in, presence_before = _spans(conn, "presence", start, end, counters)

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
        changes.sort(key=lambda c: (c[0], c[1]))
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


def _declines(conn: Connection, signal_ids: list[int]) -> dict[str, int]:
    e = schema.events.c
    reasons: dict[str, int] = defaultdict(int)
    for i in range(0, len(signal_ids), 500):
        part = signal_ids[i : i + 500]
        # kind is tested here, not in SQL: with it in the WHERE, SQLite prefers the
        # kind index and walks every decline of the journal instead of these signals'
        for kind, body in conn.execute(select(e.kind, e.body).where(e.signal_id.in_(part))):
            if kind != "signal_declined":
                continue
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
        s = schema.signals.c
        with engine.connect() as conn:
            where = _id_range(conn, start, end)
            step(0, 5)
            by_type = _groups(conn, s.code, where, handoff_codes)
            step(1, 5)
            key = _group_expr(by, first, last, tz)
            grouped = by_type if by == "type" else _groups(conn, key, where, handoff_codes)
            total = _groups(conn, None, where, handoff_codes).get("(all)") or Group("(all)")
            _percentiles(conn, key, where, (by_type, grouped, total))
            if by == "hour":
                grouped = {f"{int(k):02d}": g for k, g in grouped.items()}
                for k, g in grouped.items():
                    g.key = k
            step(2, 5)
            hour = _hour_expr(first, last, tz).label("h")
            hourly = [0] * 24
            for h, n in conn.execute(select(hour, func.count()).where(*where).group_by(hour)):
                hourly[int(h)] = int(n)
            handoff = s.code.in_(sorted(handoff_codes))
            declined_ids = [
                int(i)
                for (i,) in conn.execute(select(s.signal_id).where(*where, handoff, s.declines > 0))
            ]
            by_reason = _declines(conn, declined_ids)
            products = {
                (p or NOBODY): int(n)
                for p, n in conn.execute(
                    select(s.product, func.count())
                    .where(*where, handoff, s.outcome == Outcome.SERVED.value)
                    .group_by(s.product)
                )
            }
            handoffs = Handoffs(
                offered=total.handoffs_offered,
                accepted=total.handoffs_accepted,
                declined=total.handoffs_declined,
                declines=sum(by_reason.values()),
                declined_by_reason=by_reason,
                served=total.handoffs_served,
                no_show=total.handoffs_no_show,
                products=dict(sorted(products.items())),
                conversion=round(total.handoffs_served / total.handoffs_offered, 4)
                if total.handoffs_offered
                else None,
            )
            late = _late(conn, branch, where)
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


def _late(conn: Connection, branch: Branch, where: list[Any]) -> dict[str, int]:
    """Per type with a deadline: acknowledged after it, or never (and not cancelled)."""
    s = schema.signals.c
    limits = {c: t.ack_s * 1000 for c, t in branch.signal_types.items() if t.ack_s}
    if not limits:
        return {}
    limit = case(*((s.code == c, ms) for c, ms in sorted(limits.items())), else_=None)
    late = or_(
        s.acked_ms - s.raised_ms > limit,
        and_(s.acked_ms.is_(None), s.cancelled_ms.is_(None)),
    )
    return {
        code: int(n or 0)
        for code, n in conn.execute(
            select(s.code, _flag(late)).where(*where, s.code.in_(sorted(limits))).group_by(s.code)
        )
    }


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
