"""TellerView: one click (or F-key) per call, the calls still open, the counter's status.

Replaces the call device and the half-raised hand: the teller presses a button, sees
who answered and how long it has been, and sets the counter open, paused (with a
reason) or closed. Silent types (duress) leave no trace on this screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QModelIndex, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app import log
from app.client.bridge import StationBridge
from app.domain.config import Reason, SignalType
from app.domain.policy import MAX_NOTE, MAX_TICKET
from app.domain.roles import CounterStatus, Role, SignalState
from app.domain.state import SignalRecord
from app.domain.timeday import local_time
from widgets.common import (
    fmt_age,
    priority_colour,
    progress_text,
    reason_label,
    signal_label,
    staff_name,
    station_name,
    status_text,
    tr,
)
from widgets.rows import (
    ALERT_COLOUR,
    DONE_COLOUR,
    WAITING_COLOUR,
    TwoLineDelegate,
    set_row,
    two_line_height,
)

ID_ROLE = Qt.ItemDataRole.UserRole
MAX_FKEYS = 12
BUTTON_FONT_FACTORS = (1.5, 1.3, 1.15, 1.0)
"""Call-button font sizes (× the application font), tried largest first until the labels fit."""

STATUS_COLOURS = {
    CounterStatus.OPEN: QColor("#2e7d32"),
    CounterStatus.PAUSED: QColor("#ef6c00"),
    CounterStatus.CLOSED: QColor("#546e7a"),
}


def scaled_font(factor: float, bold: bool = False) -> QFont:
    """The application font scaled for reading at a glance (independent of the parent)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(QApplication.font().pointSizeF() * factor)
    font.setBold(bold)
    return font


