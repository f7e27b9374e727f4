"""``lobbylink pair``: ask one hub of a standby pair how it stands, or hand over.

It talks to the hub's pair port (PORT+2) with the branch's hub key, so only a hub PC
(or whoever holds that key) can do it. Fail-back is this command, never automatic
(zguide ch. 4: automatic recovery is undesirable).
"""

from __future__ import annotations

import argparse

import zmq

from app.cli.common import (
    DEFAULT_PORT,
    CliError,
    Subcommands,
    add_security_options,
    keys_dir,
    parse_endpoint,
)


def run(args: argparse.Namespace) -> int:
    from app.hub import pairwire
    from app.hub.pairport import client_socket, pair_address
    from messaging import keys as keyfiles
    from messaging.keys import KeyFileError

    if args.action == "promote" and not args.accept_loss:
        raise CliError(
            "promote serves this hub's journal even if the other hub acknowledged events it "
            "lacks (they are set aside when that hub returns); say --accept-loss to do it"
        )
    where = parse_endpoint(args.hub)
    folder = keys_dir(args)
    try:
        keys = keyfiles.hub_keys(folder) if folder is not None else None
    except KeyFileError as exc:
        raise CliError(f"{exc} (the pair port takes the hub key only)") from exc
    ctx = zmq.Context()
    try:
        sock = client_socket(ctx, pair_address(where), keys, immediate=False)
        sock.send(pairwire.encode(pairwire.Admin(action=args.action)), zmq.NOBLOCK)
        if not sock.poll(int(args.timeout * 1000)):
            raise CliError(
                f"no answer from the hub's pair port at {pair_address(where)} within "
                f"{args.timeout:g} s (is it a paired hub, and is this its key?)"
            )
        try:
            reply = pairwire.decode(sock.recv())
        except ValueError as exc:
            raise CliError(f"the hub answered something else: {exc}") from exc
        sock.close(0)
    finally:
        ctx.destroy(0)
    if not isinstance(reply, pairwire.AdminReply):
        raise CliError("the hub answered something else")
    print(reply.text)
    return 0 if reply.ok else 1


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("between 0 and 600 seconds")
    return value


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser(
        "pair",
        help="a standby pair of hubs: status, or hand over to the standby (fail-back)",
    )
    p.add_argument(
        "action",
        choices=("status", "handover", "promote"),
        help="status: how this hub and its peer stand; handover: the active hub hands "
        "over to its in-step standby (refused while the standby is behind); promote: a "
        "standby whose peer is gone for good serves even if behind (needs --accept-loss)",
    )
    p.add_argument(
        "--accept-loss",
        action="store_true",
        help="with promote: accept losing what only the other hub stored (journaled)",
    )
    p.add_argument(
        "--hub",
        default=f"127.0.0.1:{DEFAULT_PORT}",
        help="the hub's HOST:PORT (its pair port is PORT+2; default %(default)s)",
    )
    p.add_argument("--timeout", type=_seconds, default=5.0, help="seconds to wait (default 5)")
    add_security_options(p, hub=True)
    p.set_defaults(func=run)
