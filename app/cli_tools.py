"""``lobbylink keys``, ``verify`` and ``bench fuzz``: the security tools of the command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import platformdirs

from messaging import keys as keyfiles


def default_keys_dir() -> Path:
    return Path(platformdirs.user_config_dir("lobbylink", appauthor=False)) / "keys"


def cmd_keys(args: argparse.Namespace) -> int:
    from app.cli import CliError, _branch

    folder = Path(args.dir) if args.dir else default_keys_dir()
    try:
        if args.action == "init":
            branch = _branch(args.config)
            made = keyfiles.init(folder, sorted(branch.stations))
            print(f"keys in {folder}: made {', '.join(made) if made else 'nothing (all present)'}")
            print("give each station PC hub.key and its own stations/<ID>.key_secret")
        elif args.action == "add":
            keyfiles.add(folder, args.station)
            print(f"{args.station}: new key in {folder / 'stations'}")
        elif args.action == "revoke":
            keyfiles.revoke(folder, args.station)
            print(f"{args.station}: revoked; a running hub cuts it off within seconds")
        else:
            rows = keyfiles.listing(folder)
            if not rows:
                print(f"no station keys in {folder}")
            for station, status, public in rows:
                print(f"{station:8} {status:8} {public}")
    except keyfiles.KeyFileError as exc:
        raise CliError(str(exc)) from exc
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from app.cli import CliError, _branch
    from app.hub.journal import Journal, JournalUnavailable, default_url
    from app.hub.verify import verify

    branch = _branch(args.config)
    url = args.db or default_url()
    try:
        journal = Journal(url)
    except JournalUnavailable as exc:
        raise CliError(f"cannot open the journal at {url}: {exc}") from exc
    try:
        findings = verify(journal, branch)
        last = journal.last_seq()
        digest = journal.last_hash.hex()
    finally:
        journal.close()
    if not findings:
        print(f"journal OK: {last} events, chain intact, last hash {digest}")
        return 0
    print(f"journal BROKEN: first problem: {findings[0]}", file=sys.stderr)
    for finding in findings[1:20]:
        print(f"  also: {finding}", file=sys.stderr)
    if len(findings) > 20:
        print(f"  … and {len(findings) - 20} more", file=sys.stderr)
    return 1


def cmd_fuzz(args: argparse.Namespace) -> int:
    from app.cli import _endpoint
    from app.devtools.fuzz import run

    endpoint = _endpoint(args.hub)
    station_keys = hub_public = None
    if args.keys:
        station_keys = keyfiles.station_keys(args.keys, args.station)
        hub_public = station_keys.hub_public
    stats = run(endpoint, args.frames, station_keys, hub_public, args.seed)
    print(
        f"fuzz: {stats.frames} frames in {stats.seconds:.1f} s "
        f"({stats.mutated} mutated, {stats.unknown_key} with an unknown key, "
        f"{stats.raw_tcp} raw TCP); {stats.replies} replies"
    )
    return 0


def add_parsers(sub: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--dir",
        default=os.environ.get("LOBBYLINK_KEYS"),
        help=f"key folder (default: $LOBBYLINK_KEYS or {default_keys_dir()})",
    )
    common.add_argument("--config", help="branch config (for init)")
    p = sub.add_parser("keys", help="CurveZMQ keys of the hub and the stations")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser(
        "init", parents=[common], help="make the hub keypair and one per configured station"
    )
    a = actions.add_parser("add", parents=[common], help="make a key for a new station")
    a.add_argument("station")
    a = actions.add_parser(
        "revoke", parents=[common], help="revoke a station's key (cut off within seconds)"
    )
    a.add_argument("station")
    actions.add_parser("list", parents=[common], help="list station keys and their status")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("verify", help="check the journal's integrity chain and content")
    p.add_argument("--db", help="journal URL; default: SQLite in the user data folder")
    p.add_argument("--config", help="branch config")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser(
        "bench",
        help="benchmarks and robustness runs",
        description="`lobbylink bench --quick --json FILE` is short for "
        "`lobbylink bench run --quick --json FILE`.",
    )
    runs = p.add_subparsers(dest="bench", required=True, metavar="RUN")
    f = runs.add_parser("fuzz", help="send random and mutated frames to a hub's two ports")
    f.add_argument("--hub", required=True, help="hub HOST:PORT")
    f.add_argument("--keys", help="key folder holding hub.key and the station's secret key")
    f.add_argument("--station", default="C01", help="whose key sends the mutated frames")
    f.add_argument("--frames", type=int, default=100_000)
    f.add_argument("--seed", type=int, default=1)
    f.set_defaults(func=cmd_fuzz)

    from app.devtools.bench import add_bench_parsers
    from app.devtools.reports import add_bench_parsers as add_report_benches

    add_bench_parsers(runs)
    add_report_benches(runs)
