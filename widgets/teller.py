"""TellerView: one click (or F-key) per call, the calls still open, the counter's status.

Replaces the call device and the half-raised hand: the teller presses a button, sees
who answered and how long it has been, and sets the counter open, paused (with a
reason) or closed. Silent types (duress) leave no trace on this screen.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app import log
from app.domain import policy
from app.domain.config import SignalType
from app.domain.policy import Act
from app.domain.roles import CounterStatus
from app.domain.state import SignalRecord
from app.domain.timeday import local_time
from widgets.common import (
    STATUS_COLOURS,
    fmt_age,
    priority_colour,
    reason_label,
    scaled_font,
    signal_label,
    staff_name,
    station_name,
    status_pixmap,
    status_text,
    tr,
)
from widgets.counter_status import (
    EndServiceDialog,
    PauseDialog,
    close_action_text,
    pause_action_text,
    pause_line,
    resume_action_text,
)
from widgets.dialog_host import DialogHost
from widgets.dialogs import ask_outcome, ask_reoffer
from widgets.model import StationModel
from widgets.my_signals import PENDING, PENDING_COLOUR, pending_rows, row_progress
from widgets.plain import plain_labels, plain_tip
from widgets.raise_form import RaiseDialog, needs_form
from widgets.rows import (
    WAITING_COLOUR,
    TwoLineDelegate,
    set_row,
    two_line_height,
)

ID_ROLE = Qt.ItemDataRole.UserRole
MAX_FKEYS = 11
"""F1…F11 raise calls; F12 confirms that the person who took a call is here."""
BUTTON_FONT_FACTORS = (1.5, 1.3, 1.15, 1.0)
"""Call-button font sizes (× the application font), tried largest first until the labels fit."""


class TellerView(QWidget):
    """A counter's screen: call buttons with F-keys, my open calls, the counter's status.

    ``quiet_msg_ids`` holds the commands of silent signals: the station window shows no
    rejection or waiting count for them.
    """

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.dialogs = DialogHost()
        self.quiet_msg_ids: set[str] = set()
        # A silent type (duress) has no button: nothing a customer can see at the counter
        # names it. It is raised by the station's key chord (app.client.hotkeys).
        self.kinds: list[SignalType] = [
            kind for kind in policy.raisable(model.branch, model.station.role) if not kind.silent
        ]
        self.buttons: dict[str, QPushButton] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        self._columns = 0
        self.counter_status = CounterStatus.OPEN
        self._reminded_pause = 0
        self._status_base: str | None = None
        """The counter's status line without the pause's running time."""
        """The pause (its since_ms) already reminded of being over its expected length."""
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

        model.signal_changed.connect(self._on_signal_changed)
        model.state_reset.connect(self.refresh)
        model.counter_changed.connect(self._on_counter_changed)
        model.staff_changed.connect(self._on_staff_changed)
        model.command_accepted.connect(self._on_command_accepted)
        model.command_rejected.connect(self._on_command_rejected)
        model.pending_changed.connect(self._fill_my_signals)
        model.connection_changed.connect(self._fill_my_signals)
        self.refresh()
        plain_labels(self)

    @property
    def active_dialog(self) -> QDialog | None:
        """The question the view is asking now (a form, a reason, an outcome), if any."""
        return self.dialogs.active

    # Building ---------------------------------------------------------------------------
    def _build_signal_buttons(self) -> QWidget:
        box = QWidget(self)
        self._grid = QGridLayout(box)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(8)
        for index, kind in enumerate(self.kinds):
            label = signal_label(self.model.branch, kind.code, self.model.lang)
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
        self.reoffer_button = QPushButton(self.tr("Re-offer…"), group)  # a declined referral
        self.reoffer_button.setObjectName("reofferButton")
        self.reoffer_button.clicked.connect(self.reoffer_selected)
        buttons = QVBoxLayout()
        buttons.addStretch(1)
        # The lobby manager (or whoever claimed it) is at the counter: the teller says so
        # with one key, as a nurse-call presence button does.
        self.arrived_button = QPushButton(self.tr("Confirm arrival (F12)"), group)
        self.arrived_button.setObjectName("confirmArrival")
        self.arrived_button.setToolTip(
            self.tr("The person who took the selected call is here at the counter (F12)")
        )
        self.arrived_button.clicked.connect(self.confirm_arrival)
        buttons.addWidget(self.arrived_button)
        buttons.addWidget(self.reoffer_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        arrived = QShortcut(QKeySequence(Qt.Key.Key_F12), self)
        arrived.setContext(Qt.ShortcutContext.WindowShortcut)
        arrived.activated.connect(self.confirm_arrival)
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
        self.resume_button = QPushButton(resume_action_text(), frame)
        self.resume_button.setObjectName("resumeButton")
        self.resume_button.clicked.connect(self.resume)
        self.pause_button = QPushButton(pause_action_text(), frame)
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setToolTip(
            self.tr("Pause the counter; you will be asked why and for how long")
        )
        self.pause_button.clicked.connect(self.request_pause)
        # Not "close": at a counter that reads as closing this program's window.
        self.close_button = QPushButton(close_action_text(), frame)
        self.close_button.setObjectName("closeButton")
        self.close_button.setToolTip(
            self.tr("Stop taking customers at this counter (the program stays open)")
        )
        self.close_button.clicked.connect(self.request_close)
        for button in (self.resume_button, self.pause_button, self.close_button):
            button.setMinimumHeight(36)
            row.addWidget(button)
        return frame

    # Actions ----------------------------------------------------------------------------
    def trigger(self, code: str) -> None:
        """A button or its F-key: send at once, or open the form the type needs."""
        kind = self.model.branch.signal_type(code)
        if kind is None:
            return
        if kind.silent or not needs_form(kind):
            self._send(kind, {})
            return
        dialog = RaiseDialog(self.model, kind, self)
        self.dialogs.open(dialog, partial(self._send_form, kind, dialog))

    def cancel_selected(self) -> None:
        sig = self._signal_of(self.my_list.currentItem())
        if sig is not None and Act.CANCEL in self.model.acts(sig):
            self.model.cancel(sig.id)

    def reoffer_selected(self) -> None:
        sig = self._signal_of(self.my_list.currentItem())
        if sig is not None and Act.REOFFER in self.model.acts(sig):
            ask_reoffer(self.dialogs, self.model, sig, self)

    def confirm_arrival(self) -> str:
        """The selected call's taker is here (F12); with none selected that can be
        confirmed, the oldest call awaiting arrival. Returns the msg_id ('' = nothing)."""
        sig = self._signal_of(self.my_list.currentItem())
        if sig is not None and Act.ARRIVE in self.model.acts(sig):
            return self.model.confirm_arrival(sig.id)
        return self.model.confirm_arrival()

    def selected_signal(self) -> int | None:
        item = self.my_list.currentItem()
        return int(item.data(ID_ROLE)) if item is not None else None

    def advance_incoming(self) -> None:
        """Acknowledge a call sent to this counter, or mark an acknowledged one done (a
        handoff: after asking how it ended)."""
        sig = self._signal_of(self.incoming_list.currentItem())
        acts = self.model.acts(sig) if sig is not None else frozenset()
        if sig is None or not acts:
            return
        if Act.CLAIM in acts:
            self.model.acknowledge(sig.id)
        elif Act.RESOLVE in acts:
            ask_outcome(self.dialogs, self.model, sig, self, partial(self._resolve, sig.id))

    def _resolve(self, signal_id: int, outcome: str, product: str, note: str) -> None:
        self.model.resolve(signal_id, outcome=outcome, product=product, note=note)

    def request_pause(self) -> None:
        """Ask for the pause reason (and, if the teller knows, how long); the counter
        pauses only once a reason is chosen."""
        dialog = PauseDialog(self.model.branch.config.pause_reasons, self.model.lang, self)
        current = self.model.state.counters.get(self.model.station.id)
        if current is not None and current.status is CounterStatus.PAUSED:
            dialog.select(current.reason)
            dialog.set_expected(self.model.state.pause_lengths.get(self.model.station.id, 0))
        self.dialogs.open(dialog, partial(self._pause_from, dialog))

    def _pause_from(self, dialog: PauseDialog) -> None:
        self.pause(dialog.reason(), dialog.expected_min())

    def pause(self, reason: str, expected_min: int = 0) -> bool:
        """Pause the counter with ``reason`` (and an expected length in minutes, 0: not
        said); without a reason nothing is sent (returns False)."""
        if not reason:
            return False
        self.model.set_status(CounterStatus.PAUSED, reason, expected_min)
        return True

    def resume(self) -> None:
        self.model.set_status(CounterStatus.OPEN)

    def open_items(self) -> tuple[int, int]:
        """(this counter's own open calls, customers sent to it still open): what ending
        service would leave behind. Silent calls are not counted (nor shown)."""
        return len(self.visible_signals()), len(self.model.inbox())

    def request_close(self) -> None:
        """End service at this counter: at once when nothing is open, else after asking."""
        calls, customers = self.open_items()
        if not calls and not customers:
            self.close_counter()
            return
        dialog = EndServiceDialog(calls, customers, self)
        self.dialogs.open(dialog, self.close_counter)

    def close_counter(self) -> None:
        self.model.set_status(CounterStatus.CLOSED)

    def _send_form(self, kind: SignalType, dialog: RaiseDialog) -> None:
        self._send(kind, dialog.fields())

    def _send(self, kind: SignalType, fields: dict[str, str]) -> None:
        msg_id = self.model.raise_signal(kind.code, **fields)
        if kind.silent:
            self.quiet_msg_ids.add(msg_id)

    # Rendering --------------------------------------------------------------------------
    def refresh(self) -> None:
        self._fill_my_signals()
        self._fill_incoming()
        self._show_counter()

    def visible_signals(self) -> list[SignalRecord]:
        """My open calls, minus the silent ones (those never show here)."""
        types = self.model.branch.signal_types
        return [
            s for s in self.model.my_signals() if not (s.code in types and types[s.code].silent)
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
        for label, progress, age in pending_rows(self.model):  # clicked while the hub is away
            item = QListWidgetItem()
            item.setData(ID_ROLE, PENDING)
            set_row(item, label, progress, age, PENDING_COLOUR)
            self.my_list.addItem(item)
        if selected is None and self.my_list.count():
            selected = self.my_list.item(self.my_list.count() - 1)  # the newest: Del undoes it
        if selected is not None:
            self.my_list.setCurrentItem(selected)
        self.my_list.blockSignals(False)
        self.empty_label.setVisible(not self.my_list.count())
        self.my_list.setVisible(bool(self.my_list.count()))
        self._tick()
        self._update_buttons()

    def _fill_incoming(self) -> None:
        current = self.incoming_list.currentItem()
        keep = current.data(ID_ROLE) if current is not None else None
        inbox = self.model.inbox()
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
        """Refresh the texts and ages of every row (one timer for all rows), and the
        pause's running time."""
        now = self.model.hub_now_ms()
        self._show_pause_time(now)
        for view in (self.my_list, self.incoming_list):
            relayout = False
            for row in range(view.count()):
                item = view.item(row)
                sig = self.model.state.signals.get(int(item.data(ID_ROLE)))
                if sig is not None:
                    title, detail, colour = self._row_texts(view, sig)
                    age = fmt_age(now - sig.raised_ms)
                    relayout = set_row(item, title, detail, age, colour) or relayout
            if relayout:  # a longer progress may need another line
                view.doItemsLayout()

    def _row_texts(self, view: QListWidget, sig: SignalRecord) -> tuple[str, str, QColor]:
        """(label, progress line, its colour) of a row in my calls or the incoming list."""
        branch, lang = self.model.branch, self.model.lang
        label = signal_label(branch, sig.code, lang)
        if view is self.incoming_list:
            who = staff_name(branch, sig.staff, lang) or station_name(branch, sig.station, lang)
            detail = self.tr("From {who}").format(who=who)
            if sig.ticket:  # the customer to look out for
                detail += " · " + tr("No. {ticket}").format(ticket=sig.ticket)
            if sig.note:
                detail += f" · {sig.note}"
            return label, detail, WAITING_COLOUR
        return (label, *row_progress(self.model, sig))  # ✓ taken, ▲ escalated, declined

    def row_lines(self, row: int, incoming: bool = False) -> tuple[str, str, str]:
        """A row of my calls (or of the incoming list) as painted: label, progress, age."""
        view = self.incoming_list if incoming else self.my_list
        delegate = view.itemDelegate()
        assert isinstance(delegate, TwoLineDelegate)
        return delegate.painted(view.model().index(row, 0))

    def _show_counter(self) -> None:
        record = self.model.state.counters.get(self.model.station.id)
        status = record.status if record is not None else CounterStatus.OPEN
        text = status_text(status)
        if record is not None and record.reason:
            text += " · " + reason_label(
                self.model.branch.config.pause_reasons, record.reason, self.model.lang
            )
        tip = text
        if record is not None and record.since_ms and status is not CounterStatus.OPEN:
            since = local_time(record.since_ms, self.model.branch.timezone).strftime("%H:%M")
            tip += " · " + self.tr("since {time}").format(time=since)
        self.status_label.setText(text)
        self.status_label.setToolTip(plain_tip(tip))
        self.status_label.setStyleSheet(f"color: {STATUS_COLOURS[status].name()};")
        self.status_icon.setPixmap(status_pixmap(status))
        self.status_icon.setToolTip(status_text(status))
        self.resume_button.setEnabled(status is not CounterStatus.OPEN)
        self.close_button.setEnabled(status is not CounterStatus.CLOSED)
        self.counter_status = status
        self._status_base = text
        self._show_pause_time(self.model.hub_now_ms())

    def _show_pause_time(self, now_ms: int) -> None:
        """A paused counter shows how long it has been paused (mm:ss) and, with an
        expected length, whether it is over; once over, a gentle reminder, once."""
        record = self.model.state.counters.get(self.model.station.id)
        base = self._status_base
        if base is None:
            return
        if record is None or record.status is not CounterStatus.PAUSED or not record.since_ms:
            self.status_label.setText(base)
            return
        expected = self.model.state.pause_lengths.get(self.model.station.id, 0)
        line, over = pause_line(now_ms - record.since_ms, expected)
        self.status_label.setText(f"{base} · {line}")
        colour = "#c62828" if over else STATUS_COLOURS[CounterStatus.PAUSED].name()
        self.status_label.setStyleSheet(f"color: {colour};")
        if over and self._reminded_pause != record.since_ms:
            self._reminded_pause = record.since_ms
            self.model.remind(
                self.tr("The pause is over its expected {minutes} min").format(minutes=expected)
            )

    def _signal_of(self, item: QListWidgetItem | None) -> SignalRecord | None:
        return self.model.state.signals.get(int(item.data(ID_ROLE))) if item else None

    def _update_buttons(self) -> None:
        mine = self._signal_of(self.my_list.currentItem())
        self.cancel_button.setEnabled(mine is not None and Act.CANCEL in self.model.acts(mine))
        self.reoffer_button.setEnabled(mine is not None and Act.REOFFER in self.model.acts(mine))
        self.arrived_button.setEnabled(bool(self.model.awaiting_arrival()))
        sig = self._signal_of(self.incoming_list.currentItem())
        acts = self.model.acts(sig) if sig is not None else frozenset()
        done = Act.CLAIM not in acts and Act.RESOLVE in acts  # claimed: now mark it done
        self.incoming_button.setText(self.tr("Done") if done else self.tr("Acknowledge"))
        self.incoming_button.setEnabled(bool(acts & {Act.CLAIM, Act.RESOLVE}))

    def _reflow(self, width: int) -> None:
        """As many columns of call buttons as fit (two to four), the font as big as fits."""
        big = [self.buttons[kind.code] for kind in self.kinds if not kind.silent]
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

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._reflow(event.size().width())
        super().resizeEvent(event)

    # Slots -----------------------------------------------------------------------------
    def _on_signal_changed(self, sig: SignalRecord) -> None:
        if sig.station == self.model.station.id:
            self._fill_my_signals()
        if self.model.state.is_target(sig, self.model.station) or any(
            self.incoming_list.item(r).data(ID_ROLE) == sig.id
            for r in range(self.incoming_list.count())
        ):
            self._fill_incoming()

    def _on_counter_changed(self, station: str) -> None:
        if station == self.model.station.id:
            self._show_counter()

    def _on_staff_changed(self, _station: str) -> None:
        self._tick()

    def _on_command_accepted(self, msg_id: str, _seq: int) -> None:
        if msg_id in self.quiet_msg_ids:
            # Let the window see the id first (it shows nothing for it), then forget it.
            QTimer.singleShot(0, partial(self.quiet_msg_ids.discard, msg_id))

    def _on_command_rejected(self, msg_id: str, code: str, reason: str) -> None:
        if msg_id in self.quiet_msg_ids:
            log.ui.warning("silent signal refused: %s: %s", code, reason)
            QTimer.singleShot(0, partial(self.quiet_msg_ids.discard, msg_id))
