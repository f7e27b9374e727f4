"""StationModel: everything a role view knows of its station.

A view is built over a model (napari's widgets get their layer, qutebrowser's views their
model): the branch and this station, the domain state to render, the commands a person
can give, and Qt signals to refresh on. What a person *may* do is asked of
:mod:`app.domain.policy` through :meth:`StationModel.acts`; a view never re-derives it.

app.client.bridge.StationBridge implements the model over the link to the hub; the GUI
tests build views over an in-memory one. Views import this module, never a concrete model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from PySide6.QtCore import QObject, Signal

from app.domain import policy
from app.domain.config import Branch, Station
from app.domain.events import (
    AckBroadcast,
    Acknowledge,
    Arrive,
    AvailabilityChanged,
    Broadcast,
    BroadcastAcknowledged,
    BroadcastSent,
    Cancel,
    Command,
    CounterStatusChanged,
    Decline,
    Event,
    KeyShared,
    PairChanged,
    PresenceChanged,
    RaiseSignal,
    Reoffer,
    Resolve,
    SetAvailability,
    SetStatus,
    SignalEscalated,
    SignalRaised,
    SignIn,
    SignOut,
    StaffSignedIn,
    StaffSignedOut,
)
from app.domain.roles import Availability, CounterStatus
from app.domain.state import BranchState, SignalRecord

ReportRenderer = Callable[[dict[str, Any], str], str]
"""Turns a report from ``report_ready`` into csv, html or json text: the very files
``lobbylink report --format …`` writes. Called on a worker thread. The composition root
hands one to the views that export (a widget never imports the reports package)."""


class HubHealth(NamedTuple):
    """How the hub keeps, from its last heartbeat (see messaging.envelope.Health)."""

    disk_free_mb: int
    """-1: not known (a journal on a database server)."""
    last_commit_ms: int
    """Hub time of its journal's last commit; 0: none since it started."""
    clock_offset_ms: int
    """Hub time minus the hub PC's wall clock."""
    # Head office (issue 13): the link of the hub's journal shipper ("" : not shipping).
    central: str = ""
    """"connecting", "connected", "down" or "refused" (see messaging.envelope.Health)."""
    central_since_ms: int = 0
    central_lag_events: int = 0
    central_lag_ms: int = 0
    central_last_ms: int = 0
    # Standby hub (issue 14): the serving hub's peer ("" : not one of a pair).
    pair: str = ""
    """"in_sync", "catching_up" or "away" (see messaging.envelope.Health)."""
    pair_active: str = ""
    pair_lag_events: int = 0
    pair_since_ms: int = 0
    pair_clock_ms: int = 0


PUBLIC_READER = ""
"""Who reads a public screen: anyone in the room, of no role of the branch."""


@dataclass(frozen=True)
class PendingCommand:
    """A command the station made that the hub has not answered yet (its outbox)."""

    msg_id: str
    command: Command
    clicked_ms: int
    """When it was made, on the hub's clock as this station knows it."""


