"""Two-line rows for lists of calls: what and how long, then who is on it.

A call's row must never hide *who* is coming, which is what the raiser looks for. One
line (label · progress · age) elided in the middle did exactly that in a narrow window,
so the row takes two: the label (elided if it must be) with the age on the right, then
the progress, wrapped onto more lines rather than cut.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QListView,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from widgets.plain import plain_tip

TITLE_ROLE = Qt.ItemDataRole.UserRole + 20
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 21
AGE_ROLE = Qt.ItemDataRole.UserRole + 22
DETAIL_COLOUR_ROLE = Qt.ItemDataRole.UserRole + 23

PAD_X = 8
PAD_Y = 4
GAP = 12
"""Between the label and the age."""
WRAP = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

DONE_COLOUR = QColor("#2e7d32")
WAITING_COLOUR = QColor("#37474f")
ALERT_COLOUR = QColor("#c62828")


def two_line_height(font: QFont) -> int:
    """The height a list needs to show one whole two-line row in ``font``."""
    return int(QFontMetricsF(font).height() * 2 + 2 * PAD_Y + 10)


def set_row(
    item: QListWidgetItem, title: str, detail: str, age: str, colour: QColor | None = None
) -> bool:
    """Fill a row; the item's own text (read by screen readers) is the whole line.

    Returns True when the detail changed: its height may have too (re-lay out the list).
    """
    changed = item.data(DETAIL_ROLE) != detail
    item.setData(TITLE_ROLE, title)
    item.setData(DETAIL_ROLE, detail)
    item.setData(AGE_ROLE, age)
    item.setData(DETAIL_COLOUR_ROLE, colour or WAITING_COLOUR)
    item.setText(f"{title} · {detail} · {age}")
    item.setToolTip(plain_tip(f"{title}\n{detail}\n{age}"))
    return changed


class TwoLineDelegate(QStyledItemDelegate):
    """Paints rows filled by :func:`set_row`; the list should lay out on resize (Adjust)."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.view = view
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    # Text as painted (the tests read it) ------------------------------------------------
    def _fonts(self, option_font: QFont) -> tuple[QFont, QFont]:
        bold = QFont(option_font)
        bold.setBold(True)
        return bold, QFont(option_font)

    def _width(self) -> int:
        return max(40, self.view.viewport().width() - 2 * PAD_X)

    def painted(self, index: QModelIndex | QPersistentModelIndex) -> tuple[str, str, str]:
        """(label as painted, maybe elided; the progress, never elided; the age)."""
        bold, _base = self._fonts(self.view.font())
        return (
            self._title(index, bold, self._width()),
            str(index.data(DETAIL_ROLE) or ""),
            str(index.data(AGE_ROLE) or ""),
        )

    @staticmethod
    def _title(index: QModelIndex | QPersistentModelIndex, bold: QFont, width: float) -> str:
        metrics = QFontMetricsF(bold)
        age = str(index.data(AGE_ROLE) or "")
        room = width - (metrics.horizontalAdvance(age) + GAP if age else 0)
        title = str(index.data(TITLE_ROLE) or "")
        return metrics.elidedText(title, Qt.TextElideMode.ElideRight, max(0.0, room))

    def _detail_height(self, text: str, base: QFont, width: int) -> int:
        if not text:
            return 0
        rect = QFontMetricsF(base).boundingRect(QRectF(0, 0, width, 10_000), WRAP, text)
        return int(rect.height() + 0.999)

    # Qt overrides -------------------------------------------------------------------------
    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        bold, base = self._fonts(option.font)
        line = QFontMetricsF(bold).height()
        detail = self._detail_height(str(index.data(DETAIL_ROLE) or ""), base, self._width())
        return QSize(self._width(), int(line + detail + 2 * PAD_Y + 2))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        painter.save()
        rect = QRectF(option.rect)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:  # light, so the coloured progress stays readable
            painter.fillRect(rect, QColor("#e3f2fd"))
            painter.setPen(QPen(QColor("#1565c0"), 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        elif index.row() % 2:
            painter.fillRect(rect, QColor("#f5f7fa"))
        bold, base = self._fonts(option.font)
        line = QFontMetricsF(bold).height()
        left, top = rect.left() + PAD_X, rect.top() + PAD_Y
        width = rect.width() - 2 * PAD_X
        age = str(index.data(AGE_ROLE) or "")
        painter.setFont(bold)
        painter.setPen(WAITING_COLOUR)
        if age:
            painter.drawText(
                QRectF(left, top, width, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                age,
            )
        painter.drawText(
            QRectF(left, top, width, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self._title(index, bold, width),
        )
        detail = str(index.data(DETAIL_ROLE) or "")
        if detail:
            colour = index.data(DETAIL_COLOUR_ROLE)
            painter.setFont(base)
            painter.setPen(colour if isinstance(colour, QColor) else WAITING_COLOUR)
            box = QRect(int(left), int(top + line), int(width), int(rect.bottom() - top - line))
            painter.drawText(box, WRAP, detail)
        painter.restore()
