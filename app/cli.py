"""The ``lobbylink`` command: hub, send, tail, report, demo, station, board."""

from __future__ import annotations

import argparse
import csv
import io
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import zmq

from app import log
from app.domain.config import Branch, Station, load_branch
from app.domain.errors import ConfigError
from app.domain.events import (
    Acknowledge,
    Arrive,
    Cancel,
    Command,
    Decline,
    RaiseSignal,
    Resolve,
    SetStatus,
    SignIn,
    SignOut,
    command_kind,
    encode,
)
from app.domain.roles import CounterStatus, Role
from app.domain.timeday import local_time
from messaging import keys as keyfiles
from messaging.envelope import (
    T_EVENT,
    T_HEARTBEAT,
    Accepted,
    Rejected,
    WireError,
    decode_envelope,
)
from messaging.keys import StationKeys
from messaging.link import StationLink
from messaging.sockets import DEFAULT_HWM, Endpoint

DEFAULT_PORT = 5560
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_NO_HUB = 3


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _branch(path: str | None) -> Branch:
    try:
        return load_branch(path)
    except ConfigError as exc:
        raise CliError(str(exc)) from exc


def keys_dir(args: argparse.Namespace) -> Path | None:
    """The key folder to use, or None with --insecure (plain text, development only)."""
    from app.cli_tools import default_keys_dir

    if getattr(args, "insecure", False):
        return None
    return Path(args.keys) if args.keys else default_keys_dir()


def station_keys(args: argparse.Namespace, station: str) -> StationKeys | None:
    folder = keys_dir(args)
    if folder is None:
        return None
    try:
        return keyfiles.station_keys(folder, station)
    except keyfiles.KeyFileError as exc:
        raise CliError(f"{exc} (or pass --insecure to a hub running without encryption)") from exc


def _endpoint(text: str, default_host: str = "127.0.0.1") -> Endpoint:
    try:
        return Endpoint.parse(text, default_host)
    except ValueError as exc:
        raise CliError(str(exc)) from exc


