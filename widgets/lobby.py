"""LobbyView: the lobby manager's calls, floor map and own signals.

Every call for this station is listed by urgency and age with who raised it, where,
how long it has waited and who claimed it; the floor map beside it flashes the calling
counters. The lobby manager claims, marks arrived and resolves from the keyboard
(Enter takes the most urgent waiting call whatever row is selected, and the status line
says which; A and R act on the selected row; Up/Down to choose; a double-click claims
that very row) and raises their own signals (direct a customer to a
counter, announce a VIP, report a queue, refer to a wealth manager) from the bar below.

Which buttons are enabled is the branch's policy (:meth:`StationModel.acts`); the order
of the calls is :func:`app.domain.policy.waiting_first_key`; closing a handoff asks for
its outcome (:func:`widgets.dialogs.ask_outcome`). The list's model and delegate, the
raise bar and the My signals panel have their own modules.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QFont, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain import policy
from app.domain.policy import Act
from app.domain.roles import SignalState
from app.domain.state import SignalRecord
from widgets.common import rejection_text, signal_label, staff_name, station_name, tr
from widgets.delegates import CallDelegate
from widgets.dialog_host import DialogHost
from widgets.dialogs import ask_outcome
from widgets.floormap import FloorMap
from widgets.lobby_model import SIGNAL_ROLE, CallsModel
from widgets.model import StationModel
from widgets.my_signals import MySignals
from widgets.plain import plain_labels, plain_tip
from widgets.raise_bar import BUTTON_MIN_H, RAISE_KEYS, RaiseBar

REFRESH_MS = 100
"""List changes are coalesced: at most ten rebuilds a second."""
AGE_TICK_MS = 1000


class LobbyView(QWidget):
    """The lobby manager's main view over a StationModel (no signals of its own)."""

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lobbyView")
        self.model = model
        self.dialogs = DialogHost()
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
        self.calls_model = CallsModel(self)
        self.calls = QListView(self)
        self.calls.setObjectName("lobbyCalls")
        self.calls.setModel(self.calls_model)
        self.delegate = CallDelegate(model, self)
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
        self.calls.doubleClicked.connect(self._on_row_double_clicked)
        self.empty = QLabel(tr("No calls waiting"), self)
        self.empty.setObjectName("callsEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #757575;")

        self.claim_button = QPushButton(tr("Claim  Enter"), self)
        self.claim_button.setObjectName("claimButton")
        self.claim_button.setToolTip(
            tr("Claim the most urgent waiting call: you are going (Enter)")
        )
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

        self.map = FloorMap(model, parent=self)
        self.map.station_clicked.connect(self._on_station_clicked)

        self.mine_panel = MySignals(model, font, self)
        self.mine = self.mine_panel.list
        self.mine.installEventFilter(self)
        self.mine_panel.cancel_button.clicked.connect(self.cancel_selected_mine)
        self.mine_panel.resolve_button.clicked.connect(self.resolve_selected_mine)

        self.raise_bar = RaiseBar(model, self)
        self.raise_bar.submitted.connect(self._on_raise_submitted)
        self.raise_bar.form_closed.connect(self.calls.setFocus)
        self._lay_out()

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

        model.signal_changed.connect(self._mark_dirty)
        model.staff_changed.connect(self._mark_dirty)
        model.state_reset.connect(self._mark_dirty)
        model.counter_changed.connect(self._mark_dirty)
        model.presence_changed.connect(self._mark_dirty)
        model.connection_changed.connect(self._on_connection_changed)
        model.command_rejected.connect(self._on_command_rejected)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocusProxy(self.calls)
        self._on_connection_changed(model.connected)
        self.refresh_now()
        plain_labels(self)

    def _lay_out(self) -> None:
        """Calls | (map over my signals); the raise bar across the bottom."""
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
        right.addWidget(self.mine_panel)
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

    # Queries --------------------------------------------------------------------------
    @property
    def active_dialog(self) -> QDialog | None:
        """The question the view is asking now (a handoff's outcome), if any."""
        return self.dialogs.active

    def visible_call_ids(self) -> list[int]:
        """Ids of the calls listed, top to bottom."""
        return [s.id for s in self.calls_model.rows]

    def row_text(self, signal_id: int) -> str:
        """The lines the list shows for a call (one per line), '' when it is not listed."""
        for sig in self.calls_model.rows:
            if sig.id == signal_id:
                return "\n".join(line for line in self.delegate.lines(sig) if line)
        return ""

    def my_signal_ids(self) -> list[int]:
        return self.mine_panel.signal_ids()

    def my_signal_lines(self, row: int) -> tuple[str, str, str]:
        """A row of My signals as painted: label, progress, age."""
        return self.mine_panel.lines(row)

    def selected_signal(self) -> SignalRecord | None:
        if self._selected_id is None:
            return None
        for sig in self.calls_model.rows:
            if sig.id == self._selected_id:
                return sig
        return None

    # Commands ---------------------------------------------------------------------------
    def refresh_now(self) -> None:
        """Rebuild the lists from the model's state at once."""
        self._dirty = False
        self._refresh_calls()
        self.mine_panel.refresh()
        self._update_buttons()

    def select_signal(self, signal_id: int | None) -> None:
        """Select the call ``signal_id`` (its station is ringed on the map)."""
        for row, sig in enumerate(self.calls_model.rows):
            if sig.id == signal_id:
                index = self.calls_model.index(row)
                self.calls.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                self.calls.scrollTo(index)
                return

    def next_call(self) -> SignalRecord | None:
        """The call Enter takes: the most urgent one this desk may still claim, by the
        branch's urgency order (:func:`app.domain.policy.most_urgent_waiting`)."""
        mine = [s for s in self.calls_model.rows if Act.CLAIM in self.model.acts(s)]
        return policy.most_urgent_waiting(self.model.branch, mine)

    def claim_selected(self) -> None:
        """Claim the most urgent waiting call, whatever row is selected (Enter).

        At a busy desk the selection is wherever the last call left it (often a call
        already claimed); Enter always means "I take the next one", as a nurse-call
        console answers the longest-waiting call of the highest priority.
        """
        sig = self.next_call()
        if sig is None:
            chosen = self.selected_signal()
            if (
                chosen is not None
                and chosen.state is not SignalState.OPEN
                and chosen.acked_station != self.model.station.id
            ):
                self._say(self._already_text(chosen))
                return
            self._say(tr("No call is waiting"))
            return
        self.claim(sig)

    def claim(self, sig: SignalRecord) -> None:
        """Claim ``sig`` (a double-click on its row), saying what was claimed."""
        self.select_signal(sig.id)
        if Act.CLAIM not in self.model.acts(sig):
            self._explain(sig, Act.CLAIM)
            return
        msg_id = self.model.acknowledge(sig.id)
        self._send(msg_id, tr("Claim"), sig)
        if msg_id:
            self._say(tr("Claimed: {what}").format(what=self._call_words(sig)))

    def arrive_selected(self) -> None:
        sig = self.selected_signal()
        if sig is None:
            return
        if Act.ARRIVE not in self.model.acts(sig):
            self._explain(sig, Act.ARRIVE)
            return
        self._send(self.model.arrive(sig.id), tr("Arrived"), sig)

    def resolve_selected(self) -> None:
        """Resolve the selected call; a handoff asks how it ended first."""
        sig = self.selected_signal()
        if sig is not None:
            self._resolve(sig)

    def cancel_selected_mine(self) -> None:
        sig = self.mine_panel.selected()
        if sig is not None and Act.CANCEL in self.model.acts(sig):
            self._send(self.model.cancel(sig.id), tr("Cancel signal"), sig)

    def resolve_selected_mine(self) -> None:
        """Close a signal this desk raised, once someone took it (a handoff: with its outcome)."""
        sig = self.mine_panel.selected()
        if sig is not None:
            self._resolve(sig)

    def raise_signal(
        self, code: str, *, to: str = "", ticket: str = "", note: str = "", need: str = ""
    ) -> str:
        """Raise a signal from this station; its progress shows under My signals."""
        model = self.model
        msg_id = model.raise_signal(code, to=to, ticket=ticket, note=note, need=need)
        kind = model.branch.signal_type(code)
        label = signal_label(model.branch, code, model.lang)
        self._sent[msg_id] = label
        if kind is not None and kind.silent:
            return msg_id  # a silent signal leaves no trace on the raiser's screen
        if to:
            self._say(
                tr("Sent: {label} → {to}").format(
                    label=label, to=station_name(model.branch, to, model.lang)
                )
            )
        else:
            self._say(tr("Sent: {label}").format(label=label))
        return msg_id

    def open_raise_form(self, code: str) -> None:
        """What the raise button of ``code`` does (opens the form if it needs input)."""
        self.raise_bar.start(code)

    # Internals --------------------------------------------------------------------------
    def _resolve(self, sig: SignalRecord) -> None:
        if Act.RESOLVE not in self.model.acts(sig):
            self._explain(sig, Act.RESOLVE)
            return

        def send(outcome: str, product: str, note: str) -> None:
            msg_id = self.model.resolve(sig.id, outcome=outcome, product=product, note=note)
            self._send(msg_id, tr("Resolve"), sig)

        ask_outcome(self.dialogs, self.model, sig, self, send)

    def _send(self, msg_id: str, verb: str, sig: SignalRecord) -> None:
        label = signal_label(self.model.branch, sig.code, self.model.lang)
        self._sent[msg_id] = f"{verb}: {label}"

    def _call_words(self, sig: SignalRecord) -> str:
        """A call in plain words: "3号窗口 呼叫大堂经理" (where, what, the ticket)."""
        branch, lang = self.model.branch, self.model.lang
        words = f"{station_name(branch, sig.station, lang)} {signal_label(branch, sig.code, lang)}"
        if sig.ticket:
            words += " · " + tr("No. {ticket}").format(ticket=sig.ticket)
        return words

    def _say(self, text: str, tip: str = "") -> None:
        self.status_line.setText(text)
        self.status_line.setToolTip(plain_tip(tip))

    def _explain(self, sig: SignalRecord, act: Act) -> None:
        """Say why ``act`` cannot be done to ``sig`` now (the policy's reason)."""
        if act is Act.ARRIVE:
            self._say(tr("Claim the call first; then mark that you arrived"))
        elif sig.state is not SignalState.OPEN and sig.acked_station != self.model.station.id:
            self._say(self._already_text(sig))
        else:
            problem = policy.refusal(self.model.branch, self.model.station, act, sig)
            if problem is not None:
                self._say(rejection_text(problem.code, ""), problem.reason)

    def _already_text(self, sig: SignalRecord) -> str:
        branch, lang = self.model.branch, self.model.lang
        who = staff_name(branch, sig.acked_staff, lang) if sig.acked_staff else ""
        who = who or station_name(branch, sig.acked_station, lang)
        return tr("Already claimed by {who}").format(who=who)

    def _refresh_calls(self) -> None:
        branch, me = self.model.branch, self.model.station.id
        rows = sorted(self.model.inbox(), key=lambda s: policy.waiting_first_key(branch, s, me))
        keep = self._selected_id
        self.calls_model.set_rows(rows)
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

    def _update_buttons(self) -> None:
        sig = self.selected_signal()
        acts = self.model.acts(sig) if sig is not None else frozenset()
        # Enter claims the most urgent waiting call, whichever row is selected.
        self.claim_button.setEnabled(self.next_call() is not None)
        self.arrived_button.setEnabled(Act.ARRIVE in acts)
        self.resolve_button.setEnabled(Act.RESOLVE in acts)
        self.mine_panel.update_buttons()

    # Slots ----------------------------------------------------------------------------------
    def _mark_dirty(self, *_args: object) -> None:
        self._dirty = True
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _on_refresh_due(self) -> None:
        if self._dirty:
            self.refresh_now()

    def _on_age_tick(self) -> None:
        self.calls_model.ages_changed()
        if self.mine.count():
            self.mine_panel.refresh()

    def _on_raise_submitted(self, code: str, fields: dict[str, str]) -> None:
        self.raise_signal(code, **fields)

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

    def _on_row_double_clicked(self, index: QModelIndex) -> None:
        sig = index.data(SIGNAL_ROLE) if index.isValid() else None
        if isinstance(sig, SignalRecord):  # this very call, by the person's choice
            self.claim(sig)

    def _on_station_clicked(self, station: str) -> None:
        for sig in self.calls_model.rows:
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
            fw, fh = self.model.branch.config.branch.floor_size
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
        rows = self.calls_model.rows
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
