"""An in-memory branch for GUI tests: views over StationModels, no sockets, no hub process.

:class:`MemoryHub` decides each command with the same domain rules the hub uses
(``BranchState.decide``), numbers the events and applies them to every model's own
state, as the hub's journal and PUB socket would; silent signals are skipped at the
stations that may not read them, as the hub's redaction does. Replies and events are
delivered from the event loop (a zero timer), never inside the call that sent the
command, like a real hub's; :meth:`MemoryHub.flush` delivers them at once.

Reports: given a journal URL, the hub also writes every event it publishes into a real
journal (app.reports.writer, as the hub's sequencer would) and answers report queries
with the hub's own query (app.reports.remote.ReportQuery), so the board's figures are
the very figures ``lobbylink report`` prints for that journal.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import msgspec
from PySide6.QtCore import QObject, QTimer

from app.domain import policy
from app.domain.config import Branch
from app.domain.errors import DomainError
from app.domain.events import Command, Event, PresenceChanged, SignalRaised
from app.domain.state import BranchState, SignalRecord
from widgets.model import PendingCommand, StationModel

if TYPE_CHECKING:
    from app.hub.journal import Journal
    from app.reports.remote import ReportQuery
    from app.reports.writer import JournalWriter

START_MS = 1_764_000_000_000
"""The in-memory hub's clock at start (a weekday morning, UTC ms)."""

ReportFn = Callable[[date, date, str], dict[str, Any]]


class MemoryModel(StationModel):
    """A station of a :class:`MemoryHub`."""

    def __init__(self, hub: MemoryHub, station_id: str, parent: QObject | None = None) -> None:
        super().__init__(hub.branch, station_id, BranchState(hub.branch), parent)
        self.hub = hub
        self._connected = True
        self.sent: list[Command] = []
        """Every command this station sent, in order (what the tests check)."""
        self.pending: set[str] = set()
        self.queued: dict[str, PendingCommand] = {}
        """The commands not yet answered, as an outbox holds them (with their click time)."""

    @property
    def connected(self) -> bool:
        return self._connected

    def set_connected(self, up: bool) -> None:
        """Lose or regain the hub: commands wait while it is away."""
        self._connected = up
        self.connection_changed.emit(up)
        if up:
            self.hub.schedule()

    def hub_now_ms(self) -> int:
        return self.hub.now_ms

    def send(self, command: Command) -> str:
        if not command.staff and self.staff:
            command.staff = self.staff
        msg_id = uuid.uuid4().hex
        self.sent.append(command)
        self.pending.add(msg_id)
        self.queued[msg_id] = PendingCommand(msg_id, command, self.hub.now_ms)
        self.hub.submit(self, msg_id, command)
        self.pending_changed.emit()
        return msg_id

    def pending_commands(self) -> list[PendingCommand]:
        return list(self.queued.values())

    def answered(self, msg_id: str) -> None:
        self.pending.discard(msg_id)
        if self.queued.pop(msg_id, None) is not None:
            self.pending_changed.emit()

    def waiting_count(self, ignore: frozenset[str] = frozenset()) -> int:
        return len(self.pending - ignore)

    def request_report(self, first: date, last: date, by: str = "type") -> str:
        msg_id = uuid.uuid4().hex
        self.hub.ask_report(self, msg_id, first, last, by)
        return msg_id

    def request_enrolments(
        self, action: str = "list", station: str = "", fingerprint: str = ""
    ) -> None:
        """As the hub's key folder would answer: a list of (station, fingerprint, ms)."""
        hub = self.hub
        found = [r for r in hub.enrolments if r[:2] == (station, fingerprint)]
        if action in ("approve", "drop") and not found:
            fail = f"no enrolment request of {station} with fingerprint {fingerprint}"
            QTimer.singleShot(0, lambda: self.enrolment_failed.emit("not_found", fail))
            return
        for request in found:
            hub.enrolments.remove(request)
            if action == "approve":
                hub.approved.append(request[:2])
        waiting = list(hub.enrolments)
        QTimer.singleShot(0, lambda: self.enrolments_ready.emit(waiting))


