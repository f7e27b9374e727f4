"""FloorMap: the branch floor plan with a live tile per station.

It replaces the teller's half-raised right hand: a station with a call for the viewer
flashes, with the call's label next to it, so the lobby manager sees *which* counter
calls at a glance. Tiles also show who is signed in, the counter's status (glyph, text
and colour, never colour alone) and whether the station is online.

The map builds a :class:`TileInfo` per station from its station model, marks ordered by
the branch's urgency (:func:`app.domain.policy.waiting_first_key`), and leaves the
drawing to widgets.floor_paint.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QToolTip, QWidget

from app.domain import policy
from app.domain.config import Branch
from app.domain.roles import CounterStatus, Role, SignalState
from app.domain.state import CounterRecord, SignalRecord
from widgets.common import (
    fmt_age,
    progress_text,
    reason_label,
    role_text,
    signal_label,
    staff_name,
    status_text,
    tr,
)
from widgets.dialogs import availability_text
from widgets.floor_paint import FloorPainter, TileInfo
from widgets.model import StationModel

__all__ = ["FloorMap", "TileInfo", "counter_status_text"]

TILE_W = 130
"""Widest tile, in floor-plan units (the config's coordinates); narrower where
neighbours stand closer."""
TILE_MIN_W = 60
TILE_H = 80
FLASH_MS = 250
"""Half a flash period: on 250 ms, off 250 ms (2 Hz)."""
REPAINT_MS = 100
"""Changes are coalesced: at most ten rebuilds a second, however busy the branch."""

FlashRule = Callable[[SignalRecord], bool]


def counter_status_text(branch: Branch, rec: CounterRecord, lang: str) -> str:
    """'Open', 'Paused · Meal break', 'Closed': the status with its reason."""
    text = status_text(rec.status)
    if rec.status is CounterStatus.PAUSED and rec.reason:
        return tr("{status} · {reason}").format(
            status=text, reason=reason_label(branch.config.pause_reasons, rec.reason, lang)
        )
    return text


class FloorMap(QWidget):
    """The floor plan, painted from the branch config and the station model's live state.

    Signals:
      station_clicked(str): a station's tile was clicked (station id).

    ``flash_for(signal)`` decides which live signals mark their raiser's tile; by default
    the ones addressed to the viewing station. An unclaimed one flashes (about 2 Hz), a
    claimed one stays marked until it is resolved. ``hide_silent`` keeps only what a
    public screen may show (:meth:`StationModel.may_show`): silent signals never appear.
    Changes are coalesced: one rebuild per ``coalesce_ms`` at most. With
    ``follow_model=False`` the owner calls :meth:`refresh_now` on its own timer.
    """

    station_clicked = Signal(str)

    def __init__(
        self,
        model: StationModel,
        *,
        flash_for: FlashRule | None = None,
        hide_silent: bool = False,
        coalesce_ms: int = REPAINT_MS,
        follow_model: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("floorMap")
        self.model = model
        self.branch = model.branch
        self.flash_for: FlashRule = flash_for or self._addressed_to_me
        self.hide_silent = hide_silent
        self._tiles: dict[str, TileInfo] = {}
        self._rects: dict[str, QRectF] = {}
        self._room = self._horizontal_room()
        self.drawing = FloorPainter(self.branch, self._room)
        self._base: QPixmap | None = None
        self._base_geometry: tuple[object, ...] = ()
        self._base_tiles: dict[str, TileInfo] = {}
        """What the base picture shows of each tile (without marks)."""
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

        if follow_model:
            model.signal_changed.connect(self.mark_dirty)
            model.counter_changed.connect(self.mark_dirty)
            model.presence_changed.connect(self.mark_dirty)
            model.staff_changed.connect(self.mark_dirty)
            model.availability_changed.connect(self.mark_dirty)
            model.state_reset.connect(self.mark_dirty)
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
        return self.drawing.highlight

    def tile_rect(self, station_id: str) -> QRectF:
        """Where the tile of ``station_id`` is drawn, in widget coordinates."""
        self._layout()
        return QRectF(self._rects.get(station_id, QRectF()))

    # Commands ---------------------------------------------------------------------------
    def set_highlight(self, station_id: str | None) -> None:
        """Ring one station (the one the viewer selected elsewhere), or none."""
        if station_id != self.drawing.highlight:
            self.drawing.highlight = station_id
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
        me = self.model.station
        return policy.is_target(sig, me) and not sig.declined_by(me.id)

    def _ensure_fresh(self) -> None:
        if self._dirty:
            self.refresh_now()

    def _on_coalesced(self) -> None:
        if self._dirty:
            self.refresh_now()

    def _build_tiles(self) -> dict[str, TileInfo]:
        model, branch = self.model, self.branch
        state, lang = model.state, model.lang
        marks: dict[str, list[SignalRecord]] = {}
        for sig in state.signals.values():
            if not sig.open:
                continue
            if self.hide_silent and not model.may_show(sig.code, public=True):
                continue
            if self.flash_for(sig):
                marks.setdefault(sig.station, []).append(sig)
        me = model.station.id
        tiles: dict[str, TileInfo] = {}
        for st in branch.config.stations:
            # Waiting calls first, then claimed ones; each in the branch's urgency order.
            sigs = sorted(
                marks.get(st.id, ()), key=lambda s: policy.waiting_first_key(branch, s, me)
            )
            rec = state.counters.get(st.id) if st.role is Role.TELLER else None
            tiles[st.id] = TileInfo(
                station=st.id,
                name=st.name.get(lang),
                role=availability_text(av)  # a wealth manager: whether they can take one
                if (av := state.availability_of(st.id)) is not None
                else role_text(st.role),
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
        self.drawing.phase = not self.drawing.phase
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
        now = self.model.hub_now_ms()
        for sig in t.signals:
            label = signal_label(self.branch, sig.code, self.model.lang)
            progress = progress_text(sig, self.branch, self.model.lang)
            lines.append(f"{label} · {fmt_age(now - sig.raised_ms)} · {progress}")
        return "\n".join(lines)

    def paintEvent(self, _event: QPaintEvent) -> None:
        # Paints the tiles as last built: rebuilding is the coalescing timer's job.
        scale, _dx, _dy = self._transform()
        self._layout()
        self.drawing.lang = self.model.lang
        base = self._base_picture(scale)
        painter = QPainter(self)
        painter.drawPixmap(0, 0, base)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        for st in self.branch.config.stations:  # marked or highlighted tiles: painted live
            if self._is_live(self._tiles[st.id]):
                self.drawing.tile(painter, self._tiles[st.id], self._rects[st.id])
        now, area = self.model.hub_now_ms(), QSizeF(self.size())
        for st in self.branch.config.stations:  # bubbles on top of every tile
            if self._tiles[st.id].signals:
                self.drawing.bubble(
                    painter, self._tiles[st.id], self._rects[st.id], scale, now, area
                )
        painter.end()

    # Painting --------------------------------------------------------------------------
    def _is_live(self, t: TileInfo) -> bool:
        return bool(t.signals) or self.drawing.highlight == t.station

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
        geometry = (self.width(), self.height(), ratio, self.model.lang)
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
                self.drawing.zones(painter, scale, *self._transform()[1:])
                for st in self.branch.config.stations:  # the tile, and neighbours it touches
                    if self._tile_area(self._rects[st.id]).intersects(area):
                        self.drawing.tile(painter, quiet[st.id], self._rects[st.id], ring=False)
                painter.restore()
            painter.end()
            self._base_tiles = quiet
        return self._base

    @staticmethod
    def _tile_area(rect: QRectF) -> QRectF:
        """A tile's rectangle with room for its border and highlight ring."""
        grow = max(3.0, rect.height() * 0.08) + max(2.0, rect.height() * 0.05) + 2
        return rect.adjusted(-grow, -grow, grow, grow)

    def bubble_text(self, station_id: str) -> list[str]:
        """The lines of a station's bubble as painted at the current size ([]: none)."""
        t = self.tile(station_id)
        if not t.signals:
            return []
        scale, _dx, _dy = self._transform()
        self._layout()
        rect = self._rects[station_id]
        return self.drawing.bubble_lines(t, rect, scale, self.model.hub_now_ms())[0]

    def tile_rows(self, station_id: str) -> list[str]:
        """A tile's rows of text as painted at the current size (before any are dropped)."""
        px, inner = self.drawing.text_box(self.tile_rect(station_id))
        return [
            text
            for text, _bold, _glyph in self.drawing.tile_rows(
                self.tile(station_id), px, inner.width()
            )
        ]

    def tile_title(self, station_id: str) -> str:
        """The first line of a tile as painted at the current size."""
        px, inner = self.drawing.text_box(self.tile_rect(station_id))
        return self.drawing.title(self.tile(station_id), px, inner.width())
