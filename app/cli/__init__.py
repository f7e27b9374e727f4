"""The ``lobbylink`` command: one module per sub-command, each with ``add_parser`` and ``run``.

Command modules import what only their command needs (Qt, the hub, app.devtools) inside
``run``, so ``lobbylink hub`` loads neither Qt nor a tool. :mod:`app.cli.common` holds
what they share.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from app import log
from app.cli import (
    archive,
    bench,
    board,
    central,
    demo,
    enrol,
    hub,
    keys,
    pair,
    region,
    report,
    send,
    station,
    tail,
    verify,
    witness,
)
from app.cli.bench import with_bench_default
from app.cli.common import CliError

COMMANDS = (
    hub,
    send,
    tail,
    report,
    archive,
    demo,
    station,
    board,
    keys,
    enrol,
    verify,
    witness,
    bench,
    central,
    region,
    pair,
)
"""In the order ``lobbylink --help`` lists them."""
QUIET = frozenset(
    {"send", "tail", "report", "keys", "enrol", "verify", "witness", "bench", "central", "pair"}
)
"""Commands whose output is their answer: the log keeps only warnings."""

__all__ = ["CliError", "build_parser", "main", "with_bench_default"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lobbylink",
        description="Lobbylink (网点联动): one-click call and handoff signals for a bank branch.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(with_bench_default(sys.argv[1:] if argv is None else argv))
    log.setup(args.verbose, quiet=args.command in QUIET)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except CliError as exc:
        print(f"lobbylink {args.command}: {exc}", file=sys.stderr)
        return exc.code
