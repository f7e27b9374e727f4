"""BranchState: the branch as the journal says it is.

The hub asks ``decide`` whether a command is allowed and which event it makes; every
process then ``apply``-s journaled events in sequence order. Stations and the hub run
the same code, so what a station shows is what the journal holds.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from operator import attrgetter

import msgspec

from app.domain import decisions, policy
from app.domain import errors as E
from app.domain.config import Branch, SignalType, Station
from app.domain.errors import DomainError
from app.domain.events import (
    AvailabilityChanged,
    BroadcastAcknowledged,
    BroadcastSent,
    ClockStepped,
    Command,
    CounterStatusChanged,
    Event,
    JournalNote,
    KeyShared,
    PairChanged,
    PresenceChanged,
    SignalAcknowledged,
    SignalArrived,
    SignalCancelled,
    SignalDeclined,
    SignalEscalated,
    SignalRaised,
    SignalReoffered,
    SignalResolved,
    StaffSignedIn,
    StaffSignedOut,
)
from app.domain.pair import PairStatus
from app.domain.roles import Availability, CounterStatus, Role, SignalState
from app.domain.timeday import day_bounds_ms, local_time


# The records below are plain data that never refer back to themselves: ``gc=False``
# keeps a day of them (tens of thousands) out of every garbage-collector pass.
class Decision(msgspec.Struct, gc=False):
    station: str
    staff: str
    reason: str
    ts_ms: int


class SignalRecord(msgspec.Struct, kw_only=True, gc=False):
    """One signal and everything that happened to it."""

    id: int
    code: str
    station: str
    staff: str
    targets: tuple[str, ...]
    to: str = ""
    note: str = ""
    ticket: str = ""
    need: str = ""
    state: SignalState = SignalState.OPEN
    level: int = 0
    raised_ms: int = 0
    acked_ms: int | None = None
    acked_station: str = ""
    acked_staff: str = ""
    arrived_ms: int | None = None
    resolved_ms: int | None = None
    resolved_station: str = ""
    resolved_staff: str = ""
    cancelled_ms: int | None = None
    outcome: str = ""
    product: str = ""
    result_note: str = ""
    # Tuples, not lists: most signals have neither, and an empty tuple is one shared
    # object, where a day of snapshots would otherwise decode two new lists per signal.
    escalations: tuple[tuple[int, str, int], ...] = ()
    declines: tuple[Decision, ...] = ()
    updated_ms: int = 0
    declines_before: int = 0
    """How many of ``declines`` were of earlier offers (before the raiser re-offered it):
    those no longer bar their stations."""

    @property
    def open(self) -> bool:
        return not self.state.terminal

    @property
    def closed_ms(self) -> int | None:
        return self.resolved_ms if self.resolved_ms is not None else self.cancelled_ms

    def declined_by(self, station: str) -> bool:
        """Whether ``station`` declined the current offer (a re-offer starts a new one)."""
        return any(d.station == station for d in self.declines[self.declines_before :])

    @property
    def last_decline(self) -> Decision | None:
        """The newest decline of the current offer (what the raiser is told), or None."""
        return self.declines[-1] if len(self.declines) > self.declines_before else None


class CounterRecord(msgspec.Struct, gc=False):
    status: CounterStatus = CounterStatus.OPEN
    reason: str = ""
    since_ms: int = 0
    staff: str = ""


# Broadcasts (issue 12) ---------------------------------------------------------------------
class BroadcastRecord(msgspec.Struct, kw_only=True, gc=False):
    """A broadcast sent today, and which of its stations acknowledged it when."""

    id: int
    text: str
    zone: str = ""
    station: str
    staff: str = ""
    recipients: tuple[str, ...] = ()
    sent_ms: int = 0
    acks: dict[str, int] = msgspec.field(default_factory=dict)
    """Station id → hub time of its acknowledgement."""

    def waiting_at(self, station: str) -> bool:
        """Whether ``station`` is to acknowledge it and has not yet."""
        return station in self.recipients and station not in self.acks


class StateSnapshot(msgspec.Struct):
    """Everything a station needs to start from the hub's state at ``seq``."""

    signals: list[SignalRecord]
    counters: dict[str, CounterRecord]
    presence: dict[str, bool]
    staff_at: dict[str, str]
    last_ts_ms: int = 0
    shared_keys: dict[str, list[str]] = msgspec.field(default_factory=dict)
    """Stations whose key was used from two addresses today, and those addresses."""
    broadcasts: list[BroadcastRecord] = msgspec.field(default_factory=list)
    """Today's broadcasts, by id (issue 12)."""
    pause_lengths: dict[str, int] = msgspec.field(default_factory=dict)
    """Paused counters whose teller said how long, and the minutes said (issue 12)."""
    availability: dict[str, str] = msgspec.field(default_factory=dict)
    """Each wealth manager's station: available, busy (with a customer) or away."""
    pair: PairStatus = msgspec.field(default_factory=PairStatus)
    """A standby pair of hubs: which serves, and its peer (issue 14)."""


