"""``lobbylink keys``: the CurveZMQ keys of the hub and the stations."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from app.cli.common import CliError, Subcommands, default_keys_dir, load_config
from messaging import keys as keyfiles


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir) if args.dir else default_keys_dir()
    try:
        if args.action == "init":
            branch = load_config(args.config)
            made = keyfiles.init(folder, sorted(branch.stations))
            print(f"keys in {folder}: made {', '.join(made) if made else 'nothing (all present)'}")
            print("give each station PC hub.key and its own stations/<ID>.key_secret")
        elif args.action == "add":
            branch = load_config(args.config)
            if branch.station(args.station) is None:
                where = args.config or "the demo branch"
                known = ", ".join(sorted(branch.stations))
                raise CliError(f"{args.station!r} is not a station of {where} (known: {known})")
            keyfiles.add(folder, args.station)
            print(f"{args.station}: new key in {folder / 'stations'}")
        elif args.action == "revoke":
            keyfiles.revoke(folder, args.station)
            print(f"{args.station}: revoked; a running hub cuts it off within seconds")
        elif args.action == "pending":
            waiting = keyfiles.pending(folder)
            if not waiting:
                print("no enrolment requests wait")
            for station, fp, since in waiting:
                print(
                    f"{station:8} {fp}  asked {time.strftime('%Y-%m-%d %H:%M', time.localtime(since))}"
                )
        elif args.action == "approve":
            keyfiles.approve(folder, args.station, args.fingerprint)
            print(f"{args.station}: key {keyfiles.check_fingerprint(args.fingerprint)} approved")
        elif args.action == "drop":
            keyfiles.drop(folder, args.station, args.fingerprint)
            print(f"{args.station}: enrolment request {args.fingerprint} dropped")
        else:
            hub_key = folder / f"{keyfiles.HUB}.key"
            if hub_key.is_file():  # what a station PC's `lobbylink enrol --hub-key` needs
                hub_public = keyfiles.read_public(hub_key).decode()
                print(f"{'hub':8} {'public':8} {hub_public}")
            rows = keyfiles.listing(folder)
            if not rows:
                print(f"no station keys in {folder}")
            for station, status, public in rows:  # a broken entry: its reason, one line
                print(f"{station:8} {status:8} {public}")
    except keyfiles.KeyFileError as exc:
        raise CliError(str(exc)) from exc
    return 0


def add_parser(sub: Subcommands) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--dir",
        default=os.environ.get("LOBBYLINK_KEYS"),
        help=f"key folder (default: $LOBBYLINK_KEYS or {default_keys_dir()})",
    )
    common.add_argument("--config", help="branch config (for init and add)")
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
    actions.add_parser(
        "list", parents=[common], help="list the hub's public key and the station keys"
    )
    actions.add_parser("pending", parents=[common], help="list station PCs waiting for enrolment")
    for name, text in (
        ("approve", "enrol a waiting station PC whose screen shows this fingerprint"),
        ("drop", "refuse a waiting enrolment request"),
    ):
        a = actions.add_parser(name, parents=[common], help=text)
        a.add_argument("station")
        a.add_argument("fingerprint", help="as the station PC shows it, e.g. ABCDE-FGHIJ")
    p.set_defaults(func=run)
