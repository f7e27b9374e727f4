"""BoardView: the branch head's live board, readable from across the room.

Floor map with a tile per station, the open signals with their ages, a banner for
escalated calls nobody has claimed, and today's KPIs. It never rebuilds per event:
model signals only mark it dirty and a timer refreshes at most four times a second,
so a burst of a thousand events a second costs a handful of repaints.

``public=True`` is the big-screen mode: silent signals (duress) never appear, not even
in a count. On the head's own board a duress nobody has acknowledged is the pinned band
of :class:`widgets.duress_alarm.DuressAlarm` above every tab; once claimed, an alarm line
says who is handling it; never in the list or on the map. What may show where is the branch's audience rule
(:meth:`StationModel.may_show`); the list is in the branch's urgency order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import policy
from app.domain.kpi import Kpis, today_kpis
from app.domain.roles import ENROLLERS, SignalState
from app.domain.state import SignalRecord
from app.domain.timeday import local_time
from widgets.common import fmt_age, progress_text, role_text, signal_label, tr
from widgets.duress_alarm import DuressAlarm
from widgets.enrolment import EnrolmentPanel
from widgets.floormap import FloorMap
from widgets.hub_health import HubHealthLabel
from widgets.model import ReportRenderer, StationModel
from widgets.open_signals import OpenSignalsModel, SignalCell, who_text
from widgets.plain import plain_labels

if TYPE_CHECKING:
    from widgets.reports import ReportPanel

REFRESH_MS = 250
"""The board rebuilds at most four times a second, however many events arrive."""
TICKS_PER_SECOND = 1000 // REFRESH_MS
MAX_BANNER_LINES = 2
"""Lines of the escalation strip: it always has this height, so the map never jumps or
shrinks as calls escalate; more calls than lines end in "… and n more"."""
MAX_ALARM_LINES = 3


ESCALATION_STRIP = (
    "background: #ffebee; color: #b71c1c; border: 2px solid #c62828;"
    " padding: 2px 10px; border-radius: 4px;"
)
CALM_STRIP = (
    "background: #f5f7f8; color: #607d8b; border: 2px solid #e0e6e9;"
    " padding: 2px 10px; border-radius: 4px;"
)


def _duration(seconds: float | None) -> str:
    return "—" if seconds is None else fmt_age(round(seconds * 1000))


class KpiTile(QFrame):
    """A caption and a big number."""

    def __init__(self, key: str, caption: str, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"kpi_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"#kpi_{key} {{ background: #ffffff; border-radius: 6px; }}")
        self.setToolTip(tip)
        self.caption = QLabel(caption, self)
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #546e7a;")
        self.value = QLabel("—", self)
        self.value.setObjectName(f"kpi_{key}_value")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        plain_labels(self)

    def set_value(self, text: str, alert: bool = False) -> None:
        self.value.setText(text)
        self.value.setStyleSheet("color: #c62828;" if alert else "color: #263238;")


class BoardView(QWidget):
    """The branch head's live board over a StationModel (no signals of its own)."""

    shows_clock = True
    """The board has its own big clock: the station window shows no second one."""

    def __init__(
        self,
        model: StationModel,
        public: bool = False,
        renderer: ReportRenderer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("boardView")
        self.model = model
        self.public = public or model.station.public
        self.renderer = renderer
        """Turns a report into an exported file's text (None: no exports here)."""
        self.kpis: Kpis | None = None
        self._dirty = True
        self._ticks = 0
        self._font_px = 0
        self._escalated: list[SignalRecord] = []
        self._alarms: list[SignalRecord] = []
        self._open_count = 0

        self.title = QLabel(self)
        self.title.setObjectName("boardTitle")
        self.clock = QLabel(self)
        self.clock.setObjectName("boardClock")
        self.connection = QLabel(self)
        self.connection.setObjectName("connectionLabel")

        self.alarm = QLabel(self)
        self.alarm.setObjectName("alarmBanner")
        self.alarm.setStyleSheet(
            "background: #b71c1c; color: white; padding: 6px 10px; border-radius: 4px;"
        )
        self.alarm.setWordWrap(False)
        self.alarm.hide()
        self.escalation = QLabel(self)
        self.escalation.setObjectName("escalationBanner")
        self.escalation.setStyleSheet(ESCALATION_STRIP)
        # One line a call, elided to the width: a fixed strip that never grows.
        self.escalation.setWordWrap(False)
        self.escalation.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        # The board drives the map from its own timer, so both change together.
        self.map = FloorMap(
            model, flash_for=lambda _sig: True, hide_silent=True, follow_model=False
        )
        self.open_model = OpenSignalsModel(model, self)
        # A list of stacked cells, not a table: four columns cannot be read in the
        # width the map leaves, neither in a 640 px window nor across the room.
        self.open_list = QListView(self)
        self.open_list.setObjectName("openSignals")
        self.open_list.setModel(self.open_model)
        self.cell = SignalCell(self.open_model, self)
        self.open_list.setItemDelegate(self.cell)
        self.open_list.setUniformItemSizes(True)  # cheap layout, however many rows
        self.open_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.open_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.open_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.open_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.open_list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.open_list.setAccessibleName(tr("Open signals"))
        self.list_title = QLabel(self)
        self.list_title.setObjectName("openTitle")

        self.tiles: dict[str, KpiTile] = {}
        for key, caption, tip in (
            ("signals", tr("Signals today"), tr("Signals raised since midnight")),
            ("open", tr("Open now"), tr("Signals open now: the ones listed beside")),
            ("ack_median", tr("Median time to claim"), tr("Half the calls were claimed faster")),
            ("ack_p90", tr("90% claimed within"), tr("Nine calls in ten were claimed faster")),
            ("escalations", tr("Escalated"), tr("Calls that went up the ladder today")),
            ("offered", tr("Handoffs"), tr("Referrals and VIP arrivals handed over today")),
            ("accepted", tr("Accepted"), tr("Handoffs a wealth manager took on")),
            ("declined", tr("Declined"), tr("Handoffs declined at least once")),
            ("served", tr("Served"), tr("Handoffs that ended with the customer served")),
            ("no_show", tr("No-show"), tr("Handoffs where the customer did not come")),
            ("paused", tr("Counters paused"), tr("Counters paused right now")),
            ("closed", tr("Counters closed"), tr("Counters closed right now")),
        ):
            self.tiles[key] = KpiTile(key, caption, tip, self)
        self.kpi_panel = QWidget(self)
        self.kpi_panel.setObjectName("kpiPanel")
        self.kpi_grid = QGridLayout(self.kpi_panel)
        self.kpi_grid.setContentsMargins(0, 0, 0, 0)
        self.kpi_grid.setSpacing(6)
        self._kpi_columns = 0
        self._layout_kpis(len(self.tiles))

        # How the hub keeps (disk, last write, clock): for whoever looks after the branch.
        self.health = HubHealthLabel(model, self)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.health)
        top.addSpacing(12)
        top.addWidget(self.connection)
        top.addSpacing(12)
        top.addWidget(self.clock)
        side = QWidget(self)
        sv = QVBoxLayout(side)
        sv.setContentsMargins(0, 0, 0, 0)
        sv.setSpacing(4)
        sv.addWidget(self.list_title)
        sv.addWidget(self.open_list, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("boardSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.map)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        # A duress, on the head's own board only: pinned above every tab until acknowledged.
        self.duress: DuressAlarm | None = None
        if not self.public:
            self.duress = DuressAlarm(model, self)
            layout.addWidget(self.duress)
        live = QWidget(self)
        live.setObjectName("livePage")
        lv = QVBoxLayout(live)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.setSpacing(6)
        lv.addWidget(self.alarm)
        lv.addWidget(self.escalation)
        lv.addWidget(self.splitter, 1)
        lv.addWidget(self.kpi_panel)
        # A screen others can see shows the live board only; the branch head's own
        # screen adds today's figures and the reports, built when first opened.
        self.tabs: QTabWidget | None = None
        self.today_panel: ReportPanel | None = None
        self.reports_panel: ReportPanel | None = None
        self.enrolment_panel: EnrolmentPanel | None = None
        if self.public:
            layout.addWidget(live, 1)
        else:
            self.tabs = QTabWidget(self)
            self.tabs.setObjectName("boardTabs")
            self.tabs.setDocumentMode(True)
            self.tabs.addTab(live, tr("Live"))
            self.tabs.addTab(QWidget(self), tr("Today"))
            self.tabs.addTab(QWidget(self), tr("Reports"))
            if model.station.role in ENROLLERS:  # the branch head's own screen only
                self.enrolment_panel = EnrolmentPanel(model, self)
                self.tabs.addTab(self.enrolment_panel, tr("Station PCs"))
            self.tabs.currentChanged.connect(self._on_tab)
            layout.addWidget(self.tabs, 1)
        self._retitle()
        self.setStyleSheet("#boardView { background: #eceff1; }")
        self.setAutoFillBackground(True)

        self._split_timer = QTimer(self)
        self._split_timer.setSingleShot(True)
        self._split_timer.setInterval(0)
        self._split_timer.timeout.connect(self._split)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._on_timer)
        self._timer.start()
        model.signal_changed.connect(self._mark_dirty)
        model.counter_changed.connect(self._mark_dirty)
        model.presence_changed.connect(self._mark_dirty)
        model.staff_changed.connect(self._mark_dirty)
        model.state_reset.connect(self._mark_dirty)
        model.key_shared.connect(self._mark_dirty)
        model.connection_changed.connect(self._on_connection_changed)
        self._on_connection_changed(model.connected)
        self._apply_scale()
        self.refresh_now()
        plain_labels(self)

    def show_page(self, page: str) -> ReportPanel | None:
        """Switch to "live", "today", "reports" or "enrolment" (the branch head's); the
        report panel shown, if any."""
        if self.tabs is None:
            return None
        self.tabs.setCurrentIndex(("live", "today", "reports", "enrolment").index(page))
        return {"today": self.today_panel, "reports": self.reports_panel}.get(page)

    def _on_tab(self, index: int) -> None:
        assert self.tabs is not None
        if index == 1 and self.today_panel is None:
            self.today_panel = self._panel(index, today=True)
        elif index == 2 and self.reports_panel is None:
            self.reports_panel = self._panel(index, today=False)
        self._retitle()

    def _retitle(self) -> None:
        """The title names the page shown: "Live board" only over the live board (it read
        实时看板 over today's figures and the reports)."""
        name = self.model.branch.config.branch.name.get(self.model.lang)
        index = self.tabs.currentIndex() if self.tabs is not None else 0
        if index <= 0 or self.tabs is None:
            self.title.setText(tr("{branch} · Live board").format(branch=name))
        else:
            page = self.tabs.tabText(index)
            self.title.setText(tr("{branch} · {page}").format(branch=name, page=page))

    def _panel(self, index: int, today: bool) -> ReportPanel:
        """Build a report panel in place of its tab's placeholder (QtCharts loads here,
        not at start: the live board's first frame does not wait for it)."""
        from widgets.reports import ReportPanel

        assert self.tabs is not None
        panel = ReportPanel(self.model, today=today, renderer=self.renderer)
        placeholder = self.tabs.widget(index)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, panel, tr("Today") if today else tr("Reports"))
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        if placeholder is not None:
            placeholder.deleteLater()
        return panel

    # Queries ------------------------------------------------------------------------------
    def open_signal_ids(self) -> list[int]:
        """Ids in the open-signals list, top to bottom (as of the last refresh)."""
        return [s.id for s in self.open_model.rows]

    def row_lines(self, row: int) -> tuple[str, str, str, str]:
        """Row ``row`` of the open signals as painted: (signal, age, from, progress)."""
        width = self.open_list.viewport().width()
        return self.cell.shown(self.open_model.rows[row], self.open_list.font(), width)

    def escalated_ids(self) -> list[int]:
        """Ids in the escalation banner (as of the last refresh)."""
        return [s.id for s in self._escalated]

    def alarm_ids(self) -> list[int]:
        """Silent signals shown as an alarm (never on a public board): in the pinned band
        until acknowledged (:attr:`duress`), then as an alarm line saying who took it."""
        return [s.id for s in self._alarms]

    # Refresh ----------------------------------------------------------------------------
    def refresh_now(self) -> None:
        """Rebuild everything from the model's state at once (the timer does this when dirty)."""
        self._dirty = False
        model = self.model
        state, branch = model.state, model.branch
        now = model.hub_now_ms()
        shown: list[SignalRecord] = []
        alarms: list[SignalRecord] = []
        for sig in state.signals.values():
            if not sig.open:
                continue
            if model.may_show(sig.code, public=True):  # anyone may read it: listed
                shown.append(sig)
            elif not self.public and model.may_show(sig.code):  # private: an alarm
                alarms.append(sig)
        shown = policy.by_urgency(branch, shown)
        self.open_model.set_rows(shown, now)
        self.list_title.setText(tr("Open signals · %n", "", len(shown)))
        # "Open now" counts exactly the list: the day's KPI counted silent alarms (shown
        # in their band) and left out calls still open from before midnight, so the two
        # numbers side by side disagreed (当前未结 12 beside 未结事项 · 11).
        self._open_count = len(shown)
        self._escalated = sorted(
            (s for s in shown if s.level and s.state is SignalState.OPEN),
            key=lambda s: s.raised_ms,
        )
        self._alarms = sorted(alarms, key=lambda s: s.raised_ms)
        self.kpis = today_kpis(state, now, include_silent=not self.public)
        self._show_kpis(self.kpis)
        self._show_banners(now)
        self._show_clock(now)
        self.map.refresh_now()

    def _show_banners(self, now: int) -> None:
        branch, lang = self.model.branch, self.model.lang
        lines = []
        narrow = self.width() < 900  # one line per call: the ladder only when there is room
        shown = (
            self._escalated
            if len(self._escalated) <= MAX_BANNER_LINES
            else self._escalated[: MAX_BANNER_LINES - 1]
        )
        for sig in shown:
            values = {
                "signal": signal_label(branch, sig.code, lang),
                "who": who_text(branch, sig, lang),
                "age": fmt_age(now - sig.raised_ms),
            }
            if narrow:
                line = tr("Escalated: {signal} · {who} · waiting {age}").format(**values)
            else:
                roles = " → ".join(role_text(role) for _level, role, _ts in sig.escalations)
                line = tr("Escalated: {signal} · {who} · waiting {age} · now with {roles}").format(
                    roles=roles or "—", **values
                )
            lines.append("▲ " + line)
        if len(self._escalated) > len(shown):
            more = len(self._escalated) - len(shown)
            lines.append(tr("… and %n more escalated", "", more))
        calm = not lines
        if calm:
            lines = ["✓ " + tr("No call is waiting past its deadline")]
        if calm != self.escalation.property("calm"):
            self.escalation.setProperty("calm", calm)
            self.escalation.setStyleSheet(CALM_STRIP if calm else ESCALATION_STRIP)
        self.escalation.setText("\n".join(self._elided(self.escalation, lines)))
        alarms = []
        if self.duress is not None:
            self.duress.refresh()
        for sig in self._alarms:
            if sig.state is SignalState.OPEN and self.duress is not None:
                continue  # nobody acknowledged it yet: the pinned band shows it
            alarms.append(
                "⚠ "
                + tr("ALARM: {signal} · {who} · {age}").format(
                    signal=signal_label(branch, sig.code, lang),
                    who=who_text(branch, sig, lang),
                    age=fmt_age(now - sig.raised_ms),
                )
                + (f" · {progress_text(sig, branch, lang)}" if sig.acked_station else "")
            )
        if not self.public:  # a copied or stolen key: the branch head acts on it
            for station, addresses in sorted(self.model.state.shared_keys.items()):
                found = branch.station(station)
                alarms.append(
                    "⚠ "
                    + tr(
                        "The key of {station} is in use from {first} and {second}: one key "
                        "on two PCs? Revoke it and enrol the PC again unless it moved."
                    ).format(
                        station=found.name.get(lang) if found else station,
                        first=addresses[0] if addresses else "?",
                        second=addresses[-1] if addresses else "?",
                    )
                )
        if len(alarms) > MAX_ALARM_LINES:
            more = len(alarms) - (MAX_ALARM_LINES - 1)
            alarms = alarms[: MAX_ALARM_LINES - 1]
            alarms.append(tr("… and %n more alarms", "", more))
        self.alarm.setText("\n".join(self._elided(self.alarm, alarms)))
        if self.alarm.isHidden() == bool(alarms):
            self._split_timer.start()
        self.alarm.setVisible(bool(alarms))

    def _elided(self, label: QLabel, lines: list[str]) -> list[str]:
        """``lines`` cut with "…" to the label's width: a banner line never wraps (a wrapped
        banner grows and takes the map's height). The full text is the tooltip."""
        label.setToolTip("\n".join(lines))
        width = max(50, (self.width() or 640) - 60)
        metrics = QFontMetrics(label.font())
        return [metrics.elidedText(x, Qt.TextElideMode.ElideRight, width) for x in lines]

    def escalation_lines(self) -> list[str]:
        """The escalation strip's lines as shown (a calm line when nothing escalated)."""
        return self.escalation.text().split("\n")

    def _show_kpis(self, k: Kpis) -> None:
        t = self.tiles
        t["signals"].set_value(str(k.signals))
        t["open"].set_value(str(self._open_count))
        t["ack_median"].set_value(_duration(k.ack_median_s))
        t["ack_p90"].set_value(_duration(k.ack_p90_s))
        t["escalations"].set_value(str(k.escalations), alert=k.escalations > 0)
        t["offered"].set_value(str(k.handoffs_offered))
        t["accepted"].set_value(str(k.handoffs_accepted))
        t["declined"].set_value(str(k.handoffs_declined))
        t["served"].set_value(str(k.handoffs_served))
        t["no_show"].set_value(str(k.handoffs_no_show))
        t["paused"].set_value(str(k.paused_counters), alert=k.paused_counters > 0)
        t["closed"].set_value(str(k.closed_counters))

    def _show_clock(self, now: int) -> None:
        self.clock.setText(local_time(now, self.model.branch.timezone).strftime("%H:%M:%S"))

    # Slots ----------------------------------------------------------------------------------
    def _mark_dirty(self, *_args: object) -> None:
        self._dirty = True

    def _on_timer(self) -> None:
        self._ticks += 1
        if self._dirty:
            self.refresh_now()
            return
        if self._ticks % TICKS_PER_SECOND == 0:  # ages, banners and the clock move on
            now = self.model.hub_now_ms()
            self.open_model.tick(now)
            self._show_banners(now)
            self._show_clock(now)
            self.health.refresh()

    def _on_connection_changed(self, up: bool) -> None:
        if up:
            self.connection.setText("● " + tr("Connected"))
            self.connection.setStyleSheet("color: #2e7d32;")
        else:
            self.connection.setText("⚠ " + tr("Hub unreachable · last known state"))
            self.connection.setStyleSheet("color: #c62828;")

    # Layout and fonts -----------------------------------------------------------------------
    def _layout_kpis(self, columns: int) -> None:
        if columns == self._kpi_columns:
            return
        self._kpi_columns = columns
        for tile in self.tiles.values():
            self.kpi_grid.removeWidget(tile)
        for i, tile in enumerate(self.tiles.values()):
            self.kpi_grid.addWidget(tile, i // columns, i % columns)
        for c in range(len(self.tiles)):
            self.kpi_grid.setColumnStretch(c, 1 if c < columns else 0)

    def _apply_scale(self) -> None:
        """Fonts follow the window: about 24 px on a 1920×1080 screen, 11 px at the least."""
        scale = min(self.width() / 1920, self.height() / 1080)
        px = max(11, min(30, round(24 * scale)))
        columns = len(self.tiles) if self.width() >= 1400 else 6 if self.width() >= 560 else 4
        self._layout_kpis(columns)
        if px == self._font_px:
            return
        self._font_px = px
        base = QFont(self.font())
        base.setPixelSize(px)
        self.setFont(base)
        for label, factor, bold in (
            (self.title, 1.35, True),
            (self.clock, 1.35, True),
            (self.connection, 0.9, False),
            (self.list_title, 1.05, True),
            (self.alarm, 1.25, True),
            (self.escalation, 1.1, True),
        ):
            font = QFont(base)
            font.setPixelSize(round(px * factor))
            font.setBold(bold)
            label.setFont(font)
        strip = QFontMetrics(self.escalation.font())
        self.escalation.setFixedHeight(strip.lineSpacing() * MAX_BANNER_LINES + 10)
        for tile in self.tiles.values():
            small = QFont(base)
            small.setPixelSize(max(10, round(px * 0.75)))
            tile.caption.setFont(small)
            big = QFont(base)
            big.setPixelSize(round(px * 1.7))
            big.setBold(True)
            tile.value.setFont(big)
        self.open_list.setFont(base)

    def _split(self) -> None:
        """Give the map the width its aspect ratio can use; the list gets the rest."""
        total = self.splitter.width() - self.splitter.handleWidth()
        fw, fh = self.model.branch.config.branch.floor_size
        wanted = self.splitter.height() * fw / fh + 8
        # A narrow board leaves the list a little more: its rows must stay readable.
        map_w = int(min(wanted, total * (0.68 if self.width() >= 1200 else 0.6)))
        self.splitter.setSizes([map_w, max(1, total - map_w)])

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._apply_scale()
        super().resizeEvent(event)
        self._split_timer.start()  # once the layout has placed the splitter