class StationModel(QObject):
    """A station's live state and commands, for the views.

    Signals:
      signal_changed(SignalRecord): a signal was raised or changed (any station's).
      signal_raised(SignalRecord): a new signal (for alerts).
      signal_escalated(SignalRecord): a signal went up the ladder.
      counter_changed(str): a counter's status changed (station id).
      presence_changed(str, bool): a station went online / offline.
      staff_changed(str): who is signed in at a station changed (station id).
      state_reset(): everything was replaced by a snapshot; re-read all.
      connection_changed(bool): the hub became reachable (True) or was lost (False).
      command_rejected(str, str, str): msg_id, code, reason of this station's command.
      command_accepted(str, int): msg_id and seq of this station's command.
      report_ready(str, dict): the answer to :meth:`request_report` (its id, the
        report as ``lobbylink report --format json`` prints it).
      report_failed(str, str, str): id, code and reason of a report that failed.
      key_shared(str): a station's key was used from two addresses (state.shared_keys).
      enrolments_ready(list): the station PCs waiting for enrolment, as
        ``(station id, fingerprint, asked at ms)``, after :meth:`request_enrolments`.
      enrolment_failed(str, str): code and reason of a refused enrolment request.
      broadcast_changed(int): a broadcast was sent or acknowledged (its id).
      reminder(str): a gentle reminder for this station's staff (a pause that is over,
        a broadcast that came): the alerts sound and notify it.
      availability_changed(str): a wealth manager's station set its availability.
      pending_changed(): the commands waiting for the hub changed (one was queued or
        answered): :meth:`pending_commands`.
      pair_changed(): which of a standby pair's hubs serves, or how its peer keeps,
        changed (:attr:`on_standby`).

    A subclass gives the transport: :meth:`send`, :meth:`request_report`,
    :attr:`connected`, :meth:`hub_now_ms` and :meth:`waiting_count`.
    """

    signal_changed = Signal(object)
    signal_raised = Signal(object)
    signal_escalated = Signal(object)
    counter_changed = Signal(str)
    presence_changed = Signal(str, bool)
    staff_changed = Signal(str)
    state_reset = Signal()
    connection_changed = Signal(bool)
    command_rejected = Signal(str, str, str)
    command_accepted = Signal(str, int)
    report_ready = Signal(str, object)
    report_failed = Signal(str, str, str)
    key_shared = Signal(str)
    enrolments_ready = Signal(object)
    enrolment_failed = Signal(str, str)
    broadcast_changed = Signal(int)
    reminder = Signal(str)
    availability_changed = Signal(str)
    pending_changed = Signal()
    pair_changed = Signal()

    def __init__(
        self, branch: Branch, station_id: str, state: BranchState, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        station = branch.station(station_id)
        if station is None:
            raise ValueError(f"{station_id!r} is not a station of this branch")
        self.branch = branch
        self.station: Station = station
        self.state = state
        self.state.listeners.append(self._on_applied)
        self._staff_seen: dict[str, str] = dict(state.staff_at)
        self.state.listeners.append(self._on_staff_moved)
        self.state.reset_listeners.append(self._on_staff_reset)
        self.state.reset_listeners.append(self.state_reset.emit)
        self.lang = "zh_CN"
        """Language of branch data (labels from the config); Qt strings use the translator."""

    # The transport (a subclass gives it) ------------------------------------------------------
    @property
    def connected(self) -> bool:
        """Whether the hub is reachable now."""
        raise NotImplementedError

    def hub_now_ms(self) -> int:
        """The hub's clock now (UTC ms): what ages and durations are measured on."""
        raise NotImplementedError

    def send(self, command: Command) -> str:
        """Queue a command for the hub; return its msg_id ('' when refused at once, with
        ``command_rejected`` emitted)."""
        raise NotImplementedError

    def waiting_count(self, ignore: frozenset[str] = frozenset()) -> int:
        """Commands queued but not yet answered by the hub, less those in ``ignore``."""
        raise NotImplementedError

    def hub_health(self) -> HubHealth | None:
        """How the hub keeps, as its last heartbeat said (None: not known)."""
        return None

    @property
    def on_standby(self) -> bool:
        """The branch runs on its standby hub (app.domain.pair): every window says so."""
        return self.state.pair.on_standby

    def request_report(self, first: date, last: date, by: str = "type") -> str:
        """Ask for the measures of local days ``first`` to ``last``; the answer comes later
        (never during this call) as ``report_ready`` or ``report_failed`` with the
        returned id."""
        raise NotImplementedError

    def request_enrolments(
        self, action: str = "list", station: str = "", fingerprint: str = ""
    ) -> None:
        """Ask for the waiting enrolment requests, after approving (``approve``) or
        refusing (``drop``) one; the answer comes later as ``enrolments_ready`` or
        ``enrolment_failed``. The branch head's stations only (the hub checks)."""
        raise NotImplementedError

    # Commands --------------------------------------------------------------------------------
    @property
    def staff(self) -> str:
        """Who is signed in at this station ('' = nobody)."""
        return self.state.staff_of(self.station.id)

    def raise_signal(
        self, code: str, *, note: str = "", to: str = "", ticket: str = "", need: str = ""
    ) -> str:
        return self.send(RaiseSignal(code=code, note=note, to=to, ticket=ticket, need=need))

    def acknowledge(self, signal_id: int) -> str:
        return self.send(Acknowledge(signal_id=signal_id))

    def arrive(self, signal_id: int) -> str:
        return self.send(Arrive(signal_id=signal_id))

    def resolve(self, signal_id: int, outcome: str = "", product: str = "", note: str = "") -> str:
        return self.send(Resolve(signal_id=signal_id, outcome=outcome, product=product, note=note))

    def cancel(self, signal_id: int) -> str:
        return self.send(Cancel(signal_id=signal_id))

    def decline(self, signal_id: int, reason: str) -> str:
        return self.send(Decline(signal_id=signal_id, reason=reason))

    def set_status(self, status: CounterStatus, reason: str = "", expected_min: int = 0) -> str:
        return self.send(SetStatus(status=status, reason=reason, expected_min=expected_min))

    def sign_in(self, staff: str, pin: str = "") -> str:
        return self.send(SignIn(staff=staff, pin=pin))

    def sign_out(self) -> str:
        return self.send(SignOut())

    # Broadcasts and reminders (issue 12) ---------------------------------------------------
    def broadcast(self, text: str, zone: str = "") -> str:
        return self.send(Broadcast(text=text, zone=zone))

    def ack_broadcast(self, broadcast_id: int) -> str:
        return self.send(AckBroadcast(broadcast_id=broadcast_id))

    def may_broadcast(self) -> bool:
        return policy.can_broadcast(self.station.role)

    def remind(self, text: str) -> None:
        """Ask for a gentle reminder (sound and notice) of ``text``."""
        self.reminder.emit(text)

    # The raiser confirms who came (issue 12) ------------------------------------------------
    def awaiting_arrival(self) -> list[SignalRecord]:
        """This station's own calls that someone claimed and that it may confirm arrived at
        its counter, oldest first; silent ones never (nothing on the raiser's screen names
        them)."""
        types = self.branch.signal_types
        return [
            s
            for s in self.my_signals()
            if not (s.code in types and types[s.code].silent)
            and policy.Act.ARRIVE in self.acts(s)
            and s.station == self.station.id
        ]

    def confirm_arrival(self, signal_id: int | None = None) -> str:
        """Confirm at the raising counter that the person who claimed ``signal_id`` is
        here (a nurse-call presence button); None: the oldest call awaiting arrival.
        Returns the command's msg_id, '' when there is nothing to confirm."""
        if signal_id is None:
            waiting = self.awaiting_arrival()
            if not waiting:
                return ""
            signal_id = waiting[0].id
        return self.arrive(signal_id)

    # What the person may do, and in what order: the domain's policy -----------------------
    def acts(self, signal: SignalRecord) -> frozenset[policy.Act]:
        """What this station may do to ``signal`` now (which buttons to enable)."""
        return policy.acts(self.branch, self.station, signal)

    def may_show(self, code: str, public: bool = False) -> bool:
        """Whether this screen may show a ``code`` signal's details: a public screen only
        what anyone may read, the station's own screen what its role may read (the
        branch's audience rule, :func:`app.domain.policy.can_read`)."""
        reader = PUBLIC_READER if public else self.station.role.value
        return policy.can_read(self.branch, reader, code)

    def inbox(self) -> list[SignalRecord]:
        """Open signals for this station, most urgent first (the branch's urgency order)."""
        return policy.by_urgency(self.branch, self.state.signals_for(self.station.id))

    def my_signals(self) -> list[SignalRecord]:
        """Signals this station raised that are still open, oldest first."""
        return sorted(
            (s for s in self.state.signals.values() if s.station == self.station.id and s.open),
            key=lambda s: s.id,
        )

    # One person, one station (issue 12) -------------------------------------------------------
    def _on_staff_moved(self, _seq: int, event: Event, _sig: SignalRecord | None) -> None:
        """Signing in at a second station moves the person (the reducer's rule, protocol
        §7 ``signed_in``) without a ``signed_out`` for the station they left: tell the
        views of that station too, or its header went on naming someone who is gone."""
        if not isinstance(event, StaffSignedIn | StaffSignedOut):
            return
        now = dict(self.state.staff_at)
        left = [
            station
            for station, who in self._staff_seen.items()
            if station != event.station and now.get(station) != who
        ]
        self._staff_seen = now
        for station in left:
            self.staff_changed.emit(station)

    def _on_staff_reset(self) -> None:
        self._staff_seen = dict(self.state.staff_at)

    # State callbacks, re-emitted as Qt signals ----------------------------------------------
    def _on_applied(self, _seq: int, event: Event, sig: SignalRecord | None) -> None:
        if sig is not None:
            self.signal_changed.emit(sig)
            if isinstance(event, SignalRaised):
                self.signal_raised.emit(sig)
            elif isinstance(event, SignalEscalated):
                self.signal_escalated.emit(sig)
        elif isinstance(event, CounterStatusChanged):
            self.counter_changed.emit(event.station)
        elif isinstance(event, PresenceChanged):
            self.presence_changed.emit(event.station, event.online)
        elif isinstance(event, StaffSignedIn | StaffSignedOut):
            self.staff_changed.emit(event.station)
        elif isinstance(event, KeyShared):
            self.key_shared.emit(event.station)
        elif isinstance(event, BroadcastSent | BroadcastAcknowledged):
            self.broadcast_changed.emit(event.broadcast_id)
        elif isinstance(event, AvailabilityChanged):
            self.availability_changed.emit(event.station)
        elif isinstance(event, PairChanged):
            self.pair_changed.emit()
        if isinstance(event, StaffSignedIn | StaffSignedOut) and event.station in (
            self.state.availability
        ):
            self.availability_changed.emit(event.station)

    # Loops closed (issue 12): offers, availability, what waits for the hub -------------------
    def reoffer(self, signal_id: int, to: str = "") -> str:
        """Offer an open handoff this station raised again: to station ``to``, or any."""
        return self.send(Reoffer(signal_id=signal_id, to=to))

    def set_availability(self, availability: Availability) -> str:
        return self.send(SetAvailability(availability=availability))

    def availability_of(self, station: str) -> Availability | None:
        """A wealth manager's station's availability (None: a station without one)."""
        return self.state.availability_of(station)

    def offer_choices(self, code: str) -> list[Station]:
        """The wealth managers' stations a ``code`` handoff may be offered to by name."""
        return policy.offer_choices(self.branch, code)

    def nobody_can_take(self, signal: SignalRecord) -> bool:
        """An open handoff that everyone it is offered to declined or is away from."""
        return self.state.nobody_can_take(signal)

    def unplaced(self) -> list[SignalRecord]:
        """Open handoffs nobody can take now (the lobby manager is told), oldest first."""
        return self.state.unplaced()

    def pending_commands(self) -> list[PendingCommand]:
        """This station's commands not yet answered by the hub, oldest first (a click
        made while the hub is away). A transport without an outbox has none."""
        return []

    def pending_sign_in(self) -> str:
        """Who is signing in here while the hub has not answered yet ('' = nobody)."""
        for item in reversed(self.pending_commands()):
            if isinstance(item.command, SignIn):
                return item.command.staff
            if isinstance(item.command, SignOut):
                return ""
        return ""
