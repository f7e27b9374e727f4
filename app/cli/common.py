"""What every command of ``lobbylink`` shares: its errors, the config, the endpoint, the keys."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path
from typing import TypeAlias

import msgspec
import platformdirs

from app.domain.config import Branch, Station, decode_shared, load_branch
from app.domain.errors import ConfigError
from messaging import keys as keyfiles
from messaging.envelope import BranchSettings, encode
from messaging.keys import StationKeys
from messaging.sockets import Endpoint

DEFAULT_PORT = 5560
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_NO_HUB = 3
LANGS = ["zh_CN", "en"]
CONFIG_HELP = "branch config (TOML); default: the demo branch shipped with Lobbylink"
HUB_HELP = (
    f"hub HOST:PORT, or a standby pair's two as HOST:PORT,HOST:PORT, the primary first "
    f"(default: the config's [pair] hubs, else 127.0.0.1:{DEFAULT_PORT})"
)

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``ArgumentParser.add_subparsers`` returns: each command module adds its parser."""


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def load_config(path: str | None) -> Branch:
    """The branch config at ``path`` (None: the demo branch), or a CliError saying why not."""
    try:
        return load_branch(path)
    except ConfigError as exc:
        raise CliError(str(exc)) from exc


def known_station(branch: Branch, station_id: str, config: str | None) -> Station:
    station = branch.station(station_id)
    if station is None:
        where = config or "the demo branch"
        known = ", ".join(sorted(branch.stations))
        raise CliError(f"{station_id!r} is not a station of {where}; stations: {known}")
    return station


FIRST_DAY, LAST_DAY = date(1970, 1, 2), date(9998, 12, 30)


def iso_day(flag: str, text: str) -> date:
    """A YYYY-MM-DD argument, within the days a journal's millisecond stamps can hold."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{flag} {text!r}: expected YYYY-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise CliError(f"{flag} {text}: out of range ({FIRST_DAY} to {LAST_DAY})")
    return day


def db_url(text: str, must_exist: bool = False) -> str:
    """A journal URL from ``--db``: a plain path is an SQLite file; a URL is checked.

    The folder of an SQLite file must exist (never made behind the user's back); with
    ``must_exist`` the file too. A URL whose dialect or driver is not installed (say
    PostgreSQL without psycopg) is refused in one line, before any connection. A bare
    ``postgresql://`` URL means psycopg 3, the driver Lobbylink ships with.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from app.hub.readonly import engine_url

    if "://" not in text:
        text = f"sqlite:///{Path(text).expanduser().absolute()}"
    try:
        text = engine_url(text)
        url = make_url(text)
    except ArgumentError:
        raise CliError(f"--db {text!r}: not a journal URL or path") from None
    try:
        url.get_dialect()
    except NoSuchModuleError:
        raise CliError(f"--db: unknown database kind {url.drivername!r}") from None
    try:
        url.get_dialect().import_dbapi()
    except ImportError as exc:
        raise CliError(
            f"--db: the driver for {url.drivername!r} is not installed ({exc.name})"
        ) from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database or "")
        if not path.parent.is_dir():
            raise CliError(f"--db: the folder {path.parent} does not exist")
        if must_exist and not path.is_file():
            raise CliError(f"--db: no Lobbylink journal at {path} (no such file)")
    return text


