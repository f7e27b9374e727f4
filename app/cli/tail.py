"""``lobbylink tail``: live events as JSON lines."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import Any

import msgspec
import zmq

from app.cli.common import (
    EXIT_NO_HUB,
    HUB_HELP,
    CliError,
    Subcommands,
    add_security_options,
    hub_endpoints,
    hubs_text,
    load_config,
    station_keys,
)
from app.domain.timeday import local_time
from messaging.envelope import T_EVENT, T_HEARTBEAT, WireError, decode_envelope
from messaging.keys import StationKeys
from messaging.link import FAILOVER_S
from messaging.sockets import Endpoint


def event_line(body: bytes, tz: str | None = None) -> dict[str, Any]:
    env = decode_envelope(body)
    line: dict[str, Any] = {
        "seq": env.seq,
        "kind": env.kind,
        "station": env.station,
        "hub_ts_ms": env.hub_ts_ms,
    }
    if tz:
        line["time"] = local_time(env.hub_ts_ms, tz).isoformat(timespec="milliseconds")
    payload = msgspec.msgpack.decode(env.payload)
    if isinstance(payload, dict):
        line.update({k: v for k, v in payload.items() if k not in line})
    return line


def _subscriber(ctx: zmq.Context, where: Endpoint, keys: StationKeys | None) -> zmq.Socket:
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    if keys is not None:
        sub.setsockopt(zmq.CURVE_SERVERKEY, keys.hub_public)
        sub.setsockopt(zmq.CURVE_PUBLICKEY, keys.own.public)
        sub.setsockopt(zmq.CURVE_SECRETKEY, keys.own.secret)
    sub.setsockopt(zmq.SUBSCRIBE, T_EVENT)
    # Heartbeats (one a second at least) tell a live hub from a wrong port or a dead hub.
    sub.setsockopt(zmq.SUBSCRIBE, T_HEARTBEAT)
    sub.connect(where.events)
    return sub


def run(args: argparse.Namespace) -> int:
    branch = load_config(args.config) if args.config else None
    hubs = hub_endpoints(args.hub, branch)
    tz = branch.timezone if branch is not None else None
    if args.timeout < 0:
        raise CliError("--timeout cannot be negative")
    keys = station_keys(args, args.station)
    ctx = zmq.Context()
    at = 0
    sub = _subscriber(ctx, hubs[at], keys)
    told = len(hubs) == 1  # with a pair, say which hub is read once it is heard
    stop: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    deadline = time.monotonic() + args.seconds if args.seconds else None
    count = 0
    heard = here = time.monotonic()
    try:
        while not stop and (deadline is None or time.monotonic() < deadline):
            if not sub.poll(200):
                now = time.monotonic()
                if args.timeout and now - heard > args.timeout:
                    print(
                        f"lobbylink tail: nothing from the hub at {hubs_text(hubs)} within "
                        f"{args.timeout:g} s",
                        file=sys.stderr,
                    )
                    return EXIT_NO_HUB
                if len(hubs) > 1 and now - here > FAILOVER_S:
                    # A standby hub publishes nothing: silence means "try the other one"
                    # (zguide ch. 4, bstarcli.py), as a station does (messaging.link).
                    sub.close(0)
                    at = (at + 1) % len(hubs)
                    sub = _subscriber(ctx, hubs[at], keys)
                    here, told = now, False
                continue
            topic, body = sub.recv_multipart()
            heard = here = time.monotonic()
            if not told:
                # On stderr, as every remark of tail's: stdout stays JSON lines.
                print(f"# hub {hubs[at]} active", file=sys.stderr, flush=True)
                told = True
            if topic == T_HEARTBEAT and not args.heartbeats:
                continue
            try:
                line = event_line(body, tz)
            except WireError as exc:
                print(f"lobbylink tail: undecodable frame: {exc.reason}", file=sys.stderr)
                continue
            sys.stdout.write(msgspec.json.encode(line).decode() + "\n")
            sys.stdout.flush()
            count += 1
            if args.count and count >= args.count:
                break
    except KeyboardInterrupt:
        pass
    finally:
        sub.close(0)
        ctx.term()
    return 0


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser("tail", help="print live events as JSON lines")
    p.add_argument("--hub", help=HUB_HELP)
    p.add_argument(
        "--config", help="add local times in the branch's time zone (and take its [pair] hubs)"
    )
    p.add_argument("--heartbeats", action="store_true", help="print heartbeats too")
    p.add_argument("--count", type=int, default=0, help="stop after N events")
    p.add_argument("--seconds", type=float, default=0, help="stop after N seconds")
    p.add_argument(
        "--timeout",
        type=float,
        default=10,
        help="give up (exit 3) after N s without an event or heartbeat; 0: wait forever "
        "(default %(default)s)",
    )
    p.add_argument("--station", default="H1", help="whose key to listen with (default H1)")
    add_security_options(p)
    p.set_defaults(func=run)