def status_pixmap(status: CounterStatus, size: int = 28) -> QPixmap:
    """A shape per status (disc, pause bars, square), so colour is never the only cue."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = STATUS_COLOURS[status]
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(colour))
    m = size * 0.1
    if status is CounterStatus.OPEN:
        painter.drawEllipse(QRectF(m, m, size - 2 * m, size - 2 * m))
        painter.setPen(QPen(QColor("white"), size * 0.12))
        painter.drawPolyline(
            [
                QPointF(size * 0.3, size * 0.52),
                QPointF(size * 0.45, size * 0.67),
                QPointF(size * 0.72, size * 0.36),
            ]
        )
    elif status is CounterStatus.PAUSED:
        bar = size * 0.28
        painter.drawRect(QRectF(size * 0.15, m, bar, size - 2 * m))
        painter.drawRect(QRectF(size * 0.57, m, bar, size - 2 * m))
    else:
        painter.drawRect(QRectF(m, m, size - 2 * m, size - 2 * m))
        painter.setPen(QPen(QColor("white"), size * 0.1))
        painter.drawLine(QPointF(size * 0.3, size * 0.3), QPointF(size * 0.7, size * 0.7))
        painter.drawLine(QPointF(size * 0.7, size * 0.3), QPointF(size * 0.3, size * 0.7))
    painter.end()
    return pix


class ReasonDialog(QDialog):
    """Pick one reason from the branch's list; OK stays disabled until one is chosen."""

    def __init__(
        self,
        title: str,
        prompt: str,
        reasons: Sequence[Reason],
        lang: str,
        ok_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        self.setFont(scaled_font(1.2))
        layout = QVBoxLayout(self)
        label = QLabel(prompt, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.reasons = QListWidget(self)
        self.reasons.setObjectName("reasonList")
        for reason in reasons:
            item = QListWidgetItem(reason.label.get(lang))
            item.setData(ID_ROLE, reason.code)
            self.reasons.addItem(item)
        # No reason is preselected, and the first Down arrow picks the first one.
        # (an explicit invalid current index stops the view choosing row 0 on focus).
        self.reasons.setCurrentIndex(QModelIndex())
        self.reasons.itemDoubleClicked.connect(self.accept)
        layout.addWidget(self.reasons, 1)
        label.setBuddy(self.reasons)
        buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(ok_text, self)
        self.ok_button.setObjectName("okButton")
        self.ok_button.setDefault(True)
        self.ok_button.setEnabled(False)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reasons.currentItemChanged.connect(self._on_current_changed)
        self.reasons.setFocus()

    def reason(self) -> str:
        """The chosen reason's code ('' if none)."""
        item = self.reasons.currentItem()
        return str(item.data(ID_ROLE)) if item is not None and item.isSelected() else ""

    def select(self, code: str) -> None:
        for row in range(self.reasons.count()):
            if self.reasons.item(row).data(ID_ROLE) == code:
                self.reasons.setCurrentRow(row)

    def accept(self) -> None:
        if not self.reason():
            return  # no reason, no pause / decline: the rule of the branch
        super().accept()

    def _on_current_changed(self) -> None:
        self.ok_button.setEnabled(bool(self.reason()))


class RaiseDialog(QDialog):
    """The small form a handoff (need, note, ticket) or a to-station call needs. Enter sends."""

    def __init__(
        self, bridge: StationBridge, kind: SignalType, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        lang = bridge.lang
        self.setObjectName("raiseDialog")
        self.setWindowTitle(signal_label(bridge.branch, kind.code, lang))
        self.setFont(scaled_font(1.2))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.need: QComboBox | None = None
        self.ticket: QLineEdit | None = None
        self.target: QComboBox | None = None
        if kind.to_station:
            self.target = QComboBox(self)
            self.target.setObjectName("targetCombo")
            roles = kind.targets or (Role.TELLER,)
            for station in bridge.branch.config.stations:
                if station.role in roles and station.id != bridge.station.id:
                    who = bridge.state.staff_of(station.id)
                    text = station.name.get(lang)
                    if who:
                        text += " · " + staff_name(bridge.branch, who, lang)
                    self.target.addItem(text, station.id)
            form.addRow(self.tr("&To:"), self.target)
        if kind.handoff and bridge.branch.config.needs:
            self.need = QComboBox(self)
            self.need.setObjectName("needCombo")
            for need in bridge.branch.config.needs:
                self.need.addItem(need.label.get(lang), need.code)
            form.addRow(self.tr("&Need:"), self.need)
        self.note = QLineEdit(self)
        self.note.setObjectName("noteEdit")
        self.note.setMaxLength(MAX_NOTE)
        self.note.setPlaceholderText(self.tr("Optional"))
        form.addRow(self.tr("N&ote:"), self.note)
        if kind.handoff:
            self.ticket = QLineEdit(self)
            self.ticket.setObjectName("ticketEdit")
            self.ticket.setMaxLength(MAX_TICKET)
            self.ticket.setPlaceholderText(self.tr("Customer's queue ticket, optional"))
            form.addRow(self.tr("&Ticket no.:"), self.ticket)
        buttons = QDialogButtonBox(self)
        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.target is not None and self.target.count() == 0:
            self.send_button.setEnabled(False)
        first = self.target or self.need or self.note
        first.setFocus()

    def fields(self) -> dict[str, str]:
        """Keyword arguments for ``StationBridge.raise_signal``."""
        return {
            "note": self.note.text().strip(),
            "to": str(self.target.currentData() or "") if self.target is not None else "",
            "ticket": self.ticket.text().strip() if self.ticket is not None else "",
            "need": str(self.need.currentData() or "") if self.need is not None else "",
        }


class TellerView(QWidget):
    """A counter's screen: call buttons with F-keys, my open calls, the counter's status.

    ``quiet_msg_ids`` holds the commands of silent signals: the station window shows no
    rejection or waiting count for them.
    """

    def __init__(self, bridge: StationBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.quiet_msg_ids: set[str] = set()
        self.active_dialog: QDialog | None = None
        self.kinds: list[SignalType] = bridge.branch.raisable_by(bridge.station.role)
        self.buttons: dict[str, QPushButton] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        self._columns = 0
        self.counter_status = CounterStatus.OPEN
        self.setObjectName("tellerView")
        self.setFont(scaled_font(1.25))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self._build_signal_buttons(), 2)
        layout.addWidget(self._build_my_signals(), 3)
        layout.addWidget(self._build_incoming(), 1)
        layout.addWidget(self._build_counter())

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

        bridge.signal_changed.connect(self._on_signal_changed)
        bridge.state_reset.connect(self.refresh)
        bridge.counter_changed.connect(self._on_counter_changed)
        bridge.staff_changed.connect(self._on_staff_changed)
        bridge.command_accepted.connect(self._on_command_done)
        bridge.command_rejected.connect(self._on_command_rejected)
        self.refresh()

    # Building ---------------------------------------------------------------------------
    def _build_signal_buttons(self) -> QWidget:
        box = QWidget(self)
        self._grid = QGridLayout(box)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(8)
        for index, kind in enumerate(self.kinds):
            label = signal_label(self.bridge.branch, kind.code, self.bridge.lang)
            key = f"F{index + 1}" if index < MAX_FKEYS else ""
            # The key first: a narrow window clips the end of the label, never the key.
            button = QPushButton(f"{key}   {label}".lstrip(), box)
            button.setObjectName(f"signal_{kind.code}")
            button.setProperty("signalCode", kind.code)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.setMinimumWidth(110)  # a small window squeezes rather than grows
            button.setMinimumHeight(34)
            button.setMaximumHeight(34 if kind.silent else 96)
            if kind.silent:
                # Discreet: a customer at the counter must not notice it.
                button.setFont(scaled_font(1.0))
                button.setStyleSheet(
                    "QPushButton { text-align: left; padding: 4px 10px; border: 1px solid #cfd8dc;"
                    " border-radius: 6px; background: #fafafa; color: #607d8b; }"
                )
            else:
                button.setFont(scaled_font(1.5, bold=True))
                colour = priority_colour(kind.priority).name()
                button.setStyleSheet(
                    "QPushButton { text-align: left; padding: 6px 12px; border: 1px solid #b0bec5;"
                    f" border-left: 10px solid {colour}; border-radius: 6px; background: #f5f7fa; }}"
                    "QPushButton:hover { background: #e8eef4; }"
                    "QPushButton:pressed { background: #cfd8dc; }"
                    "QPushButton:focus { border-color: #1565c0; }"
                )
            tip = label
            if kind.handoff or kind.to_station:
                tip = self.tr("{label}: opens a short form; Enter sends it").format(label=label)
            button.setToolTip(f"{tip} ({key})" if key and not kind.silent else tip)
            button.clicked.connect(partial(self.trigger, kind.code))
            self.buttons[kind.code] = button
            if key:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(partial(self.trigger, kind.code))
                self.shortcuts[kind.code] = shortcut
        self._reflow(max(self.width(), 620))
        return box

    def _build_my_signals(self) -> QGroupBox:
        group = QGroupBox(self.tr("My calls"), self)
        group.setObjectName("myCallsGroup")
        layout = QHBoxLayout(group)
        layout.setContentsMargins(6, 4, 6, 6)
        self.my_list = QListWidget(group)
        self.my_list.setObjectName("mySignals")
        self.my_list.setMinimumHeight(two_line_height(scaled_font(1.3)))
        self.my_list.setFont(scaled_font(1.3))
        # Two lines a call: the label and age, then who is coming (never cut).
        self.my_list.setItemDelegate(TwoLineDelegate(self.my_list))
        self.my_list.currentItemChanged.connect(self._update_buttons)
        layout.addWidget(self.my_list, 1)
        self.empty_label = QLabel(self.tr("No open calls."), group)
        self.empty_label.setObjectName("noCallsLabel")
        self.empty_label.setStyleSheet("color: #607d8b;")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.empty_label, 1)
        self.cancel_button = QPushButton(self.tr("Cancel call (Del)"), group)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip(self.tr("Cancel the selected call (Delete key)"))
        self.cancel_button.clicked.connect(self.cancel_selected)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignBottom)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self)
        delete.setContext(Qt.ShortcutContext.WindowShortcut)
        delete.activated.connect(self.cancel_selected)
        return group

    def _build_incoming(self) -> QGroupBox:
        group = QGroupBox(self.tr("Sent to this counter"), self)
        group.setObjectName("incomingGroup")
        layout = QHBoxLayout(group)
        layout.setContentsMargins(6, 4, 6, 6)
        self.incoming_list = QListWidget(group)
        self.incoming_list.setObjectName("incomingList")
        self.incoming_list.setMinimumHeight(two_line_height(scaled_font(1.3)))
        self.incoming_list.setFont(scaled_font(1.3))
        self.incoming_list.setItemDelegate(TwoLineDelegate(self.incoming_list))
        self.incoming_list.currentItemChanged.connect(self._update_buttons)
        layout.addWidget(self.incoming_list, 1)
        self.incoming_button = QPushButton(group)
        self.incoming_button.setObjectName("incomingButton")
        self.incoming_button.clicked.connect(self.advance_incoming)
        layout.addWidget(self.incoming_button)
        self.incoming_group = group
        group.hide()
        return group

    def _build_counter(self) -> QFrame:
        frame = QFrame(self)
        frame.setObjectName("counterBar")
        row = QHBoxLayout(frame)
        row.setContentsMargins(0, 0, 0, 0)
        self.status_icon = QLabel(frame)
        self.status_icon.setObjectName("counterIcon")
        row.addWidget(self.status_icon)
        self.status_label = QLabel(frame)
        self.status_label.setObjectName("counterStatus")
        self.status_label.setFont(scaled_font(1.4, bold=True))
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label.setWordWrap(True)  # a narrow window: two lines rather than clipped
        row.addWidget(self.status_label, 1)
        self.resume_button = QPushButton(self.tr("Resume service"), frame)
        self.resume_button.setObjectName("resumeButton")
        self.resume_button.clicked.connect(self.resume)
        self.pause_button = QPushButton(self.tr("Pause service…"), frame)
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setToolTip(self.tr("Pause the counter; you will be asked why"))
        self.pause_button.clicked.connect(self.request_pause)
        self.close_button = QPushButton(self.tr("Close counter"), frame)
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.close_counter)
        for button in (self.resume_button, self.pause_button, self.close_button):
            button.setMinimumHeight(36)
            row.addWidget(button)
        return frame

    # Actions ----------------------------------------------------------------------------
    def trigger(self, code: str) -> None:
        """A button or its F-key: send at once, or open the form the type needs."""
        kind = self.bridge.branch.signal_type(code)
        if kind is None:
            return
        if kind.silent:
            self._send(kind, {})
            return
        if kind.handoff or kind.to_station:
            dialog = RaiseDialog(self.bridge, kind, self)
            self._open_dialog(dialog, partial(self._send_form, kind, dialog))
            return
        self._send(kind, {})

    def cancel_selected(self) -> None:
        sig_id = self.selected_signal()
        if sig_id is not None:
            self.bridge.cancel(sig_id)

    def selected_signal(self) -> int | None:
        item = self.my_list.currentItem()
        return int(item.data(ID_ROLE)) if item is not None else None

    def advance_incoming(self) -> None:
        """Acknowledge a call sent to this counter, or mark an acknowledged one done."""
        item = self.incoming_list.currentItem()
        if item is None:
            return
        sig = self.bridge.state.signals.get(int(item.data(ID_ROLE)))
        if sig is None or not sig.open:
            return
        if sig.state is SignalState.OPEN:
            self.bridge.acknowledge(sig.id)
        else:
            kind = self.bridge.branch.signal_type(sig.code)
            self.bridge.resolve(sig.id, outcome="served" if kind and kind.handoff else "")

    def request_pause(self) -> None:
        """Ask for the pause reason; the counter pauses only once one is chosen."""
        dialog = ReasonDialog(
            self.tr("Pause service"),
            self.tr("Why is the counter pausing?"),
            self.bridge.branch.config.pause_reasons,
            self.bridge.lang,
            self.tr("Pause"),
            self,
        )
        dialog.setObjectName("pauseDialog")
        current = self.bridge.state.counters.get(self.bridge.station.id)
        if current is not None and current.status is CounterStatus.PAUSED:
            dialog.select(current.reason)
        self._open_dialog(dialog, partial(self._pause_from, dialog))

    def _pause_from(self, dialog: ReasonDialog) -> None:
        self.pause(dialog.reason())

    def pause(self, reason: str) -> bool:
        """Pause the counter with ``reason``; without one nothing is sent (returns False)."""
        if not reason:
            return False
        self.bridge.set_status(CounterStatus.PAUSED, reason)
        return True

    def resume(self) -> None:
        self.bridge.set_status(CounterStatus.OPEN)

    def close_counter(self) -> None:
        self.bridge.set_status(CounterStatus.CLOSED)

    def _send_form(self, kind: SignalType, dialog: RaiseDialog) -> None:
        self._send(kind, dialog.fields())

    def _send(self, kind: SignalType, fields: dict[str, str]) -> None:
        msg_id = self.bridge.raise_signal(kind.code, **fields)
        if kind.silent:
            self.quiet_msg_ids.add(msg_id)

    def _open_dialog(self, dialog: QDialog, on_accept: Callable[[], None]) -> None:
        """Window-modal, non-blocking: the event loop (and the link) keeps running."""
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

    # Rendering --------------------------------------------------------------------------
    def refresh(self) -> None:
        self._fill_my_signals()
        self._fill_incoming()
        self._show_counter()

    def visible_signals(self) -> list[SignalRecord]:
        """My open calls, minus the silent ones (those never show here)."""
        types = self.bridge.branch.signal_types
        return [
            s for s in self.bridge.my_signals() if not (s.code in types and types[s.code].silent)
        ]

    def _fill_my_signals(self) -> None:
        keep = self.selected_signal()
        signals = self.visible_signals()
        self.my_list.blockSignals(True)
        self.my_list.clear()
        selected: QListWidgetItem | None = None
        for sig in signals:
            item = QListWidgetItem()
            item.setData(ID_ROLE, sig.id)
            self.my_list.addItem(item)
            if sig.id == keep:
                selected = item
        if selected is None and self.my_list.count():
            selected = self.my_list.item(self.my_list.count() - 1)  # the newest: Del undoes it
        if selected is not None:
            self.my_list.setCurrentItem(selected)
        self.my_list.blockSignals(False)
        self.empty_label.setVisible(not signals)
        self.my_list.setVisible(bool(signals))
        self._tick()
        self._update_buttons()

    def _fill_incoming(self) -> None:
        current = self.incoming_list.currentItem()
        keep = current.data(ID_ROLE) if current is not None else None
        inbox = self.bridge.inbox()
        self.incoming_list.blockSignals(True)
        self.incoming_list.clear()
        for sig in inbox:
            item = QListWidgetItem()
            item.setData(ID_ROLE, sig.id)
            self.incoming_list.addItem(item)
            if sig.id == keep:
                self.incoming_list.setCurrentItem(item)
        if self.incoming_list.currentItem() is None and self.incoming_list.count():
            self.incoming_list.setCurrentRow(0)
        self.incoming_list.blockSignals(False)
        self.incoming_group.setVisible(bool(inbox))
        self._tick()
        self._update_buttons()

    def _tick(self) -> None:
        """Refresh the texts and ages of every row (one timer for all rows)."""
        now = self.bridge.hub_now_ms()
        for view in (self.my_list, self.incoming_list):
            relayout = False
            for row in range(view.count()):
                item = view.item(row)
                sig = self.bridge.state.signals.get(int(item.data(ID_ROLE)))
                if sig is not None:
                    title, detail, colour = self._row_texts(view, sig)
                    age = fmt_age(now - sig.raised_ms)
                    relayout = set_row(item, title, detail, age, colour) or relayout
            if relayout:  # a longer progress may need another line
                view.doItemsLayout()

    def _row_texts(self, view: QListWidget, sig: SignalRecord) -> tuple[str, str, QColor]:
        """(label, progress line, its colour) of a row in my calls or the incoming list."""
        branch, lang = self.bridge.branch, self.bridge.lang
        label = signal_label(branch, sig.code, lang)
        if view is self.incoming_list:
            who = staff_name(branch, sig.staff, lang) or station_name(branch, sig.station, lang)
            detail = self.tr("From {who}").format(who=who)
            if sig.ticket:  # the customer to look out for
                detail += " · " + tr("No. {ticket}").format(ticket=sig.ticket)
            if sig.note:
                detail += f" · {sig.note}"
            return label, detail, WAITING_COLOUR
        progress = progress_text(sig, branch, lang)
        if sig.state is not SignalState.OPEN:
            return label, f"✓ {progress}", DONE_COLOUR  # the tick: not colour alone
        if sig.level:
            return label, f"▲ {progress}", ALERT_COLOUR
        return label, progress, WAITING_COLOUR

    def row_lines(self, row: int, incoming: bool = False) -> tuple[str, str, str]:
        """A row of my calls (or of the incoming list) as painted: label, progress, age."""
        view = self.incoming_list if incoming else self.my_list
        delegate = view.itemDelegate()
        assert isinstance(delegate, TwoLineDelegate)
        return delegate.painted(view.model().index(row, 0))

    def _show_counter(self) -> None:
        record = self.bridge.state.counters.get(self.bridge.station.id)
        status = record.status if record is not None else CounterStatus.OPEN
        text = status_text(status)
        if record is not None and record.reason:
            text += " · " + reason_label(
                self.bridge.branch.config.pause_reasons, record.reason, self.bridge.lang
            )
        tip = text
        if record is not None and record.since_ms and status is not CounterStatus.OPEN:
            since = local_time(record.since_ms, self.bridge.branch.timezone).strftime("%H:%M")
            tip += " · " + self.tr("since {time}").format(time=since)
        self.status_label.setText(text)
        self.status_label.setToolTip(tip)
        self.status_label.setStyleSheet(f"color: {STATUS_COLOURS[status].name()};")
        self.status_icon.setPixmap(status_pixmap(status))
        self.status_icon.setToolTip(status_text(status))
        self.resume_button.setEnabled(status is not CounterStatus.OPEN)
        self.close_button.setEnabled(status is not CounterStatus.CLOSED)
        self.counter_status = status

    def _update_buttons(self) -> None:
        self.cancel_button.setEnabled(self.my_list.currentItem() is not None)
        item = self.incoming_list.currentItem()
        sig = self.bridge.state.signals.get(int(item.data(ID_ROLE))) if item else None
        if sig is not None and sig.state is not SignalState.OPEN:
            self.incoming_button.setText(self.tr("Done"))
        else:
            self.incoming_button.setText(self.tr("Acknowledge"))
        self.incoming_button.setEnabled(sig is not None and sig.open)

    def _reflow(self, width: int) -> None:
        """As many columns of call buttons as fit (two to four), the font as big as fits."""
        big = [b for code, b in self.buttons.items() if not self._kind_silent(code)]
        if not self.buttons:
            return
        room = width - 20  # the view's margins
        spacing = self._grid.horizontalSpacing()
        for factor in BUTTON_FONT_FACTORS:
            font = scaled_font(factor, bold=True)
            for button in big:
                button.setFont(font)
            widest = max((b.sizeHint().width() for b in big), default=110)
            columns = max(2, min(4, (room + spacing) // (widest + spacing)))
            cell = (room - spacing * (columns - 1)) // columns
            if widest <= cell:
                break
        if columns == self._columns:
            return
        self._columns = columns
        for button in self.buttons.values():
            self._grid.removeWidget(button)
        for index, button in enumerate(self.buttons.values()):
            self._grid.addWidget(button, index // columns, index % columns)

    def _kind_silent(self, code: str) -> bool:
        kind = self.bridge.branch.signal_type(code)
        return kind is not None and kind.silent

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._reflow(event.size().width())
        super().resizeEvent(event)

    # Slots -----------------------------------------------------------------------------
    def _on_signal_changed(self, sig: SignalRecord) -> None:
        if sig.station == self.bridge.station.id:
            self._fill_my_signals()
        if self.bridge.state.is_target(sig, self.bridge.station) or any(
            self.incoming_list.item(r).data(ID_ROLE) == sig.id
            for r in range(self.incoming_list.count())
        ):
            self._fill_incoming()

    def _on_counter_changed(self, station: str) -> None:
        if station == self.bridge.station.id:
            self._show_counter()

    def _on_staff_changed(self, _station: str) -> None:
        self._tick()

    def _on_command_done(self, msg_id: str, _seq: int) -> None:
        if msg_id in self.quiet_msg_ids:
            # Let the window see the id first (it shows nothing for it), then forget it.
            QTimer.singleShot(0, partial(self.quiet_msg_ids.discard, msg_id))

    def _on_command_rejected(self, msg_id: str, code: str, reason: str) -> None:
        if msg_id in self.quiet_msg_ids:
            log.ui.warning("silent signal refused: %s: %s", code, reason)
            QTimer.singleShot(0, partial(self.quiet_msg_ids.discard, msg_id))