class MemoryHub(QObject):
    """One branch's rules and sequence, in memory, for :class:`MemoryModel` stations."""

    def __init__(
        self, branch: Branch, report: ReportFn | None = None, journal: str | None = None
    ) -> None:
        super().__init__()
        self.branch = branch
        self.state = BranchState(branch)
        self.now_ms = START_MS
        self.report = report
        self.enrolments: list[tuple[str, str, int]] = []
        """Station PCs waiting for enrolment: (station, fingerprint, asked at ms)."""
        self.approved: list[tuple[str, str]] = []
        self.journal: Journal | None = None
        self._writer: JournalWriter | None = None
        self._query: ReportQuery
        if journal is not None:
            self._open_journal(journal)
        self.hold_reports = False
        """While True, report answers wait (a slow hub) until :meth:`release_reports`."""
        self._held: list[Callable[[], None]] = []
        self.models: list[MemoryModel] = []
        self._queue: deque[tuple[MemoryModel, str, Command]] = deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.flush)

    def station(self, station_id: str, *, staff: str = "", lang: str = "zh_CN") -> MemoryModel:
        """A new station model, synced to the branch, with ``staff`` signed in."""
        model = MemoryModel(self, station_id)
        model.lang = lang
        model.state.restore(self.state.last_seq, self.state.snapshot(model.station.role.value))
        self.models.append(model)
        self.publish(PresenceChanged(station=station_id, online=True))
        if staff:
            model.sign_in(staff)
            self.flush()
        return model

    # The hub's side -------------------------------------------------------------------------
    def submit(self, model: MemoryModel, msg_id: str, command: Command) -> None:
        self._queue.append((model, msg_id, command))
        self.schedule()

    def schedule(self) -> None:
        self._timer.start()

    def flush(self) -> None:
        """Decide and deliver every waiting command of a connected station, in order."""
        waiting: deque[tuple[MemoryModel, str, Command]] = deque()
        while self._queue:
            model, msg_id, command = self._queue.popleft()
            if not model.connected:
                waiting.append((model, msg_id, command))
                continue
            model.answered(msg_id)
            seq = self.state.last_seq + 1
            try:
                event = self.state.decide(model.station.id, command, seq)
            except DomainError as exc:
                model.command_rejected.emit(msg_id, exc.code, exc.reason)
                continue
            self.publish(event)
            model.command_accepted.emit(msg_id, self.state.last_seq)
        self._queue = waiting

    def publish(self, event: Event) -> None:
        """Journal ``event`` at the next seq and apply it at every station allowed to read it."""
        seq = self.state.last_seq + 1
        self.state.apply(seq, self.now_ms, event)
        if self._writer is not None:
            self._writer.add(self.now_ms, event)
        audience = self.state.audience_of(event)
        for model in self.models:
            role = model.station.role.value
            if audience is None or role in audience:
                model.state.apply(seq, self.now_ms, event)
            else:
                model.state.skip(seq, self.now_ms)

    def advance(self, ms: int) -> None:
        """Move the hub's clock on and fire the escalations that fell due, as its timers do."""
        self.now_ms += ms
        for event in self.state.due_escalations(self.now_ms):
            self.publish(event)

    def set_online(self, station_id: str, online: bool) -> None:
        self.publish(PresenceChanged(station=station_id, online=online))

    def raise_newer_type(
        self, station: str, targets: tuple[str, ...], code: str = "brand_new"
    ) -> SignalRecord:
        """Publish a signal of a type this branch's config lacks, as a newer hub would
        (with a newer config) publish it to this older station."""
        assert self.branch.signal_type(code) is None
        signal_id = self.state.last_seq + 1
        self.publish(SignalRaised(signal_id=signal_id, code=code, targets=targets, station=station))
        return self.state.signal(signal_id)

    def may(self, station_id: str, act: policy.Act, signal_id: int) -> bool:
        """What the hub would say to ``station_id`` doing ``act`` now (for comparisons)."""
        station = self.branch.station(station_id)
        assert station is not None
        return policy.may(self.branch, station, act, self.state.signal(signal_id))

    # Reports -----------------------------------------------------------------------------
    def _open_journal(self, url: str) -> None:
        from app.hub.journal import Journal
        from app.reports.query import encode_args
        from app.reports.remote import ReportQuery
        from app.reports.writer import JournalWriter

        self.journal = Journal(url)
        self._writer = JournalWriter(self.journal, self.branch)
        query = self._query = ReportQuery(url, self.branch)

        def report(first: date, last: date, by: str) -> dict[str, Any]:
            assert self._writer is not None
            self._writer.flush()
            body = query(encode_args(first, last, by))
            return msgspec.msgpack.decode(body, type=dict[str, Any])

        self.report = report

    def ask_report(self, model: MemoryModel, msg_id: str, first: date, last: date, by: str) -> None:
        """Answer a report query from the event loop, as the hub's query worker would:
        the report, or the query's refusal with its code."""
        report = self.report

        def answer() -> None:
            if report is None:
                model.report_failed.emit(msg_id, "unavailable", "no reports in this test")
                return
            try:
                data = report(first, last, by)
            except Exception as exc:  # the hub's QueryError: a stable code and a reason
                model.report_failed.emit(msg_id, getattr(exc, "code", "unreadable"), str(exc))
                return
            model.report_ready.emit(msg_id, data)

        if self.hold_reports:
            self._held.append(answer)
        else:
            QTimer.singleShot(0, answer)

    def release_reports(self) -> None:
        """Let held report answers go (from the event loop)."""
        held, self._held = self._held, []
        for answer in held:
            QTimer.singleShot(0, answer)

    def close(self) -> None:
        if self.journal is not None:
            self._query.close()
            self.journal.close()
            self.journal = None
