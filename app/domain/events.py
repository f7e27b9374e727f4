"""Commands a station sends and the events the hub journals, as typed msgspec structs.

Both are tagged unions: the tag travels as the envelope's ``kind`` so another team can
dispatch on it without decoding the payload. Unknown fields are tolerated (a newer
station may send more), missing or mistyped ones are rejected with a reason.
"""

from __future__ import annotations

import msgspec

from app.domain.roles import Availability, CounterStatus


class Command(msgspec.Struct, tag_field="kind", kw_only=True):
    """Base of every command; ``staff`` names the person acting at the station."""

    staff: str = ""


class RaiseSignal(Command, tag="raise"):
    code: str
    note: str = ""
    to: str = ""
    """Target station, for signals sent to one station (direct_counter); for a handoff,
    the wealth manager it is offered to (a station or a staff id; '' = any)."""
    ticket: str = ""
    need: str = ""


class Acknowledge(Command, tag="ack"):
    signal_id: int


class Arrive(Command, tag="arrive"):
    signal_id: int


class Resolve(Command, tag="resolve"):
    signal_id: int
    outcome: str = ""
    product: str = ""
    note: str = ""


class Cancel(Command, tag="cancel"):
    signal_id: int


class Decline(Command, tag="decline"):
    signal_id: int
    reason: str


class SetStatus(Command, tag="status"):
    status: CounterStatus
    reason: str = ""
    expected_min: int = 0
    """How long a pause is expected to last, in minutes (0: not said); only with
    ``paused``. Written only when set, so older hubs see the payload they know."""


class SignIn(Command, tag="sign_in"):
    pin: str = ""


class SignOut(Command, tag="sign_out"):
    pass


# Broadcasts (issue 12) -------------------------------------------------------------------
class Broadcast(Command, tag="broadcast"):
    """A short message from the lobby manager or the branch head to every station, or
    to the stations of one zone; each receiving station acknowledges it."""

    text: str
    zone: str = ""
    """A zone id of the branch config; "" = every station."""


class AckBroadcast(Command, tag="ack_broadcast"):
    broadcast_id: int


# ------------------------------------------------------------------------------------------
# Loops closed (issue 12) -------------------------------------------------------------
class Reoffer(Command, tag="reoffer"):
    """The raiser offers an open handoff again: to one wealth manager (``to``: a station
    or a staff id) or to any (''), after a decline or to send it elsewhere."""

    signal_id: int
    to: str = ""


class SetAvailability(Command, tag="availability"):
    """A wealth manager's station says whether they can take a customer now."""

    availability: Availability


AnyCommand = (
    RaiseSignal
    | Acknowledge
    | Arrive
    | Resolve
    | Cancel
    | Decline
    | SetStatus
    | SignIn
    | SignOut
    | Broadcast
    | AckBroadcast
    | Reoffer
    | SetAvailability
)
COMMAND_KINDS: dict[str, type[Command]] = {
    c.__struct_config__.tag: c  # type: ignore[misc]
    for c in (
        RaiseSignal,
        Acknowledge,
        Arrive,
        Resolve,
        Cancel,
        Decline,
        SetStatus,
        SignIn,
        SignOut,
        Broadcast,
        AckBroadcast,
        Reoffer,
        SetAvailability,
    )
}


class Event(msgspec.Struct, tag_field="kind", kw_only=True):
    """Base of every journaled event. ``station`` is where it happened ('' = the hub)."""

    station: str = ""
    staff: str = ""


class SignalRaised(Event, tag="signal_raised"):
    signal_id: int
    code: str
    targets: tuple[str, ...]
    to: str = ""
    note: str = ""
    ticket: str = ""
    need: str = ""
    clicked_ms: int = 0
    """When the raise was clicked, in hub time, if the command waited at the station
    (queued while the hub was unreachable); 0: when it was sequenced. Written only when
    set, so older readers see the payload they know."""


class SignalAcknowledged(Event, tag="signal_acknowledged"):
    signal_id: int


class SignalArrived(Event, tag="signal_arrived"):
    signal_id: int


class SignalResolved(Event, tag="signal_resolved"):
    signal_id: int
    outcome: str = ""
    product: str = ""
    note: str = ""


class SignalCancelled(Event, tag="signal_cancelled"):
    signal_id: int


class SignalDeclined(Event, tag="signal_declined"):
    signal_id: int
    reason: str


class SignalEscalated(Event, tag="signal_escalated"):
    signal_id: int
    level: int
    role: str


class CounterStatusChanged(Event, tag="counter_status"):
    status: CounterStatus
    reason: str = ""
    expected_min: int = 0
    """The pause's expected length in minutes, as the teller gave it (0: not said).
    Written only when set."""


class PresenceChanged(Event, tag="presence"):
    online: bool


class StaffSignedIn(Event, tag="signed_in"):
    pass


class StaffSignedOut(Event, tag="signed_out"):
    pass


class JournalNote(Event, tag="journal_note"):
    """A decision the hub itself records (for example, starting on a repaired journal)."""

    text: str


class ClockStepped(Event, tag="clock_stepped"):
    """The hub's wall clock was stepped: stamps after this event follow it. A note for
    the reports and the log; it changes no state."""

    from_ms: int
    """Hub time just before the step."""
    to_ms: int
    """Hub time just after it (the wall clock)."""


