"""``lobbylink bench``: benchmarks and robustness runs (run, faults, fuzz, gen, reports,
central).

The arguments are defined here; what runs lives in app.devtools, imported inside each
command so that no other command, and no product module, loads a tool.
``lobbylink bench --quick --json FILE`` is short for ``lobbylink bench run --quick --json FILE``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from app.cli.common import Subcommands, parse_endpoint
from messaging import keys as keyfiles

FAULT_CASES = (
    "kill",
    "offline",
    "slow",
    "disk",
    "readonly",
    "netcut",
    "soak",
    "central",
    "pairkill",
    "paircut",
)
"""app.devtools.faults.driver.CASES, in order (a test keeps the two equal)."""


def with_bench_default(argv: Sequence[str]) -> list[str]:
    """``lobbylink bench --quick …`` means ``lobbylink bench run --quick …``."""
    args = list(argv)
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            if arg == "bench" and i + 1 < len(args) and args[i + 1] in ("--quick", "--json"):
                args.insert(i + 1, "run")
            break
    return args


def _write_json(path: str | None, result: object) -> None:
    if path:
        Path(path).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        print(f"\nwritten to {path}")


def run_run(args: argparse.Namespace) -> int:
    from app.devtools.bench.run import print_result, run

    result = run(args.quick, keep=args.keep)
    print_result(result)
    _write_json(args.json, result)
    return 0


def run_faults(args: argparse.Namespace) -> int:
    from app.devtools.faults.driver import run_faults

    result = run_faults(args.quick, only=args.only)
    _write_json(args.json, result)
    cases = result["cases"].values()
    lost = sum(int(case.get("acknowledged_lost", 0)) for case in cases)
    return 0 if lost == 0 and all(c.get("ok", True) for c in cases) else 1


def run_fuzz(args: argparse.Namespace) -> int:
    from app.devtools.fuzz import NESTED_DEPTH, run

    endpoint = parse_endpoint(args.hub)
    station_keys = hub_public = None
    if args.keys:
        station_keys = keyfiles.station_keys(args.keys, args.station)
        hub_public = station_keys.hub_public
    stats = run(endpoint, args.frames, station_keys, hub_public, args.seed)
    print(
        f"fuzz: {stats.frames} frames in {stats.seconds:.1f} s "
        f"({stats.mutated} mutated, {stats.nested} nested {NESTED_DEPTH:,} deep, "
        f"{stats.long_raises} raises with the longest note, {stats.unknown_key} with an "
        f"unknown key, {stats.raw_tcp} raw TCP; {stats.half_open} half-open connections "
        f"held meanwhile); {stats.replies} replies"
    )
    return 0


def run_gen(args: argparse.Namespace) -> int:
    from app.devtools.reports import cmd_gen

    return cmd_gen(args)


def run_reports(args: argparse.Namespace) -> int:
    from app.devtools.reports import cmd_reports

    return cmd_reports(args)


def run_central(args: argparse.Namespace) -> int:
    import sys

    from app.devtools.bench.central import print_result, run
    from app.devtools.pgserver import PgServerError

    try:
        result = run(args.quick)
    except PgServerError as exc:
        print(f"lobbylink bench central: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    print_result(result)
    _write_json(args.json, result)
    return 0


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser(
        "bench",
        help="benchmarks and robustness runs",
        description="`lobbylink bench --quick --json FILE` is short for "
        "`lobbylink bench run --quick --json FILE`.",
    )
    runs = p.add_subparsers(dest="bench", required=True, metavar="RUN")

    r = runs.add_parser(
        "run",
        help="latency, capacity, resync, board and memory, next to raw baselines",
        description="Start a real hub and simulated stations as separate processes and "
        "measure the figures of DESIGN.md, each with a raw pyzmq / sqlite3 baseline from "
        "the same run (see docs/performance.md).",
    )
    r.add_argument("--quick", action="store_true", help="fewer samples (under two minutes)")
    r.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    r.add_argument("--keep", action="store_true", help="keep the temporary folder")
    r.set_defaults(func=run_run)

    f = runs.add_parser(
        "faults",
        help="hub SIGKILLs, offline stations, slow subscribers, a full or read-only disk, "
        "a network cut, a soak, branches shipping to head office, a standby pair of hubs "
        "killed and cut: what was lost",
        description="Inject faults against a real hub and report acknowledged events lost "
        "or duplicated (must be zero); see docs/reliability.md.",
    )
    f.add_argument("--quick", action="store_true", help="shorter, fewer repetitions")
    f.add_argument(
        "--only",
        action="append",
        choices=FAULT_CASES,
        help="run only this case (repeatable)",
    )
    f.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    f.set_defaults(func=run_faults)

    f = runs.add_parser("fuzz", help="send random and mutated frames to a hub's two ports")
    f.add_argument("--hub", required=True, help="hub HOST:PORT")
    f.add_argument("--keys", help="key folder holding hub.key and the station's secret key")
    f.add_argument("--station", default="C01", help="whose key sends the mutated frames")
    f.add_argument("--frames", type=int, default=100_000)
    f.add_argument("--seed", type=int, default=1)
    f.set_defaults(func=run_fuzz)

    g = runs.add_parser(
        "gen",
        help="build a realistic journal (50 stations, ~14,000 events a day) fast",
        description="Write a busy branch's days straight into a new journal, with the "
        "hub's bodies and chain hashes (it passes `lobbylink verify --config` of the "
        "generated 50-station branch).",
    )
    g.add_argument("--db", required=True, help="journal URL (a new, empty journal)")
    g.add_argument("--events", type=int, default=1_000_000, help="about this many events")
    g.add_argument(
        "--days", type=int, default=0, help="over this many days (default: events / 14,000)"
    )
    g.add_argument("--last-day", help="YYYY-MM-DD of the last day (default: yesterday)")
    g.add_argument("--seed", type=int, default=1)
    g.set_defaults(func=run_gen)

    r = runs.add_parser(
        "reports",
        help="time a day's and a month's report on a journal",
        description="Time `report` for the last day of the journal and the 30 days "
        "ending there (median and best of --repeat runs after a warm-up).",
    )
    r.add_argument("--db", required=True, help="journal URL")
    r.add_argument("--day", help="YYYY-MM-DD (default: the journal's last day)")
    r.add_argument(
        "--by",
        nargs="+",
        choices=["type", "station", "staff", "hour"],
        default=["type", "staff"],
    )
    r.add_argument("--repeat", type=int, default=5)
    r.set_defaults(func=run_reports)

    c = runs.add_parser(
        "central",
        help="head office: ingest, catch-up after a WAN cut, a 1,000-branch report",
        description="Start a throw-away PostgreSQL and measure head office's figures, each "
        "beside a raw baseline of the same run: the shipper's ingest rate against COPY, a "
        "branch's catch-up after a one-day WAN cut (and the hub's round trips meanwhile), "
        "the cross-branch month report over 1,000 branches against one SQL query "
        "(see docs/performance.md).",
    )
    c.add_argument("--quick", action="store_true", help="smaller sizes (about two minutes)")
    c.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    c.set_defaults(func=run_central)
