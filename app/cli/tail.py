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
    DEFAULT_PORT,
    EXIT_NO_HUB,
    CliError,
    Subcommands,
    add_security_options,
    load_config,
    parse_endpoint,
    station_keys,
)
from app.domain.timeday import local_time
from messaging.envelope import T_EVENT, T_HEARTBEAT, WireError, decode_envelope


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


def run(args: argparse.Namespace) -> int:
    where = parse_endpoint(args.hub)
    tz = load_config(args.config).timezone if args.config else None
    if args.timeout < 0:
        raise CliError("--timeout cannot be negative")
    keys = station_keys(args, args.station)
    ctx = zmq.Context()
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
    stop: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    deadline = time.monotonic() + args.seconds if args.seconds else None
    count = 0
    heard = time.monotonic()
    try:
        while not stop and (deadline is None or time.monotonic() < deadline):
            if not sub.poll(200):
                if args.timeout and time.monotonic() - heard > args.timeout:
                    print(
                        f"lobbylink tail: nothing from the hub at {where} within "
                        f"{args.timeout:g} s",
                        file=sys.stderr,
                    )
                    return EXIT_NO_HUB
                continue
            topic, body = sub.recv_multipart()
            heard = time.monotonic()
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
    p.add_argument(
        "--hub", default=f"127.0.0.1:{DEFAULT_PORT}", help="hub HOST:PORT (default %(default)s)"
    )
    p.add_argument("--config", help="add local times in the branch's time zone")
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