# hub -----------------------------------------------------------------------------------------
def _hwm(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 (ZeroMQ reads 0 as no limit)")
    return value


def cmd_hub(args: argparse.Namespace) -> int:
    from app.domain.roles import Role
    from app.hub.journal import Journal, JournalUnavailable, default_url
    from app.hub.queries import QueryRunner
    from app.hub.service import Hub
    from app.hub.verify import BrokenJournal
    from app.reports import remote

    branch = _branch(args.config)
    endpoint = _endpoint(args.listen, "0.0.0.0")
    url = args.db or default_url()
    try:
        journal = Journal(url)
    except JournalUnavailable as exc:
        raise CliError(f"cannot open the journal at {url}: {exc}") from exc
    folder = keys_dir(args)
    if folder is not None and not (folder / "hub.key_secret").exists():
        journal.close()
        raise CliError(
            f"no hub key in {folder}: run `lobbylink keys init --dir {folder} --config FILE` "
            "and give each station its key (or --insecure, for development only)"
        )
    # The board asks the hub for its reports; only the branch head's stations may.
    reports = remote.ReportQuery(url, branch)
    queries = QueryRunner({remote.NAME: reports.handler(frozenset({Role.BRANCH_HEAD.value}))})
    try:
        hub = Hub(
            branch,
            journal,
            endpoint,
            keys_dir=folder,
            accept_broken=args.accept_broken_journal,
            queries=queries,
            pub_hwm=args.pub_hwm,
        )
    except BrokenJournal as exc:
        journal.close()
        raise CliError(
            f"the journal at {url} is broken: {exc}; check it with `lobbylink verify`, "
            "or start anyway with --accept-broken-journal (the decision is journaled)"
        ) from exc
    except zmq.ZMQError as exc:
        journal.close()
        raise CliError(f"cannot listen on {endpoint} and {endpoint.port + 1}: {exc}") from exc
    signal.signal(signal.SIGTERM, lambda *_: hub.stop())
    signal.signal(signal.SIGINT, lambda *_: hub.stop())
    log.hub.info("journal %s", url)
    hub.serve()
    reports.close()
    journal.close()
    log.hub.info("stopped")
    return 0


# send ------------------------------------------------------------------------------------------
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
    raise CliError(f"unknown action {args.action!r}")


def send_command(
    endpoint: Endpoint,
    station: str,
    command: Command,
    timeout_s: float,
    keys: StationKeys | None = None,
) -> Accepted | Rejected | None:
    """Send one command and wait for the hub's answer (None: no answer in time)."""
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
        poller = zmq.Poller()
        poller.register(link.dealer, zmq.POLLIN)
        while not answer and time.monotonic() < deadline:
            poller.poll(50)
            link.process()
            link.tick()
        if answer:
            return answer[0]
        return deferred[-1] if deferred else None
    finally:
        link.close()
        ctx.term()


def cmd_send(args: argparse.Namespace) -> int:
    endpoint = _endpoint(args.hub)
    if args.config:
        branch = _branch(args.config)
        if branch.station(args.station) is None:
            raise CliError(f"{args.station!r} is not a station in {args.config}")
    command = _command_from(args)
    keys = station_keys(args, args.station)
    try:
        result = send_command(endpoint, args.station, command, args.timeout, keys)
    except WireError as exc:
        raise CliError(f"not sent: {exc.reason}") from exc
    if result is None:
        print(
            f"lobbylink send: no answer from the hub at {endpoint} within {args.timeout:g} s",
            file=sys.stderr,
        )
        return EXIT_NO_HUB
    if isinstance(result, Rejected) and result.retry:
        print(
            f"lobbylink send: not confirmed within {args.timeout:g} s: {result.reason}; "
            "the hub may still store it once it can",
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


# tail ---------------------------------------------------------------------------------------------
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


def cmd_tail(args: argparse.Namespace) -> int:
    endpoint = _endpoint(args.hub)
    tz = _branch(args.config).timezone if args.config else None
    keys = station_keys(args, args.station)
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    if keys is not None:
        sub.setsockopt(zmq.CURVE_SERVERKEY, keys.hub_public)
        sub.setsockopt(zmq.CURVE_PUBLICKEY, keys.own.public)
        sub.setsockopt(zmq.CURVE_SECRETKEY, keys.own.secret)
    sub.setsockopt(zmq.SUBSCRIBE, T_EVENT)
    if args.heartbeats:
        sub.setsockopt(zmq.SUBSCRIBE, T_HEARTBEAT)
    sub.connect(endpoint.events)
    stop: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    deadline = time.monotonic() + args.seconds if args.seconds else None
    count = 0
    try:
        while not stop and (deadline is None or time.monotonic() < deadline):
            if not sub.poll(200):
                continue
            _topic, body = sub.recv_multipart()
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


# report -------------------------------------------------------------------------------------------
def render(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return msgspec.json.format(msgspec.json.encode(rows), indent=2).decode() + "\n"
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()
    if not rows:
        return "(no signals)\n"
    text = [[("" if r[c] is None else str(r[c])) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    out += ["  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)).rstrip() for t in text]
    return "\n".join(out) + "\n"


def _report_days(args: argparse.Namespace, branch: Branch) -> tuple[date, date]:
    """The local days a report covers: --day, or --from and --to (default: today)."""
    if args.day and (args.date_from or args.date_to):
        raise CliError("give --day, or --from and --to, not both")
    if bool(args.date_from) != bool(args.date_to):
        raise CliError("--from and --to go together")
    try:
        if args.date_from:
            first, last = date.fromisoformat(args.date_from), date.fromisoformat(args.date_to)
        elif args.day:
            first = last = date.fromisoformat(args.day)
        else:
            first = last = local_time(int(time.time() * 1000), branch.timezone).date()
    except ValueError:
        bad = args.day or f"{args.date_from} / {args.date_to}"
        raise CliError(f"--day/--from/--to {bad!r}: expected YYYY-MM-DD") from None
    if last < first:
        raise CliError(f"--to {last} is before --from {first}")
    return first, last


def cmd_report(args: argparse.Namespace) -> int:
    from app.hub.journal import default_url, make_engine
    from app.reports.day import ReportError, range_signals
    from app.reports.measures import report
    from app.reports.progress import Bar
    from app.reports.render import render_report

    branch = _branch(args.config)
    first, last = _report_days(args, branch)
    url = args.db or default_url()
    engine = make_engine(url)
    bar = Bar("report")
    try:
        if args.by is None and args.format != "html":
            lines = range_signals(engine, branch, first, last, args.lang, progress=bar)
            text = render([line.as_dict() for line in lines], args.format)
        else:
            summary = report(engine, branch, first, last, args.by or "type", progress=bar)
            text = render_report(summary, args.format)
    except ReportError as exc:
        raise CliError(str(exc)) from exc
    finally:
        bar.close()
        engine.dispose()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from app.hub.journal import Journal, JournalUnavailable, default_url
    from app.reports.archive import ArchiveError, archive
    from app.reports.progress import Bar

    branch = _branch(args.config)
    if args.before:
        try:
            before = date.fromisoformat(args.before)
        except ValueError:
            raise CliError(f"--before {args.before!r}: expected YYYY-MM-DD") from None
    else:
        today = local_time(int(time.time() * 1000), branch.timezone).date()
        before = today - timedelta(days=branch.config.branch.retention_days)
    url = args.db or default_url()
    try:
        journal = Journal(url)
    except JournalUnavailable as exc:
        raise CliError(f"cannot open the journal at {url}: {exc}") from exc
    bar = Bar("archive")
    try:
        done = archive(journal, before, branch.timezone, args.to, progress=bar)
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc
    finally:
        bar.close()
        journal.close()
    if not done.last_seq:
        print(f"nothing to archive before {before}")
    else:
        print(
            f"archived rows {done.first_seq} to {done.last_seq} ({done.events} events, "
            f"{done.signals} signals, {done.commands} replies) before {before} into "
            f"{done.file}; the journal's chain now starts at {done.last_seq}:{done.last_hash}"
        )
    return 0


# demo, station, board -------------------------------------------------------------------------------
LANGS = ["zh_CN", "en"]


def _known_station(branch: Branch, station_id: str, config: str | None) -> Station:
    station = branch.station(station_id)
    if station is None:
        where = config or "the demo branch"
        known = ", ".join(sorted(branch.stations))
        raise CliError(f"{station_id!r} is not a station of {where}; stations: {known}")
    return station


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import run_demo

    return run_demo(args)


def cmd_station(args: argparse.Namespace) -> int:
    from app.client.main import run_station

    branch = _branch(args.config)
    station = _known_station(branch, args.station, args.config)
    endpoint = _endpoint(args.hub)
    outbox_dir = Path(args.outbox_dir) if args.outbox_dir else None
    keys = station_keys(args, station.id)
    return run_station(
        branch, endpoint, station.id, args.lang, outbox_dir, fullscreen=args.fullscreen, keys=keys
    )


def cmd_board(args: argparse.Namespace) -> int:
    from app.client.main import run_station

    branch = _branch(args.config)
    station = _known_station(branch, args.station, args.config)
    if station.role is not Role.BRANCH_HEAD:
        heads = ", ".join(s.id for s in branch.stations_of(Role.BRANCH_HEAD)) or "none"
        raise CliError(
            f"{station.id} is a {station.role} station; the board runs as a branch_head "
            f"station ({heads}); use `lobbylink station --station {station.id}` for it"
        )
    endpoint = _endpoint(args.hub)
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


# parser -------------------------------------------------------------------------------------------------
def add_security_options(p: argparse.ArgumentParser, hub: bool = False) -> None:
    whose = "hub.key_secret and stations/*.key" if hub else "hub.key and stations/ID.key_secret"
    p.add_argument(
        "--keys",
        default=os.environ.get("LOBBYLINK_KEYS"),
        help=f"key folder with {whose} (default: $LOBBYLINK_KEYS or the user config folder)",
    )
    p.add_argument(
        "--insecure",
        action="store_true",
        help="no encryption, no authentication: for development only",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lobbylink",
        description="Lobbylink (网点联动): one-click call and handoff signals for a bank branch.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    config_help = "branch config (TOML); default: the demo branch shipped with Lobbylink"
    p = sub.add_parser("hub", help="run the branch hub (headless)")
    p.add_argument("--config", help=config_help)
    p.add_argument(
        "--db", help="journal as an SQLAlchemy URL; default: SQLite in the user data folder"
    )
    p.add_argument(
        "--listen",
        default=f"0.0.0.0:{DEFAULT_PORT}",
        help="HOST:PORT for commands; events use PORT+1 (default %(default)s)",
    )
    add_security_options(p, hub=True)
    p.add_argument(
        "--accept-broken-journal",
        action="store_true",
        help="serve a journal whose integrity chain is broken (the decision is journaled)",
    )
    p.add_argument(
        "--pub-hwm",
        type=_hwm,
        default=DEFAULT_HWM,
        metavar="N",
        help="events queued per subscriber before the PUB drops them and that station "
        "resyncs (default %(default)s; small values are for fault tests)",
    )
    p.set_defaults(func=cmd_hub)

    p = sub.add_parser("send", help="send one command as a station and print the hub's answer")
    p.add_argument("--config", help="check the station against this branch config first")
    p.add_argument(
        "--hub", default=f"127.0.0.1:{DEFAULT_PORT}", help="hub HOST:PORT (default %(default)s)"
    )
    p.add_argument("--station", required=True, help="station id, e.g. C01")
    p.add_argument("--staff", default="", help="staff id acting at the station")
    p.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        help="seconds to wait for the hub (default %(default)s)",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = actions.add_parser("raise", help="raise a signal; prints its id")
    a.add_argument("code", help="signal type, e.g. assist")
    a.add_argument("--note", default="")
    a.add_argument("--to", default="", help="target station (direct_counter)")
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
    add_security_options(p)
    p.set_defaults(func=cmd_send)

    p = sub.add_parser("tail", help="print live events as JSON lines")
    p.add_argument(
        "--hub", default=f"127.0.0.1:{DEFAULT_PORT}", help="hub HOST:PORT (default %(default)s)"
    )
    p.add_argument("--config", help="add local times in the branch's time zone")
    p.add_argument("--heartbeats", action="store_true", help="print heartbeats too")
    p.add_argument("--count", type=int, default=0, help="stop after N events")
    p.add_argument("--seconds", type=float, default=0, help="stop after N seconds")
    p.add_argument("--station", default="H1", help="whose key to listen with (default H1)")
    add_security_options(p)
    p.set_defaults(func=cmd_tail)

    p = sub.add_parser(
        "report",
        help="a day's signals, or the branch's measures over days (table, CSV, JSON, HTML)",
        description="Without --by: every signal raised on the days with its times and who "
        "acted. With --by (or --format html): counts, response times (p50/p90 by nearest "
        "rank, max), escalations, handoff funnel, pauses and presence gaps, grouped by "
        "signal type, raising station, responder or local hour. Days are local to the "
        "branch (its time zone in the config).",
    )
    p.add_argument("--config", help=config_help)
    p.add_argument("--db", help="journal URL; default: SQLite in the user data folder")
    p.add_argument("--day", help="YYYY-MM-DD, local to the branch (default: today)")
    p.add_argument("--from", dest="date_from", metavar="DAY", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DAY", help="last day (included)")
    p.add_argument(
        "--by",
        choices=["type", "station", "staff", "hour"],
        help="measures grouped by signal type, station, responder or hour",
    )
    p.add_argument("--format", choices=["table", "csv", "json", "html"], default="table")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--lang", choices=["zh_CN", "en"], default="en")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "archive",
        help="move old journal rows into an archive file; the chain stays verifiable",
        description="Export every row before local midnight of --before into a new SQLite "
        "file (--to), then delete them from the journal and record the last archived "
        "row's hash as the chain's start, so `lobbylink verify` keeps passing.",
    )
    p.add_argument("--config", help=config_help)
    p.add_argument("--db", help="journal URL; default: SQLite in the user data folder")
    p.add_argument(
        "--before",
        metavar="DAY",
        help="archive what happened before this local day "
        "(default: today minus branch.retention_days of the config)",
    )
    p.add_argument("--to", required=True, metavar="FILE", help="the archive file (must be new)")
    p.set_defaults(func=cmd_archive)

    p = sub.add_parser(
        "demo",
        help="a hub on a temporary journal and six station windows, with simulated traffic",
        description="Start a hub on a temporary SQLite journal (or --db) and one window per "
        "role (C01, C02, L1, W1, S1 and the board H1), each signed in as a roster member.",
    )
    p.add_argument("--config", help=config_help)
    p.add_argument("--db", help="journal URL (default: SQLite in a temporary folder)")
    p.add_argument(
        "--seconds", type=float, default=0, help="quit after N seconds (default: run until Ctrl+C)"
    )
    p.add_argument("--simulate", action="store_true", help="drive realistic traffic")
    p.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="simulated staff act this many times faster (default %(default)s)",
    )
    p.add_argument(
        "--screenshots", metavar="DIR", help="save one PNG per window into DIR before quitting"
    )
    p.add_argument(
        "--lang", choices=LANGS, help="user interface language (default: from the system locale)"
    )
    p.set_defaults(func=cmd_demo)

    hub_help = f"hub HOST:PORT (default 127.0.0.1:{DEFAULT_PORT})"
    outbox_help = "folder of the station's durable outbox (default: the user data folder)"
    p = sub.add_parser(
        "station",
        help="run a station window (its role picks the view)",
        description="The station window of one counter, lobby desk, wealth room or back "
        "office PC. Asks who is working there, then shows the view of the station's role.",
    )
    p.add_argument("--config", help=config_help)
    p.add_argument("--hub", default=f"127.0.0.1:{DEFAULT_PORT}", help=hub_help)
    p.add_argument("--station", required=True, help="this PC's station id, e.g. C01")
    p.add_argument(
        "--lang", choices=LANGS, help="user interface language (default: from the system locale)"
    )
    p.add_argument("--fullscreen", action="store_true", help="fill the screen")
    p.add_argument("--outbox-dir", metavar="DIR", help=outbox_help)
    add_security_options(p)
    p.set_defaults(func=cmd_station)

    p = sub.add_parser(
        "board",
        help="run the branch board (full screen, public by default)",
        description="The branch head's live board. Public (a screen others can see, never "
        "showing silent signals) and full screen unless told otherwise.",
    )
    p.add_argument("--config", help=config_help)
    p.add_argument("--hub", default=f"127.0.0.1:{DEFAULT_PORT}", help=hub_help)
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
    p.add_argument("--outbox-dir", metavar="DIR", help=outbox_help)
    add_security_options(p)
    p.set_defaults(func=cmd_board)

    from app.cli_tools import add_parsers

    add_parsers(sub)
    return parser


def with_bench_default(argv: Sequence[str]) -> list[str]:
    """``lobbylink bench --quick …`` means ``lobbylink bench run --quick …``."""
    args = list(argv)
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            if arg == "bench" and i + 1 < len(args) and args[i + 1] in ("--quick", "--json"):
                args.insert(i + 1, "run")
            break
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(with_bench_default(sys.argv[1:] if argv is None else argv))
    log.setup(
        args.verbose, quiet=args.command in ("send", "tail", "report", "keys", "verify", "bench")
    )
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except CliError as exc:
        print(f"lobbylink {args.command}: {exc}", file=sys.stderr)
        return exc.code


if __name__ == "__main__":
    sys.exit(main())
