"""The branch configuration (resources/branch.toml): one typed schema, validated on load.

Decoding is done by msgspec, so a value of the wrong type is reported with its path
(``$.signals[2].ack_s``); the cross-checks below name the key and the problem too.
"""

from __future__ import annotations

import hashlib
import tomllib
import zoneinfo
from importlib import resources
from pathlib import Path

import msgspec

from app.domain.errors import ConfigError
from app.domain.roles import ANY_ROLE, Role


class Text(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A label in both languages of the product."""

    zh_CN: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh_CN if lang.startswith("zh") else self.en


class BranchInfo(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: str
    name: Text
    timezone: str = "Asia/Shanghai"
    floor_size: tuple[int, int] = (1000, 600)
    retention_days: int = 400


class Zone(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: str
    label: Text
    rect: tuple[int, int, int, int]


class Station(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: str
    name: Text
    role: Role
    zone: str
    pos: tuple[int, int]
    public: bool = False  # a public screen never shows silent signals


class Staff(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: str
    name: Text
    roles: tuple[Role, ...]
    pin: str = ""


DEFAULT_PRIORITY = 2
"""The urgency of a signal type that sets none (1 = urgent … 4 = low)."""


class SignalType(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    code: str
    label: Text
    raisers: tuple[str, ...]
    """Roles that may raise it, or ``any``."""
    targets: tuple[Role, ...] = ()
    """Roles that receive it. Empty when ``to_station`` is required."""
    to_station: bool = False
    """The raiser names one station (of a target role, or any teller) as the receiver."""
    priority: int = DEFAULT_PRIORITY
    """1 = urgent … 4 = low; orders the lobby manager's list."""
    ack_s: int = 0
    """Seconds until an unacknowledged signal escalates; 0 = never."""
    escalate: tuple[Role, ...] = ()
    """Roles added one by one at each missed deadline."""
    remind_s: int = 15
    """A client repeats its alert this often until someone acknowledges."""
    handoff: bool = False
    """A customer handoff: resolved with an outcome, may be declined."""
    silent: bool = False
    """No sound or banner at the raiser, never on public screens."""
    comes_to_raiser: bool = False
    """The one who claims it walks over to the raiser ("正在前往" once claimed)."""


class Reason(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    code: str
    label: Text


class BranchConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    branch: BranchInfo
    zones: tuple[Zone, ...]
    stations: tuple[Station, ...]
    staff: tuple[Staff, ...]
    signals: tuple[SignalType, ...]
    pause_reasons: tuple[Reason, ...] = ()
    decline_reasons: tuple[Reason, ...] = ()
    needs: tuple[Reason, ...] = ()
    products: tuple[Reason, ...] = ()


class Branch:
    """A decoded config with its lookups: what the rules and the views consult."""

    def __init__(self, config: BranchConfig) -> None:
        self.config = config
        self.stations = {s.id: s for s in config.stations}
        self.signal_types = {s.code: s for s in config.signals}
        self.staff = {s.id: s for s in config.staff}
        self.zones = {z.id: z for z in config.zones}

    @property
    def timezone(self) -> str:
        return self.config.branch.timezone

    def station(self, station_id: str) -> Station | None:
        return self.stations.get(station_id)

    def signal_type(self, code: str) -> SignalType | None:
        return self.signal_types.get(code)

    def staff_member(self, staff_id: str) -> Staff | None:
        return self.staff.get(staff_id)

    def stations_of(self, role: Role) -> list[Station]:
        return [s for s in self.config.stations if s.role == role]

    def raisable_by(self, role: Role) -> list[SignalType]:
        return [t for t in self.config.signals if ANY_ROLE in t.raisers or role.value in t.raisers]

    def audience(self, code: str) -> frozenset[str] | None:
        """Roles that may read a silent signal type's details (None: not silent, anyone)."""
        kind = self.signal_types.get(code)
        if kind is None or not kind.silent:
            return None
        return frozenset(r.value for r in (*kind.targets, *kind.escalate))

    @property
    def private_readers(self) -> frozenset[str]:
        """Roles that read at least one silent signal type."""
        roles: set[str] = set()
        for kind in self.config.signals:
            roles |= self.audience(kind.code) or set()
        return frozenset(roles)


def default_config_path() -> Path:
    return Path(str(resources.files("resources").joinpath("branch.toml")))


def load_branch(path: str | Path | None = None) -> Branch:
    """Read and check a branch config, ready for lookups."""
    return Branch(load_config(path))


def load_config(path: str | Path | None = None) -> BranchConfig:
    """Read, decode and check a branch config; raise ConfigError naming the key."""
    where = Path(path) if path is not None else default_config_path()
    try:
        raw = where.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read the branch config: {exc.strerror}") from exc
    return parse_config(raw, str(where))


def parse_config(raw: bytes | str, source: str = "<config>") -> BranchConfig:
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")  # a UTF-8 BOM (Notepad's) is accepted
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{source}: not UTF-8 (byte {exc.start}); save the config as UTF-8"
            ) from None
    else:
        text = raw.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    try:
        config = msgspec.convert(data, BranchConfig)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    _check(config, source)
    return config


HIDDEN_PIN = "*"
"""What stations see of a PIN in the configuration the hub sends: that there is one."""


def shared_config(config: BranchConfig) -> bytes:
    """The configuration the hub sends its stations (msgpack, branch.toml's fields): every
    PIN replaced by :data:`HIDDEN_PIN`, since PINs are checked at the hub only."""
    staff = tuple(msgspec.structs.replace(p, pin=HIDDEN_PIN) if p.pin else p for p in config.staff)
    return msgspec.msgpack.encode(msgspec.structs.replace(config, staff=staff))


def config_hash(shared: bytes) -> str:
    """A configuration's hash as stations name it in their hello (SHA-256, 16 hex)."""
    return hashlib.sha256(shared).hexdigest()[:16]


def decode_shared(raw: bytes, source: str = "the hub") -> BranchConfig:
    """A configuration received from the hub, checked as a file would be."""
    try:
        config = msgspec.msgpack.decode(raw, type=BranchConfig)
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
        raise ConfigError(f"{source}: the branch configuration does not decode: {exc}") from exc
    _check(config, source)
    return config


def _dupes(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]


def _check(config: BranchConfig, source: str) -> None:
    problems: list[str] = []
    for name, ids in (
        ("zones", [z.id for z in config.zones]),
        ("stations", [s.id for s in config.stations]),
        ("staff", [s.id for s in config.staff]),
        ("signals", [s.code for s in config.signals]),
    ):
        for dup in _dupes(ids):
            problems.append(f"$.{name}: the id {dup!r} is used twice")
    zone_ids = {z.id for z in config.zones}
    role_names = {r.value for r in Role} | {ANY_ROLE}
    for i, st in enumerate(config.stations):
        if not st.id or not st.id.isascii() or not st.id.replace("-", "").isalnum():
            problems.append(f"$.stations[{i}].id: {st.id!r} must be letters, digits or '-'")
        if st.zone not in zone_ids:
            problems.append(f"$.stations[{i}].zone: unknown zone {st.zone!r}")
    for i, sig in enumerate(config.signals):
        for raiser in sig.raisers:
            if raiser not in role_names:
                problems.append(f"$.signals[{i}].raisers: unknown role {raiser!r}")
        if not sig.raisers:
            problems.append(f"$.signals[{i}].raisers: at least one role must raise {sig.code!r}")
        if not sig.targets and not sig.to_station:
            problems.append(f"$.signals[{i}]: {sig.code!r} needs targets or to_station = true")
        if not 1 <= sig.priority <= 4:
            problems.append(f"$.signals[{i}].priority: must be 1 to 4, not {sig.priority}")
        if sig.ack_s < 0 or sig.remind_s < 0:
            problems.append(f"$.signals[{i}]: ack_s and remind_s cannot be negative")
        if sig.escalate and not sig.ack_s:
            problems.append(f"$.signals[{i}].escalate: needs ack_s > 0 to know when to escalate")
    for i, person in enumerate(config.staff):
        if not person.roles:
            problems.append(f"$.staff[{i}].roles: {person.id!r} needs at least one role")
    for name, reasons in (
        ("pause_reasons", config.pause_reasons),
        ("decline_reasons", config.decline_reasons),
    ):
        for dup in _dupes([r.code for r in reasons]):
            problems.append(f"$.{name}: the code {dup!r} is used twice")
    if config.branch.retention_days < 0:
        problems.append(
            f"$.branch.retention_days: cannot be negative ({config.branch.retention_days})"
        )
    if not _known_zone(config.branch.timezone):
        problems.append(
            f"$.branch.timezone: unknown time zone {config.branch.timezone!r} "
            "(an IANA name such as 'Asia/Shanghai')"
        )
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
