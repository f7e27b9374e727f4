"""What every command of ``lobbylink`` shares: its errors, the config, the endpoint, the keys."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TypeAlias

import platformdirs

from app.domain.config import Branch, Station, load_branch
from app.domain.errors import ConfigError
from messaging import keys as keyfiles
from messaging.keys import StationKeys
from messaging.sockets import Endpoint

DEFAULT_PORT = 5560
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_NO_HUB = 3
LANGS = ["zh_CN", "en"]
CONFIG_HELP = "branch config (TOML); default: the demo branch shipped with Lobbylink"
HUB_HELP = f"hub HOST:PORT (default 127.0.0.1:{DEFAULT_PORT})"

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


def parse_endpoint(text: str, default_host: str = "127.0.0.1") -> Endpoint:
    try:
        return Endpoint.parse(text, default_host)
    except ValueError as exc:
        raise CliError(str(exc)) from exc


def default_keys_dir() -> Path:
    return Path(platformdirs.user_config_dir("lobbylink", appauthor=False)) / "keys"


def keys_dir(args: argparse.Namespace) -> Path | None:
    """The key folder to use, or None with --insecure (plain text, development only)."""
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