class KeyShared(Event, tag="key_shared"):
    """``station``'s key was used from a second address: one key on two PCs (copied or
    stolen), or a PC that moved. Shown on the branch head's board until the day ends."""

    addresses: list[str]
    """The address it was used from first, then the other."""


class PairChanged(Event, tag="pair_changed"):
    """A standby pair of hubs (docs/reliability.md, "Standby hub"): which hub serves the
    branch, and whether the other keeps in step. Journaled by the serving hub when it
    starts to serve (a takeover starts a new ``term``) and when its peer goes away or
    comes back in step."""

    active: str
    """The configured role of the hub that serves: ``primary`` or ``backup``."""
    peer: str
    """The other hub: ``in_sync`` (stores every event before it is acknowledged),
    ``catching_up`` or ``away`` (events are acknowledged by this hub alone)."""
    term: int
    """The pair's term: raised by every takeover, it fences the hub that served before."""
    fork_seq: int = 0
    """At a takeover: the last event of the term before (rows an old hub holds above it
    were never acknowledged, and are set aside when it returns)."""
    reason: str = ""


# Broadcasts (issue 12) -------------------------------------------------------------------
class BroadcastSent(Event, tag="broadcast_sent"):
    """A broadcast, and the stations that are to acknowledge it (fixed when it is sent)."""

    broadcast_id: int
    text: str
    zone: str = ""
    recipients: tuple[str, ...] = ()


class BroadcastAcknowledged(Event, tag="broadcast_acknowledged"):
    """``station`` read the broadcast and said so."""

    broadcast_id: int


# ------------------------------------------------------------------------------------------
# Loops closed (issue 12) -------------------------------------------------------------
class SignalReoffered(Event, tag="signal_reoffered"):
    """The raiser offered an open handoff again: earlier declines no longer bar anyone,
    ``to`` is the station it now goes to ('' = the type's roles), ``targets`` its roles."""

    signal_id: int
    to: str = ""
    targets: tuple[str, ...] = ()


class AvailabilityChanged(Event, tag="availability_changed"):
    """A wealth manager's station set its availability."""

    availability: Availability


AnyEvent = (
    SignalRaised
    | SignalAcknowledged
    | SignalArrived
    | SignalResolved
    | SignalCancelled
    | SignalDeclined
    | SignalEscalated
    | CounterStatusChanged
    | PresenceChanged
    | StaffSignedIn
    | StaffSignedOut
    | JournalNote
    | ClockStepped
    | KeyShared
    | PairChanged
    | BroadcastSent
    | BroadcastAcknowledged
    | SignalReoffered
    | AvailabilityChanged
)
EVENT_TYPES: tuple[type[Event], ...] = (
    SignalRaised,
    SignalAcknowledged,
    SignalArrived,
    SignalResolved,
    SignalCancelled,
    SignalDeclined,
    SignalEscalated,
    CounterStatusChanged,
    PresenceChanged,
    StaffSignedIn,
    StaffSignedOut,
    JournalNote,
    ClockStepped,
    KeyShared,
    PairChanged,
    BroadcastSent,
    BroadcastAcknowledged,
    SignalReoffered,
    AvailabilityChanged,
)
_OMITTED_AT_ZERO: dict[type, str] = {SignalRaised: "clicked_ms"}
# A pause's expected length (issue 12): left out while 0, as clicked_ms is.
_OMITTED_AT_ZERO[SetStatus] = "expected_min"
_OMITTED_AT_ZERO[CounterStatusChanged] = "expected_min"
"""Fields added after v1 was published: left out of the payload while they are 0."""


def event_kind(event: Event) -> str:
    return str(event.__struct_config__.tag)


def command_kind(command: Command) -> str:
    return str(command.__struct_config__.tag)


_cmd_encoder = msgspec.msgpack.Encoder()
_event_decoder = msgspec.msgpack.Decoder(AnyEvent)
_command_decoders = {kind: msgspec.msgpack.Decoder(t) for kind, t in COMMAND_KINDS.items()}
_event_decoders = {str(t.__struct_config__.tag): msgspec.msgpack.Decoder(t) for t in EVENT_TYPES}


def encode(obj: Command | Event) -> bytes:
    """Payload bytes without the tag (the tag travels as the envelope's kind)."""
    fields = msgspec.structs.asdict(obj)
    late = _OMITTED_AT_ZERO.get(type(obj))
    if late is not None and not fields[late]:
        del fields[late]
    return _cmd_encoder.encode(fields)


def decode_command(kind: str, payload: bytes) -> Command:
    """Decode a command payload; raise ValueError with a reason on any mismatch."""
    decoder = _command_decoders.get(kind)
    if decoder is None:
        raise ValueError(f"unknown command kind {kind!r}")
    try:
        return decoder.decode(payload)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"bad {kind!r} payload: {exc}") from exc


def decode_event(kind: str, payload: bytes) -> Event:
    decoder = _event_decoders.get(kind)
    if decoder is None:
        raise ValueError(f"unknown event kind {kind!r}")
    try:
        return decoder.decode(payload)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"bad {kind!r} event: {exc}") from exc
