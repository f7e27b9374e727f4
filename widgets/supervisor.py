"""SupervisorView: the back office's queue of authorization, cash and device requests.

Everything in the station's inbox (including assists escalated to the supervisor and
silent emergencies) ordered by priority, then age; each age is coloured against the
type's acknowledge deadline. Enter claims the selected request, Ctrl+Enter resolves it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.client.bridge import StationBridge
from app.domain.roles import CounterStatus, Outcome, SignalState
from app.domain.state import SignalRecord
from widgets.common import (
    age_colour,
    fmt_age,
    priority_colour,
    progress_text,
    reason_label,
    request_table,
    signal_label,
    staff_name,
    station_name,
    status_text,
)
from widgets.teller import scaled_font

ID_ROLE = Qt.ItemDataRole.UserRole


class SupervisorView(QWidget):
    """The supervisor's queue: claim (Enter) and resolve (Ctrl+Enter)."""

    COLUMNS = 5
    COL_REQUEST, COL_STATION, COL_WHO, COL_AGE, COL_STATE = range(COLUMNS)

    def __init__(self, bridge: StationBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.setObjectName("supervisorView")
        self.setFont(scaled_font(1.25))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("queueCount")
        self.count_label.setFont(scaled_font(1.4, bold=True))
        layout.addWidget(self.count_label)

        self.queue = request_table(
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
        self.queue.currentItemChanged.connect(self._update_actions)
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

        for keys, slot in (
            (("Return", "Enter"), self.claim_selected),
            (("Ctrl+Return", "Ctrl+Enter"), self.resolve_selected),
        ):
            shortcut = QShortcut(self)
            shortcut.setKeys([QKeySequence(k) for k in keys])
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

        bridge.signal_changed.connect(self._on_signal_changed)
        bridge.state_reset.connect(self.refresh)
        bridge.counter_changed.connect(lambda _station: self._tick())
        bridge.staff_changed.connect(lambda _station: self._tick())
        self.refresh()

    # Queries -----------------------------------------------------------------------------
    def selected(self) -> SignalRecord | None:
        item = self.queue.currentItem()
        if item is None:
            return None
        return self.bridge.state.signals.get(int(item.data(0, ID_ROLE)))

    def select(self, signal_id: int) -> bool:
        for row in range(self.queue.topLevelItemCount()):
            item = self.queue.topLevelItem(row)
            if item is not None and item.data(0, ID_ROLE) == signal_id:
                self.queue.setCurrentItem(item)
                return True
        return False

    def shown_ids(self) -> list[int]:
        return [
            int(item.data(0, ID_ROLE))
            for row in range(self.queue.topLevelItemCount())
            if (item := self.queue.topLevelItem(row)) is not None
        ]

    def _can_resolve(self, sig: SignalRecord) -> bool:
        return sig.open and (
            sig.state is SignalState.OPEN or sig.acked_station == self.bridge.station.id
        )

    # Actions ------------------------------------------------------------------------------
    def claim_selected(self) -> None:
        sig = self.selected()
        if sig is not None and sig.state is SignalState.OPEN:
            self.bridge.acknowledge(sig.id)

    def resolve_selected(self) -> None:
        sig = self.selected()
        if sig is None or not self._can_resolve(sig):
            return
        kind = self.bridge.branch.signal_type(sig.code)
        # A handoff needs an outcome; the supervisor handling one means it was served.
        outcome = Outcome.SERVED.value if kind is not None and kind.handoff else ""
        self.bridge.resolve(sig.id, outcome=outcome)

    # Rendering ---------------------------------------------------------------------------
    def refresh(self) -> None:
        keep = self.selected()
        signals = self.bridge.inbox()
        self.queue.blockSignals(True)
        self.queue.clear()
        for sig in signals:
            item = QTreeWidgetItem()
            item.setData(0, ID_ROLE, sig.id)
            self.queue.addTopLevelItem(item)
            if keep is not None and sig.id == keep.id:
                self.queue.setCurrentItem(item)
        first = self.queue.topLevelItem(0)
        if self.queue.currentItem() is None and first is not None:
            self.queue.setCurrentItem(first)  # Enter claims the most urgent at once
        self.queue.blockSignals(False)
        waiting = sum(1 for s in signals if s.state is SignalState.OPEN)
        if waiting:
            text = self.tr("%n request(s) waiting", "", waiting)
        elif signals:  # claimed, not yet resolved: "All handled" would be premature
            text = self.tr("Nothing waiting · %n in progress", "", len(signals))
        else:
            text = self.tr("All handled")
        self.count_label.setText(text)
        self._tick()
        self._update_actions()

    def _tick(self) -> None:
        now = self.bridge.hub_now_ms()
        branch, lang = self.bridge.branch, self.bridge.lang
        for row in range(self.queue.topLevelItemCount()):
            item = self.queue.topLevelItem(row)
            sig = self.bridge.state.signals.get(int(item.data(0, ID_ROLE))) if item else None
            if item is None or sig is None:
                continue
            kind = branch.signal_type(sig.code)
            age = now - sig.raised_ms
            state = progress_text(sig, branch, lang)
            if sig.state is not SignalState.OPEN and sig.acked_station == self.bridge.station.id:
                state = self.tr("Claimed by you")
            where = station_name(branch, sig.station, lang)
            counter = self.bridge.state.counters.get(sig.station)
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
            item.setForeground(
                self.COL_REQUEST,
                QBrush(
                    priority_colour(kind.priority if kind else 4) if open_ else QColor("#546e7a")
                ),
            )
            deadline = kind.ack_s if kind is not None else 0
            item.setForeground(
                self.COL_AGE, QBrush(age_colour(age, deadline) if open_ else QColor("#546e7a"))
            )
            if sig.level:
                item.setForeground(self.COL_STATE, QBrush(QColor("#c62828")))
        self._show_detail()

    def _show_detail(self) -> None:
        sig = self.selected()
        if sig is None:
            self.detail.setText(self.tr("No requests. New ones appear here at once."))
            return
        branch, lang = self.bridge.branch, self.bridge.lang
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
        sig = self.selected()
        self.claim_button.setEnabled(sig is not None and sig.state is SignalState.OPEN)
        self.resolve_button.setEnabled(sig is not None and self._can_resolve(sig))
        self._show_detail()

    # Slots -------------------------------------------------------------------------------
    def _on_signal_changed(self, sig: SignalRecord) -> None:
        if self.bridge.state.is_target(sig, self.bridge.station) or sig.id in self.shown_ids():
            self.refresh()
