"""The region board's figures: every branch the role may see, its link to head office,
its open signals, today's measures and the alerts they raise; and one branch's day.

Plain data out (``RegionOverview.as_dict()``, ``Report.as_dict()``): the board
(widgets.region) draws dicts, as the branch board draws the hub's reports.

- **Which branches**: the rows of ``branches`` the connecting role may read; PostgreSQL's
  row-level security decides (a region role sees its region's, app.central c0005).
- **Today's measures** are head office's cross-branch report grouped by branch
  (app.reports.central ``central_measures``: the branch reports' own measures, one
  implementation); "late" is app.reports.responses ``late_by_type`` over each branch's
  share of the same tally. Each branch's today is its own local day of the date that is
  today in the catalog's time zone.
- **The link**: a branch is connected while its shipper touched ``branches.last_seen_ms``
  within ``3 × SEEN_EVERY_S`` (server time); otherwise disconnected since then. Its lag is
  the journal head the shipper last reported (``head_seq``, ``head_ts_ms``, migration
  c0006) minus the central mark of its current epoch (the ``chain_marks`` row shipped
  last). While disconnected the head is as last reported: the lag is at least that.
- **Alerts** (:class:`Thresholds`): a signal unanswered for over ``waiting_min`` minutes
  (command line, default 5); a signal type whose ack p90 today is over its deadline
  (the catalog's ``ack_s``, as the branch reports' deadlines) or, when given, a branch's
  ack p90 over ``ack_p90_s``; a link down for over ``3 × SEEN_EVERY_S``; head office more
  than ``behind_min`` minutes behind a connected branch.

Followed: the "exception-first" dashboards of operations centres (the branch list with
what is wrong first, a drill-down for the detail), as Grafana's alert list over its
panels; the measures are not recomputed here.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, or_, select, text
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.exc import SQLAlchemyError

from app.central import schema as central
from app.domain.config import Branch
from app.domain.roles import SignalState
from app.domain.timeday import day_bounds_ms, local_time
from app.reports import responses, scan
from app.reports.central import central_measures
from app.reports.day import ReportError
from app.reports.figures import Durations, Group, Report

CONNECTED_WITHIN_MS = int(3 * central.SEEN_EVERY_S * 1000)
"""A branch whose shipper reached head office within this is connected."""
OPEN_STATES = (SignalState.OPEN, SignalState.ACKNOWLEDGED, SignalState.ARRIVED)


@dataclass(frozen=True)
class Thresholds:
    """When the board raises an alert (the deadlines themselves are the catalog's)."""

    waiting_min: float = 5.0
    """A signal unanswered for longer than this many minutes."""
    behind_min: float = 15.0
    """Head office further behind a connected branch than this many minutes."""
    ack_p90_s: float | None = None
    """A branch's ack p90 of the day over this many seconds (None: only per type,
    against each type's deadline)."""


@dataclass
class Alert:
    branch: str
    kind: str
    """"disconnected", "waiting", "p90_type", "p90", "behind"."""
    value: float
    """Minutes (disconnected, waiting, behind) or seconds (p90)."""
    limit: float
    code: str = ""
    """The signal type (p90_type)."""
    count: int = 0
    """How many signals (waiting)."""


ALERT_ORDER = ("disconnected", "waiting", "p90_type", "p90", "behind")


@dataclass
class BranchRow:
    branch: str
    region: str
    name: str
    timezone: str
    link: str
    """"connected", "disconnected" or "never" (its shipper never reached head office)."""
    last_seen_ms: int
    """Server time its shipper last reached head office (0: never)."""
    last_shipped_ms: int
    """Server time head office last stored a batch of it (0: never)."""
    lag_events: int
    lag_ms: int
    open_signals: int
    """Today's signals not resolved nor cancelled."""
    waiting: int
    """Of them, not acknowledged."""
    oldest_waiting_ms: int
    """Raise time (hub) of the longest-waiting unacknowledged signal (0: none)."""
    overdue: int
    """Unacknowledged for longer than ``Thresholds.waiting_min``."""
    signals: int = 0
    answered: int = 0
    ack_p50_s: float | None = None
    ack_p90_s: float | None = None
    unanswered: int = 0
    resolved: int = 0
    late: int = 0
    """Acknowledged after its type's deadline, or never (and not cancelled)."""
    alerts: list[Alert] = field(default_factory=list)


@dataclass
class RegionOverview:
    role: str
    regions: list[str]
    day: str
    now_ms: int
    """Head office's clock when read (UTC ms): ages on the board count from it."""
    thresholds: Thresholds
    rows: list[BranchRow]
    alerts: list[Alert]
    connected_within_ms: int = CONNECTED_WITHIN_MS
    """A branch not heard from for longer is disconnected."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now_ms(conn: Connection) -> int:
    return int(
        conn.execute(text("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")).scalar()
        or 0
    )


def _links(conn: Connection) -> dict[str, tuple[Any, ...]]:
    """Per branch the role sees: its row and the mark of the epoch shipped last."""
    b, m = central.branches.c, central.chain_marks
    latest = (
        select(m.c.branch, m.c.last_seq, m.c.last_ts_ms, m.c.shipped_ms)
        .ext(distinct_on(m.c.branch))
        .order_by(m.c.branch, m.c.shipped_ms.desc())
        .subquery()
    )
    rows = conn.execute(
        select(
            b.branch,
            b.region,
            b.name,
            b.timezone,
            b.last_seen_ms,
            b.head_seq,
            b.head_ts_ms,
            latest.c.last_seq,
            latest.c.last_ts_ms,
            latest.c.shipped_ms,
        )
        .select_from(central.branches.outerjoin(latest, latest.c.branch == b.branch))
        .order_by(b.branch)
    ).all()
    return {str(r[0]): tuple(r) for r in rows}


def _open(
    conn: Connection, bounds: dict[str, tuple[int, int]], cutoff: int
) -> dict[str, tuple[int, int, int, int]]:
    """Per branch: (open, of them unacknowledged, of those raised before ``cutoff``,
    oldest unacknowledged raise) today."""
    if not bounds:
        return {}
    s = central.signals.c
    waiting = and_(s.state == SignalState.OPEN.value, s.acked_ms.is_(None))
    rows = conn.execute(
        select(
            s.branch,
            func.count().filter(s.state.in_([x.value for x in OPEN_STATES])),
            func.count().filter(waiting),
            func.count().filter(waiting, s.raised_ms < cutoff),
            func.min(s.raised_ms).filter(waiting),
        )
        .where(
            or_(
                *(
                    and_(s.branch == code, s.raised_ms >= a, s.raised_ms < z)
                    for code, (a, z) in bounds.items()
                )
            )
        )
        .group_by(s.branch)
    ).all()
    return {str(r[0]): tuple(int(v or 0) for v in r[1:]) for r in rows}  # type: ignore[misc]


def _late(catalog: Branch, found: scan.Tally, code: str) -> int:
    """One branch's late signals: the branch reports' ``late_by_type`` on its share."""
    mine = scan.Tally(
        counts={k: n for k, n in found.counts.items() if k[1] == code},
        durations={k: d for k, d in found.durations.items() if k[1] == code},
        hourly=[],
        declined=[],
        declined_until=0,
        products=[],
    )
    return sum(responses.late_by_type(catalog, mine).values())


def _type_p90(catalog: Branch, found: scan.Tally, code: str) -> list[Alert]:
    """Each signal type whose ack p90 today at ``code`` is over its deadline."""
    out = []
    for (kind, branch), (acks, _arrive, _resolve) in sorted(found.durations.items()):
        signal_type = catalog.signal_type(kind)
        if branch != code or signal_type is None or not signal_type.ack_s or not acks:
            continue
        p90 = Durations.of(acks).p90_s
        if p90 is not None and p90 > signal_type.ack_s:
            out.append(Alert(code, "p90_type", p90, float(signal_type.ack_s), code=kind))
    return out


def overview(
    engine: Engine,
    catalog: Branch,
    thresholds: Thresholds | None = None,
    *,
    today: date | None = None,
) -> RegionOverview:
    """Every branch the role may see, as the region board shows it."""
    limits = thresholds or Thresholds()
    try:
        with engine.connect() as conn:
            role = str(conn.execute(text("SELECT current_user")).scalar())
            now = _now_ms(conn)
            links = _links(conn)
            day = today or local_time(now, catalog.timezone).date()
            bounds = {code: day_bounds_ms(day, str(row[3])) for code, row in links.items()}
            open_now = _open(conn, bounds, now - int(limits.waiting_min * 60_000))
    except SQLAlchemyError as exc:  # a wrong URL, a server down, a role with no grant
        line = (str(getattr(exc, "orig", exc)).strip().splitlines() or [""])[0]
        raise ReportError(line or type(exc).__name__) from exc
    if not links:  # a role no branch is filed for (yet): an empty board, said so
        return RegionOverview(role, [], day.isoformat(), now, limits, [], [])
    report, found = central_measures(engine, catalog, day, day, "branch", now_ms=now, spans=False)
    groups: dict[str, Group] = {g.key: g for g in report.groups}
    rows: list[BranchRow] = []
    for code, r in links.items():
        _b, region, name, tz, seen, head_seq, head_ts, mark_seq, mark_ts, shipped = r
        seen = int(seen or 0)
        link = "never" if not seen else "connected"
        if seen and now - seen > CONNECTED_WITHIN_MS:
            link = "disconnected"
        lag_events = max(0, int(head_seq or 0) - int(mark_seq or 0))
        lag_ms = max(0, int(head_ts or 0) - int(mark_ts or 0)) if lag_events else 0
        opened, waiting, overdue, oldest = open_now.get(code, (0, 0, 0, 0))
        g = groups.get(code, Group(code))
        row = BranchRow(
            branch=code,
            region=str(region),
            name=str(name),
            timezone=str(tz),
            link=link,
            last_seen_ms=seen,
            last_shipped_ms=int(shipped or 0),
            lag_events=lag_events,
            lag_ms=lag_ms,
            open_signals=opened,
            waiting=waiting,
            oldest_waiting_ms=oldest,
            overdue=overdue,
            signals=g.signals,
            answered=g.acknowledged,
            ack_p50_s=g.ack.p50_s,
            ack_p90_s=g.ack.p90_s,
            unanswered=g.unanswered,
            resolved=g.resolve.n,
            late=_late(catalog, found, code),
        )
        row.alerts = _alerts(row, now, limits, _type_p90(catalog, found, code))
        rows.append(row)
    alerts = sorted(
        (a for row in rows for a in row.alerts),
        key=lambda a: (ALERT_ORDER.index(a.kind), -a.value, a.branch),
    )
    regions = sorted({row.region for row in rows})
    return RegionOverview(role, regions, day.isoformat(), now, limits, rows, alerts)


def _alerts(row: BranchRow, now: int, limits: Thresholds, by_type: list[Alert]) -> list[Alert]:
    out: list[Alert] = []
    if row.link == "disconnected":
        out.append(
            Alert(
                row.branch,
                "disconnected",
                (now - row.last_seen_ms) / 60_000,
                CONNECTED_WITHIN_MS / 60_000,
            )
        )
    if row.overdue and row.oldest_waiting_ms:
        waited = (now - row.oldest_waiting_ms) / 60_000
        out.append(Alert(row.branch, "waiting", waited, limits.waiting_min, count=row.overdue))
    out += by_type
    p90, target = row.ack_p90_s, limits.ack_p90_s
    if p90 is not None and target is not None and p90 > target:
        out.append(Alert(row.branch, "p90", p90, target))
    behind = row.lag_ms / 60_000
    if row.link == "connected" and behind > limits.behind_min:
        out.append(Alert(row.branch, "behind", behind, limits.behind_min))
    return out


def branch_day(engine: Engine, catalog: Branch, code: str, day: date) -> Report:
    """One branch's day, by signal type: the report the branch board's Reports page
    shows (the same measures, from head office's copy)."""
    return central_measures(engine, catalog, day, day, "type", only=(code,))[0]


def now_day(catalog: Branch) -> date:
    """Today in the catalog's time zone (this PC's clock)."""
    return local_time(int(time.time() * 1000), catalog.timezone).date()
