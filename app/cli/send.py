"""``lobbylink send``: one command as a station, and the hub's answer."""

from __future__ import annotations

import argparse
import sys
import time

import zmq

from app.cli.common import (
    EXIT_NO_HUB,
    EXIT_REJECTED,
    HUB_HELP,
    CliError,
    Subcommands,
    add_security_options,
    hub_endpoints,
    hubs_text,
    known_station,
    station_config,
    station_keys,
)
from app.domain.events import (
    Acknowledge,
    Arrive,
    Cancel,
    Command,
    Decline,
    RaiseSignal,
    Reoffer,
    Resolve,
    SetAvailability,
    SetStatus,
    SignIn,
    SignOut,
    command_kind,
    encode,
)
from app.domain.roles import Availability, CounterStatus
from messaging.envelope import Accepted, Rejected, WireError
from messaging.keys import StationKeys
from messaging.link import StationLink
from messaging.sockets import Hubs


def _command_from(args: argparse.Namespace) -> Command:
    staff = args.staff or ""
    match args.action:
        case "raise":
            return RaiseSignal(
                code=args.code,
                note=args.note,
                to=args.to,
                ticket=args.ticket,
                need=args.need,
                staff=staff,
            )
        case "ack":
            return Acknowledge(signal_id=args.signal_id, staff=staff)
        case "arrive":
            return Arrive(signal_id=args.signal_id, staff=staff)
        case "resolve":
            return Resolve(
                signal_id=args.signal_id,
                outcome=args.outcome,
                product=args.product,
                note=args.note,
                staff=staff,
            )
        case "cancel":
            return Cancel(signal_id=args.signal_id, staff=staff)
        case "decline":
            return Decline(signal_id=args.signal_id, reason=args.reason, staff=staff)
        case "status":
            return SetStatus(status=CounterStatus(args.status), reason=args.reason, staff=staff)
        case "sign-in":
            return SignIn(staff=args.who, pin=args.pin)
        case "sign-out":
            return SignOut(staff=staff)
        case "reoffer":
            return Reoffer(signal_id=args.signal_id, to=args.to, staff=staff)
        case "availability":
            return SetAvailability(availability=Availability(args.availability), staff=staff)
    raise CliError(f"unknown action {args.action!r}")


TIMEOUT_ONE_S = 5.0
TIMEOUT_PAIR_S = 15.0
"""With a standby pair: long enough for the backup to take over from a dead primary
(2 s of silence here, 2 s there, then a hello) even when asked first, and turned away."""


def send_command(
    endpoint: Hubs,
    station: str,
    command: Command,
    timeout_s: float,
    keys: StationKeys | None = None,
) -> Accepted | Rejected | None:
    """Send one command and wait for the hub's answer (None: no answer in time).

    With a standby pair it goes to whichever hub serves (messaging.link): a refusal by a
    hub that does not serve is no answer; the command goes on to the other hub with the
    same msg_id, so it is journaled once."""
    ctx = zmq.Context()
    link = StationLink(ctx, endpoint, station, subscribe=False, keys=keys)
    answer: list[Accepted | Rejected] = []
    deferred: list[Rejected] = []

    def on_reply(_msg_id: str, result: Accepted | Rejected) -> None:
        if isinstance(result, Rejected) and result.retry:
            deferred.append(result)  # the hub could not store it yet; it is retried
        else:
            answer.append(result)

    link.on_reply = on_reply
    try:
        link.submit(command_kind(command), encode(command))
        deadline = time.monotonic() + timeout_s
        while not answer and time.monotonic() < deadline:
            poller = zmq.Poller()  # again each turn: a move to the other hub opens new sockets
            for sock in link.sockets:
                poller.register(sock, zmq.POLLIN)
            poller.poll(50)
            link.process()
            link.tick()
        if answer:
            return answer[0]
        return deferred[-1] if deferred else None
    finally:
        link.close()
        ctx.term()


