"""The range's signals in one read of the ``signals`` projection, tallied for the measures."""

from __future__ import annotations

import bisect
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
)

from app.domain.roles import Outcome
from app.hub import schema
from app.reports.day import ReportError
from app.reports.grouping import group_expr, hour_expr

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
LEVEL = 32
_NONE = -1


@dataclass
class Columns:
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
class Tally:
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


def expressions(
    by: str,
    first: date,
    last: date,
    tz: str,
    handoff_codes: set[str],
    *,
    table: Table = schema.signals,
    group: ColumnElement[Any] | None = None,
    hour: ColumnElement[Any] | None = None,
) -> dict[str, ColumnElement[Any]]:
    """One expression per column of the read; the durations are ms from the raise.
    ``table``: the branch journal's ``signals`` or head office's (same columns);
    ``group`` and ``hour`` replace the grouping and the local hour (head office's are
    per branch: app.reports.central)."""
    s = table.c
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
        "group": group_expr(by, first, last, tz, table) if group is None else group,
        "mark": s.level * LEVEL + flags,
        "ack": s.acked_ms - s.raised_ms,
        "arrive": s.arrived_ms - s.raised_ms,
        "resolve": s.resolved_ms - s.raised_ms,
        "hour": hour_expr(first, last, tz, table) if hour is None else hour,
        "declined": case((and_(handoff, s.declines > 0), s.signal_id), else_=None),
        "declined_until": case((and_(handoff, s.declines > 0), s.updated_ms), else_=None),
        "product": case((and_(handoff, s.outcome == Outcome.SERVED.value), s.product)),
    }


def read_columns(
    conn: Connection, where: list[Any], columns: dict[str, ColumnElement[Any]], by: str
) -> Columns:
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
        return Columns([], [], [], ([], [], []), [], [], 0, [])
    codes = found[1].split(_SEP)
    groups = codes if by == "type" else found[2].split(_SEP)
    products = [] if found[10] is None else found[10].split(_SEP)
    if len(codes) != n or len(groups) != n or len(products) != found[11]:
        return read_rows(conn, where, columns, by)
    marks, acks, arrives, resolves, hours = (ints(v) for v in found[3:8])
    if not len(marks) == len(acks) == len(arrives) == len(resolves) == n:
        raise ReportError(f"the journal's columns do not line up ({n} signals)")
    durations = (acks, arrives, resolves)
    until = int(found[9] or 0)
    declined = [] if found[8] is None else [int(i) for i in found[8].split(",")]
    return Columns(codes, groups, marks, durations, hours, declined, until, products)


def read_rows(
    conn: Connection, where: list[Any], columns: dict[str, ColumnElement[Any]], by: str
) -> Columns:
    """The same as ``read_columns``, one row per signal: slower, no separators."""
    names = ["code", "group", "mark", "ack", "arrive", "resolve", "hour", "declined"]
    names += ["declined_until", "product"]
    rows = conn.execute(select(*(columns[n] for n in names)).where(*where)).all()

    def ms(i: int) -> list[int]:
        return [_NONE if r[i] is None else int(r[i]) for r in rows]

    return Columns(
        codes=[r[0] for r in rows],
        groups=[str(r[1]) for r in rows],
        marks=[int(r[2]) for r in rows],
        durations=(ms(3), ms(4), ms(5)),
        hours=[int(r[6]) for r in rows] if by != "hour" else [],
        declined=[int(r[7]) for r in rows if r[7] is not None],
        declined_until=max((int(r[8]) for r in rows if r[8] is not None), default=0),
        products=[r[9] for r in rows if r[9] is not None],
    )


def tally(columns: Columns) -> Tally:
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
    return Tally(
        counts, durations, hourly, columns.declined, columns.declined_until, columns.products
    )


def id_range(conn: Connection, start: int, end: int) -> list[Any]:
    """The range's signals as a range of ids (a signal's id is the seq of its raise, so
    ids go up with the time their commands reached the hub): scanning by id reads the
    table in order, with no index lookup per row. The raise time is checked on each row
    too: a raise that waited at its station counts from its click (earlier than the
    raises before it), and the hub's clock may have been stepped back."""
    s = schema.signals.c
    in_range = (s.raised_ms >= start, s.raised_ms < end)
    lo, hi = conn.execute(
        select(func.min(s.signal_id), func.max(s.signal_id)).where(*in_range)
    ).one()
    if lo is None or hi is None:
        return [literal(False)]
    # "+ 0": a plain comparison, not the raised_ms index (the id range is the scan)
    return [s.signal_id >= lo, s.signal_id <= hi, s.raised_ms + 0 >= start, s.raised_ms + 0 < end]
