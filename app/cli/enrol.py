"""``lobbylink enrol``: a station PC makes its own key and asks the hub to enrol it.

The secret key is made here and never leaves this PC. The hub keeps the public key as a
request; this command shows its fingerprint and waits until the branch head, seeing the
same fingerprint on the board (or in ``lobbylink keys pending``), approves it. Then it
keeps the branch configuration the hub sends, so ``lobbylink station`` needs no config
file of its own.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import msgspec
import zmq

from app.cli.common import (
    DEFAULT_PORT,
    EXIT_NO_HUB,
    EXIT_REJECTED,
    CliError,
    Subcommands,
    default_keys_dir,
    parse_endpoint,
    save_held_config,
)
from messaging import keys as keyfiles
from messaging.envelope import (
    T_ANSWER,
    T_ENROL,
    T_REJECTED,
    Answer,
    Enrolment,
    Rejected,
    WireError,
    decode_envelope,
    decode_payload,
    encode_envelope,
    make,
)
from messaging.keys import StationKeys
from messaging.sockets import Endpoint, station_sockets

ASK_EVERY_S = 3.0


def ask(endpoint: Endpoint, keys: StationKeys, timeout_s: float) -> Enrolment | Rejected | None:
    """One enrolment request; the hub's answer, or None if none came in ``timeout_s``."""
    ctx = zmq.Context()
    dealer, _ = station_sockets(ctx, endpoint, keys, subscribe=False)
    try:
        env = make("enrol", keys.station)
        deadline = time.monotonic() + timeout_s
        sent = False
        while time.monotonic() < deadline:
            if not sent:
                try:
                    dealer.send_multipart([T_ENROL, encode_envelope(env)], zmq.NOBLOCK)
                    sent = True
                except zmq.Again:  # not connected yet (IMMEDIATE): try again shortly
                    time.sleep(0.05)
                    continue
            if not dealer.poll(100):
                continue
            topic, body = dealer.recv_multipart()[:2]
            try:
                reply = decode_envelope(body)
                if reply.msg_id != env.msg_id:
                    continue
                if topic == T_REJECTED:
                    return decode_payload(reply, Rejected)
                if topic == T_ANSWER:
                    answer = decode_payload(reply, Answer)
                    if not answer.ok:
                        return Rejected(answer.code, answer.reason, answer.retry)
                    return msgspec.msgpack.decode(answer.body, type=Enrolment)
            except (WireError, msgspec.DecodeError) as exc:
                raise CliError(f"the hub's answer does not decode: {exc}") from exc
        return None
    finally:
        dealer.close(0)
        ctx.term()


def run(args: argparse.Namespace) -> int:
    endpoint = parse_endpoint(args.hub)
    folder = Path(args.keys) if args.keys else default_keys_dir()
    try:
        if args.hub_key:
            keyfiles.set_hub_public(folder, args.hub_key.encode())
        own, made = keyfiles.own_keys(folder, args.station)
        keys = keyfiles.station_keys(folder, args.station)
    except keyfiles.KeyFileError as exc:
        hint = "" if args.hub_key else " (give the hub's public key with --hub-key)"
        raise CliError(f"{exc}{hint}") from exc
    fp = keyfiles.fingerprint(own.public)
    print(f"{args.station}: {'made a new key' if made else 'key'} in {folder}")
    print(f"key fingerprint: {fp}  (the branch head approves it when the board shows the same)")
    deadline = time.monotonic() + args.wait
    said_pending = False
    while True:
        try:
            answer = ask(endpoint, keys, min(5.0, max(0.5, deadline - time.monotonic())))
        except WireError as exc:
            raise CliError(f"not sent: {exc.reason}") from exc
        if isinstance(answer, Rejected) and not answer.retry:
            print(f"lobbylink enrol: refused ({answer.code}): {answer.reason}", file=sys.stderr)
            return EXIT_REJECTED
        if isinstance(answer, Enrolment) and answer.status == "enrolled":
            if answer.settings is not None:
                path = save_held_config(folder, answer.settings)
                print(f"enrolled as {args.station}; the branch configuration is in {path}")
            else:
                print(f"enrolled as {args.station}")
            return 0
        if isinstance(answer, Enrolment) and not said_pending:
            print(f"waiting for approval of {answer.fingerprint} …", flush=True)
            said_pending = True
        if time.monotonic() >= deadline:
            if answer is None:
                print(f"lobbylink enrol: no answer from the hub at {endpoint}", file=sys.stderr)
            else:
                print(
                    "lobbylink enrol: not approved yet; run it again to keep waiting",
                    file=sys.stderr,
                )
            return EXIT_NO_HUB
        time.sleep(min(ASK_EVERY_S, max(0.0, deadline - time.monotonic())))


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser(
        "enrol",
        help="make this PC's own station key and ask the hub to enrol it",
        description="Makes this PC's keypair (the secret never leaves it), asks the hub to "
        "enrol it as STATION and waits until the branch head approves the fingerprint shown.",
    )
    p.add_argument("--hub", default=f"127.0.0.1:{DEFAULT_PORT}", help="hub HOST:PORT")
    p.add_argument("--station", required=True, help="the station this PC is, e.g. C03")
    p.add_argument("--hub-key", help="the hub's public key (Z85, from `lobbylink keys list`)")
    p.add_argument(
        "--keys",
        default=os.environ.get("LOBBYLINK_KEYS"),
        help=f"this PC's key folder (default: $LOBBYLINK_KEYS or {default_keys_dir()})",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=600.0,
        help="seconds to wait for approval (default %(default)s)",
    )
    p.set_defaults(func=run)
