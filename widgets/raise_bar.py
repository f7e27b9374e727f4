"""RaiseBar: the lobby desk's raise buttons (F2…F9) and its one-line form.

Each button shows its F-key first and elides its label to fit (:class:`KeyButton`); the
buttons wrap onto as few rows as keep every label whole.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from app.domain import policy
from app.domain.config import SignalType
from widgets.common import tr
from widgets.model import StationModel
from widgets.plain import plain_labels
from widgets.raise_form import RaiseForm, needs_form

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
MAX_RAISE_ROWS = 3
"""The raise buttons take at most this many rows while eliding labels can avoid more."""
LABEL_SHRINK = (1.0, 0.94, 0.88)
"""Font sizes (× the bar's) tried, largest first, before labels are elided."""
BUTTON_MIN_H = 30
"""Buttons big enough to hit in a hurry."""


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
    a ticket (:class:`widgets.raise_form.RaiseForm`); the others go with one click.
    Enter sends the form, Escape closes it.

    Signals:
      submitted(str, dict): raise this code with these ``raise_signal`` keywords.
      form_closed(): the form was sent or closed (the view takes the focus back).
    """

    submitted = Signal(str, dict)
    form_closed = Signal()

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("raiseBar")
        self.model = model
        # A silent type (duress) has no button: a lobby desk faces the customers, and
        # nothing there may name it. The station's key chord raises it (app.client.hotkeys).
        self.types: list[SignalType] = [
            kind for kind in policy.raisable(model.branch, model.station.role) if not kind.silent
        ]
        self.code = ""
        self.buttons: dict[str, KeyButton] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        self.columns = 0
        self._font_factor = 1.0
        for i, kind in enumerate(self.types):
            key_name = f"F{i + 2}" if i < len(RAISE_KEYS) else ""
            label = kind.label.get(model.lang)
            button = KeyButton(key_name, label, self)
            button.setObjectName(f"raise_{kind.code}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            if key_name:
                button.setToolTip(tr("Raise “{label}” ({key})").format(label=label, key=key_name))
            else:
                button.setToolTip(tr("Raise “{label}”").format(label=label))
            button.clicked.connect(lambda _=False, code=kind.code: self.start(code))
            self.buttons[kind.code] = button
        self.reflow((parent.width() if parent is not None else 0) or 640)
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
        self.fields = RaiseForm(model, self.form, blank_need=tr("Need…"))
        self.counter = self.fields.target
        self.counter.setObjectName("raiseCounter")
        self.counter.setToolTip(tr("Counter to send the customer to"))
        self.counter.setAccessibleName(tr("Counter"))
        self.need = self.fields.need
        self.need.setObjectName("raiseNeed")
        self.need.setToolTip(tr("What the customer needs"))
        self.need.setAccessibleName(tr("Customer need"))
        self.ticket = self.fields.ticket
        self.ticket.setObjectName("raiseTicket")
        self.ticket.setPlaceholderText(tr("Ticket no."))
        self.ticket.setAccessibleName(tr("Ticket number"))
        self.ticket.setMaximumWidth(90)
        self.note = self.fields.note
        self.note.setObjectName("raiseNote")
        self.note.setPlaceholderText(tr("Note (optional)"))
        self.note.setAccessibleName(tr("Note"))
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
        plain_labels(self)

    def start(self, code: str) -> None:
        """A raise button: send at once, or open the form when the signal needs input."""
        kind = self.model.branch.signal_type(code)
        if kind is None or not needs_form(kind):
            self.submitted.emit(code, {})
            return
        self.code = code
        self.title.setText(kind.label.get(self.model.lang))
        self.fields.start(kind)
        self.form.show()
        (self.counter if kind.to_station else self.ticket).setFocus()

    def submit(self) -> None:
        if not self.code:
            return
        code, fields = self.code, self.fields.fields()
        self.close_form()
        self.submitted.emit(code, fields)

    def close_form(self) -> None:
        self.code = ""
        self.form.hide()
        self.form_closed.emit()

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

        def whole_at() -> int:
            return max(
                (
                    c
                    for c in range(1, count + 1)
                    if needed(c, lambda b: b.sizeHint().width()) <= width
                ),
                default=1,
            )

        # A slightly smaller font before a cut label: "F4  Customer sent to coun…" at
        # 640 px in English needed a few pixels more than three rows had.
        for factor in LABEL_SHRINK:
            self._scale_fonts(factor)
            whole = whole_at()
            if -(-count // whole) <= MAX_RAISE_ROWS:
                break
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

    def _scale_fonts(self, factor: float) -> None:
        if factor == self._font_factor:
            return
        self._font_factor = factor
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * factor)
        for button in self.buttons.values():
            button.setFont(font)

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