def run(args: argparse.Namespace) -> int:
    config, _held = station_config(args)
    hubs = hub_endpoints(args.hub, config)
    where = hubs_text(hubs)
    timeout = args.timeout
    if timeout is None:
        timeout = TIMEOUT_PAIR_S if len(hubs) > 1 else TIMEOUT_ONE_S
    if timeout <= 0:
        raise CliError("--timeout must be more than 0")
    known_station(config, args.station, args.config)
    if args.action == "raise" and config.signal_type(args.code) is None:
        codes = ", ".join(sorted(config.signal_types))
        raise CliError(f"unknown signal type {args.code!r} (types: {codes})")
    command = _command_from(args)
    keys = station_keys(args, args.station)
    try:
        result = send_command(hubs, args.station, command, timeout, keys)
    except WireError as exc:
        raise CliError(f"not sent: {exc.reason}") from exc
    if result is None:
        print(
            f"lobbylink send: no answer from the hub at {where} within {timeout:g} s",
            file=sys.stderr,
        )
        return EXIT_NO_HUB
    if isinstance(result, Rejected) and result.retry:
        print(
            f"lobbylink send: not stored: {result.reason}; send keeps no outbox, "
            "so send it again once the hub can take it",
            file=sys.stderr,
        )
        return EXIT_NO_HUB
    if isinstance(result, Rejected):
        print(f"lobbylink send: rejected ({result.code}): {result.reason}", file=sys.stderr)
        return EXIT_REJECTED
    if isinstance(command, RaiseSignal):
        print(result.seq)
    else:
        print(f"accepted as event {result.seq}")
    return 0


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser("send", help="send one command as a station and print the hub's answer")
    p.add_argument("--config", help="check the station against this branch config first")
    p.add_argument("--hub", help=HUB_HELP)
    p.add_argument("--station", required=True, help="station id, e.g. C01")
    p.add_argument("--staff", default="", help="staff id acting at the station")
    p.add_argument(
        "--timeout",
        type=float,
        help=f"seconds to wait for the hub (default {TIMEOUT_ONE_S:g}; with two hubs "
        f"{TIMEOUT_PAIR_S:g}, time for the backup to take over)",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser("raise", help="raise a signal; prints its id")
    a.add_argument("code", help="signal type, e.g. assist")
    a.add_argument("--note", default="")
    a.add_argument(
        "--to",
        default="",
        help="target station (direct_counter); for a handoff, the wealth manager (station "
        "or staff id) it is offered to",
    )
    a.add_argument("--ticket", default="", help="customer ticket number")
    a.add_argument("--need", default="", help="customer need (handoffs)")
    for name, text in (
        ("ack", "claim a signal"),
        ("arrive", "mark arrived"),
        ("cancel", "cancel your own signal"),
    ):
        a = actions.add_parser(name, help=text)
        a.add_argument("signal_id", type=int, metavar="ID")
    a = actions.add_parser("resolve", help="resolve a signal")
    a.add_argument("signal_id", type=int, metavar="ID")
    a.add_argument("--outcome", default="", help="handoffs: served or no_show")
    a.add_argument("--product", default="")
    a.add_argument("--note", default="")
    a = actions.add_parser("decline", help="decline a handoff")
    a.add_argument("signal_id", type=int, metavar="ID")
    a.add_argument("--reason", required=True)
    a = actions.add_parser("status", help="set the counter's status")
    a.add_argument("status", choices=[s.value for s in CounterStatus])
    a.add_argument("--reason", default="", help="required when paused")
    a = actions.add_parser("sign-in", help="sign a member of staff in at the station")
    a.add_argument("who", metavar="STAFF")
    a.add_argument("--pin", default="")
    actions.add_parser("sign-out", help="sign the station's staff out")
    a = actions.add_parser("reoffer", help="offer your open handoff again")
    a.add_argument("signal_id", type=int, metavar="ID")
    a.add_argument("--to", default="", help="a wealth manager (station or staff id); none: any")
    a = actions.add_parser("availability", help="a wealth manager's availability")
    a.add_argument("availability", choices=[s.value for s in Availability])
    add_security_options(p)
    p.set_defaults(func=run)
