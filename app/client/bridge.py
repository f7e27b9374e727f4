"""StationBridge: the one object a station's widgets talk to.

It re-emits the domain state's plain callbacks as Qt signals and turns button clicks
into commands for the link. Widgets read ``state`` and ``branch`` to render, call
the command methods to act, and connect to the signals below to refresh.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
import zmq
from PySide6.QtCore import QObject, QTimer, Signal

from app.domain.config import Branch, Station
from app.domain.events import (
    Acknowledge,
    Arrive,
    Cancel,
    Command,
    CounterStatusChanged,
    Decline,
    Event,
    PresenceChanged,
    RaiseSignal,
    Resolve,
    SetStatus,
    SignalEscalated,
    SignalRaised,
    SignIn,
    SignOut,
    StaffSignedIn,
    StaffSignedOut,
    command_kind,
    encode,
)
from app.domain.roles import CounterStatus
from app.domain.state import BranchState, SignalRecord
from app.reports import query as report_query
from app.station import StationSession
from messaging.envelope import Accepted, Answer, Rejected, WireError, new_msg_id
from messaging.keys import StationKeys
from messaging.outbox import Outbox
from messaging.qt_bridge import LinkDriver
from messaging.sockets import Endpoint

REPORT_TRIES = 5
"""Times a report is asked for while the hub says it is busy, before giving up."""
REPORT_RETRY_MS = 700


class StationBridge(QObject):
    """A station's live state and commands, for the widgets.

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

    def __init__(
        self,
        branch: Branch,
        station_id: str,
        endpoint: Endpoint,
        ctx: zmq.Context,
        outbox: Outbox | None = None,
        parent: QObject | None = None,
        keys: StationKeys | None = None,
    ) -> None:
        super().__init__(parent)
        station = branch.station(station_id)
        if station is None:
            raise ValueError(f"{station_id!r} is not a station of this branch")
        self.branch = branch
        self.station: Station = station
        self.session = StationSession(branch, station_id, endpoint, ctx, outbox, keys)
        self.state: BranchState = self.session.state
        self.state.listeners.append(self._on_applied)
        self.state.reset_listeners.append(self.state_reset.emit)
        self.session.on_reply = self._on_reply
        self.session.on_connection = self.connection_changed.emit
        self.session.link.on_answer = self._on_answer
        self._reports: dict[str, tuple[bytes, int]] = {}
        """Report queries waiting for an answer: msg_id -> (arguments, tries so far)."""
        self.driver = LinkDriver(self.session.link, self)
        self.lang = "zh_CN"
        """Language of branch data (labels from the config); Qt strings use the translator."""

    def hub_now_ms(self) -> int:
        return self.session.link.hub_now_ms()

    @property
    def connected(self) -> bool:
        return self.session.link.connected

    @property
    def staff(self) -> str:
        """Who is signed in at this station ('' = nobody)."""
        return self.state.staff_of(self.station.id)

    def start(self) -> None:
        self.driver.start()

    def close(self) -> None:
        self.driver.stop()
        self.session.close()

    # Commands ------------------------------------------------------------------------
    def send(self, command: Command) -> str:
        """Queue a command; a command the hub could never take is refused here, at once."""
        if not command.staff and self.staff:
            command.staff = self.staff
        try:
            return self.driver.submit(command_kind(command), encode(command))
        except WireError as exc:
            self.command_rejected.emit("", exc.code, exc.reason)
            return ""

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

    def set_status(self, status: CounterStatus, reason: str = "") -> str:
        return self.send(SetStatus(status=status, reason=reason))

    def sign_in(self, staff: str, pin: str = "") -> str:
        return self.send(SignIn(staff=staff, pin=pin))

    def sign_out(self) -> str:
        return self.send(SignOut())

    def request_report(self, first: date, last: date, by: str = "type") -> str:
        """Ask the hub for the measures of local days ``first`` to ``last``; the answer
        comes later (never during this call) as ``report_ready`` or ``report_failed``
        with the returned id."""
        msg_id = new_msg_id()
        args = report_query.encode_args(first, last, by)
        self._reports[msg_id] = (args, 1)
        self.session.link.query(report_query.NAME, args, msg_id=msg_id)
        self.driver.drain()
        return msg_id

    @staticmethod
    def render_report(data: dict[str, Any], fmt: str) -> str:
        """A report from ``report_ready`` as csv, html or json text: the very files
        ``lobbylink report --format …`` writes. Safe to call from a worker thread."""
        from app.reports.render import render_report

        return render_report(data, fmt)

    # Queries for the views --------------------------------------------------------------------
    def inbox(self) -> list[SignalRecord]:
        """Open signals for this station, most urgent first, then oldest first."""
        types = self.branch.signal_types
        return sorted(
            self.state.signals_for(self.station.id),
            key=lambda s: (types[s.code].priority if s.code in types else 9, s.raised_ms, s.id),
        )

    def my_signals(self) -> list[SignalRecord]:
        """Signals this station raised that are still open, oldest first."""
        return sorted(
            (s for s in self.state.signals.values() if s.station == self.station.id and s.open),
            key=lambda s: s.id,
        )

    # Callbacks ------------------------------------------------------------------------------
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

    def _on_answer(self, msg_id: str, answer: Answer) -> None:
        if msg_id not in self._reports:
            return
        # Queued: a refusal made inside request_report reaches the caller after it returns.
        QTimer.singleShot(0, lambda: self._deliver_report(msg_id, answer))

    def _deliver_report(self, msg_id: str, answer: Answer) -> None:
        args, tries = self._reports.pop(msg_id, (b"", REPORT_TRIES))
        if not answer.ok and answer.retry and tries < REPORT_TRIES:  # the hub was busy
            self._reports[msg_id] = (args, tries + 1)
            QTimer.singleShot(REPORT_RETRY_MS, lambda: self._ask_again(msg_id))
            return
        if not answer.ok:
            self.report_failed.emit(msg_id, answer.code, answer.reason)
            return
        try:
            data: dict[str, Any] = msgspec.msgpack.decode(answer.body, type=dict[str, Any])
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self.report_failed.emit(
                msg_id, "bad_answer", f"the hub's report does not decode: {exc}"
            )
            return
        self.report_ready.emit(msg_id, data)

    def _ask_again(self, msg_id: str) -> None:
        if msg_id in self._reports:
            self.session.link.query(report_query.NAME, self._reports[msg_id][0], msg_id=msg_id)
            self.driver.drain()

    def _on_reply(self, msg_id: str, result: Accepted | Rejected) -> None:
        if isinstance(result, Accepted):
            self.command_accepted.emit(msg_id, result.seq)
        elif not result.retry:
            self.command_rejected.emit(msg_id, result.code, result.reason)
