"""The branch's measures over a range of local days, from the journal: ``report()``.

Plain SQLAlchemy Core over the ``signals`` projection (one row per signal) and the
``events`` table (pauses, presence, decline reasons, read from the event bodies).
This module is the one entry point (the CLI, the hub's report query and the board's
export call ``report``); the work is done by one module per family of measures:
app.reports.scan reads and tallies the range's signals in one pass (grouped as
app.reports.grouping says), app.reports.responses builds the groups (counts,
escalations, response times, deadlines), app.reports.handoffs the handoff funnel,
app.reports.spans the pauses and presence gaps; app.reports.figures holds the
resulting dataclasses.
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

import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, inspect

from app.domain.config import Branch
from app.domain.timeday import day_bounds_ms
from app.reports import handoffs as funnel
from app.reports import responses, scan, spans
from app.reports.day import ReportError
from app.reports.figures import NOBODY, Deadline, Durations, Group, Handoffs, Report, Span
from app.reports.grouping import GROUPINGS

__all__ = [
    "GROUPINGS",
    "NOBODY",
    "Deadline",
    "Durations",
    "Group",
    "Handoffs",
    "Progress",
    "Report",
    "ReportError",
    "Span",
    "report",
]

Progress = Callable[[int, int], None]


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
            where = scan.id_range(conn, start, end)
            step(0, 5)
            columns = scan.expressions(by, first, last, tz, handoff_codes)
            found = scan.tally(scan.read_columns(conn, where, columns, by))
            step(1, 5)
            by_type, grouped, total = responses.build_groups(found, by, handoff_codes)
            hourly = found.hourly
            if by == "hour":
                for k, g in grouped.items():
                    hourly[int(k)] = g.signals
            step(2, 5)
            handoffs = funnel.funnel(conn, total, found, start)
            late = responses.late_by_type(branch, found)
            step(3, 5)
            pauses, gaps = spans.counter_spans(conn, branch, start, end, now)
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
        deadlines=responses.deadlines(branch, by_type, late),
    )
