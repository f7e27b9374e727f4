"""``lobbylink witness``: the chain heads a station keeps, for ``verify --witness``."""

from __future__ import annotations

import argparse
import time

from app.cli.common import Subcommands
from app.cli.verify import station_heads


def run(args: argparse.Namespace) -> int:
    heads = station_heads(args.outbox, "--outbox")
    if not args.all:
        print(heads[-1].text())
        return 0
    for head in heads:
        seen = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(head.seen_ms / 1000))
        print(f"{head.text()} epoch {head.epoch} seen {seen}")
    return 0


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser(
        "witness",
        help="print the journal's chain head a station saw last (SEQ:HASH)",
        description="Read a station's outbox (read only) and print the newest chain head "
        "of the hub's journal that the station kept from the hub's heartbeats, as SEQ:HASH "
        "for `lobbylink verify --witness`; or give the outbox itself to `lobbylink verify "
        "--witness-from`, which checks every head it keeps.",
    )
    p.add_argument("--outbox", required=True, metavar="FILE", help="the station's outbox file")
    p.add_argument(
        "--all", action="store_true", help="every head kept, oldest first, with epoch and time"
    )
    p.set_defaults(func=run)
