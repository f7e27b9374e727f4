"""Wire protocol v1: the envelope every frame body carries, and the control payloads.

Frames are ``[topic, body]``; ``body`` is a msgpack map decoded strictly into
:class:`Envelope`. Unknown fields are ignored (forward compatible); missing or
mistyped ones are rejected with a reason. See docs/protocol.md.
"""

from __future__ import annotations

import time
import uuid
from typing import TypeVar

import msgspec

T = TypeVar("T")

PROTOCOL_VERSION = 1
MAX_BODY = 16 * 1024
"""Largest command body the hub accepts; bigger ones are rejected with a reason."""
MAX_FRAME = 256 * 1024
"""ZeroMQ MAXMSGSIZE on the hub's sockets: a larger frame drops the connection."""
MAX_ID = 64

# Topics (frame 0).
T_CMD = b"cmd"  # station -> hub: a command; kind = command kind
T_HELLO = b"hello"  # station -> hub: resync request
T_PING = b"ping"  # station -> hub: presence
T_FETCH = b"fetch"  # station -> hub: the full body of a "private" event it may read
T_QUERY = b"query"  # station -> hub: a read-only question (a report); answered once
T_ENROL = b"enrol"  # station PC -> hub: enrol my key as the envelope's station; answered
T_ACCEPTED = b"accepted"  # hub -> station: command stored as seq
T_REJECTED = b"rejected"  # hub -> station: command refused
T_REPLAY = b"replay"  # hub -> station: missed events
T_SNAPSHOT = b"snapshot"  # hub -> station: full state at seq
T_ANSWER = b"answer"  # hub -> station: the answer to a query (msg_id = the query's)
T_EVENT = b"ev"  # hub PUB: a journaled event; kind = event kind
T_HEARTBEAT = b"hb"  # hub PUB: alive, with the last seq
T_CONFIG = b"config"  # hub -> station: the branch configuration (hello's hash differed)


class WireError(ValueError):
    """A frame that does not decode; ``code`` is stable, the message says why."""

    def __init__(self, code: str, reason: str, msg_id: str = "") -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.msg_id = msg_id
        """The frame's msg_id when it could be read, so the sender can match the answer."""


class Envelope(msgspec.Struct, kw_only=True, omit_defaults=True):
    v: int
    kind: str
    msg_id: str
    station: str
    ts_ms: int
    payload: msgspec.Raw = msgspec.Raw(b"\xc0")
    seq: int = 0
    epoch: str = ""
    hub_ts_ms: int = 0


class Accepted(msgspec.Struct):
    seq: int


class Rejected(msgspec.Struct):
    code: str
    reason: str
    retry: bool = False
    """True when the same command may succeed later (hub journal unavailable)."""


class Hello(msgspec.Struct):
    last_seq: int
    epoch: str
    config: str = ""
    """The hash of the branch configuration the station holds from the hub; when it is
    not the hub's, the hub sends its configuration (``config``) first. "" = the station
    has its own configuration file and wants none."""


class Replay(msgspec.Struct):
    events: list[bytes]
    """Bodies of the missed events, exactly as published, in seq order."""
    upto: int
    """The hub's last seq when it answered; replay chunks end at it."""


class Fetch(msgspec.Struct):
    seq: int


class Query(msgspec.Struct):
    """A read-only question for the hub, answered by an :class:`Answer`.

    ``name`` picks the question (e.g. ``report``); ``args`` is its msgpack-encoded
    arguments, which the wire does not read. Queries are not journaled and not
    resent: the asker gives up after a while and may ask again.
    """

    name: str
    args: bytes = b""


class Answer(msgspec.Struct, omit_defaults=True):
    """``ok``: ``body`` holds the result (msgpack); otherwise ``code`` and ``reason``."""

    ok: bool
    body: bytes = b""
    code: str = ""
    reason: str = ""
    retry: bool = False
    """True when the same query may succeed later (the hub is busy)."""


ENROLMENTS = "enrolments"
"""The query the branch head's board asks: the waiting enrolment requests, after an
optional approval or refusal (:class:`EnrolmentAction`)."""


class EnrolmentAction(msgspec.Struct, omit_defaults=True):
    """The ``enrolments`` query's args: ``list``, or ``approve``/``drop`` one request."""

    action: str = "list"
    station: str = ""
    fingerprint: str = ""


class EnrolmentRequest(msgspec.Struct):
    """One waiting request in the ``enrolments`` answer (a list of them)."""

    station: str
    fingerprint: str
    since_ms: int


class BranchSettings(msgspec.Struct):
    """The ``config`` message: the branch configuration as the hub holds it (its fields
    are branch.toml's, PINs hidden) and its hash, which a station puts in its hello."""

    hash: str
    config: msgspec.Raw


class Enrolment(msgspec.Struct, omit_defaults=True):
    """The answer's body to ``enrol``: ``pending`` (waiting for the branch head, who
    compares ``fingerprint`` with the one the station PC shows) or ``enrolled``, with
    the branch configuration the station is to run on."""

    status: str
    fingerprint: str
    settings: BranchSettings | None = None


PRIVATE = "private"
"""Kind of the stand-in the hub publishes for an event only some stations may read."""

# A standby pair of hubs (issue 14): what a hub that does not serve answers, with
# ``retry: true``, to a command, hello, fetch or query (docs/protocol.md §10).
STANDBY = "standby"
"""This hub is the standby and the active hub is alive: ask the other hub."""
TAKEOVER_PENDING = "takeover_pending"
"""The active hub has gone silent: ask this hub again shortly (it takes over once the
active has been silent 2 s)."""
STANDBY_BEHIND = "standby_behind"
"""This hub lacks events the branch has seen: it will not take over; ask the other hub."""
NOT_SERVING = frozenset({STANDBY, TAKEOVER_PENDING, STANDBY_BEHIND})


