"""``lobbylink archive``: old journal rows into an archive file; the chain stays verifiable."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta

from app.cli.common import (
    CONFIG_HELP,
    EXIT_USAGE,
    CliError,
    Subcommands,
    central_target,
    check_journal,
    db_url,
    iso_day,
    load_config,
    safe_url,
)
from app.domain.config import Branch
from app.domain.timeday import local_time


def _central(args: argparse.Namespace, branch: Branch) -> str:
    """Head office's URL when the branch ships (``--central`` or ``[central] url``), checked;
    "" when it does not, or when ``--ignore-central`` says not to ask (said loudly)."""
    target = args.central or branch.config.central.url
    if not target:
        return ""
    if args.ignore_central:
        print(
            "lobbylink archive: WARNING: --ignore-central: head office is not asked what it "
            "holds; rows it has not received are archived all the same and will never reach it",
            file=sys.stderr,
        )
        return ""
    return central_target(target, branch)


def _shipped_to(target: str, code: str, epoch: str, before: date) -> int:
    """The last seq head office holds of this journal (0: none); one line and exit 2 when
    it cannot be asked: then no row is known to be shipped, and none is archived."""
    from app.central.db import CentralError, shipped_up_to

    try:
        found = shipped_up_to(target, code, epoch)
    except CentralError as exc:
        raise CliError(
            f"head office cannot be asked what it holds ({exc}); nothing archived before "
            f"{before}, since no row is known to be shipped (--ignore-central archives "
            "anyway, and those rows never reach head office)"
        ) from None
    return 0 if found is None else found


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
    central = _central(args, branch)
    try:
        journal = Journal(url)
    except JournalUnavailable as exc:
        raise CliError(f"cannot open the journal at {safe_url(url)}: {exc}") from exc
    bar = Bar("archive")
    try:
        # followed: PostgreSQL's WAL archiving, where a segment is recycled only once
        # archive_command reports it stored: rows are trimmed only once head office holds them
        shipped = (
            _shipped_to(central, branch.config.branch.id, journal.epoch, before)
            if central
            else None
        )
        done = archive(journal, before, branch.timezone, args.to, progress=bar, shipped_to=shipped)
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    finally:
        bar.close()
        journal.close()
    if not done.last_seq:
        if not done.kept:
            print(f"nothing to archive before {before}")
    else:
        print(
            f"archived rows {done.first_seq} to {done.last_seq} ({done.events} events, "
            f"{done.signals} signals, {done.commands} replies) before {before} into "
            f"{done.file}; the journal's chain now starts at {done.last_seq}:{done.last_hash}"
        )
    if done.kept:
        print(
            f"lobbylink archive: kept {done.kept} events head office has not received yet "
            f"(it holds this journal up to seq {shipped}); archive again once it has them",
            file=sys.stderr,
        )
        return EXIT_USAGE
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
    p.add_argument(
        "--central",
        metavar="URL",
        default="",
        help="head office's PostgreSQL (overrides [central] url): only rows it holds are "
        "archived; see docs/headoffice.md",
    )
    p.add_argument(
        "--ignore-central",
        action="store_true",
        help="archive without asking head office (rows it has not received never reach it)",
    )
    p.set_defaults(func=run)
