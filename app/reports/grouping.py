"""The groupings of a report as SQL over the ``signals`` projection: signal type,
raising station, responder, local hour of the raise (in the branch's time zone, DST
included)."""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, case, func, literal

from app.hub import schema
from app.reports.figures import NOBODY

GROUPINGS = ("type", "station", "staff", "hour")
CENTRAL_GROUPINGS = ("branch", "region", *GROUPINGS)
"""Head office's reports group by these too (app.reports.central)."""


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


QUARTER_MS = 900_000
"""Every UTC offset change of the tz database falls on a quarter hour of UTC."""


@functools.lru_cache(maxsize=64)
def _offsets(first: date, last: date, tz: str) -> tuple[tuple[int, int], ...]:
    """(from UTC ms, UTC offset ms) segments covering the range: one unless DST moves.
    Stepped over UTC quarter hours, so a change lands at its instant (stepping over
    local hours put the repeated hour of a clock going back in the wrong offset)."""
    zone = ZoneInfo(tz)
    start = int(datetime.combine(first - timedelta(days=2), time(0), UTC).timestamp() * 1000)
    end = int(datetime.combine(last + timedelta(days=2), time(0), UTC).timestamp() * 1000)
    out: list[tuple[int, int]] = []
    for ms in range(start, end + 1, QUARTER_MS):
        offset = datetime.fromtimestamp(ms / 1000, zone).utcoffset() or timedelta(0)
        off = int(offset.total_seconds() * 1000)
        if not out or out[-1][1] != off:
            out.append((ms, off))
    return tuple(out)


def hour_expr(
    first: date, last: date, tz: str, table: Table = schema.signals
) -> ColumnElement[Any]:
    """SQL: the local hour (0-23) of a signal's raise (``table``: the branch journal's
    ``signals``, or head office's, which has the same columns)."""
    raised = table.c.raised_ms
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


def group_expr(
    by: str, first: date, last: date, tz: str, table: Table = schema.signals
) -> ColumnElement[Any]:
    s = table.c
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
        return hour_expr(first, last, tz, table)
    return literal("(all)")
