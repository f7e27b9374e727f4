"""LobbyView: the lobby manager's calls, floor map and own signals.

Every call for this station is listed by urgency and age with who raised it, where,
how long it has waited and who claimed it; the floor map beside it flashes the calling
counters. The lobby manager claims, marks arrived and resolves from the keyboard
(Enter, A, R; Up/Down to choose) and raises their own signals (direct a customer to a
counter, announce a VIP, report a queue, refer to a wealth manager) from the bar below.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from app.client.bridge import StationBridge
from app.domain.config import SignalType
from app.domain.policy import MAX_NOTE, MAX_TICKET
from app.domain.roles import CounterStatus, Role, SignalState
from app.domain.state import SignalRecord
from widgets.common import (
    age_colour,
    fmt_age,
    priority_colour,
    progress_text,
    reason_label,
    rejection_text,
    signal_label,
    staff_name,
    station_name,
    status_text,
    tr,
)
from widgets.floormap import FloorMap
from widgets.rows import ALERT_COLOUR, DONE_COLOUR, WAITING_COLOUR, TwoLineDelegate, set_row

REFRESH_MS = 100
"""List changes are coalesced: at most ten rebuilds a second."""
AGE_TICK_MS = 1000
RAISE_KEYS = (
    Qt.Key.Key_F2,
    Qt.Key.Key_F3,
    Qt.Key.Key_F4,
    Qt.Key.Key_F5,
    Qt.Key.Key_F6,
    Qt.Key.Key_F7,
    Qt.Key.Key_F8,
    Qt.Key.Key_F9,
)
SIGNAL_ROLE = Qt.ItemDataRole.UserRole + 1
MAX_RAISE_ROWS = 3
"""The raise buttons take at most this many rows while eliding labels can avoid more."""
BUTTON_MIN_H = 30
"""Buttons big enough to hit in a hurry."""


class CallsModel(QAbstractListModel):
    """The calls shown in the lobby list: a plain list of SignalRecords, one per row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SignalRecord] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        sig = self.rows[index.row()]
        if role == SIGNAL_ROLE:
            return sig
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{sig.code} {sig.station} #{sig.id}"
        return None

    def set_rows(self, rows: list[SignalRecord]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def ages_changed(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0), self.index(len(self.rows) - 1))


