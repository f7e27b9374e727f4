"""Head office's cross-branch reports: the branch reports' measures over the central
``signals`` projection (app.central.schema), every branch the connecting role may see.

One implementation, two sources: the signals are read and tallied by app.reports.scan,
the groups built by app.reports.responses, the handoff funnel by app.reports.handoffs,
exactly as a branch's own report (app.reports.measures) does over its journal; only the
table, the range and the groupings differ:

- each branch's range is its own local days (``branches.timezone``), so a branch counts
  the same signals here as in its own report, and ``hour`` is each branch's local hour;
- ``branch`` groups by branch code, ``region`` by ``branches.region`` (head office's
  word); ``station`` and ``staff`` by ``BRANCH/STATION`` and ``BRANCH/STAFF`` (a
  station or staff id is its branch's: C01 of one branch is not C01 of another), as
  presence gaps are; ``type`` and ``hour`` as the branch reports;
- by branch, region or type the signals' figures come from the daily rollups (``daily``:
  per branch, local day and type, the counts and the sorted durations the ``Tally``
  holds, merged here), otherwise from the signals projection: the same ``Tally``, the
  same code after it, the same figures;
- which branches: the rows of ``branches`` the role may read. PostgreSQL's row-level
  security decides (a branch's role sees its branch, a region role its region's,
  app.central migration c0005; an administrator all), and the report names them.

- pauses and presence gaps: app.reports.spans over each branch's shipped events in its
  own range (head office keeps every row, so nothing is carried over from archives);
  pauses add up by reason across branches, presence gaps are keyed ``BRANCH/STATION``.
Followed: the "data source" split of reporting tools (one query layer, several
sources), as in the branch reports' own scan/measures split.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, case, literal, or_, select, text

from app.central import schema as central
from app.domain.config import Branch
from app.domain.roles import Role
from app.domain.timeday import day_bounds_ms
from app.reports import handoffs as funnel
from app.reports import responses, scan, spans
from app.reports.day import ReportError
from app.reports.figures import Report, Span
from app.reports.grouping import CENTRAL_GROUPINGS, group_expr, hour_expr

ROLLUP_GROUPINGS = ("branch", "region", "type")
"""Groupings a report reads from the daily rollups (their rows are per branch and type)."""


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def central_report(
    engine: Engine,
    catalog: Branch,
    first: date,
    last: date,
    by: str = "branch",
    *,
    now_ms: int | None = None,
    rollups: bool = True,
) -> Report:
    """The measures of the local days ``first`` to ``last`` (inclusive) of every branch
    the role may see, grouped ``by``. ``catalog``: a branch config whose signal types
    (handoff flags, deadlines) the branches share. Grouped by branch, region or type,
    the signals' figures come from the daily rollups (``rollups=False``: from the
    signals projection, as for the other groupings); the same ``Tally`` either way."""
    return central_measures(engine, catalog, first, last, by, now_ms=now_ms, rollups=rollups)[0]


def central_measures(
    engine: Engine,
    catalog: Branch,
    first: date,
    last: date,
    by: str = "branch",
    *,
    now_ms: int | None = None,
    only: Collection[str] | None = None,
    spans: bool = True,
    rollups: bool = True,
) -> tuple[Report, scan.Tally]:
    """:func:`central_report` and the tallied signals it was made of (the region board
    reads each branch's late signals from them, app.reports.region). ``only``: these
    branches of those the role may see (one branch's day: the region board's
    drill-down). ``spans`` False: no pauses nor presence gaps (a query per branch; the
    region board's overview shows neither)."""
    if by not in CENTRAL_GROUPINGS:
        raise ValueError(f"cannot group by {by!r}; one of {', '.join(CENTRAL_GROUPINGS)}")
    if last < first:
        raise ReportError(f"the range ends ({last}) before it starts ({first})")
    handoff_codes = {c for c, t in catalog.signal_types.items() if t.handoff}
    s, b, e = central.signals, central.branches, central.events
    try:
        with engine.connect() as conn:
            role = str(conn.execute(text("SELECT current_user")).scalar())
            seen = conn.execute(
                select(b.c.branch, b.c.region, b.c.timezone).order_by(b.c.branch)
            ).all()
            if only is not None:
                seen = [row for row in seen if row[0] in only]
                if not seen:
                    raise ReportError(f"role {role} sees no branch {', '.join(sorted(only))}")
            if not seen:
                raise ReportError(f"role {role} sees no branch at {_shown(engine)}")
            zones = {str(code): str(tz) for code, _region, tz in seen}
            regions = {str(code): str(region) for code, region, _tz in seen}
            bounds = {
                code: (day_bounds_ms(first, tz)[0], day_bounds_ms(last, tz)[1])
                for code, tz in zones.items()
            }
            where: list[Any] = [
                or_(
                    *(
                        and_(s.c.branch == code, s.c.raised_ms >= a, s.c.raised_ms < z)
                        for code, (a, z) in bounds.items()
                    )
                )
            ]
            from_daily = rollups and by in ROLLUP_GROUPINGS and _has_daily(conn)
            hour = None
            if not from_daily:
                hour = _per_branch(
                    {c: hour_expr(first, last, tz, s) for c, tz in zones.items()}, s.c.branch
                )
            group: ColumnElement[Any]
            if by == "branch":
                group = s.c.branch
            elif by == "region":
                group = case(regions, value=s.c.branch, else_=literal(""))
            elif by == "hour" and hour is not None:
                group = hour
            elif by == "type":
                group = s.c.code
            else:  # a station or staff id is its branch's: BRANCH/STATION, BRANCH/STAFF
                group = s.c.branch + literal("/") + group_expr(by, first, last, "UTC", s)
            tz = next(iter(zones.values())) if len(set(zones.values())) == 1 else "per branch"
            if from_daily:
                found = _daily_tally(conn, first, last, by, regions, handoff_codes)
            else:
                columns = scan.expressions(
                    by, first, last, tz, handoff_codes, table=s, group=group, hour=hour
                )
                found = scan.tally(scan.read_columns(conn, where, columns, by))
            by_type, grouped, total = responses.build_groups(found, by, handoff_codes)
            hourly = found.hourly
            if by == "hour":
                for k, g in grouped.items():
                    hourly[int(k)] = g.signals
            start = min(a for a, _z in bounds.values())
            # a signal id is a branch's (and epoch's): a decline counts when a signal
            # of the range has its branch, epoch and id
            own = (
                select(literal(1))
                .where(
                    s.c.branch == e.c.branch,
                    s.c.epoch == e.c.epoch,
                    s.c.signal_id == e.c.signal_id,
                    *where,
                )
                .exists()
            )
            handoffs = funnel.funnel(
                conn, total, found, start, e, (e.c.branch.in_(sorted(zones)), own)
            )
            late = responses.late_by_type(catalog, found)
            now = int(time.time() * 1000) if now_ms is None else now_ms
            pauses, gaps = _spans(conn, catalog, bounds, now) if spans else ([], [])
    except (ReportError, ValueError):
        raise
    except Exception as exc:  # a wrong URL, a role with no grant: say so, plainly
        line = (str(getattr(exc, "orig", exc)).strip().splitlines() or [""])[0]
        raise ReportError(f"cannot read the central database at {_shown(engine)}: {line}") from exc
    report = Report(
        branch="central",
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
        deadlines=responses.deadlines(catalog, by_type, late),
        view={
            "role": role,
            "branches": sorted(zones),
            "regions": sorted({r for r in regions.values()}),
        },
    )
    return report, found


def _has_daily(conn: Connection) -> bool:
    return conn.execute(text("SELECT to_regclass('daily')")).scalar() is not None


def _daily_tally(
    conn: Connection,
    first: date,
    last: date,
    by: str,
    regions: dict[str, str],
    handoff_codes: set[str],
) -> scan.Tally:
    """The range's ``Tally`` from the daily rollups (app.central.schema ``daily``): each
    row is one (branch, local day, type); its counts add up, its sorted durations are
    merged (sorting concatenated sorted runs merges them), so the figures are those
    the signals give (exact percentiles)."""
    d = central.daily.c
    counts: dict[tuple[str, str, int], int] = defaultdict(int)
    runs: dict[tuple[str, str], tuple[list[list[int]], ...]] = {}
    hourly = [0] * 24
    declined: list[int] = []
    until = 0
    products: list[str] = []
    rows = conn.execute(
        select(
            d.branch,
            d.code,
            d.marks,
            d.mark_counts,
            d.hours,
            d.ack_ms,
            d.arrive_ms,
            d.resolve_ms,
            d.declined,
            d.declined_until,
            d.products,
        ).where(d.branch.in_(sorted(regions)), d.day >= first, d.day <= last)
    )
    for branch, code, marks, ns, hours, ack, arrive, resolve, ids, upto, sold in rows:
        g = code if by == "type" else branch if by == "branch" else regions[branch]
        for mark, n in zip(marks, ns, strict=True):
            counts[code, g, mark] += n
        into = runs.get((code, g))
        if into is None:
            into = runs[code, g] = ([], [], [])
        for mine, values in zip(into, (ack, arrive, resolve), strict=True):
            if values:
                mine.append(values)
        for h, n in enumerate(hours):
            hourly[h] += n
        if code in handoff_codes:
            declined += ids
            if upto is not None:
                until = max(until, int(upto))
            products += sold
    durations = {key: (_merged(a), _merged(r), _merged(z)) for key, (a, r, z) in runs.items()}
    return scan.Tally(dict(counts), durations, hourly, declined, until, products)


def _merged(runs: list[list[int]]) -> list[int]:
    if not runs:
        return []
    return list(runs[0]) if len(runs) == 1 else sorted(itertools.chain.from_iterable(runs))


def _per_branch(
    exprs: dict[str, ColumnElement[Any]], branch: ColumnElement[Any]
) -> ColumnElement[Any]:
    """One expression, or a CASE choosing each branch's (one per time zone would do; one
    per branch keeps it plain)."""
    distinct = list(exprs.values())
    if len(distinct) == 1:
        return distinct[0]
    return case(*((branch == code, x) for code, x in exprs.items()), else_=None)


def _spans(
    conn: Connection, catalog: Branch, bounds: dict[str, tuple[int, int]], now: int
) -> tuple[list[Span], list[Span]]:
    """Each branch's pauses and presence gaps (app.reports.spans.walk, the branch
    report's code), pauses summed by reason, gaps by ``BRANCH/STATION``.

    Read for all branches at once, not a branch (and a station) at a time: the range's
    changes in one query per distinct range (branches of one time zone share theirs),
    and the last change before the range of every (branch, station) in one query of
    index lookups (``LATERAL … LIMIT 1``); a query per branch and station cost 26,000
    round trips for 300 branches (docs/performance.md "Head office"). The last change
    before is the newest by hub time (then seq): head office holds a branch's epochs
    side by side, and a new journal's seq starts again."""
    e = central.events.c
    kinds = tuple(spans.READ)
    tellers = {s.id for s in catalog.stations_of(Role.TELLER)}
    during: dict[str, dict[str, spans.Changes]] = {
        code: {kind: defaultdict(list) for kind in kinds} for code in bounds
    }
    ranges: dict[tuple[int, int], list[str]] = defaultdict(list)
    for code, ab in bounds.items():
        ranges[ab].append(code)
    for (a, z), codes in ranges.items():
        for code, kind, seq, station, ts, body in conn.execute(
            select(e.branch, e.kind, e.seq, e.station, e.hub_ts_ms, e.body).where(
                e.kind.in_(kinds), e.branch.in_(codes), e.hub_ts_ms >= a, e.hub_ts_ms < z
            )
        ):
            read = spans.READ[kind]
            during[code][kind][station].append((int(seq), int(ts), read(bytes(body))))
    status = {code: tellers | set(during[code]["counter_status"]) for code in bounds}
    status_before = _last_before(conn, "counter_status", bounds, status)
    counters = {code: status[code] | set(status_before[code]) for code in bounds}
    presence = {code: counters[code] | set(during[code]["presence"]) for code in bounds}
    presence_before = _last_before(conn, "presence", bounds, presence)
    pauses: dict[str, Span] = {}
    gaps: list[Span] = []
    for code, (a, z) in bounds.items():
        mine, off = spans.walk(
            counters[code],
            during[code]["counter_status"],
            status_before[code],
            during[code]["presence"],
            presence_before[code],
            a,
            z,
            now,
        )
        for p in mine:
            into = pauses.setdefault(p.key, Span(p.key))
            into.count += p.count
            into.total_s = round(into.total_s + p.total_s, 3)
            into.longest_s = max(into.longest_s, p.longest_s)
        gaps += [Span(f"{code}/{g.key}", g.count, g.total_s, g.longest_s) for g in off]
    return [pauses[k] for k in sorted(pauses)], gaps


_LAST_BEFORE = text(
    "SELECT k.branch, k.station, l.body "
    "FROM unnest(CAST(:branches AS varchar[]), CAST(:stations AS varchar[]), "
    "CAST(:starts AS bigint[])) AS k(branch, station, start) "
    "CROSS JOIN LATERAL (SELECT e.body FROM events e WHERE e.branch = k.branch "
    "AND e.station = k.station AND e.kind = :kind AND e.hub_ts_ms < k.start "
    "ORDER BY e.hub_ts_ms DESC, e.seq DESC LIMIT 1) AS l"
)


def _last_before(
    conn: Connection,
    kind: str,
    bounds: dict[str, tuple[int, int]],
    stations: dict[str, set[str]],
) -> dict[str, dict[str, Any]]:
    """Per branch, per station of ``stations``: its last ``kind`` event before the
    branch's range, read (absent: none)."""
    keys = [(code, station) for code in sorted(stations) for station in sorted(stations[code])]
    found: dict[str, dict[str, Any]] = {code: {} for code in bounds}
    if not keys:
        return found
    read = spans.READ[kind]
    for code, station, body in conn.execute(
        _LAST_BEFORE,
        {
            "branches": [k[0] for k in keys],
            "stations": [k[1] for k in keys],
            "starts": [bounds[k[0]][0] for k in keys],
            "kind": kind,
        },
    ):
        found[code][station] = read(bytes(body))
    return found
