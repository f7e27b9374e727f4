"""CallDelegate: how the lobby desk paints a call, in two or three lines.

What and how long it has waited (the age coloured against the type's deadline); who
calls, from where, with the ticket, need and note; and who claimed it, which everyone
sees, or that it escalated. The bar on the left is the type's priority colour.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.domain import policy
from app.domain.roles import SignalState
from app.domain.state import SignalRecord
from widgets.common import (
    age_colour,
    fmt_age,
    priority_colour,
    reason_label,
    signal_label,
    staff_name,
    station_name,
    tr,
)
from widgets.lobby_model import SIGNAL_ROLE
from widgets.model import StationModel


class CallDelegate(QStyledItemDelegate):
    """Paints a call in two or three lines: what and how long; who and where; who claimed."""

    def __init__(self, model: StationModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model

    def lines(self, sig: SignalRecord) -> tuple[str, str, str]:
        branch, lang = self.model.branch, self.model.lang
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
        model = self.model
        kind = model.branch.signal_type(sig.code)
        rect = QRectF(option.rect)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        mine = sig.acked_station == model.station.id
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
        bar = priority_colour(policy.priority(model.branch, sig.code))
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
        age_ms = max(0, model.hub_now_ms() - sig.raised_ms)
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
