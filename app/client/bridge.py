"""StationBridge: the one object a station's widgets talk to.

It re-emits the domain state's plain callbacks as Qt signals and turns button clicks
into commands for the link. Widgets read ``state`` and ``branch`` to render, call
the command methods to act, and connect to the signals below to refresh.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import msgspec
import zmq
from PySide6.QtCore import QCoreApplication, QObject, QTimer

from app.domain.config import Branch
from app.domain.events import (
    Command,
    command_kind,
    decode_command,
    encode,
)
from app.reports import query as report_query
from app.station import StationSession
from messaging.envelope import (
    ENROLMENTS,
    Accepted,
    Answer,
    EnrolmentAction,
    EnrolmentRequest,
    Rejected,
    WireError,
    new_msg_id,
)
from messaging.keys import StationKeys
from messaging.outbox import Outbox, OutboxError, Pending
from messaging.qt_bridge import LinkDriver
from messaging.sockets import Hubs
from widgets.model import HubHealth, PendingCommand, StationModel

REPORT_TRIES = 5
"""Times a report is asked for while the hub says it is busy, before giving up."""
REPORT_RETRY_MS = 700
"""The least wait before a busy report is asked again."""
REPORT_JITTER_BASE_MS = 350
REPORT_JITTER_CAP_MS = 1400
"""At most this much more: every retry waits 0.7 to 2.1 s."""


def report_retry_ms(rng: random.Random, attempt: int) -> int:
    """The wait before asking again (``attempt`` 0: the first retry): REPORT_RETRY_MS
    plus full jitter (uniform in [0, min(cap, base * 2**attempt)], the AWS note
    "Exponential Backoff And Jitter"), so boards the hub turned away together do not
    all come back at the same instant."""
    window = min(REPORT_JITTER_CAP_MS, REPORT_JITTER_BASE_MS * 2 ** min(attempt, 16))
    return REPORT_RETRY_MS + round(rng.uniform(0, window))


class StationBridge(StationModel):
    """The station model over the link to the hub (see widgets.model.StationModel for
    its signals and commands)."""

    def __init__(
        self,
        branch: Branch,
        station_id: str,
        endpoint: Hubs,
        ctx: zmq.Context,
        outbox: Outbox | None = None,
        parent: QObject | None = None,
        keys: StationKeys | None = None,
    ) -> None:
        session = StationSession(branch, station_id, endpoint, ctx, outbox, keys)
        super().__init__(branch, station_id, session.state, parent)
        self.session = session
        self.session.on_reply = self._on_reply
        self.session.on_connection = self.connection_changed.emit
        self.session.link.on_answer = self._on_answer
        self._reports: dict[str, tuple[bytes, int]] = {}
        """Report queries waiting for an answer: msg_id -> (arguments, tries so far)."""
        self._rng = random.Random()
        self._enrolments: set[str] = set()
        """Enrolment queries waiting for an answer."""
        self.driver = LinkDriver(self.session.link, self)

    def hub_now_ms(self) -> int:
        return self.session.link.hub_now_ms()

    def hub_health(self) -> HubHealth | None:
        found = self.session.link.hub_health
        if found is None:
            return None
        return HubHealth(
            found.disk_free_mb,
            found.last_commit_ms,
            found.clock_offset_ms,
            found.central,
            found.central_since_ms,
            found.central_lag_events,
            found.central_lag_ms,
            found.central_last_ms,
            found.pair,
            found.pair_active,
            found.pair_lag_events,
            found.pair_since_ms,
            found.pair_clock_ms,
        )

    @property
    def connected(self) -> bool:
        return self.session.link.connected

    def waiting_count(self, ignore: frozenset[str] = frozenset()) -> int:
        outbox = self.session.link.outbox
        total = len(outbox)
        if total and ignore:
            total -= sum(1 for item in outbox.items() if item.msg_id in ignore)
        return total

    def start(self) -> None:
        self.driver.start()
        aside = self.session.link.outbox.set_aside
        if aside is not None:
            # Shown once the window is up, like any refusal: unsent clicks may be lost.
            reason = QCoreApplication.translate(
                "StationBridge",
                "the outbox was damaged and set aside as {file}; calls not yet sent may "
                "be lost: check with the lobby by phone",
            ).format(file=aside.name)
            QTimer.singleShot(0, lambda: self.command_rejected.emit("", "outbox_set_aside", reason))

    def close(self) -> None:
        self.driver.stop()
        self.session.close()

    # Commands ------------------------------------------------------------------------
    def send(self, command: Command) -> str:
        """Queue a command; a command the hub could never take is refused here, at once.

        While a sign-in waits in the outbox (the hub away), later commands name nobody:
        the hub takes them, in order, as the person signed in by then's."""
        if not command.staff and self.staff and not self.pending_sign_in():
            command.staff = self.staff
        try:
            msg_id = self.driver.submit(command_kind(command), encode(command))
        except WireError as exc:
            self.command_rejected.emit("", exc.code, exc.reason)
            return ""
        except OutboxError as exc:
            # Not queued: say so at once, so the person can use the phone instead.
            reason = QCoreApplication.translate(
                "StationBridge", "cannot save the call: {problem}; call by phone"
            ).format(problem=exc)
            self.command_rejected.emit("", "outbox_unwritable", reason)
            return ""
        self.pending_changed.emit()
        return msg_id

    def pending_commands(self) -> list[PendingCommand]:
        """The outbox, oldest first: each click with its time on the hub's clock (the
        link's offset to it, as every age on screen). An item that does not decode (a
        newer station's, left in the file) is not shown."""
        offset = self.session.link.hub_offset_ms
        return [
            PendingCommand(item.msg_id, command, item.ts_ms + offset)
            for item in self.session.link.outbox.items()
            if (command := _decoded(item)) is not None
        ]

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

    def request_enrolments(
        self, action: str = "list", station: str = "", fingerprint: str = ""
    ) -> None:
        args = msgspec.msgpack.encode(EnrolmentAction(action, station, fingerprint))
        msg_id = new_msg_id()
        self._enrolments.add(msg_id)
        self.session.link.query(ENROLMENTS, args, msg_id=msg_id)
        self.driver.drain()

    # Callbacks ------------------------------------------------------------------------------
    def _on_answer(self, msg_id: str, answer: Answer) -> None:
        if msg_id in self._enrolments:
            self._enrolments.discard(msg_id)
            QTimer.singleShot(0, lambda: self._deliver_enrolments(answer))
            return
        if msg_id not in self._reports:
            return
        # Queued: a refusal made inside request_report reaches the caller after it returns.
        QTimer.singleShot(0, lambda: self._deliver_report(msg_id, answer))

    def _deliver_report(self, msg_id: str, answer: Answer) -> None:
        args, tries = self._reports.pop(msg_id, (b"", REPORT_TRIES))
        if not answer.ok and answer.retry and tries < REPORT_TRIES:  # the hub was busy
            self._reports[msg_id] = (args, tries + 1)
            wait = report_retry_ms(self._rng, tries - 1)
            QTimer.singleShot(wait, lambda: self._ask_again(msg_id))
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

    def _deliver_enrolments(self, answer: Answer) -> None:
        if not answer.ok:
            self.enrolment_failed.emit(answer.code, answer.reason)
            return
        try:
            waiting = msgspec.msgpack.decode(answer.body, type=list[EnrolmentRequest])
        except msgspec.DecodeError as exc:
            self.enrolment_failed.emit("bad_answer", f"the hub's answer does not decode: {exc}")
            return
        self.enrolments_ready.emit([(r.station, r.fingerprint, r.since_ms) for r in waiting])

    def _ask_again(self, msg_id: str) -> None:
        if msg_id in self._reports:
            self.session.link.query(report_query.NAME, self._reports[msg_id][0], msg_id=msg_id)
            self.driver.drain()

    def _on_reply(self, msg_id: str, result: Accepted | Rejected) -> None:
        if isinstance(result, Accepted):
            self.command_accepted.emit(msg_id, result.seq)
        elif not result.retry:
            self.command_rejected.emit(msg_id, result.code, result.reason)
        if isinstance(result, Accepted) or not result.retry:
            self.pending_changed.emit()


def _decoded(item: Pending) -> Command | None:
    try:
        return decode_command(item.kind, item.payload)
    except ValueError:
        return None
