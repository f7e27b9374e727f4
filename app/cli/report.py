"""``lobbylink report``: a day's signals, or the branch's measures over days.

The measures and their rendering are app.reports'; this module reads the arguments and
writes the result.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from app.cli.common import (
    CONFIG_HELP,
    CliError,
    Subcommands,
    check_journal,
    db_url,
    iso_day,
    load_config,
)
from app.domain.config import Branch
from app.domain.timeday import local_time


def render(rows: list[dict[str, Any]], fmt: str, lang: str = "en") -> str:
    if fmt == "json":
        return msgspec.json.format(msgspec.json.encode(rows), indent=2).decode() + "\n"
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        from app.reports.render import csv_rows

        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(csv_rows(rows))
        return buf.getvalue()
    from app.reports.render import signals_table

    return signals_table(rows, lang)  # headings in ``lang``, columns by display width


def _report_days(args: argparse.Namespace, branch: Branch) -> tuple[date, date]:
    """The local days a report covers: --day, or --from and --to (default: today)."""
    if args.day and (args.date_from or args.date_to):
        raise CliError("give --day, or --from and --to, not both")
    if bool(args.date_from) != bool(args.date_to):
        raise CliError("--from and --to go together")
    if args.date_from:
        first, last = iso_day("--from", args.date_from), iso_day("--to", args.date_to)
    elif args.day:
        first = last = iso_day("--day", args.day)
    else:
        first = last = local_time(int(time.time() * 1000), branch.timezone).date()
    if last < first:
        raise CliError(f"--to {last} is before --from {first}")
    return first, last


def run(args: argparse.Namespace) -> int:
    from app.hub.journal import default_url, make_engine
    from app.reports.day import ReportError, range_signals
    from app.reports.measures import report
    from app.reports.progress import Bar
    from app.reports.render import render_report

    branch = load_config(args.config)
    first, last = _report_days(args, branch)
    if args.central:
        return _run_central(args, branch, first, last)
    if args.by in ("branch", "region"):
        raise CliError(f"--by {args.by} needs --central URL (head office's database)")
    url = db_url(args.db, must_exist=True) if args.db else default_url()
    check_journal(url)
    engine = make_engine(url)
    bar = Bar("report")
    try:
        if args.by is None and args.format != "html":
            lines = range_signals(engine, branch, first, last, args.lang, progress=bar)
            text = render([line.as_dict() for line in lines], args.format, args.lang)
        else:
            summary = report(engine, branch, first, last, args.by or "type", progress=bar)
            text = render_report(summary, args.format, args.lang)
    except ReportError as exc:
        raise CliError(str(exc)) from exc
    finally:
        bar.close()
        engine.dispose()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _run_central(args: argparse.Namespace, branch: Branch, first: date, last: date) -> int:
    """Head office's report: every branch the role may see (app.reports.central)."""
    from app.central.db import CentralError, make_engine
    from app.reports.central import central_report
    from app.reports.day import ReportError
    from app.reports.render import render_report

    if args.db:
        raise CliError("give --db (a branch journal) or --central (head office), not both")
    try:
        engine = make_engine(args.central)
    except CentralError as exc:
        raise CliError(str(exc)) from exc
    except Exception as exc:  # a malformed URL
        raise CliError(f"--central: {exc}") from exc
    try:
        summary = central_report(engine, branch, first, last, args.by or "branch")
        text = render_report(summary, args.format, args.lang)
    except ReportError as exc:
        raise CliError(str(exc)) from exc
    finally:
        engine.dispose()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser(
        "report",
        help="a day's signals, or the branch's measures over days (table, CSV, JSON, HTML)",
        description="Without --by: every signal raised on the days with its times and who "
        "acted. With --by (or --format html): counts, response times (p50/p90 by nearest "
        "rank, max), escalations, handoff funnel, pauses and presence gaps, grouped by "
        "signal type, raising station, responder or local hour. Days are local to the "
        "branch (its time zone in the config).",
    )
    p.add_argument("--config", help=CONFIG_HELP)
    p.add_argument("--db", help="journal URL; default: SQLite in the user data folder")
    p.add_argument(
        "--central",
        metavar="URL",
        help="head office's PostgreSQL instead of a journal: the measures of every branch "
        "the connecting role may see (row-level security), --by branch by default",
    )
    p.add_argument("--day", help="YYYY-MM-DD, local to the branch (default: today)")
    p.add_argument("--from", dest="date_from", metavar="DAY", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DAY", help="last day (included)")
    p.add_argument(
        "--by",
        choices=["branch", "region", "type", "station", "staff", "hour"],
        help="measures grouped by branch or region (with --central), signal type, "
        "station, responder or hour",
    )
    p.add_argument("--format", choices=["table", "csv", "json", "html"], default="table")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--lang", choices=["zh_CN", "en"], default="en")
    p.set_defaults(func=run)