class CallDelegate(QStyledItemDelegate):
    """Paints a call in two or three lines: what and how long; who and where; who claimed."""

    def __init__(self, view: LobbyView) -> None:
        super().__init__(view)
        self.view = view

    def lines(self, sig: SignalRecord) -> tuple[str, str, str]:
        bridge = self.view.bridge
        branch, lang = bridge.branch, bridge.lang
        title = signal_label(branch, sig.code, lang)
        who = station_name(branch, sig.station, lang)
        if sig.staff:
            who += " · " + staff_name(branch, sig.staff, lang)
        details = [who]
        if sig.ticket:
            details.append(tr("No. {ticket}").format(ticket=sig.ticket))
        if sig.need:
            details.append(reason_label(branch.config.needs, sig.need, lang))
        if sig.note:
            details.append(sig.note)
        third = ""
        claimer = staff_name(branch, sig.acked_staff, lang) if sig.acked_staff else ""
        claimer = claimer or station_name(branch, sig.acked_station, lang)
        if sig.state is SignalState.ACKNOWLEDGED:
            third = "✓ " + tr("Claimed by {who}").format(who=claimer)
        elif sig.state is SignalState.ARRIVED:
            third = "✓ " + tr("{who} arrived").format(who=claimer)
        elif sig.level:
            third = "▲ " + tr("Escalated · not claimed")
        return title, " · ".join(details), third

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        sig = index.data(SIGNAL_ROLE)
        line_h = QFontMetricsF(option.font).height() * 1.25
        lines = 2 if not isinstance(sig, SignalRecord) or not self.lines(sig)[2] else 3
        return QSize(200, int(line_h * lines + 10))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        sig = index.data(SIGNAL_ROLE)
        if not isinstance(sig, SignalRecord):
            return
        bridge = self.view.bridge
        kind = bridge.branch.signal_type(sig.code)
        rect = QRectF(option.rect)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        mine = sig.acked_station == bridge.station.id
        others = sig.state is not SignalState.OPEN and not mine
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = QColor("#e3f2fd") if selected else QColor("#ffffff")
        if others and not selected:
            background = QColor("#f5f5f5")
        painter.fillRect(rect.adjusted(0, 1, 0, -1), background)
        if selected:
            painter.setPen(QPen(QColor("#1565c0"), 2))
            painter.drawRect(rect.adjusted(1, 2, -1, -2))
        bar = priority_colour(kind.priority if kind else 2)
        painter.fillRect(QRectF(rect.left(), rect.top() + 2, 6, rect.height() - 4), bar)

        base: QFont = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        line_h = QFontMetricsF(base).height() * 1.25
        title, details, third = self.lines(sig)
        text_colour = QColor("#757575") if others else QColor("#212121")
        left = rect.left() + 14
        right = rect.right() - 8
        y = rect.top() + 5

        # Line 1: label on the left, the age on the right (coloured against the deadline).
        age_ms = max(0, bridge.hub_now_ms() - sig.raised_ms)
        age = fmt_age(age_ms)
        painter.setFont(bold)
        age_w = QFontMetricsF(bold).horizontalAdvance(age) + 6
        if sig.state is SignalState.OPEN:
            painter.setPen(age_colour(age_ms, kind.ack_s if kind else 0))
        else:
            painter.setPen(text_colour)
        painter.drawText(
            QRectF(right - age_w, y, age_w, line_h),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            age,
        )
        painter.setPen(text_colour)
        width = right - age_w - left - 6
        painter.drawText(
            QRectF(left, y, width, line_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetricsF(bold).elidedText(title, Qt.TextElideMode.ElideRight, width),
        )
        # Line 2: who calls, from where, with the ticket and note.
        y += line_h
        painter.setFont(base)
        painter.drawText(
            QRectF(left, y, right - left, line_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetricsF(base).elidedText(details, Qt.TextElideMode.ElideRight, right - left),
        )
        # Line 3: who claimed it (everyone sees who), or that it escalated.
        if third:
            y += line_h
            if sig.state is SignalState.OPEN:
                painter.setPen(QColor("#c62828"))
            else:
                painter.setPen(QColor("#2e7d32") if mine else text_colour)
            painter.setFont(bold if mine else base)
            painter.drawText(
                QRectF(left, y, right - left, line_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                QFontMetricsF(base).elidedText(third, Qt.TextElideMode.ElideRight, right - left),
            )
        painter.restore()


class KeyButton(QPushButton):
    """A raise button: its F-key first, then the label, elided to fit (never the key).

    ``text()`` stays whole (screen readers, the size it would like); only the painting
    shortens it, so a narrow window shows "F4  Customer sent to c…".
    """

    def __init__(self, key: str, label: str, parent: QWidget | None = None) -> None:
        super().__init__(f"{key}  {label}" if key else label, parent)
        self.key = key
        self.label = label
        self.setMinimumHeight(BUTTON_MIN_H)
        # May shrink below its whole text (then the label is elided), never below the key.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        key = self.fontMetrics().horizontalAdvance(f"{self.key}  …" if self.key else "…")
        return QSize(key + 24, max(hint.height(), BUTTON_MIN_H))

    def shown_text(self) -> str:
        """The text as painted at the current width."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        room = (
            self.style()
            .subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
            .width()
        )
        metrics = self.fontMetrics()
        room -= metrics.horizontalAdvance("  ")  # breathing space at the edges
        if metrics.horizontalAdvance(self.text()) <= room:
            return self.text()
        prefix = f"{self.key}  " if self.key else ""
        rest = room - metrics.horizontalAdvance(prefix)
        return prefix + metrics.elidedText(self.label, Qt.TextElideMode.ElideRight, max(0, rest))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)


class RaiseBar(QFrame):
    """One button per signal this station may raise, and a one-line form when it needs input.

    direct_counter asks for a counter (and a ticket), handoffs for the need, a note and
    a ticket; the others go with one click. Enter sends the form, Escape closes it.
    """

    def __init__(self, view: LobbyView) -> None:
        super().__init__(view)
        self.setObjectName("raiseBar")
        self.view = view
        bridge = view.bridge
        self.types: list[SignalType] = bridge.branch.raisable_by(bridge.station.role)
        self.code = ""
        self.buttons: dict[str, KeyButton] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        self.columns = 0
        for i, kind in enumerate(self.types):
            key_name = f"F{i + 2}" if i < len(RAISE_KEYS) else ""
            label = kind.label.get(bridge.lang)
            button = KeyButton(key_name, label, self)
            button.setObjectName(f"raise_{kind.code}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            if kind.silent:
                button.setToolTip(
                    label
                    + "\n"
                    + tr("Silent: no sound or banner here; never on public screens")
                    + (f" ({key_name})" if key_name else "")
                )
            elif key_name:
                button.setToolTip(tr("Raise “{label}” ({key})").format(label=label, key=key_name))
            else:
                button.setToolTip(tr("Raise “{label}”").format(label=label))
            button.clicked.connect(lambda _=False, code=kind.code: self.start(code))
            self.buttons[kind.code] = button
        self.reflow(self.view.width() or 640)
        outer.addLayout(self.grid)

        self.form = QFrame(self)
        self.form.setObjectName("raiseForm")
        self.form.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(self.form)
        row.setContentsMargins(6, 3, 6, 3)
        row.setSpacing(4)
        self.title = QLabel(self.form)
        self.title.setObjectName("raiseTitle")
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.counter = QComboBox(self.form)
        self.counter.setObjectName("raiseCounter")
        self.counter.setToolTip(tr("Counter to send the customer to"))
        self.counter.setAccessibleName(tr("Counter"))
        self.need = QComboBox(self.form)
        self.need.setObjectName("raiseNeed")
        self.need.setToolTip(tr("What the customer needs"))
        self.need.setAccessibleName(tr("Customer need"))
        self.need.addItem(tr("Need…"), "")
        for need in bridge.branch.config.needs:
            self.need.addItem(need.label.get(bridge.lang), need.code)
        self.ticket = QLineEdit(self.form)
        self.ticket.setObjectName("raiseTicket")
        self.ticket.setPlaceholderText(tr("Ticket no."))
        self.ticket.setAccessibleName(tr("Ticket number"))
        self.ticket.setMaxLength(MAX_TICKET)
        self.ticket.setMaximumWidth(90)
        self.note = QLineEdit(self.form)
        self.note.setObjectName("raiseNote")
        self.note.setPlaceholderText(tr("Note (optional)"))
        self.note.setAccessibleName(tr("Note"))
        self.note.setMaxLength(MAX_NOTE)
        self.send = QPushButton(tr("Send"), self.form)
        self.send.setObjectName("raiseSend")
        self.send.setToolTip(tr("Send (Enter)"))
        self.send.clicked.connect(self.submit)
        self.cancel = QPushButton("✕", self.form)
        self.cancel.setObjectName("raiseCancel")
        self.cancel.setToolTip(tr("Close without sending (Esc)"))
        self.cancel.setMaximumWidth(30)
        self.cancel.clicked.connect(self.close_form)
        for widget in (self.title, self.counter, self.need, self.ticket):
            row.addWidget(widget)
        row.addWidget(self.note, 1)
        row.addWidget(self.send)
        row.addWidget(self.cancel)
        outer.addWidget(self.form)
        self.form.hide()

    def needs_form(self, code: str) -> bool:
        kind = self.view.bridge.branch.signal_type(code)
        return kind is not None and (kind.to_station or kind.handoff)

    def start(self, code: str) -> None:
        """A raise button: send at once, or open the form when the signal needs input."""
        if not self.needs_form(code):
            self.view.raise_signal(code)
            return
        bridge = self.view.bridge
        kind = bridge.branch.signal_type(code)
        assert kind is not None
        self.code = code
        self.title.setText(kind.label.get(bridge.lang))
        self.counter.setVisible(kind.to_station)
        self.need.setVisible(kind.handoff and bool(bridge.branch.config.needs))
        if kind.to_station:
            self._fill_counters(kind)
        self.need.setCurrentIndex(0)
        self.ticket.clear()
        self.note.clear()
        self.form.show()
        (self.counter if kind.to_station else self.ticket).setFocus()

    def _fill_counters(self, kind: SignalType) -> None:
        bridge = self.view.bridge
        state, branch, lang = bridge.state, bridge.branch, bridge.lang
        roles = kind.targets or (Role.TELLER,)
        self.counter.clear()
        best = -1
        for st in branch.config.stations:
            if st.role not in roles:
                continue
            who = state.staff_of(st.id)
            rec = state.counters.get(st.id)
            parts = [f"{st.id} {st.name.get(lang)}"]
            parts.append(staff_name(branch, who, lang) if who else tr("nobody"))
            if rec is not None:
                parts.append(status_text(rec.status))
            if not state.presence.get(st.id):
                parts.append(tr("Offline"))
            self.counter.addItem(" · ".join(parts), st.id)
            usable = (
                bool(who)
                and bool(state.presence.get(st.id))
                and (rec is None or rec.status is CounterStatus.OPEN)
            )
            if best < 0 and usable:
                best = self.counter.count() - 1
        self.counter.setCurrentIndex(max(0, best))

    def submit(self) -> None:
        if not self.code:
            return
        kind = self.view.bridge.branch.signal_type(self.code)
        to = str(self.counter.currentData() or "") if kind and kind.to_station else ""
        need = str(self.need.currentData() or "") if kind and kind.handoff else ""
        self.view.raise_signal(
            self.code,
            to=to,
            ticket=self.ticket.text().strip(),
            note=self.note.text().strip(),
            need=need,
        )
        self.close_form()

    def close_form(self) -> None:
        self.code = ""
        self.form.hide()
        self.view.calls.setFocus()

    def reflow(self, width: int) -> None:
        """As many columns as keep every label whole; more (eliding) if it takes >3 rows.

        Columns are as wide as their widest button wants, so short labels pack tighter.
        """
        buttons = list(self.buttons.values())
        if not buttons:
            return
        spacing = self.grid.horizontalSpacing()
        count = len(buttons)

        def needed(columns: int, hint: Callable[[KeyButton], int]) -> int:
            widths = [max(hint(b) for b in buttons[c::columns]) for c in range(min(columns, count))]
            return sum(widths) + spacing * (len(widths) - 1)

        whole = max(
            (c for c in range(1, count + 1) if needed(c, lambda b: b.sizeHint().width()) <= width),
            default=1,
        )
        columns = whole
        while (
            -(-count // columns) > MAX_RAISE_ROWS
            and columns < count
            and needed(columns + 1, lambda b: b.minimumSizeHint().width() + 60) <= width
        ):
            columns += 1
        if columns == self.columns:
            return
        self.columns = columns
        for button in buttons:
            self.grid.removeWidget(button)
        # No column stretch: with it the grid would share the width by stretch alone
        # and cut a long label that has room elsewhere.
        for i, button in enumerate(buttons):
            self.grid.addWidget(button, i // columns, i % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.reflow(event.size().width())
        super().resizeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.form.isHidden() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
            return
        if not self.form.isHidden() and event.key() == Qt.Key.Key_Escape:
            self.close_form()
            return
        super().keyPressEvent(event)


class LobbyView(QWidget):
    """The lobby manager's main view over a StationBridge (no signals of its own)."""

    def __init__(self, bridge: StationBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lobbyView")
        self.bridge = bridge
        self._selected_id: int | None = None
        self._sent: dict[str, str] = {}
        self._dirty = True

        # Station and staff are in the window's header: the view does not repeat them.
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.connection = QLabel(self)
        self.connection.setObjectName("connectionLabel")
        self.status_line = QLabel(self)
        self.status_line.setObjectName("statusLine")
        self.status_line.setWordWrap(False)
        self.status_line.setMinimumWidth(10)

        self.calls_title = QLabel(self)
        self.calls_title.setObjectName("callsTitle")
        self.calls_title.setFont(font)
        self.model = CallsModel(self)
        self.calls = QListView(self)
        self.calls.setObjectName("lobbyCalls")
        self.calls.setModel(self.model)
        self.delegate = CallDelegate(self)
        self.calls.setItemDelegate(self.delegate)
        self.calls.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.calls.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.calls.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.calls.setAccessibleName(tr("Calls for this station"))
        self.calls.installEventFilter(self)
        list_font = self.calls.font()
        list_font.setPointSizeF(list_font.pointSizeF() * 1.15)
        self.calls.setFont(list_font)
        self.calls.selectionModel().currentChanged.connect(self._on_current_changed)
        self.calls.clicked.connect(self._on_row_clicked)
        self.empty = QLabel(tr("No calls waiting"), self)
        self.empty.setObjectName("callsEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #757575;")

        self.claim_button = QPushButton(tr("Claim  Enter"), self)
        self.claim_button.setObjectName("claimButton")
        self.claim_button.setToolTip(tr("Claim the selected call: you are going (Enter)"))
        self.claim_button.clicked.connect(self.claim_selected)
        self.arrived_button = QPushButton(tr("Arrived  A"), self)
        self.arrived_button.setObjectName("arrivedButton")
        self.arrived_button.setToolTip(tr("You are at the calling station (A)"))
        self.arrived_button.clicked.connect(self.arrive_selected)
        self.resolve_button = QPushButton(tr("Resolve  R"), self)
        self.resolve_button.setObjectName("resolveButton")
        self.resolve_button.setToolTip(tr("The call is handled (R)"))
        self.resolve_button.clicked.connect(self.resolve_selected)
        for button in (self.claim_button, self.arrived_button, self.resolve_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumHeight(BUTTON_MIN_H)

        self.map = FloorMap(bridge, parent=self)
        self.map.station_clicked.connect(self._on_station_clicked)

        self.mine_title = QLabel(tr("My signals"), self)
        self.mine_title.setObjectName("mineTitle")
        self.mine_title.setFont(font)
        self.mine = QListWidget(self)
        self.mine.setObjectName("mySignals")
        self.mine.setAccessibleName(tr("Signals I raised"))
        self.mine.setItemDelegate(TwoLineDelegate(self.mine))  # who took it, never cut
        self.mine.installEventFilter(self)
        self.cancel_mine = QPushButton(tr("Cancel signal"), self)
        self.cancel_mine.setObjectName("cancelMine")
        self.cancel_mine.setToolTip(tr("Withdraw the selected signal you raised (Del)"))
        self.cancel_mine.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_mine.clicked.connect(self.cancel_selected_mine)
        self.mine.currentItemChanged.connect(lambda *_: self._update_buttons())

        self.raise_bar = RaiseBar(self)

        # Layout: calls | (map over my signals); the raise bar across the bottom.
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.calls_title, 1)
        top.addWidget(self.connection)
        lv.addLayout(top)
        lv.addWidget(self.calls, 1)
        lv.addWidget(self.empty)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for button in (self.claim_button, self.arrived_button, self.resolve_button):
            buttons.addWidget(button)
        lv.addLayout(buttons)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.setChildrenCollapsible(False)
        right.addWidget(self.map)
        mine_box = QWidget(right)
        mv = QVBoxLayout(mine_box)
        mv.setContentsMargins(0, 0, 0, 0)
        mv.setSpacing(2)
        mine_head = QHBoxLayout()
        mine_head.addWidget(self.mine_title, 1)
        mine_head.addWidget(self.cancel_mine)
        mv.addLayout(mine_head)
        mv.addWidget(self.mine, 1)
        right.addWidget(mine_box)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.splitterMoved.connect(self._on_splitter_moved)
        self.right_splitter = right
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("lobbySplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self._user_split = False
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.raise_bar)
        layout.addWidget(self.status_line)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._on_refresh_due)
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(AGE_TICK_MS)
        self._age_timer.timeout.connect(self._on_age_tick)
        self._age_timer.start()
        self._calm = QTimer(self)  # a rejection shows in red for a while
        self._calm.setSingleShot(True)
        self._calm.setInterval(8000)
        self._calm.timeout.connect(lambda: self.status_line.setStyleSheet(""))

        bridge.signal_changed.connect(self._mark_dirty)
        bridge.staff_changed.connect(self._on_staff_changed)
        bridge.state_reset.connect(self._mark_dirty)
        bridge.counter_changed.connect(self._mark_dirty)
        bridge.presence_changed.connect(self._mark_dirty)
        bridge.connection_changed.connect(self._on_connection_changed)
        bridge.command_rejected.connect(self._on_command_rejected)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.calls)
        self._on_connection_changed(bridge.connected)
        self.refresh_now()

    # Queries --------------------------------------------------------------------------
    def visible_call_ids(self) -> list[int]:
        """Ids of the calls listed, top to bottom."""
        return [s.id for s in self.model.rows]

    def row_text(self, signal_id: int) -> str:
        """The lines the list shows for a call (one per line), '' when it is not listed."""
        for sig in self.model.rows:
            if sig.id == signal_id:
                return "\n".join(line for line in self.delegate.lines(sig) if line)
        return ""

    def my_signal_ids(self) -> list[int]:
        return [int(self.mine.item(i).data(SIGNAL_ROLE)) for i in range(self.mine.count())]

    def selected_signal(self) -> SignalRecord | None:
        if self._selected_id is None:
            return None
        for sig in self.model.rows:
            if sig.id == self._selected_id:
                return sig
        return None

    # Commands ---------------------------------------------------------------------------
    def refresh_now(self) -> None:
        """Rebuild the lists from the bridge's state at once."""
        self._dirty = False
        self._refresh_calls()
        self._refresh_mine()
        self._update_buttons()

    def select_signal(self, signal_id: int | None) -> None:
        """Select the call ``signal_id`` (its station is ringed on the map)."""
        for row, sig in enumerate(self.model.rows):
            if sig.id == signal_id:
                index = self.model.index(row)
                self.calls.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                self.calls.scrollTo(index)
                return

    def claim_selected(self) -> None:
        """Claim the selected call, or the top waiting one when nothing is selected."""
        sig = self.selected_signal()
        if sig is None:
            sig = next((s for s in self.model.rows if s.state is SignalState.OPEN), None)
            if sig is None:
                return
            self.select_signal(sig.id)
        if sig.state is not SignalState.OPEN:
            self._say(self._already_text(sig))
            return
        self._send(self.bridge.acknowledge(sig.id), tr("Claim"), sig)

    def arrive_selected(self) -> None:
        sig = self.selected_signal()
        if sig is None:
            return
        if sig.state is not SignalState.ACKNOWLEDGED or sig.acked_station != self.bridge.station.id:
            self._say(tr("Claim the call first; then mark that you arrived"))
            return
        self._send(self.bridge.arrive(sig.id), tr("Arrived"), sig)

    def resolve_selected(self) -> None:
        sig = self.selected_signal()
        if sig is None:
            return
        kind = self.bridge.branch.signal_type(sig.code)
        if kind is not None and kind.handoff:
            self._say(tr("A handoff is closed with its outcome by the person who served it"))
            return
        if sig.state is not SignalState.OPEN and sig.acked_station != self.bridge.station.id:
            self._say(self._already_text(sig))
            return
        self._send(self.bridge.resolve(sig.id), tr("Resolve"), sig)

    def cancel_selected_mine(self) -> None:
        item = self.mine.currentItem()
        if item is None:
            return
        sig = self.bridge.state.signals.get(int(item.data(SIGNAL_ROLE)))
        if sig is not None and sig.open:
            self._send(self.bridge.cancel(sig.id), tr("Cancel signal"), sig)

    def raise_signal(
        self, code: str, *, to: str = "", ticket: str = "", note: str = "", need: str = ""
    ) -> str:
        """Raise a signal from this station; its progress shows under My signals."""
        bridge = self.bridge
        msg_id = bridge.raise_signal(code, to=to, ticket=ticket, note=note, need=need)
        kind = bridge.branch.signal_type(code)
        label = signal_label(bridge.branch, code, bridge.lang)
        self._sent[msg_id] = label
        if kind is not None and kind.silent:
            return msg_id  # a silent signal leaves no trace on the raiser's screen
        if to:
            self._say(
                tr("Sent: {label} → {to}").format(
                    label=label, to=station_name(bridge.branch, to, bridge.lang)
                )
            )
        else:
            self._say(tr("Sent: {label}").format(label=label))
        return msg_id

    def open_raise_form(self, code: str) -> None:
        """What the raise button of ``code`` does (opens the form if it needs input)."""
        self.raise_bar.start(code)

    # Internals --------------------------------------------------------------------------
    def _send(self, msg_id: str, verb: str, sig: SignalRecord) -> None:
        label = signal_label(self.bridge.branch, sig.code, self.bridge.lang)
        self._sent[msg_id] = f"{verb}: {label}"

    def _say(self, text: str, tip: str = "") -> None:
        self.status_line.setText(text)
        self.status_line.setToolTip(tip)

    def _already_text(self, sig: SignalRecord) -> str:
        branch, lang = self.bridge.branch, self.bridge.lang
        who = staff_name(branch, sig.acked_staff, lang) if sig.acked_staff else ""
        who = who or station_name(branch, sig.acked_station, lang)
        return tr("Already claimed by {who}").format(who=who)

    def _sort_key(self, sig: SignalRecord) -> tuple[int, int, int, int]:
        """Waiting calls first, then mine in progress, then others'; each by priority, age."""
        kind = self.bridge.branch.signal_type(sig.code)
        if sig.state is SignalState.OPEN:
            group = 0
        elif sig.acked_station == self.bridge.station.id:
            group = 1
        else:
            group = 2
        return (group, kind.priority if kind else 9, sig.raised_ms, sig.id)

    def _refresh_calls(self) -> None:
        rows = sorted(self.bridge.inbox(), key=self._sort_key)
        keep = self._selected_id
        self.model.set_rows(rows)
        ids = [s.id for s in rows]
        waiting = sum(1 for s in rows if s.state is SignalState.OPEN)
        self.calls_title.setText(tr("Calls · %n waiting", "", waiting))
        # The list stays visible even when empty: it is the view's focus proxy, so
        # Enter must reach it the moment a call arrives.
        self.empty.setVisible(not rows)
        if keep in ids:
            self.select_signal(keep)
        elif rows:
            self.select_signal(rows[0].id)
        else:
            self._selected_id = None
            self.map.set_highlight(None)

    def _refresh_mine(self) -> None:
        bridge = self.bridge
        branch, lang = bridge.branch, bridge.lang
        current = self.mine.currentItem()
        keep = int(current.data(SIGNAL_ROLE)) if current is not None else None
        self.mine.clear()
        now = bridge.hub_now_ms()
        for sig in bridge.my_signals():
            kind = branch.signal_type(sig.code)
            if kind is not None and kind.silent:
                continue
            label = signal_label(branch, sig.code, lang)
            if sig.to:
                label += " → " + station_name(branch, sig.to, lang)
            if sig.ticket:
                label += " · " + tr("No. {ticket}").format(ticket=sig.ticket)
            progress = progress_text(sig, branch, lang)
            colour = WAITING_COLOUR
            if sig.state is not SignalState.OPEN:
                progress, colour = f"✓ {progress}", DONE_COLOUR
            elif sig.level:
                progress, colour = f"▲ {progress}", ALERT_COLOUR
            item = QListWidgetItem()
            item.setData(SIGNAL_ROLE, sig.id)
            set_row(item, label, progress, fmt_age(now - sig.raised_ms), colour)
            self.mine.addItem(item)
            if sig.id == keep:
                self.mine.setCurrentItem(item)

    def my_signal_lines(self, row: int) -> tuple[str, str, str]:
        """A row of My signals as painted: label, progress, age."""
        delegate = self.mine.itemDelegate()
        assert isinstance(delegate, TwoLineDelegate)
        return delegate.painted(self.mine.model().index(row, 0))

    def _update_buttons(self) -> None:
        sig = self.selected_signal()
        me = self.bridge.station.id
        self.claim_button.setEnabled(
            any(s.state is SignalState.OPEN for s in self.model.rows)
            and (sig is None or sig.state is SignalState.OPEN)
        )
        self.arrived_button.setEnabled(
            sig is not None and sig.state is SignalState.ACKNOWLEDGED and sig.acked_station == me
        )
        self.resolve_button.setEnabled(
            sig is not None and (sig.state is SignalState.OPEN or sig.acked_station == me)
        )
        self.cancel_mine.setEnabled(self.mine.currentItem() is not None)

    # Slots ----------------------------------------------------------------------------------
    def _mark_dirty(self, *_args: object) -> None:
        self._dirty = True
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _on_refresh_due(self) -> None:
        if self._dirty:
            self.refresh_now()

    def _on_age_tick(self) -> None:
        self.model.ages_changed()
        if self.mine.count():
            self._refresh_mine()

    def _on_staff_changed(self, _station: str) -> None:
        self._mark_dirty()

    def _on_connection_changed(self, up: bool) -> None:
        if up:
            self.connection.setText("● " + tr("Connected"))
            self.connection.setStyleSheet("color: #2e7d32;")
            self.connection.setToolTip("")
        else:
            self.connection.setText("⚠ " + tr("Hub unreachable"))
            self.connection.setStyleSheet("color: #c62828; font-weight: bold;")
            self.connection.setToolTip(
                tr("Showing the last known state; your actions are kept and sent on reconnect")
            )

    def _on_command_rejected(self, msg_id: str, code: str, reason: str) -> None:
        what = self._sent.pop(msg_id, "")
        text = rejection_text(code, "")
        self._say(f"✗ {what}: {text}" if what else f"✗ {text}", reason)
        self.status_line.setStyleSheet("color: #c62828;")
        self._calm.start()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        sig = current.data(SIGNAL_ROLE) if current.isValid() else None
        if isinstance(sig, SignalRecord):
            self._selected_id = sig.id
            self.map.set_highlight(sig.station)
        self._update_buttons()

    def _on_row_clicked(self, index: QModelIndex) -> None:
        self._on_current_changed(index, QModelIndex())

    def _on_station_clicked(self, station: str) -> None:
        for sig in self.model.rows:
            if sig.station == station:
                self.select_signal(sig.id)
                self.calls.setFocus()
                return

    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        self._user_split = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._user_split:  # the calls get nearly half, the map the rest
            total = self.splitter.width() - self.splitter.handleWidth()
            left = max(260, int(total * 0.45))
            self.splitter.setSizes([left, max(1, total - left)])
            # The map no taller than its plan needs at that width: my signals get the rest.
            height = self.right_splitter.height() - self.right_splitter.handleWidth()
            fw, fh = self.bridge.branch.config.branch.floor_size
            map_h = min(int(height * 0.75), int((total - left) * fh / fw) + 8)
            self.right_splitter.setSizes([map_h, max(1, height - map_h)])

    # Keyboard ---------------------------------------------------------------------------
    def _handle_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods not in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            return False
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.claim_selected()
        elif key == Qt.Key.Key_A:
            self.arrive_selected()
        elif key == Qt.Key.Key_R:
            self.resolve_selected()
        elif key == Qt.Key.Key_Delete and self.mine.hasFocus():
            self.cancel_selected_mine()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not self.calls.hasFocus():
            self._move_selection(-1 if key == Qt.Key.Key_Up else 1)
        elif key in RAISE_KEYS:
            i = RAISE_KEYS.index(Qt.Key(key))
            if i < len(self.raise_bar.types):
                self.raise_bar.start(self.raise_bar.types[i].code)
        elif key == Qt.Key.Key_Escape and not self.raise_bar.form.isHidden():
            self.raise_bar.close_form()
        else:
            return False
        return True

    def _move_selection(self, step: int) -> None:
        rows = self.model.rows
        if not rows:
            return
        ids = [s.id for s in rows]
        at = ids.index(self._selected_id) if self._selected_id in ids else -1
        self.select_signal(ids[max(0, min(len(ids) - 1, at + step))])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._handle_key(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The lists would take letters for type-ahead search and swallow Enter: the
        # view's keys come first there.
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.calls and key not in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                return self._handle_key(event)
            if watched is self.mine and (key == Qt.Key.Key_Delete or key in RAISE_KEYS):
                return self._handle_key(event)
        return super().eventFilter(watched, event)