def safe_url(url: str) -> str:
    """A journal URL fit for a message: its password masked."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def check_journal(url: str) -> None:
    """Refuse, in one line, a journal this version cannot read: a schema revision it does
    not know (a newer Lobbylink wrote it) or a garbled ``meta.chain_start``. Reads only."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    from app.hub.journal import MIGRATIONS

    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            revision = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if "alembic_version" in tables
                else None
            )
            start = (
                conn.execute(text("SELECT value FROM meta WHERE key = 'chain_start'")).scalar()
                if "meta" in tables
                else None
            )
    except SQLAlchemyError as exc:
        why = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        reason = why[0] if why else exc.__class__.__name__
        raise CliError(f"cannot read the journal at {safe_url(url)}: {reason}") from None
    finally:
        engine.dispose()
    known = {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if revision is not None and revision not in known:
        raise CliError(
            f"the journal at {safe_url(url)} has schema {revision!r}, newer than this Lobbylink "
            "knows: use the Lobbylink that wrote it"
        )
    if start:
        seq, _, digest = str(start).partition(":")
        try:
            ok = int(seq) >= 0 and len(bytes.fromhex(digest)) == 32
        except ValueError:
            ok = False
        if not ok:
            raise CliError(
                f"the journal at {safe_url(url)} has a garbled meta.chain_start {str(start)[:40]!r}; "
                "run lobbylink verify"
            )


def parse_endpoint(text: str, default_host: str = "127.0.0.1") -> Endpoint:
    try:
        return Endpoint.parse(text, default_host)
    except ValueError as exc:
        raise CliError(str(exc)) from exc


MAX_HUBS = 2
"""A branch runs one hub, or a standby pair (issue 14)."""


def parse_endpoints(text: str, default_host: str = "127.0.0.1") -> list[Endpoint]:
    """``HOST:PORT`` or ``HOST:PORT,HOST:PORT`` (a standby pair, the primary first)."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > MAX_HUBS:
        raise CliError(f"--hub {text!r}: at most {MAX_HUBS} hubs (a primary and its backup)")
    if any(not part for part in parts):
        raise CliError(f"--hub {text!r}: an empty address (HOST:PORT,HOST:PORT)")
    try:
        found = [Endpoint.parse(part, default_host) for part in parts]
    except ValueError as exc:
        raise CliError(f"--hub {exc}") from None
    if len(set(found)) != len(found):
        raise CliError(f"--hub {text!r}: the same hub twice; a pair is two different hubs")
    return found


def hub_endpoints(given: str | None, branch: Branch | None) -> list[Endpoint]:
    """The hubs to use: ``--hub`` if given, else the configuration's ``[pair] hubs``,
    else the hub on this PC."""
    if given is not None:
        return parse_endpoints(given)
    pair = branch.config.pair.hubs if branch is not None else ()
    if pair:
        return parse_endpoints(",".join(pair))
    return [Endpoint("127.0.0.1", DEFAULT_PORT)]


def hubs_text(endpoints: list[Endpoint]) -> str:
    """``A:P`` or ``A:P,B:P``: the hubs as the user gives them."""
    return ",".join(str(e) for e in endpoints)


def default_keys_dir() -> Path:
    return Path(platformdirs.user_config_dir("lobbylink", appauthor=False)) / "keys"


def keys_dir(args: argparse.Namespace) -> Path | None:
    """The key folder to use, or None with --insecure (plain text, development only)."""
    if getattr(args, "insecure", False):
        return None
    return Path(args.keys) if args.keys else default_keys_dir()


HELD_CONFIG = "branch.msgpack"
"""In a station PC's key folder: the branch configuration last received from the hub."""


def save_held_config(folder: Path, settings: BranchSettings) -> Path:
    """Keep the configuration the hub sent (checked first), whole or not at all."""
    try:
        decode_shared(settings.config, "the hub's configuration")
    except ConfigError as exc:
        raise CliError(str(exc)) from exc
    path = folder / HELD_CONFIG
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(encode(settings))
    os.replace(tmp, path)
    return path


def held_config(folder: Path | None) -> tuple[Branch, str] | None:
    """(branch, hash) of the configuration this PC holds from the hub, if it holds one."""
    if folder is None or not (folder / HELD_CONFIG).exists():
        return None
    path = folder / HELD_CONFIG
    try:
        settings = msgspec.msgpack.decode(path.read_bytes(), type=BranchSettings)
        return Branch(decode_shared(settings.config, str(path))), settings.hash
    except (OSError, msgspec.DecodeError, ConfigError) as exc:
        raise CliError(f"{path}: cannot use the branch configuration held here: {exc}") from exc


def station_config(args: argparse.Namespace) -> tuple[Branch, str]:
    """A station's branch config and the hash to name in its hello: ``--config`` if given
    (hash ""), else the configuration this PC holds from the hub (lobbylink enrol), else
    the demo branch."""
    if args.config is None:
        held = held_config(keys_dir(args))
        if held is not None:
            return held
    return load_config(args.config), ""


def station_keys(args: argparse.Namespace, station: str) -> StationKeys | None:
    folder = keys_dir(args)
    if folder is None:
        return None
    try:
        return keyfiles.station_keys(folder, station)
    except keyfiles.KeyFileError as exc:
        raise CliError(f"{exc} (or pass --insecure to a hub running without encryption)") from exc


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


def central_target(target: str, branch: Branch) -> str:
    """Head office's URL ``target`` (from ``--central`` or ``[central] url``) checked, with
    the branch's id as the code head office knows it by; "" when there is none."""
    from app.central.db import CentralError, central_url
    from app.domain.config import BRANCH_CODE_CHARS

    if not target:
        return ""
    try:
        target = central_url(target)
    except CentralError as exc:
        raise CliError(f"--central: {exc}") from exc
    code = branch.config.branch.id
    if not code or len(code) > 32 or not set(code) <= BRANCH_CODE_CHARS:
        raise CliError(
            f"the branch id {code!r} cannot be a branch code for head office "
            "(letters, digits, - and _, at most 32)"
        )
    return target
