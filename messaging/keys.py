"""CurveZMQ keys for a branch: one hub keypair, one keypair per station.

Layout of a key folder (the same on the hub and, reduced, on each station PC)::

    hub.key                    hub public key (every station needs it)
    hub.key_secret             hub secret key (hub PC only)
    stations/C01.key           C01's public key: the hub's allow-list
    stations/C01.key_secret    C01's secret key (C01's PC only)
    revoked/C01.key            a revoked key, kept for the record

Secret files are readable by their owner only (0600). The file name is the station id,
and the hub's ZAP handler reports that id as the connection's User-Id.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import zmq.auth

HUB = "hub"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")

Stamp = tuple[int, int, int]
"""(mtime_ns, size, inode) of a key file: changes when it is rewritten or copied over."""


class KeyFileError(Exception):
    """A key folder that lacks what is asked of it; the message says what to do."""


@dataclass(frozen=True)
class CurveKeys:
    public: bytes
    secret: bytes


@dataclass(frozen=True)
class StationKeys:
    station: str
    own: CurveKeys
    hub_public: bytes


def check_id(station: str) -> str:
    """A station id safe to use as a file name (never a path), or a KeyFileError."""
    if _ID.fullmatch(station) is None or station == HUB:
        raise KeyFileError(
            f"{station!r} is not a station id (letters, digits, '-' and '_', up to 32)"
        )
    return station


def _secure(path: Path) -> None:
    os.chmod(path, 0o600)


def _private_folder(folder: Path) -> None:
    """Make ``folder`` (and missing parents) and keep it readable by its owner only."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(folder.stat().st_mode) != 0o700:
        os.chmod(folder, 0o700)


def _make(folder: Path, name: str) -> None:
    _private_folder(folder)
    _public, secret = zmq.auth.create_certificates(str(folder), name)
    _secure(Path(secret))


def _secure_secrets(root: Path) -> None:
    """Existing secret files back to 0600 (a copy or an unzip may have widened them)."""
    for path in [root / f"{HUB}.key_secret", *(root / "stations").glob("*.key_secret")]:
        with contextlib.suppress(OSError):
            if path.is_file() and stat.S_IMODE(path.stat().st_mode) != 0o600:
                _secure(path)


def init(folder: str | Path, stations: list[str]) -> list[str]:
    """Create the hub keypair and a keypair per station that has none; return what was made."""
    root = Path(folder)
    for station in stations:
        check_id(station)
    _private_folder(root)
    made: list[str] = []
    if not (root / f"{HUB}.key_secret").exists():
        _make(root, HUB)
        made.append(HUB)
    for station in stations:
        if not (root / "stations" / f"{station}.key").exists():
            _make(root / "stations", station)
            made.append(station)
    _private_folder(root / "stations")
    _secure_secrets(root)
    return made


def add(folder: str | Path, station: str) -> None:
    check_id(station)
    root = Path(folder)
    _private_folder(root)
    if (root / "stations" / f"{station}.key").exists():
        raise KeyFileError(f"{station} already has a key; revoke it first to replace it")
    _make(root / "stations", station)
    (root / "revoked" / f"{station}.key").unlink(missing_ok=True)
    _secure_secrets(root)


def revoke(folder: str | Path, station: str) -> None:
    """Take a station off the allow-list (the hub cuts it off within seconds)."""
    check_id(station)
    root = Path(folder)
    public = root / "stations" / f"{station}.key"
    if not public.is_file():
        raise KeyFileError(f"{station} has no active key in {root / 'stations'}")
    _private_folder(root / "revoked")
    shutil.move(str(public), root / "revoked" / f"{station}.key")
    (root / "stations" / f"{station}.key_secret").unlink(missing_ok=True)


def read_public(path: Path) -> bytes:
    """The Z85 public key in one key file; KeyFileError (one line) for anything else."""
    try:
        if not path.is_file():
            raise KeyFileError(f"{path}: not a file")
        public, _ = zmq.auth.load_certificate(str(path))
        if len(public) != 40:
            raise ValueError(f"a public key of {len(public)} characters, not 40")
        return public
    except KeyFileError:
        raise
    except Exception as exc:  # a junk file is one broken entry, never a crash
        raise KeyFileError(f"{path}: {exc or type(exc).__name__}") from exc


def listing(folder: str | Path) -> list[tuple[str, str, str]]:
    """(station, 'active'|'revoked'|'broken', key in Z85 or why) for every key file."""
    root = Path(folder)
    out = []
    for status, sub in (("active", "stations"), ("revoked", "revoked")):
        for path in sorted((root / sub).glob("*.key")):
            try:
                out.append((path.stem, status, read_public(path).decode()))
            except KeyFileError as exc:
                out.append((path.stem, "broken", str(exc)))
    return out


def stamps(folder: str | Path) -> dict[str, Stamp]:
    """File name -> (mtime_ns, size, inode) for every ``stations/*.key`` entry."""
    out: dict[str, Stamp] = {}
    for path in (Path(folder) / "stations").glob("*.key"):
        try:
            st = path.stat()
        except OSError:
            out[path.name] = (-1, -1, -1)
            continue
        out[path.name] = (st.st_mtime_ns, st.st_size, st.st_ino)
    return out


def read_allowlist(folder: str | Path) -> tuple[dict[bytes, str], dict[str, str]]:
    """(Z85 public key -> station id, file name -> why it is broken) for stations/*.key."""
    out: dict[bytes, str] = {}
    broken: dict[str, str] = {}
    for path in sorted((Path(folder) / "stations").glob("*.key")):
        try:
            out[read_public(path)] = path.stem
        except KeyFileError as exc:
            broken[path.name] = str(exc)
    return out, broken


def allowlist(folder: str | Path) -> dict[bytes, str]:
    """Z85 public key -> station id, for every readable active station key."""
    return read_allowlist(folder)[0]


def hub_keys(folder: str | Path) -> CurveKeys:
    path = Path(folder) / f"{HUB}.key_secret"
    if not path.exists():
        raise KeyFileError(f"no hub secret key at {path}: run `lobbylink keys init --dir {folder}`")
    public, secret = zmq.auth.load_certificate(str(path))
    assert secret is not None
    return CurveKeys(public, secret)


def station_keys(folder: str | Path, station: str) -> StationKeys:
    check_id(station)
    root = Path(folder)
    hub_public = root / f"{HUB}.key"
    own = root / "stations" / f"{station}.key_secret"
    if not hub_public.exists():
        raise KeyFileError(f"no hub public key at {hub_public}")
    if not own.exists():
        raise KeyFileError(
            f"no secret key for {station} at {own}: copy it from the hub's key folder"
        )
    hub_pub, _ = zmq.auth.load_certificate(str(hub_public))
    public, secret = zmq.auth.load_certificate(str(own))
    assert secret is not None
    return StationKeys(station, CurveKeys(public, secret), hub_pub)
