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

from app.domain import errors as E
from app.domain.config import Branch, SignalType, Station
from app.domain.errors import DomainError
from app.domain.events import (
    Acknowledge,
    Arrive,
    Cancel,
    Command,
    CounterStatusChanged,
    Decline,
    Event,
    JournalNote,
    PresenceChanged,
    RaiseSignal,
    Resolve,
    SetStatus,
    SignalAcknowledged,
    SignalArrived,
    SignalCancelled,
    SignalDeclined,
    SignalEscalated,
    SignalRaised,
    SignalResolved,
    SignIn,
    SignOut,
    StaffSignedIn,
    StaffSignedOut,
)
from app.domain.roles import ANY_ROLE, CounterStatus, Outcome, Role, SignalState
from app.domain.timeday import day_bounds_ms, local_time

MAX_NOTE = 500
MAX_TICKET = 20


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

    @property
    def open(self) -> bool:
        return not self.state.terminal

    @property
    def closed_ms(self) -> int | None:
        return self.resolved_ms if self.resolved_ms is not None else self.cancelled_ms

    def declined_by(self, station: str) -> bool:
        return any(d.station == station for d in self.declines)


class CounterRecord(msgspec.Struct, gc=False):
    status: CounterStatus = CounterStatus.OPEN
    reason: str = ""
    since_ms: int = 0
    staff: str = ""


