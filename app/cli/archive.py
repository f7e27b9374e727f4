"""``lobbylink archive``: old journal rows into an archive file; the chain stays verifiable."""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from app.cli.common import (
    CONFIG_HELP,
    CliError,
    Subcommands,
    check_journal,
    db_url,
    iso_day,
    load_config,
    safe_url,
)
from app.domain.timeday import local_time


def run(args: argparse.Namespace) -> int:
    from app.hub.journal import Journal, JournalUnavailable, default_url
    from app.reports.archive import ArchiveError, archive
    from app.reports.progress import Bar

    branch = load_config(args.config)
    if args.before:
        before = iso_day("--before", args.before)
    else:
        today = local_time(int(time.time() * 1000), branch.timezone).date()
        before = today - timedelta(days=branch.config.branch.retention_days)
    url = db_url(args.db, must_exist=True) if args.db else default_url()
    check_journal(url)
    try:
        journal = Journal(url)
    except JournalUnavailable as exc:
        raise CliError(f"cannot open the journal at {safe_url(url)}: {exc}") from exc
    bar = Bar("archive")
    try:
        done = archive(journal, before, branch.timezone, args.to, progress=bar)
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    finally:
        bar.close()
        journal.close()
    if not done.last_seq:
        print(f"nothing to archive before {before}")
    else:
        print(
            f"archived rows {done.first_seq} to {done.last_seq} ({done.events} events, "
            f"{done.signals} signals, {done.commands} replies) before {before} into "
            f"{done.file}; the journal's chain now starts at {done.last_seq}:{done.last_hash}"
        )
    return 0


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser(
        "archive",
        help="move old journal rows into an archive file; the chain stays verifiable",
        description="Export every row before local midnight of --before into a new SQLite "
        "file (--to), then delete them from the journal and record the last archived "
        "row's hash as the chain's start, so `lobbylink verify` keeps passing.",
    )
    p.add_argument("--config", help=CONFIG_HELP)
    p.add_argument("--db", help="journal URL; default: SQLite in the user data folder")
    p.add_argument(
        "--before",
        metavar="DAY",
        help="archive what happened before this local day "
        "(default: today minus branch.retention_days of the config)",
    )
    p.add_argument("--to", required=True, metavar="FILE", help="the archive file (must be new)")
    p.set_defaults(func=run)
