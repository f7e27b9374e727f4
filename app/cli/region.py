"""``lobbylink region``: the region board, every branch the head-office role may see."""

from __future__ import annotations

import argparse

from app.cli.central import URL_HELP
from app.cli.common import CONFIG_HELP, LANGS, CliError, Subcommands, load_config


def positive(text: str) -> float:
    """A number above zero (argparse says which option, in one line, when it is not)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number above 0")
    return value


def run(args: argparse.Namespace) -> int:
    from app.central.db import CentralError, make_engine
    from app.reports.region import Thresholds

    branch = load_config(args.config)
    if args.refresh < 1:
        raise CliError(f"--refresh {args.refresh:g}: at least 1 second")
    try:
        engine = make_engine(args.central, timeout_s=5)
    except CentralError as exc:
        raise CliError(str(exc)) from exc
    except Exception as exc:  # a malformed URL
        raise CliError(f"--central: {exc}") from exc
    thresholds = Thresholds(
        waiting_min=args.waiting_min, behind_min=args.behind_min, ack_p90_s=args.ack_p90_s
    )
    from app.client.region import run_region  # Qt: only for this command

    return run_region(
        engine, branch, args.lang, thresholds, args.refresh, fullscreen=args.fullscreen
    )


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser(
        "region",
        help="the region board: every branch's link to head office, today's figures, alerts",
        description="A regional manager's board over head office's database: every branch "
        "the connecting PostgreSQL role may see (row-level security: a region role sees its "
        "region's), with its link (connected, or disconnected since when; how far head "
        "office is behind), open signals, today's measures (as `lobbylink report --central "
        "URL --by branch`), alerts, and a double-click into one branch's day.",
    )
    p.add_argument("--central", metavar="URL", required=True, help=URL_HELP)
    p.add_argument(
        "--config",
        help=CONFIG_HELP + "; its signal types give the labels and the deadlines (ack_s)",
    )
    p.add_argument(
        "--refresh",
        type=positive,
        default=10.0,
        metavar="S",
        help="seconds between reads of head office (default %(default)g)",
    )
    p.add_argument(
        "--waiting-min",
        type=positive,
        default=5.0,
        metavar="MIN",
        help="alert on a signal unclaimed for longer (default %(default)g minutes)",
    )
    p.add_argument(
        "--behind-min",
        type=positive,
        default=15.0,
        metavar="MIN",
        help="alert when head office is further behind a connected branch "
        "(default %(default)g minutes)",
    )
    p.add_argument(
        "--ack-p90-s",
        type=positive,
        metavar="S",
        help="also alert on a branch whose 90%% time to claim today is over S seconds "
        "(each signal type is always held to its own deadline, ack_s in the config)",
    )
    p.add_argument(
        "--lang", choices=LANGS, help="user interface language (default: from the system locale)"
    )
    p.add_argument("--fullscreen", action="store_true", help="full screen (a wall display)")
    p.set_defaults(func=run)
