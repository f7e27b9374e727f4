"""CurveZMQ keys for a branch: one hub keypair, one keypair per station.

Layout of a key folder (the same on the hub and, reduced, on each station PC)::

    hub.key                    hub public key (every station needs it)
    hub.key_secret             hub secret key (hub PC only)
    stations/C01.key           C01's public key: the hub's allow-list
    stations/C01.key_secret    C01's secret key (C01's PC only)
    revoked/C01.key            a revoked key, kept for the record
    pending/C03.ABCDE-FGHIJ.key  a station PC's own key waiting to be approved (enrolment)

A station PC may make its own keypair (:func:`own_keys`) and ask the hub to enrol it:
its secret never leaves it; the hub keeps the public key under ``pending/`` until the
branch head compares the fingerprint shown on both screens and approves it
(:func:`approve`), the way SSH shows a host key's fingerprint for a person to check.

Secret files are readable by their owner only (0600). The file name is the station id,
and the hub's ZAP handler reports that id as the connection's User-Id.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import zmq.auth
from zmq.utils import z85

HUB = "hub"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")

MAX_PENDING = 32
"""Enrolment requests kept at once; more are refused until some are approved or dropped."""
_FINGERPRINT = re.compile(r"[A-Z2-7]{5}-[A-Z2-7]{5}")

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


# Enrolment -------------------------------------------------------------------------------
def fingerprint(public: bytes) -> str:
    """A short fingerprint of a Z85 public key for people to compare: ``ABCDE-FGHIJ``.

    SHA-256 of the 32-byte key in base32 (no 0/1/8/9 to misread), 50 bits: a person
    compares it on two screens; forging a key with the same prefix costs ~2^50 tries.
    """
    digest = base64.b32encode(hashlib.sha256(z85.decode(public)).digest()).decode()[:10]
    return f"{digest[:5]}-{digest[5:]}"


def check_fingerprint(text: str) -> str:
    """A fingerprint as typed (any case, spaces) in canonical form, or a KeyFileError."""
    canonical = text.strip().upper().replace(" ", "")
    if _FINGERPRINT.fullmatch(canonical) is None:
        raise KeyFileError(f"{text!r} is not a key fingerprint (like ABCDE-FGHIJ)")
    return canonical


def own_keys(folder: str | Path, station: str) -> tuple[CurveKeys, bool]:
    """A station PC's own keypair for ``station`` (made now if it has none): (keys, made).

    The secret stays in ``<folder>/stations/<station>.key_secret`` (0600); only the
    public key goes to the hub, in the enrolment request.
    """
    check_id(station)
    root = Path(folder)
    _private_folder(root)
    secret = root / "stations" / f"{station}.key_secret"
    made = not secret.exists()
    if made:
        _make(root / "stations", station)
    try:
        public, secret_key = zmq.auth.load_certificate(str(secret))
    except Exception as exc:  # a junk file: one line, never a traceback
        raise KeyFileError(f"{secret}: {exc or type(exc).__name__}") from exc
    if secret_key is None:
        raise KeyFileError(f"{secret} holds no secret key")
    _secure_secrets(root)
    return CurveKeys(public, secret_key), made


def set_hub_public(folder: str | Path, public: bytes) -> None:
    """Write the hub's public key (given by the administrator) into a station's folder."""
    root = Path(folder)
    _private_folder(root)
    try:
        if len(z85.decode(public)) != 32:
            raise ValueError
    except ValueError:
        raise KeyFileError(
            "the hub key must be 40 characters of Z85 (`lobbylink keys list`)"
        ) from None
    _write_public(root / f"{HUB}.key", public)


def _write_public(path: Path, public: bytes) -> None:
    """A public key file in ZeroMQ's certificate format (as zmq.auth writes it)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f'metadata\ncurve\n    public-key = "{public.decode()}"\n', encoding="utf-8")
    os.replace(tmp, path)  # whole or not at all: the hub never reads half a key


def request(folder: str | Path, station: str, public: bytes) -> tuple[str, bool]:
    """Keep ``public`` as a pending enrolment of ``station``: (fingerprint, new request).

    The same key asking again is the same request. KeyFileError when too many wait.
    """
    check_id(station)
    root = Path(folder)
    fp = fingerprint(public)
    path = root / "pending" / f"{station}.{fp}.key"
    if path.is_file():
        return fp, False
    _private_folder(root / "pending")
    if len(list((root / "pending").glob("*.key"))) >= MAX_PENDING:
        raise KeyFileError(f"{MAX_PENDING} enrolment requests already wait for approval")
    _write_public(path, public)
    return fp, True


def pending(folder: str | Path) -> list[tuple[str, str, float]]:
    """(station, fingerprint, requested at, epoch seconds) for each waiting request."""
    out = []
    for path in sorted((Path(folder) / "pending").glob("*.key")):
        station, _, fp = path.stem.partition(".")
        try:
            out.append((check_id(station), check_fingerprint(fp), path.stat().st_mtime))
        except (KeyFileError, OSError):
            continue  # not a request of ours: left alone, never a crash
    return out


def approve(folder: str | Path, station: str, fp: str) -> bytes:
    """Make the pending key of ``station`` with fingerprint ``fp`` its active key.

    A station's earlier key is moved to ``revoked/`` (a running hub cuts it off); the
    station's other requests are dropped. Returns the approved public key.
    """
    check_id(station)
    fp = check_fingerprint(fp)
    root = Path(folder)
    path = root / "pending" / f"{station}.{fp}.key"
    if not path.is_file():
        raise KeyFileError(
            f"no enrolment request of {station} with fingerprint {fp} "
            "(`lobbylink keys pending` lists them)"
        )
    public = read_public(path)
    if fingerprint(public) != fp:
        raise KeyFileError(f"{path}: its key does not have the fingerprint {fp}")
    _private_folder(root / "stations")
    active = root / "stations" / f"{station}.key"
    if active.exists():
        _private_folder(root / "revoked")
        shutil.move(str(active), root / "revoked" / f"{station}.key")
        (root / "stations" / f"{station}.key_secret").unlink(missing_ok=True)
    _write_public(active, public)
    for other in (root / "pending").glob(f"{station}.*.key"):
        other.unlink(missing_ok=True)
    return public


def drop(folder: str | Path, station: str, fp: str) -> None:
    """Refuse a pending enrolment request (its key is never allowed)."""
    check_id(station)
    fp = check_fingerprint(fp)
    path = Path(folder) / "pending" / f"{station}.{fp}.key"
    if not path.is_file():
        raise KeyFileError(f"no enrolment request of {station} with fingerprint {fp}")
    path.unlink()