HEAD_HASH_BYTES = 32
"""A chain hash (SHA-256) as the heartbeat carries it."""


class Health(msgspec.Struct, omit_defaults=True):
    """How the hub is keeping, for the branch head's board (all optional)."""

    disk_free_mb: int = -1
    """Free space where the journal is (-1: not known, e.g. a PostgreSQL journal)."""
    last_commit_ms: int = 0
    """Hub time of the journal's last commit (0: none since the hub started)."""
    clock_offset_ms: int = 0
    """Hub time minus the hub PC's wall clock: not 0 while the hub does not believe
    its wall clock (behind the journal at start) or slews a small correction."""
    # Head office (issue 13): the link of the hub's journal shipper, if it ships.
    central: str = ""
    """"" (not shipping), "connecting", "connected", "down" or "refused" (head office
    refused the journal's chain: shipping stopped)."""
    central_since_ms: int = 0
    """Hub time since when ``central`` is in its state (e.g. down since)."""
    central_lag_events: int = 0
    """Journaled events head office does not have yet."""
    central_lag_ms: int = 0
    """Age of the oldest of them (0: none)."""
    central_last_ms: int = 0
    """Hub time of the last batch stored centrally (0: none since the hub started)."""
    # Standby hub (issue 14): the serving hub's peer, if it is one of a pair.
    pair: str = ""
    """"" (not paired), "in_sync", "catching_up" or "away" (acknowledging alone)."""
    pair_active: str = ""
    """The configured role of this (serving) hub: "primary" or "backup"."""
    pair_lag_events: int = 0
    """Events the peer has not stored yet."""
    pair_since_ms: int = 0
    """Hub time since when ``pair`` is in its state."""
    pair_clock_ms: int = 0
    """The peer's clock minus this hub's, from its last heartbeat (0: not known)."""


class Heartbeat(msgspec.Struct, omit_defaults=True):
    """The hub is alive at ``last_seq``; with the head of its journal's chain, if any.

    ``head_seq``/``head_hash`` (optional; absent from older hubs, ignored by older
    stations) are the seq and chain hash of the newest event the journal has stored:
    what a station keeps as its witness of the journal (docs/protocol.md §5.5).
    """

    last_seq: int
    head_seq: int = 0
    head_hash: bytes = b""
    health: Health | None = None
    """The hub's health (optional; absent from older hubs)."""


_encoder = msgspec.msgpack.Encoder()
_envelope_decoder = msgspec.msgpack.Decoder(Envelope)
_decoders: dict[type, msgspec.msgpack.Decoder] = {}


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def new_msg_id() -> str:
    return uuid.uuid4().hex


def encode(obj: object) -> bytes:
    return _encoder.encode(obj)


def raw(obj: object) -> msgspec.Raw:
    return msgspec.Raw(_encoder.encode(obj))


def make(kind: str, station: str, payload: object = None, msg_id: str | None = None) -> Envelope:
    return Envelope(
        v=PROTOCOL_VERSION,
        kind=kind,
        msg_id=msg_id or new_msg_id(),
        station=station,
        ts_ms=now_ms(),
        payload=msgspec.Raw(payload) if isinstance(payload, bytes) else raw(payload),
    )


def decode_envelope(body: bytes, *, max_body: int = MAX_FRAME) -> Envelope:
    """Decode a frame body; raise WireError with a reason if it is not a v1 envelope.

    A body over ``max_body`` but within MAX_FRAME is still read for its msg_id, so the
    "too large" answer reaches the command that caused it.
    """
    if len(body) > max(max_body, MAX_FRAME):
        raise WireError("too_large", f"body of {len(body)} bytes is over the {max_body} limit")
    try:
        env = _envelope_decoder.decode(body)
    except RecursionError:
        # msgspec walks nested containers recursively and stops at Python's recursion
        # limit: a hostile frame nested thousands deep is refused here in one line,
        # before any rate limiter or log could be flooded with tracebacks.
        raise WireError("bad_frame", "not a v1 envelope: nested too deeply") from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # bad UTF-8 is not a DecodeError
        if len(body) > max_body:
            raise WireError(
                "too_large", f"body of {len(body)} bytes is over the {max_body} limit"
            ) from None
        raise WireError("bad_frame", f"not a v1 envelope: {exc}") from None
    msg_id = env.msg_id if len(env.msg_id) <= MAX_ID else ""
    if len(body) > max_body:
        raise WireError(
            "too_large", f"body of {len(body)} bytes is over the {max_body} limit", msg_id
        )
    if env.v != PROTOCOL_VERSION:
        raise WireError(
            "bad_version", f"protocol version {env.v} is not supported (want 1)", msg_id
        )
    if not env.kind or len(env.kind) > MAX_ID:
        raise WireError("bad_frame", "kind must be 1 to 64 characters", msg_id)
    if len(env.msg_id) > MAX_ID or len(env.station) > MAX_ID:
        raise WireError("bad_frame", "msg_id and station are at most 64 characters", msg_id)
    return env


def decode_payload(env: Envelope, kind: type[T]) -> T:
    decoder = _decoders.get(kind)
    if decoder is None:
        decoder = _decoders[kind] = msgspec.msgpack.Decoder(kind)
    try:
        return decoder.decode(env.payload)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise WireError("bad_payload", f"bad {env.kind!r} payload: {exc}") from None


def encode_envelope(env: Envelope) -> bytes:
    return _encoder.encode(env)
