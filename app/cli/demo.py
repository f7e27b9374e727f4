"""``lobbylink demo``: a hub and six station windows with simulated traffic (app.client.demo)."""

from __future__ import annotations

import argparse

from app.cli.common import CONFIG_HELP, LANGS, CliError, Subcommands, db_url, load_config


def run(args: argparse.Namespace) -> int:
    branch = load_config(args.config)
    if args.speed <= 0:
        raise CliError("--speed must be positive")
    from app.client.demo import DemoError, run_demo  # Qt: only for this command

    try:
        return run_demo(
            branch,
            config=args.config,
            db=db_url(args.db) if args.db else None,
            seconds=args.seconds,
            simulate=args.simulate,
            speed=args.speed,
            screenshots=args.screenshots,
            lang=args.lang,
            verbose=args.verbose,
        )
    except DemoError as exc:
        raise CliError(str(exc)) from exc


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser(
        "demo",
        help="a hub on a temporary journal and six station windows, with simulated traffic",
        description="Start a hub on a temporary SQLite journal (or --db) and one window per "
        "role (C01, C02, L1, W1, S1 and the board H1), each signed in as a roster member.",
    )
    p.add_argument("--config", help=CONFIG_HELP)
    p.add_argument("--db", help="journal URL (default: SQLite in a temporary folder)")
    p.add_argument(
        "--seconds", type=float, default=0, help="quit after N seconds (default: run until Ctrl+C)"
    )
    p.add_argument("--simulate", action="store_true", help="drive realistic traffic")
    p.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="simulated staff act this many times faster (default %(default)s)",
    )
    p.add_argument(
        "--screenshots", metavar="DIR", help="save one PNG per window into DIR before quitting"
    )
    p.add_argument(
        "--lang", choices=LANGS, help="user interface language (default: from the system locale)"
    )
    p.set_defaults(func=run)
