"""``lobbylink bench gen`` and ``lobbylink bench reports``: a big journal, and report timings.

Their arguments are defined in app.cli.bench.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

from app.devtools.gen import EVENTS_PER_DAY, bench_branch, generate
from app.hub.journal import Journal, JournalUnavailable, make_engine
from app.reports.measures import report
from app.reports.progress import Bar


def cmd_gen(args: argparse.Namespace) -> int:
    days = args.days or max(1, round(args.events / EVENTS_PER_DAY))
    try:
        journal = Journal(args.db)
    except JournalUnavailable as exc:
        print(f"lobbylink bench gen: cannot open {args.db}: {exc}", file=sys.stderr)
        return 2
    if journal.last_seq():
        print(f"lobbylink bench gen: {args.db} is not empty; use a new journal", file=sys.stderr)
        return 2
    bar = Bar("generating")
    started = time.perf_counter()
    try:
        made = generate(
            journal,
            bench_branch(),
            args.events,
            days,
            last_day=date.fromisoformat(args.last_day) if args.last_day else None,
            seed=args.seed,
            progress=bar,
        )
    finally:
        bar.close()
        journal.close()
    took = time.perf_counter() - started
    print(
        f"generated {made.events} events ({made.signals} signals) over {made.days} days, "
        f"{made.first_day} to {made.last_day}, in {took:.1f} s ({made.events / took:,.0f} events/s)"
    )
    return 0


def _time(run: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(median, best) wall time of ``run`` in ms, after one warm-up run."""
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def cmd_reports(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from app.hub import schema

    engine = make_engine(args.db)
    branch = bench_branch()
    e = schema.events.c
    with engine.connect() as conn:
        events = int(conn.execute(select(func.count()).select_from(schema.events)).scalar() or 0)
        last_ts = conn.execute(select(func.max(e.hub_ts_ms))).scalar()
    if not last_ts:
        print(f"lobbylink bench reports: {args.db} holds no events", file=sys.stderr)
        return 2
    from app.domain.timeday import local_time

    last = (
        date.fromisoformat(args.day)
        if args.day
        else local_time(int(last_ts), branch.timezone).date()
    )
    first_of_month = last - timedelta(days=29)
    print(f"journal: {events:,} events; day {last}, month {first_of_month} to {last}")
    for label, first in (("day", last), ("month (30 days)", first_of_month)):
        for by in args.by:
            median, best = _time(partial(report, engine, branch, first, last, by), args.repeat)
            print(f"  {label:16} by {by:8} median {median:8.1f} ms   best {best:8.1f} ms")
    engine.dispose()
    return 0
