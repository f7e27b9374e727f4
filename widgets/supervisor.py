"""SupervisorView: the back office's queue of authorization, cash and device requests.

Everything in the station's inbox (including assists escalated to the supervisor and
silent emergencies) ordered by priority, then age; each age is coloured against the
type's acknowledge deadline. Enter claims the selected request, Ctrl+Enter resolves it
(a handoff: after asking how it ended).
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import policy
from app.domain.policy import Act
from app.domain.roles import CounterStatus, SignalState
from app.domain.state import SignalRecord
from widgets.common import (
    age_colour,
    fmt_age,
    priority_colour,
    progress_text,
    reason_label,
    scaled_font,
    signal_label,
    staff_name,
    station_name,
    status_text,
)
from widgets.duress_alarm import DuressAlarm
from widgets.model import StationModel
from widgets.plain import plain_labels
from widgets.request_inbox import RequestInbox

DONE_GREY = QColor("#546e7a")


class SupervisorView(RequestInbox):
    """The supervisor's queue: claim (Enter) and resolve (Ctrl+Enter)."""

    COLUMNS = 5
    COL_REQUEST, COL_STATION, COL_WHO, COL_AGE, COL_STATE = range(COLUMNS)

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self.setObjectName("supervisorView")
        self.setFont(scaled_font(1.25))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        # A duress: pinned full width above the queue until someone acknowledges it.
        self.duress = DuressAlarm(model, self)
        layout.addWidget(self.duress)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("queueCount")
        self.count_label.setFont(scaled_font(1.4, bold=True))
        layout.addWidget(self.count_label)

        self.queue = self._build_table(
            self,
            "queueList",
            [
                self.tr("Request"),
                self.tr("Counter"),
                self.tr("Who"),
                self.tr("Waiting"),
                self.tr("Status"),
            ],
            self.COL_STATE,
            120,
        )
        self.queue.itemDoubleClicked.connect(self.claim_selected)
        layout.addWidget(self.queue, 1)

        self.detail = QLabel(self)
        self.detail.setObjectName("detailLabel")
        self.detail.setWordWrap(True)
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.detail)

        row = QHBoxLayout()
        self.claim_button = QPushButton(self.tr("Claim (Enter)"), self)
        self.claim_button.setObjectName("claimButton")
        self.claim_button.setToolTip(
            self.tr("Tell the counter you are on it; everyone sees who claimed it")
        )
        self.claim_button.clicked.connect(self.claim_selected)
        self.resolve_button = QPushButton(self.tr("Resolve (Ctrl+Enter)"), self)
        self.resolve_button.setObjectName("resolveButton")
        self.resolve_button.setToolTip(self.tr("Mark the selected request as handled"))
        self.resolve_button.clicked.connect(self.resolve_selected)
        for button in (self.claim_button, self.resolve_button):
            button.setMinimumHeight(44)
            button.setFont(scaled_font(1.3, bold=True))
            row.addWidget(button)
        layout.addLayout(row)

        self._shortcut(("Return", "Enter"), self.claim_selected)
        self._shortcut(("Ctrl+Return", "Ctrl+Enter"), self.resolve_selected)
        model.counter_changed.connect(self._on_station_changed)
        self._start()

        # Rendering ---------------------------------------------------------------------------
        plain_labels(self)

    def refresh(self) -> None:
        super().refresh()
        signals = self.model.inbox()
        waiting = sum(1 for s in signals if s.state is SignalState.OPEN)
        if waiting:
            text = self.tr("%n request(s) waiting", "", waiting)
        elif signals:  # claimed, not yet resolved: "All handled" would be premature
            text = self.tr("Nothing waiting · %n in progress", "", len(signals))
        else:
            text = self.tr("All handled")
        self.count_label.setText(text)

    def _paint_row(self, item: QTreeWidgetItem, sig: SignalRecord, now_ms: int) -> None:
        model = self.model
        branch, lang = model.branch, model.lang
        kind = branch.signal_type(sig.code)
        age = now_ms - sig.raised_ms
        state = progress_text(sig, branch, lang)
        if sig.state is not SignalState.OPEN and sig.acked_station == model.station.id:
            state = self.tr("Claimed by you")
        where = station_name(branch, sig.station, lang)
        counter = model.state.counters.get(sig.station)
        if counter is not None and counter.status is not CounterStatus.OPEN:
            where += " · " + status_text(counter.status)  # e.g. paused for a fault
        texts = [
            signal_label(branch, sig.code, lang),
            where,
            staff_name(branch, sig.staff, lang) if sig.staff else "",
            fmt_age(age),
            state,
        ]
        for col, text in enumerate(texts):
            item.setText(col, text)
        open_ = sig.state is SignalState.OPEN
        bold = QFont(self.queue.font())
        bold.setBold(open_)
        item.setFont(self.COL_REQUEST, bold)
        item.setFont(self.COL_AGE, bold)
        urgency = priority_colour(policy.priority(branch, sig.code))
        item.setForeground(self.COL_REQUEST, QBrush(urgency if open_ else DONE_GREY))
        deadline = kind.ack_s if kind is not None else 0
        item.setForeground(self.COL_AGE, QBrush(age_colour(age, deadline) if open_ else DONE_GREY))
        if sig.level:
            item.setForeground(self.COL_STATE, QBrush(QColor("#c62828")))

    def _show_detail(self) -> None:
        sig = self.selected()
        if sig is None:
            self.detail.setText(self.tr("No requests. New ones appear here at once."))
            return
        branch, lang = self.model.branch, self.model.lang
        parts = []
        if sig.need:
            parts.append(reason_label(branch.config.needs, sig.need, lang))
        if sig.ticket:
            parts.append(self.tr("Ticket {ticket}").format(ticket=sig.ticket))
        if sig.note:
            parts.append(self.tr("Note: {note}").format(note=sig.note))
        if sig.level:
            parts.append(self.tr("Escalated: nobody claimed it in time"))
        self.detail.setText(" · ".join(parts))

    def _update_actions(self) -> None:
        acts = self.acts()
        self.claim_button.setEnabled(Act.CLAIM in acts)
        self.resolve_button.setEnabled(Act.RESOLVE in acts)
        self._show_detail()
