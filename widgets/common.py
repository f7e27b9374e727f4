"""Small pieces every role view shares: wording, colours, status icons, ages, names.

Branch data (signal, zone and station labels, staff names) comes from the config in
both languages; everything else goes through Qt's translation system.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QHeaderView, QTreeWidget, QWidget

from app.domain.config import Branch, Reason
from app.domain.roles import CounterStatus, Role, SignalState
from app.domain.state import SignalRecord


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """Translate a string used outside a QObject.

    pyside6-lupdate files a free ``tr("…")`` call under the empty context, so that is
    the context looked up here. A count goes in ``n`` with ``%n`` in the text, as for
    ``QObject.tr``: ``tr("Calls · %n waiting", "", count)`` picks the plural form.
    """
    return QCoreApplication.translate("", text, disambiguation, n)


def scaled_font(factor: float, bold: bool = False) -> QFont:
    """The application font scaled for reading at a glance (independent of the parent)."""
    font = QFont(QApplication.font())
    font.setPointSizeF(QApplication.font().pointSizeF() * factor)
    font.setBold(bold)
    return font


def state_text(state: SignalState) -> str:
    """The seeds' wording: 已响应 · 已到达 · 已处理 · 已取消."""
    return {
        SignalState.OPEN: tr("Waiting"),
        SignalState.ACKNOWLEDGED: tr("Acknowledged"),
        SignalState.ARRIVED: tr("Arrived"),
        SignalState.RESOLVED: tr("Resolved"),
        SignalState.CANCELLED: tr("Cancelled"),
    }[state]


def progress_text(sig: SignalRecord, branch: Branch, lang: str) -> str:
    """What the raiser wants to know: who is coming. E.g. "王芳 已响应 · 正在前往"."""
    who = staff_name(branch, sig.acked_staff, lang) or station_name(branch, sig.acked_station, lang)
    if sig.state is SignalState.ACKNOWLEDGED:
        kind = branch.signal_type(sig.code)
        if kind is not None and kind.comes_to_raiser:
            return tr("{who} acknowledged · on the way").format(who=who)
        return tr("{who} acknowledged").format(who=who)
    if sig.state is SignalState.ARRIVED:
        return tr("{who} arrived").format(who=who)
    if sig.state is SignalState.OPEN and sig.level:
        return tr("Waiting · escalated")
    return state_text(sig.state)


def status_text(status: CounterStatus) -> str:
    return {
        CounterStatus.OPEN: tr("Open"),
        CounterStatus.PAUSED: tr("Paused"),
        CounterStatus.CLOSED: tr("Closed"),
    }[status]


STATUS_COLOURS = {
    CounterStatus.OPEN: QColor("#2e7d32"),
    CounterStatus.PAUSED: QColor("#ef6c00"),
    CounterStatus.CLOSED: QColor("#546e7a"),
}


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


def role_text(role: Role | str) -> str:
    return {
        Role.TELLER: tr("Teller"),
        Role.LOBBY_MANAGER: tr("Lobby manager"),
        Role.WEALTH_MANAGER: tr("Wealth manager"),
        Role.SUPERVISOR: tr("Supervisor"),
        Role.BRANCH_HEAD: tr("Branch head"),
    }.get(Role(role), str(role))


def outcome_text(outcome: str) -> str:
    return {
        "served": tr("Served"),
        "no_show": tr("No-show"),
        "done": tr("Done"),
    }.get(outcome, outcome)


def signal_label(branch: Branch, code: str, lang: str) -> str:
    kind = branch.signal_type(code)
    return kind.label.get(lang) if kind else code


def station_name(branch: Branch, station_id: str, lang: str) -> str:
    station = branch.station(station_id)
    return station.name.get(lang) if station else station_id


def staff_name(branch: Branch, staff_id: str, lang: str) -> str:
    person = branch.staff_member(staff_id)
    return person.name.get(lang) if person else staff_id


def reason_label(reasons: tuple[Reason, ...], code: str, lang: str) -> str:
    for reason in reasons:
        if reason.code == code:
            return reason.label.get(lang)
    return code


def fmt_age(ms: int) -> str:
    """00:12, 03:05, 1:02:03: an age a person reads at a glance."""
    secs = max(0, ms // 1000)
    hours, rest = divmod(secs, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


PRIORITY_COLOURS = {
    1: QColor("#c62828"),
    2: QColor("#ef6c00"),
    3: QColor("#1565c0"),
    4: QColor("#546e7a"),
}


def priority_colour(priority: int) -> QColor:
    return PRIORITY_COLOURS.get(priority, QColor("#546e7a"))


def age_colour(age_ms: int, deadline_s: int) -> QColor:
    """Green while well inside the deadline, amber past half, red past it."""
    if deadline_s <= 0:
        deadline_s = 60
    ratio = age_ms / (deadline_s * 1000)
    if ratio >= 1:
        return QColor("#c62828")
    if ratio >= 0.5:
        return QColor("#ef6c00")
    return QColor("#2e7d32")


def rejection_text(code: str, reason: str) -> str:
    """Why the hub refused a command, for a status line: a translated headline + the hub's reason."""
    headline = {
        "forbidden": tr("Not allowed"),
        "not_found": tr("No longer exists"),
        "invalid_transition": tr("Not possible now"),
        "already_claimed": tr("Already taken by someone else"),
        "bad_request": tr("Request refused"),
    }.get(code, tr("Refused"))
    return f"{headline} — {reason}" if reason else headline


def request_table(
    parent: QWidget, name: str, headers: list[str], stretch: int, min_height: int
) -> QTreeWidget:
    """The flat list of requests, one whole row each, that the inbox views share."""
    table = QTreeWidget(parent)
    table.setObjectName(name)
    table.setRootIsDecorated(False)
    table.setUniformRowHeights(True)
    table.setAllColumnsShowFocus(True)
    table.setHeaderLabels(headers)
    header = table.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.setMinimumHeight(min_height)
    return table
