"""FloorMap: the branch floor plan with a live tile per station.

It replaces the teller's half-raised right hand: a station with a call for the viewer
flashes, with the call's label next to it, so the lobby manager sees *which* counter
calls at a glance. Tiles also show who is signed in, the counter's status (glyph, text
and colour, never colour alone) and whether the station is online.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QToolTip, QWidget

from app.domain.config import Branch
from app.domain.roles import CounterStatus, Role, SignalState
from app.domain.state import CounterRecord, SignalRecord
from widgets.common import (
    fmt_age,
    priority_colour,
    progress_text,
    reason_label,
    role_text,
    signal_label,
    staff_name,
    status_text,
    tr,
)
from widgets.model import StationModel

TILE_W = 130
"""Widest tile, in floor-plan units (the config's coordinates); narrower where
neighbours stand closer."""
TILE_MIN_W = 60
TILE_H = 80
FLASH_MS = 250
"""Half a flash period: on 250 ms, off 250 ms (2 Hz)."""
REPAINT_MS = 100
"""Changes are coalesced: at most ten rebuilds a second, however busy the branch."""

ZONE_FILLS = ("#e3f2fd", "#e8f5e9", "#fff8e1", "#f3e5f5", "#e0f7fa", "#fbe9e7", "#eceff1")
STATUS_COLOURS = {
    CounterStatus.OPEN: QColor("#2e7d32"),
    CounterStatus.PAUSED: QColor("#ef6c00"),
    CounterStatus.CLOSED: QColor("#616161"),
}
HIGHLIGHT = QColor("#1565c0")
OFFLINE_TEXT = QColor("#78909c")

FlashRule = Callable[[SignalRecord], bool]


def counter_status_text(branch: Branch, rec: CounterRecord, lang: str) -> str:
    """'Open', 'Paused · Meal break', 'Closed': the status with its reason."""
    text = status_text(rec.status)
    if rec.status is CounterStatus.PAUSED and rec.reason:
        return tr("{status} · {reason}").format(
            status=text, reason=reason_label(branch.config.pause_reasons, rec.reason, lang)
        )
    return text


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


class FloorMap(QWidget):
    """The floor plan, painted from the branch config and the bridge's live state.

    Signals:
      station_clicked(str): a station's tile was clicked (station id).

    ``flash_for(signal)`` decides which live signals mark their raiser's tile; by default
    the ones addressed to the viewing station. An unclaimed one flashes (about 2 Hz), a
    claimed one stays marked until it is resolved. ``hide_silent`` drops silent signals
    (public screens). Changes are coalesced: one rebuild per ``coalesce_ms`` at most.
    With ``follow_bridge=False`` the owner calls :meth:`refresh_now` on its own timer.
    """

    station_clicked = Signal(str)

    def __init__(
        self,
        bridge: StationModel,
        *,
        flash_for: FlashRule | None = None,
        hide_silent: bool = False,
        coalesce_ms: int = REPAINT_MS,
        follow_bridge: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("floorMap")
        self.bridge = bridge
        self.branch = bridge.branch
        self.flash_for: FlashRule = flash_for or self._addressed_to_me
        self.hide_silent = hide_silent
        self._tiles: dict[str, TileInfo] = {}
        self._rects: dict[str, QRectF] = {}
        self._room = self._horizontal_room()
        self._highlight: str | None = None
        self._base: QPixmap | None = None
        self._base_geometry: tuple[object, ...] = ()
        self._base_tiles: dict[str, TileInfo] = {}
        """What the base picture shows of each tile (without marks)."""
        self._phase = True
        self._dirty = True
        self.setMouseTracking(True)
        self.setMinimumSize(200, 120)
        self.setAccessibleName(tr("Floor map"))

        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(coalesce_ms)
        self._coalesce.timeout.connect(self._on_coalesced)
        self._flash = QTimer(self)
        self._flash.setInterval(FLASH_MS)
        self._flash.timeout.connect(self._on_flash)
        self._flash.start()

        if follow_bridge:
            bridge.signal_changed.connect(self.mark_dirty)
            bridge.counter_changed.connect(self.mark_dirty)
            bridge.presence_changed.connect(self.mark_dirty)
            bridge.staff_changed.connect(self.mark_dirty)
            bridge.state_reset.connect(self.mark_dirty)
        self.refresh_now()

    # Queries ----------------------------------------------------------------------------
    def tile(self, station_id: str) -> TileInfo:
        """What the tile of ``station_id`` shows right now."""
        self._ensure_fresh()
        return self._tiles[station_id]

    def flashing_stations(self) -> set[str]:
        """Stations whose tile flashes: each has a signal waiting for a claim."""
        self._ensure_fresh()
        return {sid for sid, t in self._tiles.items() if t.flashing}

    def marked_stations(self) -> set[str]:
        """Stations with any live signal on the map (flashing or claimed)."""
        self._ensure_fresh()
        return {sid for sid, t in self._tiles.items() if t.signals}

    def highlighted(self) -> str | None:
        return self._highlight

    def tile_rect(self, station_id: str) -> QRectF:
        """Where the tile of ``station_id`` is drawn, in widget coordinates."""
        self._layout()
        return QRectF(self._rects.get(station_id, QRectF()))

    # Commands ---------------------------------------------------------------------------
    def set_highlight(self, station_id: str | None) -> None:
        """Ring one station (the one the viewer selected elsewhere), or none."""
        if station_id != self._highlight:
            self._highlight = station_id
            self.update()

    def mark_dirty(self, *_args: object) -> None:
        """Note that the state changed; the map rebuilds at most every REPAINT_MS."""
        self._dirty = True
        if not self._coalesce.isActive():
            self._coalesce.start()

    def refresh_now(self) -> None:
        """Rebuild the tiles from the state at once and repaint."""
        self._dirty = False
        self._tiles = self._build_tiles()
        self.update()

    # Building -------------------------------------------------------------------------
    def _addressed_to_me(self, sig: SignalRecord) -> bool:
        me = self.bridge.station
        return self.bridge.state.is_target(sig, me) and not sig.declined_by(me.id)

    def _ensure_fresh(self) -> None:
        if self._dirty:
            self.refresh_now()

    def _on_coalesced(self) -> None:
        if self._dirty:
            self.refresh_now()

    def _build_tiles(self) -> dict[str, TileInfo]:
        state, branch, lang = self.bridge.state, self.branch, self.bridge.lang
        types = branch.signal_types
        marks: dict[str, list[SignalRecord]] = {}
        for sig in state.signals.values():
            if not sig.open:
                continue
            kind = types.get(sig.code)
            if self.hide_silent and (kind is None or kind.silent):
                continue
            if self.flash_for(sig):
                marks.setdefault(sig.station, []).append(sig)
        tiles: dict[str, TileInfo] = {}
        for st in branch.config.stations:
            sigs = sorted(
                marks.get(st.id, ()),
                key=lambda s: (
                    s.state is not SignalState.OPEN,
                    types[s.code].priority if s.code in types else 9,
                    s.raised_ms,
                    s.id,
                ),
            )
            rec = state.counters.get(st.id) if st.role is Role.TELLER else None
            tiles[st.id] = TileInfo(
                station=st.id,
                name=st.name.get(lang),
                role=role_text(st.role),
                staff=staff_name(branch, state.staff_of(st.id), lang)
                if state.staff_of(st.id)
                else "",
                status=rec.status if rec else None,
                status_text=counter_status_text(branch, rec, lang) if rec else "",
                online=bool(state.presence.get(st.id)),
                signals=tuple(sigs),
                flashing=any(s.state is SignalState.OPEN for s in sigs),
            )
        return tiles

    # Timers ----------------------------------------------------------------------------
    def _on_flash(self) -> None:
        self._phase = not self._phase
        if any(t.signals for t in self._tiles.values()):
            self.update()  # flashing tiles blink; marked ones' ages tick

    # Geometry ----------------------------------------------------------------------------
    def _transform(self) -> tuple[float, float, float]:
        """(scale, dx, dy) mapping floor units to widget pixels, aspect kept, centred."""
        fw, fh = self.branch.config.branch.floor_size
        margin = 4.0
        aw, ah = max(1.0, self.width() - 2 * margin), max(1.0, self.height() - 2 * margin)
        scale = min(aw / fw, ah / fh)
        dx = margin + (aw - fw * scale) / 2
        dy = margin + (ah - fh * scale) / 2
        return scale, dx, dy

    def _horizontal_room(self) -> dict[str, float]:
        """Per station, the distance to its nearest neighbour on the same row (floor units)."""
        stations = self.branch.config.stations
        room: dict[str, float] = {}
        for st in stations:
            gaps = [
                abs(o.pos[0] - st.pos[0])
                for o in stations
                if o.id != st.id and abs(o.pos[1] - st.pos[1]) < TILE_H
            ]
            room[st.id] = float(min(gaps, default=TILE_W * 2))
        return room

    def _layout(self) -> float:
        """Place the tiles for the current size; returns the scale."""
        scale, dx, dy = self._transform()
        self._rects = {}
        for st in self.branch.config.stations:
            w = max(TILE_MIN_W, min(TILE_W, self._room[st.id] - 10)) * scale
            h = TILE_H * scale
            cx, cy = dx + st.pos[0] * scale, dy + st.pos[1] * scale
            self._rects[st.id] = QRectF(cx - w / 2, cy - h / 2, w, h)
        return scale

    def _station_at(self, pos: QPointF) -> str | None:
        self._layout()
        for sid, rect in self._rects.items():
            if rect.contains(pos):
                return sid
        return None

    # Qt overrides ------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(500, 300)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 120)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        sid = self._station_at(event.position())
        if sid is not None and event.button() == Qt.MouseButton.LeftButton:
            self.station_clicked.emit(sid)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        sid = self._station_at(event.position())
        if sid is not None and self._tiles.get(sid) and self._tiles[sid].signals:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()
        super().mouseMoveEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            sid = self._station_at(QPointF(event.pos()))
            if sid is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self._tooltip(sid), self)
            return True
        return super().event(event)

    def _tooltip(self, sid: str) -> str:
        t = self.tile(sid)
        lines = [f"{t.station} {t.name}", t.role, t.staff or tr("Nobody signed in")]
        if t.status_text:
            lines.append(t.status_text)
        lines.append(tr("Online") if t.online else tr("Offline"))
        now = self.bridge.hub_now_ms()
        for sig in t.signals:
            label = signal_label(self.branch, sig.code, self.bridge.lang)
            progress = progress_text(sig, self.branch, self.bridge.lang)
            lines.append(f"{label} · {fmt_age(now - sig.raised_ms)} · {progress}")
        return "\n".join(lines)

    def paintEvent(self, _event: QPaintEvent) -> None:
        # Paints the tiles as last built: rebuilding is the coalescing timer's job.
        scale, _dx, _dy = self._transform()
        self._layout()
        base = self._base_picture(scale)
        painter = QPainter(self)
        painter.drawPixmap(0, 0, base)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        for st in self.branch.config.stations:  # marked or highlighted tiles: painted live
            if self._is_live(self._tiles[st.id]):
                self._paint_tile(painter, self._tiles[st.id], self._rects[st.id])
        for st in self.branch.config.stations:  # bubbles on top of every tile
            if self._tiles[st.id].signals:
                self._paint_bubble(painter, self._tiles[st.id], self._rects[st.id], scale)
        painter.end()

    # Painting --------------------------------------------------------------------------
    def _is_live(self, t: TileInfo) -> bool:
        return bool(t.signals) or self._highlight == t.station

    @staticmethod
    def _quiet(t: TileInfo) -> TileInfo:
        """The tile as the base picture shows it: without marks."""
        return replace(t, signals=(), flashing=False) if t.signals or t.flashing else t

    def _base_picture(self, scale: float) -> QPixmap:
        """The floor, its zones and every tile without marks, kept between paints.

        Only tiles whose quiet look changed (presence, status, staff) are painted again,
        with their surroundings: a map of hundreds of stations repaints in milliseconds
        while calls come and go, and one picture of the widget's size is all it keeps.
        """
        ratio = self.devicePixelRatioF()
        geometry = (self.width(), self.height(), ratio, self.bridge.lang)
        quiet = {sid: self._quiet(t) for sid, t in self._tiles.items()}
        if self._base is None or self._base_geometry != geometry:
            base = QPixmap(QSize(math.ceil(self.width() * ratio), math.ceil(self.height() * ratio)))
            base.setDevicePixelRatio(ratio)
            base.fill(self.palette().window().color())
            self._base, self._base_geometry, self._base_tiles = base, geometry, {}
            changed = [QRectF(0, 0, self.width(), self.height())]
        else:
            changed = [
                self._tile_area(self._rects[sid])
                for sid, t in quiet.items()
                if self._base_tiles.get(sid) != t
            ]
        if changed:
            painter = QPainter(self._base)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            for area in changed:
                painter.save()
                painter.setClipRect(area)
                painter.fillRect(area, self.palette().window().color())
                self._paint_zones(painter, scale, *self._transform()[1:])
                for st in self.branch.config.stations:  # the tile, and neighbours it touches
                    if self._tile_area(self._rects[st.id]).intersects(area):
                        self._paint_tile(painter, quiet[st.id], self._rects[st.id])
                painter.restore()
            painter.end()
            self._base_tiles = quiet
        return self._base

    @staticmethod
    def _tile_area(rect: QRectF) -> QRectF:
        """A tile's rectangle with room for its border and highlight ring."""
        grow = max(3.0, rect.height() * 0.08) + max(2.0, rect.height() * 0.05) + 2
        return rect.adjusted(-grow, -grow, grow, grow)

    @staticmethod
    def _font(px: float, bold: bool = False) -> QFont:
        font = QFont()
        font.setPixelSize(max(1, round(px)))
        font.setBold(bold)
        return font

    def _paint_zones(self, painter: QPainter, scale: float, dx: float, dy: float) -> None:
        fw, fh = self.branch.config.branch.floor_size
        painter.fillRect(QRectF(dx, dy, fw * scale, fh * scale), QColor("#fafafa"))
        font = self._font(min(20.0, max(10.0, 15 * scale)), bold=True)
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
                zone.label.get(self.bridge.lang), Qt.TextElideMode.ElideRight, label_rect.width()
            )
            painter.drawText(
                label_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text
            )

    def _paint_tile(self, painter: QPainter, t: TileInfo, rect: QRectF) -> None:
        top = t.signals[0] if t.signals else None
        kind = self.branch.signal_type(top.code) if top else None
        mark = priority_colour(kind.priority if kind else 2)
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
        if t.flashing and self._phase:
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
        if self._highlight == t.station:
            painter.setPen(QPen(HIGHLIGHT, max(2.0, rect.height() * 0.05), Qt.PenStyle.DotLine))
            grow = max(3.0, rect.height() * 0.08)
            painter.drawRoundedRect(rect.adjusted(-grow, -grow, grow, grow), 7, 7)
        self._paint_tile_text(painter, t, rect)

    @staticmethod
    def _text_box(rect: QRectF) -> tuple[float, QRectF]:
        """(font pixel size, box for the text) of a tile drawn in ``rect``."""
        px = min(22.0, max(9.0, rect.height() / 4.6))
        return px, rect.adjusted(rect.width() * 0.09, 2, -3, -2)

    def _paint_tile_text(self, painter: QPainter, t: TileInfo, rect: QRectF) -> None:
        px, inner = self._text_box(rect)
        line_h = px * 1.3
        glyph = px * 0.9
        text_colour = QColor("#263238") if t.online else OFFLINE_TEXT
        # (text, bold, glyph to draw first); rows that do not fit are dropped from the end.
        title = self._title(t, px, inner.width())
        rows: list[tuple[str, bool, str]] = [(title, True, "")]
        if not t.online:
            rows.append((tr("Offline"), True, "offline"))
        if t.status is not None:
            rows.append((t.status_text, False, "status"))
        rows.append((t.staff or "—", False, ""))
        rows.append((t.role, False, ""))
        fit = max(1, int(inner.height() // line_h))
        if fit == 1:  # a tiny map: the id, then the status shape and offline mark if room
            font = self._font(px, True)
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
                    self._paint_status_glyph(painter, t, box)
                else:
                    self._paint_offline_glyph(painter, box)
            inner = inner.adjusted(0, 0, -len(glyphs) * (glyph + 2), 0)
        rows = rows[:fit]
        y = inner.top() + max(0.0, (inner.height() - len(rows) * line_h) / 2)
        for text, bold, mark in rows:
            font = self._font(px, bold)
            painter.setFont(font)
            painter.setPen(text_colour)
            row = QRectF(inner.left(), y, inner.width(), line_h)
            box = QRectF(row.left(), row.center().y() - glyph / 2, glyph, glyph)
            if mark == "status":
                self._paint_status_glyph(painter, t, box)
                row = row.adjusted(glyph + px * 0.3, 0, 0, 0)
                if t.online and t.status is not None:
                    painter.setPen(STATUS_COLOURS[t.status].darker(120))
            elif mark == "offline":
                self._paint_offline_glyph(painter, box)
                row = row.adjusted(glyph + px * 0.3, 0, 0, 0)
            elided = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, row.width())
            painter.drawText(
                row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided
            )
            y += line_h

    def _title(self, t: TileInfo, px: float, width: float) -> str:
        """The name when it fits whole, else the station id alone: "C01 Co…" says less."""
        title = f"{t.station} {t.name}"
        if QFontMetricsF(self._font(px, True)).horizontalAdvance(title) > width:
            return t.station
        return title

    def tile_title(self, station_id: str) -> str:
        """The first line of a tile as painted at the current size."""
        px, inner = self._text_box(self.tile_rect(station_id))
        return self._title(self.tile(station_id), px, inner.width())

    @staticmethod
    def _paint_status_glyph(painter: QPainter, t: TileInfo, box: QRectF) -> None:
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
    def _paint_offline_glyph(painter: QPainter, box: QRectF) -> None:
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

    def _paint_bubble(self, painter: QPainter, t: TileInfo, rect: QRectF, scale: float) -> None:
        """The call's label (and age) in a tag above the tile, or below it near the top."""
        top = t.signals[0]
        kind = self.branch.signal_type(top.code)
        colour = priority_colour(kind.priority if kind else 2)
        label = signal_label(self.branch, top.code, self.bridge.lang)
        age = fmt_age(self.bridge.hub_now_ms() - top.raised_ms)
        more = f" +{len(t.signals) - 1}" if len(t.signals) > 1 else ""
        px = min(20.0, max(9.0, 13 * scale))
        font = self._font(px, bold=True)
        metrics = QFontMetricsF(font)
        # As wide as the gap to the neighbours allows: the label is elided before the age.
        max_w = max(rect.width(), (self._room[t.station] - 8) * scale) - px
        tail = (f" {age}" if top.state is SignalState.OPEN else "") + more
        if top.state is not SignalState.OPEN:
            label = f"✓ {label}"
        room = max_w - metrics.horizontalAdvance(tail)
        if room >= metrics.horizontalAdvance("MM…"):
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, room) + tail
        else:  # no room for the label: the age (or the claim mark), then the count
            short = tail.strip() or "✓"
            if metrics.horizontalAdvance(short) > max_w:
                short = age if top.state is SignalState.OPEN else "✓"
            shown = metrics.elidedText(short, Qt.TextElideMode.ElideRight, max_w)
        w = metrics.horizontalAdvance(shown) + px
        h = px * 1.6
        x = rect.center().x() - w / 2
        x = min(max(x, 1.0), self.width() - w - 1)
        y = rect.bottom() + 2  # below the tile: zone labels sit at the zones' tops
        if y + h > self.height() - 1:
            y = rect.top() - h - 2
        bubble = QRectF(x, y, w, h)
        path = QPainterPath()
        path.addRoundedRect(bubble, h / 3, h / 3)
        if t.flashing and not self._phase:
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
