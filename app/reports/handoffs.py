"""The handoff funnel: offered, accepted, declined (and why), served, no-show, products."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Connection, Table, select

from app.domain.events import SignalDeclined
from app.hub import schema
from app.reports.body import read_event
from app.reports.figures import NOBODY, Group, Handoffs
from app.reports.scan import Tally


def products(found: Tally) -> dict[str, int]:
    """How many served handoffs of each product (``-`` when none was named)."""
    counts = Counter(p or NOBODY for p in found.products)
    return dict(sorted(counts.items()))


def declines_by_reason(
    conn: Connection,
    signal_ids: list[int],
    start: int,
    until: int,
    table: Table = schema.events,
    where: tuple[Any, ...] = (),
) -> dict[str, int]:
    """Decline reasons of these signals, raised at or after ``start`` and changed last
    at ``until``: their declines lie between (the hub's clock never goes back), so they
    are read by the kind and time index, not signal by signal."""
    e = table.c
    wanted = set(signal_ids)
    reasons: dict[str, int] = defaultdict(int)
    if not wanted:
        return {}
    for signal_id, body in conn.execute(
        select(e.signal_id, e.body).where(
            e.kind == "signal_declined", e.hub_ts_ms >= start, e.hub_ts_ms <= until, *where
        )
    ):
        if signal_id in wanted:
            ev = read_event(bytes(body))
            if isinstance(ev, SignalDeclined):
                reasons[ev.reason or NOBODY] += 1
    return dict(sorted(reasons.items()))


def funnel(
    conn: Connection,
    total: Group,
    found: Tally,
    start: int,
    table: Table = schema.events,
    where: tuple[Any, ...] = (),
) -> Handoffs:
    """The range's funnel: the counts of the total group, the declines' reasons (read
    from the events: the branch journal's, or head office's ``table`` with ``where``)
    and the served handoffs' products."""
    by_reason = declines_by_reason(conn, found.declined, start, found.declined_until, table, where)
    return Handoffs(
        offered=total.handoffs_offered,
        accepted=total.handoffs_accepted,
        declined=total.handoffs_declined,
        declines=sum(by_reason.values()),
        declined_by_reason=by_reason,
        served=total.handoffs_served,
        no_show=total.handoffs_no_show,
        products=products(found),
        conversion=round(total.handoffs_served / total.handoffs_offered, 4)
        if total.handoffs_offered
        else None,
    )