Listener = Callable[[int, Event, "SignalRecord | None"], None]

_RESOLVED, _CANCELLED = SignalState.RESOLVED, SignalState.CANCELLED
_by_id = attrgetter("id")


class BranchState:
    """Signals, counters, presence and who is signed in where, built only from events.

    ``listeners`` are called after each applied event with ``(seq, event, signal)``;
    ``reset_listeners`` after a snapshot replaced everything, or a new day set closed
    signals aside.
    """

    def __init__(self, branch: Branch) -> None:
        self.branch = branch
        self.signals: dict[int, SignalRecord] = {}
        self._open: set[int] | None = set()
        """Ids of the signals not yet resolved or cancelled (escalations look only here);
        None after a restore until someone asks (a station never does)."""
        self._hidden: dict[str, frozenset[str]] = {}
        """Per reader role: the signal types it may not read (silent, not its own)."""
        self.counters: dict[str, CounterRecord] = {
            s.id: CounterRecord() for s in branch.stations_of(Role.TELLER)
        }
        self.presence: dict[str, bool] = {s: False for s in branch.stations}
        self.staff_at: dict[str, str] = {}
        self.shared_keys: dict[str, list[str]] = {}
        self._shared_ms = 0
        """Hub time of the newest key warning: they are kept until that day ends."""
        """Stations whose key was used from two addresses today (the board warns)."""
        self.broadcasts: dict[int, BroadcastRecord] = {}
        """Today's broadcasts by id (cleared at the branch's midnight)."""
        self.pause_lengths: dict[str, int] = {}
        """Counter → the expected length of its current pause, in minutes, when said."""
        self.availability: dict[str, str] = self._default_availability()
        """Per station that has one (wealth managers): an :class:`Availability` value."""
        self.pair = PairStatus()
        """A standby pair of hubs: which serves, and its peer (app.domain.pair)."""
        self.last_seq = 0
        self.last_ts_ms = 0
        self.listeners: list[Listener] = []
        self.reset_listeners: list[Callable[[], None]] = []
        self._next_day_ms = 0
        """The next local midnight: :meth:`roll_day` does nothing before it."""

    # Queries ------------------------------------------------------------------
    def open_signals(self) -> list[SignalRecord]:
        return [s for s in self.signals.values() if s.open]

    def signal(self, signal_id: int) -> SignalRecord:
        found = self.signals.get(signal_id)
        if found is None:
            raise DomainError(E.NOT_FOUND, f"there is no signal {signal_id}")
        return found

    def staff_of(self, station: str) -> str:
        return self.staff_at.get(station, "")

    def is_target(self, signal: SignalRecord, station: Station) -> bool:
        """Whether ``station`` receives ``signal`` (:func:`app.domain.policy.is_target`)."""
        return policy.is_target(signal, station)

    def signals_for(self, station_id: str) -> list[SignalRecord]:
        """Open signals this station should see as an inbox."""
        station = self.branch.station(station_id)
        if station is None:
            return []
        return [
            s
            for s in self.signals.values()
            if s.open and self.is_target(s, station) and not s.declined_by(station_id)
        ]

    def _open_records(self) -> Iterable[SignalRecord]:
        signals = self.signals
        if self._open is None:
            self._open = {
                s.id
                for s in signals.values()
                if s.state is not _RESOLVED and s.state is not _CANCELLED
            }
        return (signals[i] for i in self._open if i in signals)

    def next_deadline_ms(self) -> int | None:
        """When the next escalation falls due (hub clock, ms), or None."""
        best: int | None = None
        for sig in self._open_records():
            due = self._escalation_due_ms(sig)
            if due is not None and (best is None or due < best):
                best = due
        return best

    def due_escalations(self, now_ms: int) -> list[SignalEscalated]:
        """The escalation events whose deadline has passed at ``now_ms``."""
        out: list[SignalEscalated] = []
        for sig in sorted(self._open_records(), key=_by_id):
            due = self._escalation_due_ms(sig)
            if due is not None and due <= now_ms:
                kind = self.branch.signal_types[sig.code]
                role = kind.escalate[sig.level]
                out.append(SignalEscalated(signal_id=sig.id, level=sig.level + 1, role=role.value))
        return out

    def _escalation_due_ms(self, sig: SignalRecord) -> int | None:
        after = self.escalation_after_ms(sig)
        return None if after is None else sig.raised_ms + after

    def escalation_after_ms(self, sig: SignalRecord) -> int | None:
        """How long after its raise ``sig`` escalates next, or None if it does not.

        The hub measures it on its monotonic clock (app.hub.timers), from the raise."""
        if sig.state is not SignalState.OPEN:
            return None
        kind = self.branch.signal_types.get(sig.code)
        if kind is None or not kind.ack_s or sig.level >= len(kind.escalate):
            return None
        return kind.ack_s * 1000 * (sig.level + 1)

    def escalation(self, sig: SignalRecord) -> SignalEscalated:
        """The event of ``sig``'s next escalation (when :meth:`escalation_after_ms` says)."""
        role = self.branch.signal_types[sig.code].escalate[sig.level]
        return SignalEscalated(signal_id=sig.id, level=sig.level + 1, role=role.value)

    def open_records(self) -> Iterable[SignalRecord]:
        """The signals not yet resolved or cancelled."""
        return self._open_records()

    def _default_availability(self) -> dict[str, str]:
        return {
            s.id: Availability.AVAILABLE.value
            for s in self.branch.config.stations
            if policy.has_availability(s)
        }

    def availability_of(self, station: str) -> Availability | None:
        """A wealth manager's station's availability (None: a station without one)."""
        value = self.availability.get(station)
        try:
            return Availability(value) if value is not None else None
        except ValueError:  # a newer hub's value: taken as available
            return Availability.AVAILABLE

    def nobody_can_take(self, signal: SignalRecord) -> bool:
        """An open handoff that everyone it is offered to declined or is away from
        (:func:`app.domain.policy.nobody_can_take`): its raiser and the lobby are told."""
        return policy.nobody_can_take(self.branch, signal, self.availability)

    def unplaced(self) -> list[SignalRecord]:
        """The open handoffs nobody can take now, oldest first."""
        return sorted(
            (s for s in self.open_records() if self.nobody_can_take(s)), key=attrgetter("id")
        )

    # Decisions ------------------------------------------------------------------
    def decide(self, station_id: str, command: Command, new_id: int) -> Event:
        """The event ``command`` from ``station_id`` makes, or DomainError: the branch's
        rules are :func:`app.domain.decisions.decide`'s, asked here with this state."""
        return decisions.decide(self, station_id, command, new_id)

    # Applying events ----------------------------------------------------------------
    def apply(self, seq: int, ts_ms: int, event: Event) -> SignalRecord | None:
        """Apply one journaled event. Events must come in sequence order."""
        if seq <= self.last_seq:
            raise ValueError(f"event {seq} is not after {self.last_seq}")
        self.last_seq = seq
        # The hub's stamp as it is: it follows the hub's wall clock, back too after a
        # clock_stepped event (the order is the seq's).
        self.last_ts_ms = ts = ts_ms
        sig: SignalRecord | None = None
        match event:
            case SignalRaised():
                sig = SignalRecord(
                    id=event.signal_id,
                    code=event.code,
                    station=event.station,
                    staff=event.staff,
                    targets=event.targets,
                    to=event.to,
                    note=event.note,
                    ticket=event.ticket,
                    need=event.need,
                    raised_ms=event.clicked_ms or ts,
                )
                self.signals[sig.id] = sig
                if self._open is not None:
                    self._open.add(sig.id)
            case SignalAcknowledged():
                sig = self.signals[event.signal_id]
                sig.state = SignalState.ACKNOWLEDGED
                sig.acked_ms, sig.acked_station, sig.acked_staff = ts, event.station, event.staff
            case SignalArrived():
                sig = self.signals[event.signal_id]
                sig.state = SignalState.ARRIVED
                sig.arrived_ms = ts
            case SignalResolved():
                sig = self.signals[event.signal_id]
                if sig.acked_ms is None:  # resolved straight from open: that was the claim
                    sig.acked_ms, sig.acked_station, sig.acked_staff = (
                        ts,
                        event.station,
                        event.staff,
                    )
                sig.state = SignalState.RESOLVED
                sig.resolved_ms, sig.resolved_station, sig.resolved_staff = (
                    ts,
                    event.station,
                    event.staff,
                )
                sig.outcome, sig.product, sig.result_note = event.outcome, event.product, event.note
                if self._open is not None:
                    self._open.discard(sig.id)
            case SignalCancelled():
                sig = self.signals[event.signal_id]
                sig.state = SignalState.CANCELLED
                sig.cancelled_ms = ts
                if self._open is not None:
                    self._open.discard(sig.id)
            case SignalDeclined():
                sig = self.signals[event.signal_id]
                sig.declines = (
                    *sig.declines,
                    Decision(event.station, event.staff, event.reason, ts),
                )
                if sig.acked_station == event.station:
                    sig.state = SignalState.OPEN
                    sig.acked_ms, sig.acked_station, sig.acked_staff = None, "", ""
            case SignalEscalated():
                sig = self.signals[event.signal_id]
                sig.level = event.level
                sig.escalations = (*sig.escalations, (event.level, event.role, ts))
                if event.role not in sig.targets:
                    sig.targets = (*sig.targets, event.role)
            case CounterStatusChanged():
                self.counters[event.station] = CounterRecord(
                    event.status, event.reason, ts, event.staff
                )
                if event.expected_min:
                    self.pause_lengths[event.station] = event.expected_min
                else:
                    self.pause_lengths.pop(event.station, None)
            case PresenceChanged():
                self.presence[event.station] = event.online
            case StaffSignedIn():
                for where, who in list(self.staff_at.items()):
                    if who == event.staff:
                        del self.staff_at[where]
                        if where in self.availability:  # they left that desk
                            self.availability[where] = Availability.AWAY.value
                self.staff_at[event.station] = event.staff
                if event.station in self.availability:  # a new person at the desk
                    self.availability[event.station] = Availability.AVAILABLE.value
            case StaffSignedOut():
                self.staff_at.pop(event.station, None)
                if event.station in self.availability:  # nobody at the desk
                    self.availability[event.station] = Availability.AWAY.value
            case KeyShared():
                self.shared_keys[event.station] = list(event.addresses)
                self._shared_ms = max(self._shared_ms, ts_ms)
            case BroadcastSent():
                self.broadcasts[event.broadcast_id] = BroadcastRecord(
                    id=event.broadcast_id,
                    text=event.text,
                    zone=event.zone,
                    station=event.station,
                    staff=event.staff,
                    recipients=event.recipients,
                    sent_ms=ts,
                )
            case BroadcastAcknowledged():
                found = self.broadcasts.get(event.broadcast_id)
                if found is not None:
                    found.acks[event.station] = ts
            case SignalReoffered():
                sig = self.signals[event.signal_id]
                sig.to, sig.targets = event.to, event.targets
                sig.declines_before = len(sig.declines)
            case AvailabilityChanged():
                self.availability[event.station] = event.availability.value
            case PairChanged():
                self.pair = PairStatus.of(event, ts)
            case JournalNote() | ClockStepped():
                pass
        if sig is not None:
            sig.updated_ms = ts
        for listener in self.listeners:
            listener(seq, event, sig)
        return sig

    # Snapshots -------------------------------------------------------------------
    def audience_of(self, event: Event) -> frozenset[str] | None:
        """Who may read this event, when it concerns a silent signal (None: everyone)."""
        code = getattr(event, "code", None) if isinstance(event, SignalRaised) else None
        if code is None:
            signal_id = getattr(event, "signal_id", None)
            sig = self.signals.get(signal_id) if signal_id is not None else None
            code = sig.code if sig is not None else None
        return self.branch.audience(code) if code else None

    def skip(self, seq: int, ts_ms: int) -> None:
        """Advance past an event this station may not read (a silent signal's)."""
        if seq <= self.last_seq:
            raise ValueError(f"event {seq} is not after {self.last_seq}")
        self.last_seq = seq
        self.last_ts_ms = ts_ms

    def readable(self, reader: str | None) -> list[SignalRecord]:
        """Every signal a ``reader`` role may read (None: all), sorted by id."""
        ids = list(self.signals)
        if ids == sorted(ids):  # as always: ids grow with seq, a restore keeps their order
            signals = list(self.signals.values())
        else:
            signals = sorted(self.signals.values(), key=_by_id)
        if reader is None:
            return signals
        hidden = self._hidden.get(reader)
        if hidden is None:  # the silent signal types this role may not read
            hidden = self._hidden[reader] = frozenset(
                code
                for code in self.branch.signal_types
                if (audience := self.branch.audience(code)) is not None and reader not in audience
            )
        return [s for s in signals if s.code not in hidden] if hidden else signals

    def snapshot(self, reader: str | None = None) -> StateSnapshot:
        """The state at ``last_seq``; for a ``reader`` role, without the silent signals
        it may not read."""
        return StateSnapshot(
            signals=self.readable(reader),
            counters=dict(self.counters),
            presence=dict(self.presence),
            staff_at=dict(self.staff_at),
            last_ts_ms=self.last_ts_ms,
            shared_keys=dict(self.shared_keys),
            broadcasts=list(self.broadcasts.values()),
            pause_lengths=dict(self.pause_lengths),
            availability=dict(self.availability),
            pair=self.pair,
        )

    def restore(self, seq: int, snap: StateSnapshot) -> None:
        """Replace everything with a snapshot taken by the hub at ``seq``."""
        self.signals = {s.id: s for s in snap.signals}
        self._open = None  # made when first needed (by the hub's timers)
        self.counters = {s.id: CounterRecord() for s in self.branch.stations_of(Role.TELLER)}
        self.counters.update(snap.counters)
        self.presence = {s: False for s in self.branch.stations}
        self.presence.update(snap.presence)
        self.staff_at = dict(snap.staff_at)
        self.shared_keys = dict(snap.shared_keys)
        self._shared_ms = snap.last_ts_ms  # of the snapshot's day
        self.broadcasts = {b.id: b for b in snap.broadcasts}
        self.pause_lengths = dict(snap.pause_lengths)
        self.pair = snap.pair
        self.availability = self._default_availability()
        self.availability.update(snap.availability)
        self.last_seq = seq
        self.last_ts_ms = snap.last_ts_ms
        self._next_day_ms = 0  # the snapshot may be of another day: look again
        for listener in self.reset_listeners:
            listener()

    def prune(self, before_ms: int) -> int:
        """Forget closed signals last changed before ``before_ms``; return how many."""
        old = [
            sid
            for sid, s in self.signals.items()
            if (s.state is _RESOLVED or s.state is _CANCELLED) and s.updated_ms < before_ms
        ]
        for sid in old:
            del self.signals[sid]
            if self._open is not None:
                self._open.discard(sid)
        return len(old)

    def roll_day(self, now_ms: int) -> int:
        """The branch's day boundary: once ``now_ms`` reaches a new local day (the
        branch's time zone), set aside the closed signals of the days before it and
        return how many. Cheap per event: until the next local midnight (23 or 25 hours
        away on a daylight-saving change) it compares one number. Reset listeners hear
        of it when something was set aside."""
        if now_ms < self._next_day_ms:
            return 0
        tz = self.branch.timezone
        start, self._next_day_ms = day_bounds_ms(local_time(now_ms, tz).date(), tz)
        dropped = self.prune(start)
        warned = bool(self.shared_keys) and self._shared_ms < start
        if warned:  # warnings of an earlier day were seen to (not those of today)
            self.shared_keys.clear()
        # A broadcast is for its day: set aside those sent before today's start (the
        # first look after a start or a restore comes here too, and keeps today's).
        old = [bid for bid, b in self.broadcasts.items() if b.sent_ms < start]
        for bid in old:
            del self.broadcasts[bid]
        warned = warned or bool(old)
        if dropped or warned:
            for listener in self.reset_listeners:
                listener()
        return dropped

    def fingerprint(self) -> bytes:
        """A canonical encoding of the state, to compare two copies."""
        snap = self.snapshot()
        return msgspec.msgpack.encode(
            [
                snap.signals,
                sorted(snap.counters.items()),
                sorted(snap.presence.items()),
                sorted(snap.staff_at.items()),
                snap.broadcasts,
                sorted(snap.pause_lengths.items()),
            ]
        )


_snapshot_decoder = msgspec.msgpack.Decoder(StateSnapshot)
_encoder = msgspec.msgpack.Encoder()


def encode_snapshot(snap: StateSnapshot) -> bytes:
    return _encoder.encode(snap)


def decode_snapshot(raw: bytes | memoryview | msgspec.Raw) -> StateSnapshot:
    """Decode a snapshot (a buffer: the envelope's Raw payload needs no copy).

    The garbage collector is held off meanwhile: a day of signals is tens of thousands
    of new objects, and every collection it would trigger on the way walks them all
    again (the decode took 3-4 times as long with it on).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _snapshot_decoder.decode(raw)
    finally:
        if enabled:
            gc.enable()


__all__ = [
    "BranchState",
    "BroadcastRecord",
    "CounterRecord",
    "Decision",
    "SignalRecord",
    "SignalType",
    "StateSnapshot",
    "decode_snapshot",
    "encode_snapshot",
]
