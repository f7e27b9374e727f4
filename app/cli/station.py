"""``lobbylink station``: a station window; its role picks the view."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import log
from app.cli.common import (
    HUB_HELP,
    LANGS,
    CliError,
    Subcommands,
    add_security_options,
    hub_endpoints,
    keys_dir,
    known_station,
    save_held_config,
    station_config,
    station_keys,
)
from messaging.envelope import BranchSettings

OUTBOX_HELP = "folder of the station's durable outbox (default: the user data folder)"


def run(args: argparse.Namespace) -> int:
    from app.client.main import run_station  # Qt: only for this command

    branch, held = station_config(args)
    station = known_station(branch, args.station, args.config)
    endpoint = hub_endpoints(args.hub, branch)
    outbox_dir = Path(args.outbox_dir) if args.outbox_dir else None
    keys = station_keys(args, station.id)
    folder = keys_dir(args)
    keep = None
    if held and folder is not None:  # a station that takes its configuration from the hub

        def keep_new(settings: BranchSettings) -> None:
            try:
                save_held_config(folder, settings)
            except (CliError, OSError) as exc:
                log.ui.error("the hub's new branch configuration is not kept: %s", exc)

        keep = (held, keep_new)
    return run_station(
        branch,
        endpoint,
        station.id,
        args.lang,
        outbox_dir,
        fullscreen=args.fullscreen,
        keys=keys,
        held=keep,
    )


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser(
        "station",
        help="run a station window (its role picks the view)",
        description="The station window of one counter, lobby desk, wealth room or back "
        "office PC. Asks who is working there, then shows the view of the station's role.",
    )
    p.add_argument(
        "--config",
        help="branch config (TOML); default: the one this PC holds from the hub "
        "(lobbylink enrol), else the demo branch",
    )
    p.add_argument("--hub", help=HUB_HELP)
    p.add_argument("--station", required=True, help="this PC's station id, e.g. C01")
    p.add_argument(
        "--lang", choices=LANGS, help="user interface language (default: from the system locale)"
    )
    p.add_argument("--fullscreen", action="store_true", help="fill the screen")
    p.add_argument("--outbox-dir", metavar="DIR", help=OUTBOX_HELP)
    add_security_options(p)
    p.set_defaults(func=run)
