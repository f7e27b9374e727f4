"""``lobbylink verify``: check the journal's integrity chain and content."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.common import CliError, Subcommands, load_config, safe_url


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError, OperationalError

    from app.hub.journal import (
        GarbledJournal,
        Journal,
        JournalUnavailable,
        default_url,
        explain,
    )
    from app.hub.verify import (
        parse_witness,
        station_witness_findings,
        verify,
        witness_findings,
    )

    branch = load_config(args.config)
    try:
        witnesses = [parse_witness(text) for text in args.witness or []]
    except ValueError as exc:
        raise CliError(f"--witness: {exc}") from exc
    stations = [(path, station_heads(path)) for path in args.witness_from or []]
    url = args.db or default_url()
    if "://" not in url:  # a plain path is an SQLite journal
        url = f"sqlite:///{url}"
    try:
        # read-only: never creates a journal at a mistyped path, never migrates one
        journal = Journal(url, read_only=True)
    except JournalUnavailable as exc:
        raise CliError(f"cannot check the journal at {safe_url(url)}: {exc}") from exc
    notes: list[str] = []
    try:
        findings = verify(journal, branch)
        for seq, witnessed in witnesses:
            findings += witness_findings(journal, seq, witnessed)
        if args.archive:
            found, notes = _against_archive(journal, args.archive, branch, stations)
            findings += found
        else:
            for path, heads in stations:
                found, noted = station_witness_findings(journal, heads, path)
                findings += found
                notes += noted
        last = journal.last_seq()
        digest = journal.last_hash.hex()
    except (OperationalError, DBAPIError) as exc:
        raise CliError(f"cannot read the journal at {safe_url(url)}: {explain(exc)}") from exc
    except GarbledJournal as exc:  # damage, as a broken row is: a finding, exit 1
        print(f"journal damaged: {exc}", file=sys.stderr)
        return 1
    finally:
        journal.close()
    if journal.engine.dialect.name != "sqlite":
        # integrity_findings is SQLite's PRAGMA integrity_check; a server checks its own
        # pages (data checksums, the amcheck extension), which verify cannot see from here
        engine = {"postgresql": "PostgreSQL"}.get(journal.engine.dialect.name, "this server")
        notes.insert(
            0,
            f"SQLite's page check does not apply to {engine}: the chain, the rows and the "
            "projection were checked; the server checks its own pages (PostgreSQL: data "
            "checksums, the amcheck extension)",
        )
    for note in notes:
        print(f"note: {note}")
    if not findings:
        print(f"journal OK: {last} events, chain intact, last hash {digest}")
        for path, heads in stations:
            print(f"witness OK: the {len(heads)} chain heads {path} keeps are in it")
        return 0
    print(f"journal BROKEN: first problem: {findings[0]}", file=sys.stderr)
    for finding in findings[1:20]:
        print(f"  also: {finding}", file=sys.stderr)
    if len(findings) > 20:
        print(f"  … and {len(findings) - 20} more", file=sys.stderr)
    return 1


def station_heads(path: str, flag: str = "--witness-from") -> list[Any]:
    """The chain heads a station's outbox keeps (read-only), or a CliError saying why."""
    from messaging.outbox import OutboxError, read_heads

    try:
        heads = read_heads(path)
    except OutboxError as exc:
        raise CliError(f"{flag}: {exc}") from exc
    if not heads:
        raise CliError(f"{flag}: {path} keeps no chain head yet")
    return heads


def _against_archive(
    journal: Any, path: str, branch: Any, stations: list[tuple[str, list[Any]]]
) -> tuple[list[Any], list[str]]:
    """The archive checks by itself, and the journal starts where it ends; the heads
    stations kept are looked for in the journal, or in the archive if older."""
    from app.hub.journal import Journal, JournalUnavailable, chain_end
    from app.hub.verify import Finding, station_witness_findings, verify

    try:
        archive = Journal(f"sqlite:///{path}", read_only=True)
    except JournalUnavailable as exc:
        raise CliError(f"cannot check the archive {path}: {exc}") from exc
    try:
        end = chain_end(archive.engine)
        if end is None:
            raise CliError(f"{path} is not an archive (it records no chain end)")
        found = [Finding(f.seq, f"in the archive: {f.problem}") for f in verify(archive, branch)]
        notes: list[str] = []
        for outbox, heads in stations:
            witnessed, noted = station_witness_findings(journal, heads, outbox, archive)
            found += witnessed
            notes += noted
    finally:
        archive.close()
    seq, digest = journal.chain_start()
    if end != f"{seq}:{digest.hex()}":
        found.append(
            Finding(
                seq,
                f"the journal starts after {seq}:{digest.hex()}, the archive ends "
                f"at {end}: rows between them are missing, or the start was moved",
            )
        )
    return found, notes


def add_parser(sub: Subcommands) -> None:
    p = sub.add_parser("verify", help="check the journal's integrity chain and content")
    p.add_argument("--db", help="journal URL; default: SQLite in the user data folder")
    p.add_argument("--config", help="branch config")
    p.add_argument(
        "--witness",
        action="append",
        metavar="SEQ:HASH",
        help="a chain head seen elsewhere (the hub's log, a station, a printout): fail "
        "unless the journal holds that seq with that hash; may be repeated",
    )
    p.add_argument(
        "--witness-from",
        action="append",
        metavar="OUTBOX",
        help="a station's outbox file (outbox-C01.sqlite), read only: fail unless the "
        "journal holds every chain head that station kept from the hub's heartbeats; "
        "may be repeated",
    )
    p.add_argument(
        "--archive",
        metavar="FILE",
        help="the archive the journal's oldest rows went to: check it, and that the "
        "journal starts where it ends",
    )
    p.set_defaults(func=run)
