"""How the floor map looks: the zones, a station's tile and the bubble of its top call.

:class:`FloorPainter` only draws what it is given (a :class:`TileInfo` per station, built
by widgets.floormap.FloorMap from the station model); it keeps no state but the look of
the moment: the language, the flash phase and the highlighted station.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from app.domain import policy
from app.domain.config import DEFAULT_PRIORITY, Branch
from app.domain.roles import CounterStatus, SignalState
from app.domain.state import SignalRecord
from widgets.common import fmt_age, priority_colour, signal_label, tr

ZONE_FILLS = ("#e3f2fd", "#e8f5e9", "#fff8e1", "#f3e5f5", "#e0f7fa", "#fbe9e7", "#eceff1")
STATUS_COLOURS = {
    CounterStatus.OPEN: QColor("#2e7d32"),
    CounterStatus.PAUSED: QColor("#ef6c00"),
    CounterStatus.CLOSED: QColor("#616161"),
}
HIGHLIGHT = QColor("#1565c0")
OFFLINE_TEXT = QColor("#78909c")


def wrap_text(text: str, metrics: QFontMetricsF, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` where possible: at spaces, or
    between any two characters in Chinese (which has no spaces and breaks anywhere)."""
    sep = " " if " " in text.strip() else ""
    parts = text.split(" ") if sep else list(text)
    lines: list[str] = []
    line = ""
    for part in parts:
        candidate = f"{line}{sep}{part}" if line else part
        if line and metrics.horizontalAdvance(candidate) > width:
            lines.append(line)
            line = part
        else:
            line = candidate
    lines.append(line)
    if not sep and len(lines) == 2:  # two even halves read better: 呼叫大 / 堂经理
        half = (len(text) + 1) // 2
        even = [text[:half], text[half:]]
        if all(metrics.horizontalAdvance(x) <= width for x in even):
            return even
    return lines


@dataclass(frozen=True)
class TileInfo:
    """What a station's tile shows; the same data the painter draws (tests read it)."""

    station: str
    name: str
    role: str
    staff: str
    """Display name of who is signed in, '' for nobody."""
    status: CounterStatus | None
    """None for stations that are not counters."""
    status_text: str
    online: bool
    signals: tuple[SignalRecord, ...]
    """Live signals of this station that the map marks, most urgent first."""
    flashing: bool
    """One of them is still waiting for a claim."""


