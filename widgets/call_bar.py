"""CallBar: a compact strip, always on top, docked to the screen's right edge, that never
takes the keyboard from the application the counter works in.

It shows the station's call buttons (each with its system-wide key), the calls still
open and who is coming, and one button back to the full window. Clicking it leaves the
keyboard focus where it was, as an on-screen keyboard does: the window asks not to be
activated (Qt.WindowDoesNotAcceptFocus: WM_HINTS input = False on X11, WS_EX_NOACTIVATE
on Windows), shows without activation, and its buttons take no focus.

Silent signals (duress) have no button and no row here; :class:`DiscreetMark`, a small
dot, turns into a ring once the hub has taken one this station raised: staff know what
it means, a customer sees a dot.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import partial

from PySide6.QtCore import QObject, QPointF, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QHideEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import policy
from app.domain.config import call_keys
from app.domain.state import SignalRecord
from widgets.common import (
    fmt_age,
    priority_colour,
    progress_text,
    signal_label,
    station_name,
    tr,
)
from widgets.model import StationModel
from widgets.plain import plain_labels

BAR_WIDTH = 230
MARK_COLOUR = QColor("#90a4ae")


def _silent(model: StationModel, code: str) -> bool:
    kind = model.branch.signal_type(code)
    return kind is not None and kind.silent


class SilentConfirm(QObject):
    """Whether the hub took a silent signal this station raised (its duress).

    The raiser never receives a silent signal's events (only its audience does), so the
    hub's acceptance of the raise is the confirmation: :meth:`expect` the raise's message
    id (``also``: the view's own set of such ids, e.g. the teller's F7 button). It holds
    until someone signs in or out at the station, or the station restarts.
    """

    changed = Signal(bool)

    def __init__(
        self, model: StationModel, also: Collection[str] = (), parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.also = also
        self.expected: set[str] = set()
        self.confirmed = False
        model.command_accepted.connect(self._on_accepted)
        model.staff_changed.connect(self._on_staff_changed)

    def expect(self, msg_id: str) -> None:
        self.expected.add(msg_id)

    def _on_accepted(self, msg_id: str, _seq: int) -> None:
        if msg_id in self.expected or msg_id in self.also:
            self.expected.discard(msg_id)
            self._set(True)

    def _on_staff_changed(self, station: str) -> None:
        if station == self.model.station.id:
            self._set(False)

    def _set(self, confirmed: bool) -> None:
        if confirmed != self.confirmed:
            self.confirmed = confirmed
            self.changed.emit(confirmed)


class DiscreetMark(QWidget):
    """A small grey dot; a ring of the same grey once the station's silent signal is taken.

    No text, no tooltip, no accessible description: nothing that names it.
    """

    def __init__(self, confirm: SilentConfirm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on = confirm.confirmed
        self.setObjectName("mark")
        self.setFixedSize(12, 12)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        confirm.changed.connect(self._show)

    def _show(self, on: bool) -> None:
        self.on = on
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        centre = QPointF(self.width() / 2, self.height() / 2)
        if self.on:
            painter.setPen(QPen(MARK_COLOUR, 1.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(MARK_COLOUR)
        painter.drawEllipse(centre, 3.5, 3.5)


class CallBar(QFrame):
    """The compact call bar (a top-level window of its own; build it without a parent).

    Signals:
      raise_requested(str): a call button was clicked (the code to raise).
      restore_requested(): the button back to the full window was clicked.
    """

    raise_requested = Signal(str)
    restore_requested = Signal()

    def __init__(
        self,
        model: StationModel,
        confirm: SilentConfirm | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.confirm = confirm or SilentConfirm(model, parent=self)
        self.setObjectName("callBar")
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFrameShape(QFrame.Shape.Box)
        self.setStyleSheet(
            "QFrame#callBar { background: #f5f7fa; border: 1px solid #90a4ae; }"
            "QToolButton { text-align: left; padding: 4px 6px; border: 1px solid #b0bec5;"
            " border-radius: 4px; background: #ffffff; }"
            "QToolButton:hover { background: #e8eef4; }"
            "QToolButton:pressed { background: #cfd8dc; }"
        )
        self.setWindowTitle(tr("Lobbylink call bar"))
        self.setFixedWidth(BAR_WIDTH)

        self.column = layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        head = QHBoxLayout()
        head.setSpacing(4)
        self.mark = DiscreetMark(self.confirm, self)
        head.addWidget(self.mark)
        self.title = QLabel(self)
        self.title.setObjectName("callBarTitle")
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        head.addWidget(self.title, 1)
        self.restore_button = QToolButton(self)
        self.restore_button.setObjectName("callBarRestore")
        self.restore_button.setText(tr("Open window"))
        self.restore_button.setToolTip(tr("Show the full Lobbylink window"))
        self.restore_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.restore_button.clicked.connect(self.restore_requested)
        head.addWidget(self.restore_button)
        layout.addLayout(head)

        self.buttons: dict[str, QToolButton] = {}
        keys = call_keys(model.branch, model.station.role)
        for kind in policy.raisable(model.branch, model.station.role):
            if kind.silent:
                continue  # never a button here: its chord is the only way in
            label = signal_label(model.branch, kind.code, model.lang)
            chords = keys.get(kind.code, ())
            button = QToolButton(self)
            button.setObjectName(f"bar_{kind.code}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setText(f"{label}\n{chords[0]}" if chords else label)
            button.setStyleSheet(
                f"QToolButton {{ border-left: 6px solid {priority_colour(kind.priority).name()}; }}"
            )
            keys_text = " / ".join(map(str, chords))
            button.setToolTip(
                tr("Raise “{label}” ({key})").format(label=label, key=keys_text)
                if chords
                else tr("Raise “{label}”").format(label=label)
            )
            button.clicked.connect(partial(self.raise_requested.emit, kind.code))
            self.buttons[kind.code] = button
            layout.addWidget(button)

        self.warning = QLabel(self)
        self.warning.setObjectName("callBarWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #bf360c;")
        self.warning.hide()
        layout.addWidget(self.warning)

        self.calls_title = QLabel(tr("My calls"), self)
        self.calls_title.setObjectName("callBarCallsTitle")
        self.calls_title.setStyleSheet("color: #455a64; margin-top: 4px;")
        layout.addWidget(self.calls_title)
        # The one who took a call is at the counter: one click says so (a nurse-call
        # presence button), without the full window.
        self.arrived_button = QToolButton(self)
        self.arrived_button.setObjectName("callBarArrived")
        self.arrived_button.setText(tr("Confirm arrival"))
        self.arrived_button.setToolTip(tr("The person who took my oldest call is here"))
        self.arrived_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.arrived_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.arrived_button.clicked.connect(lambda: self.model.confirm_arrival())
        layout.addWidget(self.arrived_button)
        self.calls = QLabel(self)
        self.calls.setObjectName("callBarCalls")
        self.calls.setWordWrap(True)
        self.calls.setTextFormat(Qt.TextFormat.PlainText)
        self.calls.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.calls)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.refresh)
        model.signal_changed.connect(self.refresh)
        model.state_reset.connect(self.refresh)
        model.staff_changed.connect(self.refresh)
        self.refresh()
        plain_labels(self)

    # Content ------------------------------------------------------------------------------
    def open_calls(self) -> list[SignalRecord]:
        """The calls shown: this station's open ones, never a silent one."""
        return [s for s in self.model.my_signals() if not _silent(self.model, s.code)]

    def call_lines(self) -> list[str]:
        """One line a call: its label, its age and who is coming."""
        branch, lang, now = self.model.branch, self.model.lang, self.model.hub_now_ms()
        return [
            f"{signal_label(branch, s.code, lang)} · {fmt_age(now - s.raised_ms)}\n"
            f"  {progress_text(s, branch, lang)}"
            for s in self.open_calls()
        ]

    def refresh(self, *_args: object) -> None:
        self.title.setText(station_name(self.model.branch, self.model.station.id, self.model.lang))
        lines = self.call_lines()
        self.calls.setText("\n".join(lines) if lines else tr("No open calls."))
        self.arrived_button.setVisible(bool(self.model.awaiting_arrival()))
        if self.isVisible():
            self.fit()

    def set_warning(self, text: str) -> None:
        """A line under the buttons, e.g. that a key is held by another program."""
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def text_shown(self) -> str:
        """Every text the bar shows (for checks that it names nothing it must not)."""
        parts = [self.windowTitle(), self.title.text(), self.calls_title.text(), self.calls.text()]
        parts.append(self.warning.text())
        parts += [self.restore_button.text(), self.restore_button.toolTip()]
        for button in self.buttons.values():
            parts += [button.text(), button.toolTip()]
        return "\n".join(parts)

    # Placement ----------------------------------------------------------------------------
    def dock(self) -> None:
        """Against the right edge of the screen's free area, vertically centred."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        room: QRect = screen.availableGeometry()
        size = self.frameGeometry().size()  # the fixed width, the height adjustSize gave
        self.move(
            room.right() - size.width() + 1, room.top() + (room.height() - size.height()) // 2
        )

    def fit(self) -> None:
        """As tall as the content at the bar's width (wrapped lines included), docked."""
        layout = self.column
        height = max(layout.totalHeightForWidth(BAR_WIDTH), layout.totalMinimumSize().height())
        self.resize(BAR_WIDTH, height)
        self.dock()

    def showEvent(self, event: QShowEvent) -> None:
        self.fit()
        self._ticker.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._ticker.stop()
        super().hideEvent(event)
