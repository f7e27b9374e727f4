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

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import zmq.auth

HUB = "hub"


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


def _secure(path: Path) -> None:
    os.chmod(path, 0o600)


def _make(folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _public, secret = zmq.auth.create_certificates(str(folder), name)
    _secure(Path(secret))


def init(folder: str | Path, stations: list[str]) -> list[str]:
    """Create the hub keypair and a keypair per station that has none; return what was made."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    made: list[str] = []
    if not (root / f"{HUB}.key_secret").exists():
        _make(root, HUB)
        made.append(HUB)
    for station in stations:
        if not (root / "stations" / f"{station}.key").exists():
            _make(root / "stations", station)
            made.append(station)
    return made


def add(folder: str | Path, station: str) -> None:
    root = Path(folder)
    if (root / "stations" / f"{station}.key").exists():
        raise KeyFileError(f"{station} already has a key; revoke it first to replace it")
    _make(root / "stations", station)
    (root / "revoked" / f"{station}.key").unlink(missing_ok=True)


def revoke(folder: str | Path, station: str) -> None:
    """Take a station off the allow-list (the hub cuts it off within seconds)."""
    root = Path(folder)
    public = root / "stations" / f"{station}.key"
    if not public.exists():
        raise KeyFileError(f"{station} has no active key in {root / 'stations'}")
    (root / "revoked").mkdir(exist_ok=True)
    shutil.move(str(public), root / "revoked" / f"{station}.key")
    (root / "stations" / f"{station}.key_secret").unlink(missing_ok=True)


def listing(folder: str | Path) -> list[tuple[str, str, str]]:
    """(station, 'active'|'revoked', public key in Z85) for every key in the folder."""
    root = Path(folder)
    out = []
    for status, sub in (("active", "stations"), ("revoked", "revoked")):
        for path in sorted((root / sub).glob("*.key")):
            public, _ = zmq.auth.load_certificate(str(path))
            out.append((path.stem, status, public.decode()))
    return out


def allowlist(folder: str | Path) -> dict[bytes, str]:
    """Z85 public key -> station id, for every active station key."""
    out: dict[bytes, str] = {}
    for path in sorted((Path(folder) / "stations").glob("*.key")):
        public, _ = zmq.auth.load_certificate(str(path))
        out[public] = path.stem
    return out


def hub_keys(folder: str | Path) -> CurveKeys:
    path = Path(folder) / f"{HUB}.key_secret"
    if not path.exists():
        raise KeyFileError(f"no hub secret key at {path}: run `lobbylink keys init --dir {folder}`")
    public, secret = zmq.auth.load_certificate(str(path))
    assert secret is not None
    return CurveKeys(public, secret)


def station_keys(folder: str | Path, station: str) -> StationKeys:
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
