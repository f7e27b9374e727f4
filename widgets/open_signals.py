"""The board's list of open signals: a list model and the delegate that paints a row.

Each row is one open signal in three stacked lines (the signal and its age, who raised
it and where, who is on it), readable in a narrow column and from across the room.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from app.domain import policy
from app.domain.config import Branch
from app.domain.roles import SignalState
from app.domain.state import SignalRecord
from widgets.common import (
    age_colour,
    fmt_age,
    priority_colour,
    progress_text,
    signal_label,
    staff_name,
    station_name,
    tr,
)
from widgets.model import StationModel

SIGNAL_ROLE = Qt.ItemDataRole.UserRole + 1


def who_text(branch: Branch, sig: SignalRecord, lang: str) -> str:
    where = station_name(branch, sig.station, lang)
    return f"{where} · {staff_name(branch, sig.staff, lang)}" if sig.staff else where


class OpenSignalsModel(QAbstractListModel):
    """Open signals in the order the board gives them (the branch's urgency order); one
    row each (painted by SignalCell)."""

    def __init__(self, station: StationModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.rows: list[SignalRecord] = []
        self.now_ms = 0

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def lines(self, sig: SignalRecord) -> tuple[str, str, str, str]:
        """(signal, age, from, progress): what a row says, line by line."""
        branch, lang = self.station.branch, self.station.lang
        if sig.state is SignalState.OPEN and sig.level:
            progress = "▲ " + tr("Escalated · not claimed")
        elif sig.state is SignalState.OPEN:
            progress = progress_text(sig, branch, lang)
        else:
            progress = "✓ " + progress_text(sig, branch, lang)
        return (
            signal_label(branch, sig.code, lang),
            fmt_age(max(0, self.now_ms - sig.raised_ms)),
            who_text(branch, sig, lang),
            progress,
        )

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        sig = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:  # screen readers get the whole row
            return " · ".join(self.lines(sig))
        if role == SIGNAL_ROLE:
            return sig
        if role == Qt.ItemDataRole.UserRole:
            return sig.id
        return None

    def set_rows(self, rows: list[SignalRecord], now_ms: int) -> None:
        self.beginResetModel()
        self.rows = rows
        self.now_ms = now_ms
        self.endResetModel()

    def tick(self, now_ms: int) -> None:
        """Ages moved on: repaint the rows (their height does not change)."""
        self.now_ms = now_ms
        if self.rows:
            self.dataChanged.emit(self.index(0), self.index(len(self.rows) - 1))


class SignalCell(QStyledItemDelegate):
    """An open signal in three lines, readable in a narrow column and from across a room:

    the signal (its priority colour) and the age (coloured against the deadline), then
    who raised it and where, then the progress (✓ claimed, ▲ escalated: never colour alone).
    """

    def __init__(self, model: OpenSignalsModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model

    @staticmethod
    def line_height(font: QFont) -> float:
        return QFontMetricsF(font).height() * 1.1

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        pad = QFontMetricsF(option.font).height() * 0.3
        return QSize(100, int(self.line_height(option.font) * 3 + 2 * pad))

    @staticmethod
    def _geometry(font: QFont, width: float) -> tuple[float, float, float]:
        """(line height, padding, text width) of a row ``width`` pixels wide."""
        pad = QFontMetricsF(font).height() * 0.3
        return SignalCell.line_height(font), pad, width - 14 - pad

    def shown(self, sig: SignalRecord, font: QFont, width: float) -> tuple[str, str, str, str]:
        """The row's lines as painted in ``width`` pixels: (signal, age, from, progress)."""
        signal, age, who, progress = self.model.lines(sig)
        line, _pad, inner = self._geometry(font, width)
        bold = QFont(font)
        bold.setBold(True)
        metrics = QFontMetricsF(bold)
        room = inner - metrics.horizontalAdvance(age) - line * 0.5
        base = QFontMetricsF(font)
        return (
            metrics.elidedText(signal, Qt.TextElideMode.ElideRight, room),
            age,
            base.elidedText(who, Qt.TextElideMode.ElideRight, inner),
            base.elidedText(progress, Qt.TextElideMode.ElideRight, inner),
        )

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        sig = index.data(SIGNAL_ROLE)
        if not isinstance(sig, SignalRecord):
            return
        branch = self.model.station.branch
        kind = branch.signal_type(sig.code)
        colour = priority_colour(policy.priority(branch, sig.code))
        rect = QRectF(option.rect)
        signal, age, who, progress = self.shown(sig, option.font, rect.width())
        painter.save()
        painter.fillRect(rect, QColor("#ffffff") if index.row() % 2 == 0 else QColor("#f3f6f8"))
        painter.fillRect(
            QRectF(rect.left(), rect.top() + 2, 6, rect.height() - 4),
            colour,
        )
        base = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        line, pad, width = self._geometry(base, rect.width())
        left, y = rect.left() + 14, rect.top() + pad
        left_mid = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        # Line 1: the signal, and how long it has waited.
        painter.setFont(bold)
        age_ms = max(0, self.model.now_ms - sig.raised_ms)
        painter.setPen(
            age_colour(age_ms, kind.ack_s if kind else 0)
            if sig.state is SignalState.OPEN
            else QColor("#263238")
        )
        painter.drawText(
            QRectF(left, y, width, line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            age,
        )
        painter.setPen(colour)
        painter.drawText(QRectF(left, y, width, line), left_mid, signal)
        # Line 2: who and where; line 3: who is on it.
        painter.setFont(base)
        painter.setPen(QColor("#37474f"))
        painter.drawText(QRectF(left, y + line, width, line), left_mid, who)
        if sig.state is not SignalState.OPEN:
            painter.setPen(QColor("#2e7d32"))
        elif sig.level:
            painter.setPen(QColor("#c62828"))
        else:
            painter.setPen(QColor("#546e7a"))
        painter.drawText(QRectF(left, y + 2 * line, width, line), left_mid, progress)
        painter.restore()