class StateSnapshot(msgspec.Struct):
    """Everything a station needs to start from the hub's state at ``seq``."""

    signals: list[SignalRecord]
    counters: dict[str, CounterRecord]
    presence: dict[str, bool]
    staff_at: dict[str, str]
    last_ts_ms: int = 0


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
        """Whether ``station`` receives ``signal`` (by role, escalation or by name)."""
        if signal.to:
            return station.id == signal.to or station.role.value in signal.targets
        return station.role.value in signal.targets

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
        if sig.state is not SignalState.OPEN:
            return None
        kind = self.branch.signal_types.get(sig.code)
        if kind is None or not kind.ack_s or sig.level >= len(kind.escalate):
            return None
        return sig.raised_ms + kind.ack_s * 1000 * (sig.level + 1)

    # Decisions ------------------------------------------------------------------
    def decide(self, station_id: str, command: Command, new_id: int) -> Event:
        """Check ``command`` from ``station_id`` against the rules; return its event.

        ``new_id`` is the id a raised signal gets (the hub's next sequence number).
        Raises DomainError with a code and a reason when the rules refuse it.
        """
        station = self.branch.station(station_id)
        if station is None:
            raise DomainError(E.FORBIDDEN, f"{station_id!r} is not a station of this branch")
        staff = self._actor(station, command)
        match command:
            case RaiseSignal():
                return self._decide_raise(station, staff, command, new_id)
            case Acknowledge():
                return self._decide_ack(station, staff, command)
            case Arrive():
                sig = self._live(command.signal_id)
                if sig.state is not SignalState.ACKNOWLEDGED or sig.acked_station != station.id:
                    raise DomainError(
                        E.INVALID_TRANSITION,
                        f"signal {sig.id} is {sig.state}; only the station that claimed it "
                        f"({sig.acked_station or 'nobody yet'}) can mark it arrived",
                    )
                return SignalArrived(signal_id=sig.id, station=station.id, staff=staff)
            case Resolve():
                return self._decide_resolve(station, staff, command)
            case Cancel():
                sig = self._live(command.signal_id)
                if sig.station != station.id:
                    raise DomainError(
                        E.FORBIDDEN,
                        f"only {sig.station}, which raised signal {sig.id}, can cancel it",
                    )
                return SignalCancelled(signal_id=sig.id, station=station.id, staff=staff)
            case Decline():
                return self._decide_decline(station, staff, command)
            case SetStatus():
                return self._decide_status(station, staff, command)
            case SignIn():
                return self._decide_sign_in(station, command)
            case SignOut():
                if not self.staff_at.get(station.id):
                    raise DomainError(E.INVALID_TRANSITION, f"nobody is signed in at {station.id}")
                return StaffSignedOut(station=station.id, staff=self.staff_at[station.id])
        raise DomainError(E.BAD_REQUEST, f"unknown command {type(command).__name__}")

    def _actor(self, station: Station, command: Command) -> str:
        if isinstance(command, SignIn):
            return command.staff
        if not command.staff:
            return self.staff_at.get(station.id, "")
        person = self.branch.staff_member(command.staff)
        if person is None:
            raise DomainError(E.FORBIDDEN, f"{command.staff!r} is not on the branch roster")
        if station.role not in person.roles:
            raise DomainError(
                E.FORBIDDEN, f"{command.staff} does not work as {station.role} ({station.id})"
            )
        return command.staff

    def _live(self, signal_id: int) -> SignalRecord:
        sig = self.signal(signal_id)
        if sig.state.terminal:
            raise DomainError(E.INVALID_TRANSITION, f"signal {sig.id} is already {sig.state}")
        return sig

    def _decide_raise(
        self, station: Station, staff: str, cmd: RaiseSignal, new_id: int
    ) -> SignalRaised:
        kind = self.branch.signal_type(cmd.code)
        if kind is None:
            raise DomainError(E.BAD_REQUEST, f"unknown signal type {cmd.code!r}")
        if ANY_ROLE not in kind.raisers and station.role.value not in kind.raisers:
            raise DomainError(E.FORBIDDEN, f"a {station.role} station cannot raise {cmd.code!r}")
        if len(cmd.note) > MAX_NOTE:
            raise DomainError(E.BAD_REQUEST, f"the note is longer than {MAX_NOTE} characters")
        if len(cmd.ticket) > MAX_TICKET:
            raise DomainError(E.BAD_REQUEST, f"the ticket is longer than {MAX_TICKET} characters")
        needs = {n.code for n in self.branch.config.needs} if cmd.need else set()
        if cmd.need and needs and cmd.need not in needs:
            raise DomainError(
                E.BAD_REQUEST, f"unknown need {cmd.need!r}; one of: {', '.join(sorted(needs))}"
            )
        to = ""
        if kind.to_station:
            target = self.branch.station(cmd.to) if cmd.to else None
            if target is None:
                raise DomainError(E.BAD_REQUEST, f"{cmd.code!r} needs a target station (--to)")
            if kind.targets and target.role not in kind.targets:
                raise DomainError(
                    E.BAD_REQUEST, f"{cmd.code!r} cannot be sent to {target.id} ({target.role})"
                )
            to = target.id
        elif cmd.to:
            raise DomainError(E.BAD_REQUEST, f"{cmd.code!r} goes to roles, not to one station")
        targets = () if kind.to_station else tuple(r.value for r in kind.targets)
        return SignalRaised(
            signal_id=new_id,
            code=kind.code,
            targets=targets,
            to=to,
            note=cmd.note,
            ticket=cmd.ticket,
            need=cmd.need,
            station=station.id,
            staff=staff,
        )

    def _require_target(self, sig: SignalRecord, station: Station, verb: str) -> None:
        if not self.is_target(sig, station):
            raise DomainError(
                E.FORBIDDEN,
                f"a {station.role} station ({station.id}) cannot {verb} {sig.code!r} signal {sig.id}",
            )

    def _decide_ack(self, station: Station, staff: str, cmd: Acknowledge) -> Event:
        sig = self._live(cmd.signal_id)
        self._require_target(sig, station, "claim")
        if sig.state is not SignalState.OPEN:
            who = sig.acked_staff or sig.acked_station
            raise DomainError(
                E.ALREADY_CLAIMED,
                f"signal {sig.id} was already claimed by {who} ({sig.acked_station})",
            )
        if sig.declined_by(station.id):
            raise DomainError(E.FORBIDDEN, f"{station.id} declined signal {sig.id}")
        return SignalAcknowledged(signal_id=sig.id, station=station.id, staff=staff)

    def _decide_resolve(self, station: Station, staff: str, cmd: Resolve) -> Event:
        sig = self._live(cmd.signal_id)
        kind = self.branch.signal_types[sig.code]
        if sig.state is SignalState.OPEN:
            self._require_target(sig, station, "resolve")
        elif station.id not in (sig.acked_station, sig.station):
            raise DomainError(
                E.FORBIDDEN,
                f"signal {sig.id} is claimed by {sig.acked_station}; only it or "
                f"{sig.station} can resolve it",
            )
        outcome = cmd.outcome
        if kind.handoff:
            allowed = {Outcome.SERVED.value, Outcome.NO_SHOW.value}
            if outcome not in allowed:
                raise DomainError(
                    E.BAD_REQUEST,
                    f"handoff {sig.id} needs an outcome: {' or '.join(sorted(allowed))}",
                )
            products = {p.code for p in self.branch.config.products}
            if cmd.product and products and cmd.product not in products:
                raise DomainError(
                    E.BAD_REQUEST,
                    f"unknown product {cmd.product!r}; one of: {', '.join(sorted(products))}",
                )
        else:
            if outcome not in ("", Outcome.DONE.value):
                raise DomainError(E.BAD_REQUEST, f"{sig.code!r} takes no outcome, not {outcome!r}")
            if cmd.product:
                raise DomainError(E.BAD_REQUEST, f"{sig.code!r} is not a handoff: no product")
            outcome = Outcome.DONE.value
        if len(cmd.note) > MAX_NOTE:
            raise DomainError(E.BAD_REQUEST, f"the note is longer than {MAX_NOTE} characters")
        return SignalResolved(
            signal_id=sig.id,
            outcome=outcome,
            product=cmd.product,
            note=cmd.note,
            station=station.id,
            staff=staff,
        )

    def _decide_decline(self, station: Station, staff: str, cmd: Decline) -> Event:
        sig = self._live(cmd.signal_id)
        kind = self.branch.signal_types[sig.code]
        if not kind.handoff:
            raise DomainError(
                E.BAD_REQUEST, f"{sig.code!r} is not a handoff; it cannot be declined"
            )
        self._require_target(sig, station, "decline")
        if sig.state is not SignalState.OPEN and sig.acked_station != station.id:
            raise DomainError(
                E.ALREADY_CLAIMED, f"signal {sig.id} is claimed by {sig.acked_station}"
            )
        if sig.state is SignalState.ARRIVED:
            raise DomainError(E.INVALID_TRANSITION, f"signal {sig.id} is already being served")
        if sig.declined_by(station.id):
            raise DomainError(
                E.INVALID_TRANSITION, f"{station.id} already declined signal {sig.id}"
            )
        reasons = {r.code for r in self.branch.config.decline_reasons}
        if not cmd.reason:
            raise DomainError(E.BAD_REQUEST, "a decline needs a reason")
        if reasons and cmd.reason not in reasons:
            raise DomainError(
                E.BAD_REQUEST,
                f"unknown decline reason {cmd.reason!r}; one of: {', '.join(sorted(reasons))}",
            )
        return SignalDeclined(signal_id=sig.id, reason=cmd.reason, station=station.id, staff=staff)

    def _decide_status(self, station: Station, staff: str, cmd: SetStatus) -> Event:
        if station.role is not Role.TELLER:
            raise DomainError(E.FORBIDDEN, f"{station.id} is not a counter; it has no status")
        reasons = {r.code for r in self.branch.config.pause_reasons}
        if cmd.status is CounterStatus.PAUSED:
            if not cmd.reason:
                raise DomainError(E.BAD_REQUEST, "pausing a counter needs a reason")
            if reasons and cmd.reason not in reasons:
                raise DomainError(
                    E.BAD_REQUEST,
                    f"unknown pause reason {cmd.reason!r}; one of: {', '.join(sorted(reasons))}",
                )
        if len(cmd.reason) > MAX_NOTE:
            raise DomainError(E.BAD_REQUEST, f"the reason is longer than {MAX_NOTE} characters")
        current = self.counters.get(station.id, CounterRecord())
        if current.status is cmd.status and current.reason == cmd.reason:
            raise DomainError(E.INVALID_TRANSITION, f"{station.id} is already {cmd.status}")
        return CounterStatusChanged(
            status=cmd.status, reason=cmd.reason, station=station.id, staff=staff
        )

    def _decide_sign_in(self, station: Station, cmd: SignIn) -> Event:
        person = self.branch.staff_member(cmd.staff)
        if person is None:
            raise DomainError(E.FORBIDDEN, f"{cmd.staff!r} is not on the branch roster")
        if station.role not in person.roles:
            raise DomainError(
                E.FORBIDDEN, f"{person.id} does not work as {station.role} ({station.id})"
            )
        if person.pin and cmd.pin != person.pin:
            raise DomainError(E.FORBIDDEN, f"wrong PIN for {person.id}")
        return StaffSignedIn(station=station.id, staff=person.id)

    # Applying events ----------------------------------------------------------------
    def apply(self, seq: int, ts_ms: int, event: Event) -> SignalRecord | None:
        """Apply one journaled event. Events must come in sequence order."""
        if seq <= self.last_seq:
            raise ValueError(f"event {seq} is not after {self.last_seq}")
        self.last_seq = seq
        self.last_ts_ms = max(self.last_ts_ms, ts_ms)
        ts = self.last_ts_ms
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
                    raised_ms=ts,
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
            case PresenceChanged():
                self.presence[event.station] = event.online
            case StaffSignedIn():
                for where, who in list(self.staff_at.items()):
                    if who == event.staff:
                        del self.staff_at[where]
                self.staff_at[event.station] = event.staff
            case StaffSignedOut():
                self.staff_at.pop(event.station, None)
            case JournalNote():
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
        self.last_ts_ms = max(self.last_ts_ms, ts_ms)

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
        if dropped:
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
    "CounterRecord",
    "Decision",
    "SignalRecord",
    "SignalType",
    "StateSnapshot",
    "decode_snapshot",
    "encode_snapshot",
]
