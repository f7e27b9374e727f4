"""WealthView: a wealth manager's handoff inbox and today's referred customers.

A handoff (转介理财客户, 贵宾到店) is accepted, declined with a reason (the domain then
offers it to the other wealth managers) or closed with an outcome: served (with an
optional product and note) or no-show. Counter-help requests from the branch head
(支援柜台) are claimed and marked done.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.client.bridge import StationBridge
from app.domain.config import SignalType
from app.domain.policy import MAX_NOTE
from app.domain.roles import Outcome, SignalState
from app.domain.state import SignalRecord
from app.domain.timeday import day_start_ms, local_time
from widgets.common import (
    fmt_age,
    outcome_text,
    priority_colour,
    reason_label,
    request_table,
    signal_label,
    staff_name,
    station_name,
)
from widgets.teller import ReasonDialog, scaled_font

ID_ROLE = Qt.ItemDataRole.UserRole
MUTED = QColor("#78909c")


class OutcomeDialog(QDialog):
    """How an accepted handoff ended: served (product, note) or no-show. Enter records it."""

    def __init__(self, bridge: StationBridge, sig: SignalRecord, parent: QWidget | None = None):
        super().__init__(parent)
        self.signal_id = sig.id
        lang = bridge.lang
        self.setObjectName("outcomeDialog")
        self.setWindowTitle(self.tr("Outcome of the referral"))
        self.setFont(scaled_font(1.2))
        layout = QVBoxLayout(self)
        about = signal_label(bridge.branch, sig.code, lang)
        if sig.ticket:
            about += " · " + self.tr("ticket {ticket}").format(ticket=sig.ticket)
        layout.addWidget(QLabel(about, self))

        self.served = QRadioButton(self.tr("&Served"), self)
        self.served.setObjectName("servedRadio")
        self.no_show = QRadioButton(self.tr("&No-show"), self)
        self.no_show.setObjectName("noShowRadio")
        group = QButtonGroup(self)
        group.addButton(self.served)
        group.addButton(self.no_show)
        self.served.setChecked(True)
        row = QHBoxLayout()
        row.addWidget(self.served)
        row.addWidget(self.no_show)
        row.addStretch(1)
        layout.addLayout(row)

        form = QFormLayout()
        self.product = QComboBox(self)
        self.product.setObjectName("productCombo")
        self.product.addItem(self.tr("No product"), "")
        for product in bridge.branch.config.products:
            self.product.addItem(product.label.get(lang), product.code)
        form.addRow(self.tr("&Product:"), self.product)
        self.note = QLineEdit(self)
        self.note.setObjectName("outcomeNote")
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText(self.tr("Optional"))
        form.addRow(self.tr("N&ote:"), self.note)
        layout.addLayout(form)
        self.no_show.toggled.connect(lambda on: self.product.setEnabled(not on))

        buttons = QDialogButtonBox(self)
        self.record_button = QPushButton(self.tr("Record outcome"), self)
        self.record_button.setObjectName("recordButton")
        self.record_button.setDefault(True)
        buttons.addButton(self.record_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.served.setFocus()

    def values(self) -> tuple[str, str, str]:
        """(outcome, product, note) for ``StationBridge.resolve``."""
        if self.no_show.isChecked():
            return Outcome.NO_SHOW.value, "", self.note.text().strip()
        return Outcome.SERVED.value, str(self.product.currentData() or ""), self.note.text().strip()


class WealthView(QWidget):
    """Handoff inbox (accept / decline / outcome), counter-help requests, today's customers."""

    INBOX_COLUMNS = 6
    COL_REQUEST, COL_NEED, COL_TICKET, COL_FROM, COL_AGE, COL_STATE = range(INBOX_COLUMNS)

    def __init__(self, bridge: StationBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.active_dialog: QDialog | None = None
        self._day_start = 0
        self.setObjectName("wealthView")
        self.setFont(scaled_font(1.2))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_inbox())
        splitter.addWidget(self._build_today())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter)

        for keys, slot in (
            (("Return", "Enter"), self.accept_selected),
            (("Ctrl+Return", "Ctrl+Enter"), self.finish_selected),
            (("Delete",), self.request_decline),
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
        bridge.staff_changed.connect(lambda _station: self._tick())
        self.refresh()

    # Building ----------------------------------------------------------------------------
    def _build_inbox(self) -> QGroupBox:
        group = QGroupBox(self.tr("Referrals and requests"), self)
        group.setObjectName("inboxGroup")
        layout = QVBoxLayout(group)
        layout.setContentsMargins(6, 6, 6, 6)
        self.inbox = request_table(
            group,
            "inboxList",
            [
                self.tr("Request"),
                self.tr("Need"),
                self.tr("Ticket"),
                self.tr("Referred by"),
                self.tr("Age"),
                self.tr("Status"),
            ],
            self.COL_FROM,
            90,
        )
        self.inbox.currentItemChanged.connect(self._update_actions)
        self.inbox.itemDoubleClicked.connect(self.accept_selected)
        layout.addWidget(self.inbox, 1)

        self.detail = QLabel(group)
        self.detail.setObjectName("detailLabel")
        self.detail.setWordWrap(True)
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.detail)

        row = QHBoxLayout()
        self.accept_button = QPushButton(group)
        self.accept_button.setObjectName("acceptButton")
        self.accept_button.clicked.connect(self.accept_selected)
        self.decline_button = QPushButton(self.tr("Decline… (Del)"), group)
        self.decline_button.setObjectName("declineButton")
        self.decline_button.setToolTip(
            self.tr("Decline with a reason; the referral goes to the other wealth managers")
        )
        self.decline_button.clicked.connect(self.request_decline)
        self.finish_button = QPushButton(group)
        self.finish_button.setObjectName("finishButton")
        self.finish_button.clicked.connect(self.finish_selected)
        for button in (self.accept_button, self.decline_button, self.finish_button):
            button.setMinimumHeight(40)
            button.setFont(scaled_font(1.25, bold=True))
            row.addWidget(button)
        layout.addLayout(row)
        return group

    def _build_today(self) -> QGroupBox:
        group = QGroupBox(self.tr("Today's customers"), self)
        group.setObjectName("todayGroup")
        self.today_group = group
        layout = QVBoxLayout(group)
        layout.setContentsMargins(6, 6, 6, 6)
        self.today = QTreeWidget(group)
        self.today.setObjectName("todayList")
        self.today.setRootIsDecorated(False)
        self.today.setUniformRowHeights(True)
        self.today.setHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Request"),
                self.tr("Need"),
                self.tr("Outcome"),
                self.tr("Product"),
                self.tr("Ticket"),
                self.tr("Referred by"),
            ]
        )
        header = self.today.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.today.setMinimumHeight(70)
        layout.addWidget(self.today, 1)
        return group

    # Queries -----------------------------------------------------------------------------
    def kind(self, sig: SignalRecord) -> SignalType | None:
        return self.bridge.branch.signal_type(sig.code)

    def selected(self) -> SignalRecord | None:
        item = self.inbox.currentItem()
        if item is None:
            return None
        return self.bridge.state.signals.get(int(item.data(0, ID_ROLE)))

    def select(self, signal_id: int) -> bool:
        for row in range(self.inbox.topLevelItemCount()):
            item = self.inbox.topLevelItem(row)
            if item is not None and item.data(0, ID_ROLE) == signal_id:
                self.inbox.setCurrentItem(item)
                return True
        return False

    def mine(self, sig: SignalRecord) -> bool:
        """Claimed (accepted) by this station."""
        return sig.state is not SignalState.OPEN and sig.acked_station == self.bridge.station.id

    def todays_customers(self) -> list[SignalRecord]:
        """Handoffs this station closed today (branch time), newest first."""
        start = day_start_ms(self.bridge.hub_now_ms(), self.bridge.branch.timezone)
        me = self.bridge.station.id
        done = [
            s
            for s in self.bridge.state.signals.values()
            if s.state is SignalState.RESOLVED
            and s.resolved_station == me
            and (s.resolved_ms or 0) >= start
            and (kind := self.kind(s)) is not None
            and kind.handoff
        ]
        return sorted(done, key=lambda s: (s.resolved_ms or 0, s.id), reverse=True)

    # Actions -------------------------------------------------------------------------------
    def accept_selected(self) -> None:
        """Accept the selected referral (or claim a request): first claim wins."""
        sig = self.selected()
        if sig is not None and sig.state is SignalState.OPEN:
            self.bridge.acknowledge(sig.id)

    def request_decline(self) -> None:
        """Ask for the reason, then decline the selected referral."""
        sig = self.selected()
        if sig is None or not self._can_decline(sig):
            return
        dialog = ReasonDialog(
            self.tr("Decline the referral"),
            self.tr("Why can you not take this customer? It goes to the other wealth managers."),
            self.bridge.branch.config.decline_reasons,
            self.bridge.lang,
            self.tr("Decline"),
            self,
        )
        dialog.setObjectName("declineDialog")
        self._open_dialog(dialog, partial(self._decline_from, sig.id, dialog))

    def _decline_from(self, signal_id: int, dialog: ReasonDialog) -> None:
        self.decline(signal_id, dialog.reason())

    def decline(self, signal_id: int, reason: str) -> bool:
        """Decline with ``reason``; without one nothing is sent (returns False)."""
        if not reason:
            return False
        self.bridge.decline(signal_id, reason)
        return True

    def finish_selected(self) -> None:
        """A handoff: ask for the outcome. A request: mark it done."""
        sig = self.selected()
        if sig is None or not self._can_finish(sig):
            return
        kind = self.kind(sig)
        if kind is not None and kind.handoff:
            dialog = OutcomeDialog(self.bridge, sig, self)
            self._open_dialog(dialog, lambda: self.record_outcome(sig.id, *dialog.values()))
        else:
            self.bridge.resolve(sig.id)

    def record_outcome(
        self, signal_id: int, outcome: str, product: str = "", note: str = ""
    ) -> None:
        self.bridge.resolve(signal_id, outcome=outcome, product=product, note=note)

    def _open_dialog(self, dialog: QDialog, on_accept: Callable[[], None]) -> None:
        if self.active_dialog is not None:
            self.active_dialog.close()
        self.active_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_accept)
        dialog.finished.connect(partial(self._forget_dialog, dialog))
        dialog.open()

    def _forget_dialog(self, dialog: QDialog, _result: int = 0) -> None:
        if self.active_dialog is dialog:
            self.active_dialog = None

    def _can_decline(self, sig: SignalRecord) -> bool:
        kind = self.kind(sig)
        return bool(
            kind is not None
            and kind.handoff
            and (
                sig.state is SignalState.OPEN
                or (self.mine(sig) and sig.state is SignalState.ACKNOWLEDGED)
            )
        )

    def _can_finish(self, sig: SignalRecord) -> bool:
        kind = self.kind(sig)
        if kind is None or not sig.open:
            return False
        if kind.handoff:
            return self.mine(sig)  # accept first, then record how it went
        return sig.state is SignalState.OPEN or self.mine(sig)

    # Rendering ---------------------------------------------------------------------------
    def refresh(self) -> None:
        self._fill_inbox()
        self._fill_today()

    def _fill_inbox(self) -> None:
        keep = self.selected()
        signals = self.bridge.inbox()
        self.inbox.blockSignals(True)
        self.inbox.clear()
        for sig in signals:
            item = QTreeWidgetItem()
            item.setData(0, ID_ROLE, sig.id)
            self.inbox.addTopLevelItem(item)
            if keep is not None and sig.id == keep.id:
                self.inbox.setCurrentItem(item)
        first = self.inbox.topLevelItem(0)
        if self.inbox.currentItem() is None and first is not None:
            self.inbox.setCurrentItem(first)
        self.inbox.blockSignals(False)
        self._tick()
        self._update_actions()

    def _fill_today(self) -> None:
        branch, lang, tz = self.bridge.branch, self.bridge.lang, self.bridge.branch.timezone
        self._day_start = day_start_ms(self.bridge.hub_now_ms(), tz)
        customers = self.todays_customers()
        self.today.clear()
        for sig in customers:
            product = reason_label(branch.config.products, sig.product, lang) if sig.product else ""
            item = QTreeWidgetItem(
                [
                    local_time(sig.resolved_ms or 0, tz).strftime("%H:%M"),
                    signal_label(branch, sig.code, lang),
                    reason_label(branch.config.needs, sig.need, lang) if sig.need else "",
                    outcome_text(sig.outcome),
                    product,
                    sig.ticket,
                    self._referrer(sig),
                ]
            )
            item.setData(0, ID_ROLE, sig.id)
            if sig.result_note:
                for col in range(item.columnCount()):
                    item.setToolTip(col, sig.result_note)
            self.today.addTopLevelItem(item)
        served = sum(1 for s in customers if s.outcome == Outcome.SERVED.value)
        self.today_group.setTitle(
            self.tr("Today's customers: %n served", "", served)
            + " · "
            + self.tr("%n no-show(s)", "", len(customers) - served)
        )

    def _referrer(self, sig: SignalRecord) -> str:
        branch, lang = self.bridge.branch, self.bridge.lang
        where = station_name(branch, sig.station, lang)
        who = staff_name(branch, sig.staff, lang) if sig.staff else ""
        return f"{who} · {where}" if who else where

    def _state_text(self, sig: SignalRecord) -> str:
        branch, lang = self.bridge.branch, self.bridge.lang
        who = staff_name(branch, sig.acked_staff, lang) or station_name(
            branch, sig.acked_station, lang
        )
        if sig.state is SignalState.OPEN:
            return self.tr("New · offered again") if sig.declines else self.tr("New")
        if self.mine(sig):
            return self.tr("Accepted by you")
        return self.tr("Taken by {who}").format(who=who)

    def _tick(self) -> None:
        now = self.bridge.hub_now_ms()
        branch, lang = self.bridge.branch, self.bridge.lang
        for row in range(self.inbox.topLevelItemCount()):
            item = self.inbox.topLevelItem(row)
            sig = self.bridge.state.signals.get(int(item.data(0, ID_ROLE))) if item else None
            if item is None or sig is None:
                continue
            kind = self.kind(sig)
            texts = [
                signal_label(branch, sig.code, lang),
                reason_label(branch.config.needs, sig.need, lang) if sig.need else "",
                sig.ticket,
                self._referrer(sig),
                fmt_age(now - sig.raised_ms),
                self._state_text(sig),
            ]
            for col, text in enumerate(texts):
                item.setText(col, text)
            taken = sig.state is not SignalState.OPEN and not self.mine(sig)
            colour = MUTED if taken else QColor("#263238")
            for col in range(self.INBOX_COLUMNS):
                item.setForeground(col, QBrush(colour))
            if kind is not None and not taken:
                item.setForeground(self.COL_REQUEST, QBrush(priority_colour(kind.priority)))
            font = QFont(self.inbox.font())
            font.setBold(sig.state is SignalState.OPEN)
            item.setFont(self.COL_REQUEST, font)
            if sig.note:
                item.setToolTip(self.COL_REQUEST, sig.note)
        self._show_detail()
        if day_start_ms(now, branch.timezone) != self._day_start:
            self._fill_today()

    def _show_detail(self) -> None:
        sig = self.selected()
        if sig is None:
            self.detail.setText(self.tr("Nothing waiting."))
            return
        branch, lang = self.bridge.branch, self.bridge.lang
        parts = []
        if sig.note:
            parts.append(self.tr("Note: {note}").format(note=sig.note))
        for decision in sig.declines:
            who = staff_name(branch, decision.staff, lang) or station_name(
                branch, decision.station, lang
            )
            reason = reason_label(branch.config.decline_reasons, decision.reason, lang)
            parts.append(self.tr("Declined by {who}: {reason}").format(who=who, reason=reason))
        self.detail.setText("\n".join(parts) if parts else self.tr("No note."))

    def _update_actions(self) -> None:
        sig = self.selected()
        kind = self.kind(sig) if sig is not None else None
        handoff = kind is not None and kind.handoff
        self.accept_button.setText(
            self.tr("Accept (Enter)") if handoff or kind is None else self.tr("Claim (Enter)")
        )
        self.finish_button.setText(
            self.tr("Outcome… (Ctrl+Enter)")
            if handoff or kind is None
            else self.tr("Done (Ctrl+Enter)")
        )
        self.accept_button.setEnabled(sig is not None and sig.state is SignalState.OPEN)
        self.decline_button.setEnabled(sig is not None and self._can_decline(sig))
        self.decline_button.setVisible(kind is None or handoff)
        self.finish_button.setEnabled(sig is not None and self._can_finish(sig))
        self._show_detail()

    # Slots -------------------------------------------------------------------------------
    def _on_signal_changed(self, sig: SignalRecord) -> None:
        me = self.bridge.station
        if (
            self.bridge.state.is_target(sig, me)
            or sig.resolved_station == me.id
            or self.shows(sig.id)
        ):
            self.refresh()

    def shows(self, signal_id: int) -> bool:
        """Whether the inbox shows ``signal_id`` now (without changing the selection)."""
        return any(
            (item := self.inbox.topLevelItem(row)) is not None
            and item.data(0, ID_ROLE) == signal_id
            for row in range(self.inbox.topLevelItemCount())
        )
