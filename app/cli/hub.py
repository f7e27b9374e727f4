"""``lobbylink hub``: the branch hub, headless."""

from __future__ import annotations

import argparse
import signal
from typing import TYPE_CHECKING

import zmq

from app import log
from app.cli.common import (
    CONFIG_HELP,
    DEFAULT_PORT,
    CliError,
    Subcommands,
    add_security_options,
    central_target,
    check_journal,
    db_url,
    keys_dir,
    load_config,
    parse_endpoint,
    safe_url,
)
from app.domain.config import Branch
from messaging.sockets import DEFAULT_HWM, raise_fd_limit

if TYPE_CHECKING:
    from pathlib import Path

    from app.central.shipper import Shipper
    from app.hub.service import Hub
    from messaging.sockets import Endpoint


def _hwm(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 (ZeroMQ reads 0 as no limit)")
    return value


def _shipper(target: str, config: Branch, url: str, epoch: str) -> Shipper:
    """The journal's shipper to head office (a thread of its own, started by the caller)."""
    from app.central.shipper import Shipper

    log.hub.info("shipping the journal to head office as branch %s", config.config.branch.id)
    return Shipper(url, target, config, epoch, config.config.central)


def _pair(
    hub: Hub, args: argparse.Namespace, where: Endpoint, folder: Path | None, config: Branch
) -> None:
    """Make ``hub`` one of a standby pair (docs/operations.md, "A standby hub")."""
    from app.hub.pairing import PairSettings
    from app.hub.pairport import PAIR_OFFSET
    from messaging import keys as keyfiles

    hubs = config.config.pair.hubs
    text = args.peer or (hubs[1] if args.pair == "primary" else hubs[0]) if hubs else args.peer
    if not text:
        hub.close()
        raise CliError(
            "--pair needs --peer HOST:PORT (the other hub's command port), or [pair] hubs "
            "in the configuration"
        )
    peer = parse_endpoint(text)
    if where.port + PAIR_OFFSET > 65535 or peer.port + PAIR_OFFSET > 65535:
        hub.close()
        raise CliError("a paired hub's port must leave room for PORT+2 (the pair port)")
    keys = keyfiles.hub_keys(folder) if folder is not None else None
    try:
        hub.pair_with(PairSettings(args.pair, peer, keys))
    except zmq.ZMQError as exc:
        hub.close()
        raise CliError(f"cannot listen on the pair port {where.port + PAIR_OFFSET}: {exc}") from exc
    log.hub.info(
        "one of a standby pair: %s, peer %s (pair ports %d and %d); not serving until the "
        "pair decides",
        args.pair,
        peer,
        where.port + PAIR_OFFSET,
        peer.port + PAIR_OFFSET,
    )


def run(args: argparse.Namespace) -> int:
    from app.domain.roles import Role
    from app.hub.journal import GarbledJournal, Journal, JournalUnavailable, default_url
    from app.hub.queries import QueryRunner
    from app.hub.service import Hub
    from app.hub.verify import BrokenJournal
    from app.hub.writer_lock import JournalTaken, WriterLock
    from app.reports import remote

    config = load_config(args.config)
    where = parse_endpoint(args.listen, "0.0.0.0")
    central = central_target(args.central or config.config.central.url, config)
    url = db_url(args.db) if args.db else default_url()
    lock = WriterLock(url)
    try:
        lock.acquire()  # one writer per journal, held until the process ends
    except JournalTaken as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"cannot lock the journal at {safe_url(url)}: {exc}") from exc
    check_journal(url)  # a newer schema or garbled bookkeeping: one line, before migrating
    try:
        journal = Journal(url)
    except JournalUnavailable as exc:
        raise CliError(f"cannot open the journal at {safe_url(url)}: {exc}") from exc
    folder = keys_dir(args)
    if folder is not None and not (folder / "hub.key_secret").exists():
        journal.close()
        raise CliError(
            f"no hub key in {folder}: run `lobbylink keys init --dir {folder} --config FILE` "
            "and give each station its key (or --insecure, for development only)"
        )
    # Every connection costs a file descriptor: take all the system allows this process
    # (after the inputs are checked, so a bad one still gets exactly one line).
    before, after = raise_fd_limit()
    if after != before:
        log.hub.info("open files: limit raised from %d to %d", before, after)
    else:
        log.hub.info("open files: limit %d", after)
    # The board asks the hub for its reports; only the branch head's stations may.
    reports = remote.ReportQuery(url, config)
    queries = QueryRunner({remote.NAME: reports.handler(frozenset({Role.BRANCH_HEAD.value}))})
    try:
        hub = Hub(
            config,
            journal,
            where,
            keys_dir=folder,
            accept_broken=args.accept_broken_journal,
            queries=queries,
            pub_hwm=args.pub_hwm,
        )
    except (BrokenJournal, GarbledJournal) as exc:
        journal.close()
        raise CliError(
            f"the journal at {safe_url(url)} is broken: {exc}; check it with `lobbylink verify`, "
            "or start anyway with --accept-broken-journal (the decision is journaled)"
        ) from exc
    except zmq.ZMQError as exc:
        journal.close()
        raise CliError(f"cannot listen on {where} and {where.port + 1}: {exc}") from exc
    if args.pair:
        _pair(hub, args, where, folder, config)
    shipper = _shipper(central, config, url, journal.epoch) if central else None
    if shipper is not None:
        hub.health.link = shipper
        if hub.pair is not None:
            shipper.upto = hub.pair.shippable
        shipper.start()
    signal.signal(signal.SIGTERM, lambda *_: hub.stop())
    signal.signal(signal.SIGINT, lambda *_: hub.stop())
    lost: list[JournalTaken] = []

    def watch() -> None:
        """A PostgreSQL restart ends the session that held the journal's lock: take it
        again, or stop if another hub has taken it meanwhile (never two writers)."""
        try:
            lock.check()
        except JournalTaken as exc:
            log.hub.error("stopping: this hub no longer holds its journal (%s)", exc)
            lost.append(exc)
            hub.stop()
        except Exception as exc:  # the server is away: the journal says so; try again
            log.hub.debug("journal lock not checked: %s", exc)

    hub.watch = watch
    log.hub.info("journal %s", safe_url(url))
    log.journal.info("chain head at seq %d: %s", journal.last_seq(), journal.last_hash.hex())
    hub.serve()
    if shipper is not None:
        shipper.stop()  # what it has not shipped, the next start ships (the mark is central)
    reports.close()
    try:
        log.journal.info("chain head at seq %d: %s", journal.last_seq(), journal.last_hash.hex())
    except Exception as exc:  # the journal's server is down at the stop: one line
        log.journal.warning("chain head not read at the stop: %s", exc)
    journal.close()
    lock.release()
    log.hub.info("stopped")
    return 2 if lost else 0


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser("hub", help="run the branch hub (headless)")
    p.add_argument("--config", help=CONFIG_HELP)
    p.add_argument(
        "--db", help="journal as an SQLAlchemy URL; default: SQLite in the user data folder"
    )
    p.add_argument(
        "--listen",
        default=f"0.0.0.0:{DEFAULT_PORT}",
        help="HOST:PORT for commands; events use PORT+1 (default %(default)s)",
    )
    p.add_argument(
        "--central",
        metavar="URL",
        default="",
        help="ship the journal to head office's PostgreSQL (overrides [central] url); "
        "see docs/headoffice.md",
    )
    add_security_options(p, hub=True)
    p.add_argument(
        "--pair",
        choices=("primary", "backup"),
        default="",
        help="one of a standby pair of hubs (docs/operations.md); needs --peer",
    )
    p.add_argument(
        "--peer",
        metavar="HOST:PORT",
        default="",
        help="the other hub of the pair (its command port; the pair talks on PORT+2); "
        "default: from [pair] hubs in the configuration",
    )
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
    p.set_defaults(func=run)
