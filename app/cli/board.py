"""``lobbylink board``: the branch head's live board, full screen and public by default."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import (
    CONFIG_HELP,
    HUB_HELP,
    LANGS,
    CliError,
    Subcommands,
    add_security_options,
    hub_endpoints,
    known_station,
    load_config,
    station_keys,
)
from app.cli.station import OUTBOX_HELP
from app.domain.roles import Role


def run(args: argparse.Namespace) -> int:
    from app.client.main import run_station  # Qt: only for this command

    branch = load_config(args.config)
    station = known_station(branch, args.station, args.config)
    if station.role is not Role.BRANCH_HEAD:
        heads = ", ".join(s.id for s in branch.stations_of(Role.BRANCH_HEAD)) or "none"
        raise CliError(
            f"{station.id} is a {station.role} station; the board runs as a branch_head "
            f"station ({heads}); use `lobbylink station --station {station.id}` for it"
        )
    endpoint = hub_endpoints(args.hub, branch)
    outbox_dir = Path(args.outbox_dir) if args.outbox_dir else None
    return run_station(
        branch,
        endpoint,
        station.id,
        args.lang,
        outbox_dir,
        board=True,
        fullscreen=not args.windowed,
        public=not args.private,
        keys=station_keys(args, station.id),
    )


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser(
        "board",
        help="run the branch board (full screen, public by default)",
        description="The branch head's live board. Public (a screen others can see, never "
        "showing silent signals) and full screen unless told otherwise.",
    )
    p.add_argument("--config", help=CONFIG_HELP)
    p.add_argument("--hub", help=HUB_HELP)
    p.add_argument(
        "--station", default="H1", help="the board's branch_head station (default %(default)s)"
    )
    p.add_argument(
        "--lang", choices=LANGS, help="user interface language (default: from the system locale)"
    )
    p.add_argument("--windowed", action="store_true", help="a normal window, not full screen")
    p.add_argument(
        "--private",
        action="store_true",
        help="the branch head's own screen: silent signals (duress) are shown, and the "
        "Today and Reports pages",
    )
    p.add_argument("--outbox-dir", metavar="DIR", help=OUTBOX_HELP)
    add_security_options(p)
    p.set_defaults(func=run)
