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
import msgspec.inspect

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
    region: str = ""
    """The region head office files the branch under (issue 13); ``id`` is the branch
    code everywhere centrally."""


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


# System-wide call keys ([call_keys]) ----------------------------------------------------------
DEFAULT_SILENT_CHORD = "Ctrl+Alt+Shift+F12"
"""The default chord of a station's silent signal (duress): one hand rests on the three
modifiers at the keyboard's corner, the other reaches F12, as in ordinary typing; no
program uses it, and Ctrl+Alt+F12 alone would switch the console on Linux."""
DEFAULT_KEY_COUNT = 6
"""Types given a default key: Ctrl+Shift+F1…F6, in the order of the teller's F1…F6."""


class CallKeys(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """``[call_keys]``: keys that raise a call from anywhere on the desk (even while another
    application has the keyboard), and the discreet chord of the silent signal.

    ``roles`` maps a role to {signal code: key or list of keys} (a USB call button that
    sends a key code is listed beside the keyboard's key); a role given a map uses exactly
    it, "" turning a key off. A role not named gets Ctrl+Shift+F1…F6 for the non-silent
    types it may raise, in the catalog's order (its F1…F6 in the window).
    """

    silent_chord: str = DEFAULT_SILENT_CHORD
    """Raises the first silent type the station's role may raise; "" turns it off."""
    roles: dict[str, dict[str, str | list[str]]] = {}


MODIFIERS = {"ctrl": "Ctrl", "control": "Ctrl", "alt": "Alt", "shift": "Shift"}
MODIFIERS |= {"super": "Super", "meta": "Super", "win": "Super"}
MODIFIER_ORDER = ("Ctrl", "Alt", "Shift", "Super")
NAMED_KEYS = (
    "Pause",
    "ScrollLock",
    "Print",
    "Insert",
    "Delete",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "Space",
    "Return",
    "Tab",
    "Escape",
    "Backspace",
)
"""Key names besides F1…F24, letters and digits (their X11 keysyms and Windows virtual
keys are in app.client.hotkeys)."""
ALONE_KEYS = frozenset({*(f"F{n}" for n in range(13, 25)), "Pause", "ScrollLock"})
"""Keys no application types: the only ones a key may be without a modifier."""


class Chord(msgspec.Struct, frozen=True, order=True):
    """A key with its modifiers, e.g. Ctrl+Shift+F1 (``mods`` in MODIFIER_ORDER)."""

    mods: tuple[str, ...]
    key: str

    def __str__(self) -> str:
        return "+".join((*self.mods, self.key))


def parse_chord(text: str) -> Chord:
    """``"ctrl+shift+f1"`` → Chord(("Ctrl", "Shift"), "F1"); ValueError in plain words."""
    parts = [p.strip() for p in text.split("+")]
    if not text.strip() or any(not p for p in parts):
        raise ValueError(f"{text!r} is not a key (write it like 'Ctrl+Shift+F1')")
    *mod_names, key_name = parts
    mods: set[str] = set()
    for name in mod_names:
        mod = MODIFIERS.get(name.lower())
        if mod is None:
            raise ValueError(f"{text!r}: {name!r} is not a modifier (Ctrl, Alt, Shift, Super)")
        mods.add(mod)
    key = _key_name(key_name)
    if key is None:
        raise ValueError(
            f"{text!r}: {key_name!r} is not a key (F1…F24, a letter, a digit, "
            + ", ".join(NAMED_KEYS)
            + ")"
        )
    if not mods and key not in ALONE_KEYS:
        raise ValueError(
            f"{text!r}: without Ctrl, Alt, Shift or Super it would be taken from every "
            "application; only F13…F24, Pause or ScrollLock may stand alone (a USB call button)"
        )
    return Chord(tuple(m for m in MODIFIER_ORDER if m in mods), key)


def _key_name(name: str) -> str | None:
    upper = name.upper()
    if upper.startswith("F") and upper[1:].isdigit() and 1 <= int(upper[1:]) <= 24:
        return f"F{int(upper[1:])}"
    if len(name) == 1 and name.isascii() and name.isalnum():
        return upper
    return next((k for k in NAMED_KEYS if k.lower() == name.lower()), None)


def call_keys(branch: Branch, role: Role) -> dict[str, tuple[Chord, ...]]:
    """The system-wide keys of a station of ``role``: {signal code: its chords}, in the
    catalog's order; only types the role may raise, only those with a key."""
    config = branch.config.call_keys
    raisable = branch.raisable_by(role)
    keys: dict[str, tuple[Chord, ...]] = {}
    named = config.roles.get(role.value)
    if named is None:
        for number, kind in enumerate(raisable, start=1):
            if not kind.silent and number <= DEFAULT_KEY_COUNT:
                keys[kind.code] = (Chord(("Ctrl", "Shift"), f"F{number}"),)
    else:
        for kind in raisable:
            given = named.get(kind.code, "")
            texts = [given] if isinstance(given, str) else given
            chords = tuple(parse_chord(t) for t in texts if t.strip())
            if chords:
                keys[kind.code] = chords
    silent = next((k for k in raisable if k.silent), None)
    if silent is not None and silent.code not in keys and config.silent_chord.strip():
        keys[silent.code] = (parse_chord(config.silent_chord),)
    return keys


def _check_call_keys(config: BranchConfig) -> list[str]:
    problems: list[str] = []
    keys = config.call_keys
    if keys.silent_chord.strip():
        try:
            parse_chord(keys.silent_chord)
        except ValueError as exc:
            problems.append(f"$.call_keys.silent_chord: {exc}")
    branch = Branch(config)
    for role_name, codes in keys.roles.items():
        where = f"$.call_keys.roles.{role_name}"
        try:
            role = Role(role_name)
        except ValueError:
            problems.append(f"{where}: unknown role {role_name!r}")
            continue
        may = {k.code for k in branch.raisable_by(role)}
        for code, given in codes.items():
            if code not in may:
                problems.append(f"{where}.{code}: not a signal type a {role_name} may raise")
            for text in [given] if isinstance(given, str) else given:
                if text.strip():
                    try:
                        parse_chord(text)
                    except ValueError as exc:
                        problems.append(f"{where}.{code}: {exc}")
    if problems:
        return problems
    for role in Role:
        seen: dict[Chord, str] = {}
        for code, chords in call_keys(branch, role).items():
            for chord in chords:
                if chord in seen and seen[chord] != code:
                    problems.append(
                        f"$.call_keys: {role.value}: {chord} is given to both "
                        f"{seen[chord]!r} and {code!r}"
                    )
                seen.setdefault(chord, code)
    return problems


# ------------------------------------------------------------------------------------------


# Head office (issue 13) ------------------------------------------------------------------
class CentralLink(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """``[central]``: where the hub ships its journal (docs/headoffice.md).

    The hub's own business: never sent to the stations (:func:`shared_config`)."""

    url: str = ""
    """The central PostgreSQL as an SQLAlchemy/libpq URL; "" ships nothing
    (``lobbylink hub --central URL`` overrides it)."""
    ship_personal: bool = False
    """Ship notes, ticket numbers and other typed text too. Off by default: under PIPL
    they stay in the branch; head office gets times, types, stations, staff and outcomes."""
    batch: int = 500
    """Events per central transaction."""
    rate: int = 2_000
    """Events per second at most while catching up (the hub's CPU comes first)."""
    retry_max_s: float = 60.0
    """Longest wait between two tries while the server or the WAN is down."""


BRANCH_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _check_central(config: BranchConfig) -> list[str]:
    problems: list[str] = []
    link, code = config.central, config.branch.id
    if link.url and (not code or len(code) > 32 or not set(code) <= BRANCH_CODE_CHARS):
        problems.append(
            f"$.branch.id: {code!r} cannot be a branch code for head office "
            "(letters, digits, - and _, at most 32)"
        )
    if link.batch < 1 or link.rate < 1:
        problems.append("$.central: batch and rate must be at least 1")
    if link.retry_max_s <= 0:
        problems.append("$.central.retry_max_s: must be more than 0")
    return problems


# Standby hub (issue 14) ------------------------------------------------------------------
class PairHubs(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """``[pair]``: the branch's two hubs (docs/operations.md, "A standby hub").

    Sent to the stations: they use both addresses when started without ``--hub``."""

    hubs: tuple[str, ...] = ()
    """``HOST:PORT`` of the primary, then of the backup ("" none: one hub)."""


def _check_pair(config: BranchConfig) -> list[str]:
    hubs = config.pair.hubs
    if not hubs:
        return []
    if len(hubs) != 2 or hubs[0] == hubs[1]:
        return ["$.pair.hubs: two different HOST:PORT, the primary's first"]
    bad = [h for h in hubs if not h.rpartition(":")[2].isdigit() or not h.rpartition(":")[0]]
    return [f"$.pair.hubs: {h!r} is not HOST:PORT" for h in bad]


# ------------------------------------------------------------------------------------------
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
    call_keys: CallKeys = msgspec.field(default_factory=lambda: CallKeys())
    central: CentralLink = msgspec.field(default_factory=lambda: CentralLink())
    pair: PairHubs = msgspec.field(default_factory=lambda: PairHubs())


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
    central = CentralLink()  # head office's URL (it may hold a password) stays at the hub
    return msgspec.msgpack.encode(msgspec.structs.replace(config, staff=staff, central=central))


def config_hash(shared: bytes) -> str:
    """A configuration's hash as stations name it in their hello (SHA-256, 16 hex)."""
    return hashlib.sha256(shared).hexdigest()[:16]


def decode_shared(raw: bytes, source: str = "the hub") -> BranchConfig:
    """A configuration received from the hub, checked as a file would be."""
    try:
        data = msgspec.msgpack.decode(raw)
        # A newer hub may send fields this station does not know (the file forbids them,
        # to catch typos; the wire tolerates them, as every message does: §4.2).
        config = msgspec.convert(
            _known(data, msgspec.inspect.type_info(BranchConfig)), BranchConfig
        )
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
        raise ConfigError(f"{source}: the branch configuration does not decode: {exc}") from exc
    _check(config, source)
    return config


def _known(data: object, kind: msgspec.inspect.Type) -> object:
    """``data`` without the map keys ``kind`` (a msgspec type description) has no field for."""
    if isinstance(kind, msgspec.inspect.StructType) and isinstance(data, dict):
        fields = {f.encode_name: f.type for f in kind.fields}
        return {k: _known(v, fields[k]) for k, v in data.items() if k in fields}
    if isinstance(kind, msgspec.inspect.ListType | msgspec.inspect.VarTupleType) and isinstance(
        data, list
    ):
        return [_known(item, kind.item_type) for item in data]
    if isinstance(kind, msgspec.inspect.DictType) and isinstance(data, dict):
        return {k: _known(v, kind.value_type) for k, v in data.items()}
    if isinstance(kind, msgspec.inspect.UnionType):
        for option in kind.types:
            if isinstance(option, msgspec.inspect.StructType) and isinstance(data, dict):
                return _known(data, option)
    return data


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
    problems += _check_call_keys(config)  # [call_keys]
    problems += _check_central(config)  # [central]
    problems += _check_pair(config)  # [pair]
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