class FloorPainter:
    """Draws the floor plan's parts in widget pixels for a :class:`FloorMap`.

    ``room`` is each station's distance to its nearest neighbour on the same row (floor
    units): how wide its tile and bubble may be.
    """

    def __init__(self, branch: Branch, room: dict[str, float]) -> None:
        self.branch = branch
        self.room = room
        self.lang = "zh_CN"
        self.phase = True
        """The flash phase: True while flashing tiles are lit."""
        self.highlight: str | None = None
        """The station ringed as selected elsewhere."""

    @staticmethod
    def font(px: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setPixelSize(max(1, round(px)))
        font.setBold(bold)
        return font

    def zones(self, painter: QPainter, scale: float, dx: float, dy: float) -> None:
        fw, fh = self.branch.config.branch.floor_size
        painter.fillRect(QRectF(dx, dy, fw * scale, fh * scale), QColor("#fafafa"))
        font = self.font(min(20.0, max(10.0, 15 * scale)), bold=True)
        painter.setFont(font)
        pad = max(3.0, 6 * scale)
        for i, zone in enumerate(self.branch.config.zones):
            x, y, w, h = zone.rect
            rect = QRectF(dx + x * scale, dy + y * scale, w * scale, h * scale)
            painter.setPen(QPen(QColor("#b0bec5"), 1))
            painter.setBrush(QColor(ZONE_FILLS[i % len(ZONE_FILLS)]))
            painter.drawRoundedRect(rect, 4, 4)
            painter.setPen(QColor("#546e7a"))
            label_rect = rect.adjusted(pad, pad * 0.5, -pad, -pad)
            text = QFontMetricsF(font).elidedText(
                zone.label.get(self.lang), Qt.TextElideMode.ElideRight, label_rect.width()
            )
            painter.drawText(
                label_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text
            )

    def tile(self, painter: QPainter, t: TileInfo, rect: QRectF, ring: bool = True) -> None:
        """A station's tile; ``ring``: with the highlight ring if it is the highlighted
        one (the kept base picture never has it: the ring comes and goes by itself)."""
        top = t.signals[0] if t.signals else None
        mark = priority_colour(policy.priority(self.branch, top.code) if top else DEFAULT_PRIORITY)
        # Body: white when online, grey and hatched when offline.
        painter.setPen(Qt.PenStyle.NoPen)
        if t.online:
            painter.setBrush(QColor("#ffffff"))
        else:
            painter.setBrush(QColor("#eceff1"))
        painter.drawRoundedRect(rect, 5, 5)
        if not t.online:
            painter.setBrush(QBrush(QColor("#cfd8dc"), Qt.BrushStyle.BDiagPattern))
            painter.drawRoundedRect(rect, 5, 5)
        if t.flashing and self.phase:
            fill = QColor(mark)
            fill.setAlpha(90)
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, 5, 5)
        # Counter status stripe on the left edge (colour backs up the glyph and text).
        if t.status is not None:
            stripe = QRectF(rect.left(), rect.top(), max(3.0, rect.width() * 0.06), rect.height())
            colour = STATUS_COLOURS[t.status] if t.online else OFFLINE_TEXT
            painter.setBrush(colour)
            painter.drawRoundedRect(stripe, 2, 2)
        # Border: the signal's colour when marked, thicker while flashing.
        if top is not None:
            width = max(2.0, rect.height() * (0.07 if t.flashing else 0.04))
            pen = QPen(mark, width)
            if not t.flashing:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
        else:
            painter.setPen(QPen(QColor("#90a4ae"), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, 5, 5)
        if ring and self.highlight == t.station:
            painter.setPen(QPen(HIGHLIGHT, max(2.0, rect.height() * 0.05), Qt.PenStyle.DotLine))
            grow = max(3.0, rect.height() * 0.08)
            painter.drawRoundedRect(rect.adjusted(-grow, -grow, grow, grow), 7, 7)
        self.tile_text(painter, t, rect)

    @staticmethod
    def text_box(rect: QRectF) -> tuple[float, QRectF]:
        """(font pixel size, box for the text) of a tile drawn in ``rect``."""
        px = min(22.0, max(9.0, rect.height() / 4.6))
        return px, rect.adjusted(rect.width() * 0.09, 2, -3, -2)

    def tile_text(self, painter: QPainter, t: TileInfo, rect: QRectF) -> None:
        px, inner = self.text_box(rect)
        line_h = px * 1.3
        glyph = px * 0.9
        text_colour = QColor("#263238") if t.online else OFFLINE_TEXT
        rows = self.tile_rows(t, px, inner.width())
        fit = max(1, int(inner.height() // line_h))
        if fit == 1:  # a tiny map: the id, then the status shape and offline mark if room
            font = self.font(px, True)
            id_w = QFontMetricsF(font).horizontalAdvance(t.station)
            glyphs = [m for m in ("offline", "status") if any(r[2] == m for r in rows)]
            while glyphs and id_w + len(glyphs) * (glyph + 2) > inner.width():
                glyphs.pop(0)  # the status shape goes last
            for i, mark in enumerate(reversed(glyphs)):
                box = QRectF(
                    inner.right() - (i + 1) * (glyph + 2),
                    inner.center().y() - glyph / 2,
                    glyph,
                    glyph,
                )
                if mark == "status":
                    self.status_glyph(painter, t, box)
                else:
                    self.offline_glyph(painter, box)
            inner = inner.adjusted(0, 0, -len(glyphs) * (glyph + 2), 0)
        rows = rows[:fit]
        y = inner.top() + max(0.0, (inner.height() - len(rows) * line_h) / 2)
        for text, bold, mark in rows:
            font = self.font(px, bold)
            painter.setFont(font)
            painter.setPen(text_colour)
            row = QRectF(inner.left(), y, inner.width(), line_h)
            box = QRectF(row.left(), row.center().y() - glyph / 2, glyph, glyph)
            if mark == "status":
                self.status_glyph(painter, t, box)
                row = row.adjusted(glyph + px * 0.3, 0, 0, 0)
                if t.online and t.status is not None:
                    painter.setPen(STATUS_COLOURS[t.status].darker(120))
            elif mark == "offline":
                self.offline_glyph(painter, box)
                row = row.adjusted(glyph + px * 0.3, 0, 0, 0)
            elided = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, row.width())
            painter.drawText(
                row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided
            )
            y += line_h

    def tile_rows(self, t: TileInfo, px: float, width: float) -> list[tuple[str, bool, str]]:
        """A tile's rows as (text, bold, glyph to draw first); rows that do not fit are
        dropped from the end. An offline station shows "Offline" and not its counter
        status: the last status known ("● Open") is not true of a PC nobody can reach,
        and the two side by side read as a contradiction."""
        rows: list[tuple[str, bool, str]] = [(self.title(t, px, width), True, "")]
        if not t.online:
            rows.append((tr("Offline"), True, "offline"))
        elif t.status is not None:
            rows.append((t.status_text, False, "status"))
        rows.append((t.staff or "—", False, ""))
        rows.append((t.role, False, ""))
        return rows

    def title(self, t: TileInfo, px: float, width: float) -> str:
        """The name when it fits whole, else the station id alone: "C01 Co…" says less."""
        title = f"{t.station} {t.name}"
        if QFontMetricsF(self.font(px, True)).horizontalAdvance(title) > width:
            return t.station
        return title

    @staticmethod
    def status_glyph(painter: QPainter, t: TileInfo, box: QRectF) -> None:
        colour = STATUS_COLOURS[t.status] if t.status is not None and t.online else OFFLINE_TEXT
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        if t.status is CounterStatus.OPEN:  # a filled disc
            painter.drawEllipse(box.adjusted(1, 1, -1, -1))
        elif t.status is CounterStatus.PAUSED:  # two bars, the pause symbol
            w = box.width() * 0.3
            painter.drawRect(
                QRectF(box.left() + box.width() * 0.12, box.top() + 1, w, box.height() - 2)
            )
            painter.drawRect(
                QRectF(box.right() - box.width() * 0.12 - w, box.top() + 1, w, box.height() - 2)
            )
        else:  # closed: a cross
            pen = QPen(colour, max(1.5, box.width() * 0.2))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            b = box.adjusted(2, 2, -2, -2)
            painter.drawLine(b.topLeft(), b.bottomRight())
            painter.drawLine(b.topRight(), b.bottomLeft())
        painter.restore()

    @staticmethod
    def offline_glyph(painter: QPainter, box: QRectF) -> None:
        """A circle with a slash: 'not connected'."""
        painter.save()
        pen = QPen(OFFLINE_TEXT, max(1.2, box.width() * 0.14))
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        b = box.adjusted(1, 1, -1, -1)
        painter.drawEllipse(b)
        painter.drawLine(
            QPointF(b.left() + b.width() * 0.2, b.bottom() - b.height() * 0.2),
            QPointF(b.right() - b.width() * 0.2, b.top() + b.height() * 0.2),
        )
        painter.restore()

    BUBBLE_SHRINK = (1.0, 0.9, 0.8)
    """Font sizes (× the map's) a bubble tries before it goes to two lines."""
    MIN_BUBBLE_PX = 9.0

    def bubble_lines(
        self, t: TileInfo, rect: QRectF, scale: float, now_ms: int
    ) -> tuple[list[str], float]:
        """The bubble's text as painted, one or two lines, and its font pixel size.

        The label is the point of the bubble ("呼叫大堂经理", not "呼叫大堂…"): it is
        shown whole in one line at a slightly smaller font if need be, else on two lines
        (the label, then the age and the count), and only elided when even a line of
        its own at the smallest size is too narrow (a tiny map).
        """
        top = t.signals[0]
        label = signal_label(self.branch, top.code, self.lang)
        age = fmt_age(now_ms - top.raised_ms)
        more = f"+{len(t.signals) - 1}" if len(t.signals) > 1 else ""
        if top.state is not SignalState.OPEN:
            label = f"✓ {label}"
        tail = " ".join(p for p in ((age if top.state is SignalState.OPEN else ""), more) if p)
        base = min(20.0, max(self.MIN_BUBBLE_PX, 13 * scale))
        sizes = [max(self.MIN_BUBBLE_PX, base * f) for f in self.BUBBLE_SHRINK]
        # As wide as the gap to the neighbours allows.
        room = max(rect.width(), (self.room[t.station] - 8) * scale)
        one = f"{label} {tail}".strip()
        for px in sizes:
            if QFontMetricsF(self.font(px, True)).horizontalAdvance(one) <= room - self.pad(px):
                return [one], px
        for px in sizes:  # the label, then the age and count
            metrics = QFontMetricsF(self.font(px, True))
            if all(metrics.horizontalAdvance(x) <= room - self.pad(px) for x in (label, tail)):
                return ([label, tail] if tail else [label]), px
        px = sizes[-1]  # a small map: the label wrapped on two lines, then the tail
        metrics = QFontMetricsF(self.font(px, True))
        width = room - self.pad(px)
        lines = wrap_text(label, metrics, width)
        if len(lines) > 2:  # the rest on the second line, elided below: never dropped
            sep = " " if " " in label else ""
            lines = [lines[0], sep.join(lines[1:])]
        if tail:
            lines.append(tail)
        return [metrics.elidedText(x, Qt.TextElideMode.ElideRight, width) for x in lines], px

    @staticmethod
    def pad(px: float) -> float:
        """A bubble's left and right padding together."""
        return px * 0.6

    def bubble(
        self,
        painter: QPainter,
        t: TileInfo,
        rect: QRectF,
        scale: float,
        now_ms: int,
        area: QSizeF,
    ) -> None:
        """The call's label (and age) in a tag above the tile, or below it near the top."""
        top = t.signals[0]
        colour = priority_colour(policy.priority(self.branch, top.code))
        lines, px = self.bubble_lines(t, rect, scale, now_ms)
        font = self.font(px, bold=True)
        metrics = QFontMetricsF(font)
        w = max(metrics.horizontalAdvance(line) for line in lines) + self.pad(px)
        h = px * 1.6 + px * 1.25 * (len(lines) - 1)
        shown = "\n".join(lines)
        x = rect.center().x() - w / 2
        x = min(max(x, 1.0), area.width() - w - 1)
        y = rect.bottom() + 2  # below the tile: zone labels sit at the zones' tops
        if y + h > area.height() - 1:
            y = rect.top() - h - 2
        bubble = QRectF(x, y, w, h)
        path = QPainterPath()
        path.addRoundedRect(bubble, h / 3, h / 3)
        if t.flashing and not self.phase:
            painter.setPen(QPen(colour, 2))
            painter.setBrush(QColor("#ffffff"))
            fg = colour
        elif t.flashing:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            fg = QColor("#ffffff")
        else:  # claimed: calm, outlined
            painter.setPen(QPen(colour, 1.5, Qt.PenStyle.DashLine))
            painter.setBrush(QColor("#ffffff"))
            fg = colour.darker(130)
        painter.drawPath(path)
        painter.setFont(font)
        painter.setPen(fg)
        painter.drawText(bubble, Qt.AlignmentFlag.AlignCenter, shown)
