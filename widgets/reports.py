"""The board's "Today" and "Reports" views: the branch's measures as charts and a table.

The numbers come from the hub (``StationBridge.request_report``): the very report that
``lobbylink report --format json`` prints, so the board, the CLI and the exported files
agree. Charts (QtCharts): hourly load, time to claim against each type's deadline, and
the handoff funnel. Exports (CSV, HTML) ask the hub afresh and write the file on a
worker thread behind a progress dialog, so the window never freezes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QMargins, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.client.bridge import StationBridge
from app.domain.timeday import local_time
from widgets.common import signal_label, staff_name, station_name, tr

GROUPINGS = ("type", "station", "staff", "hour")
MAX_DAYS = 366
"""The longest range the hub answers at once (a year)."""
TODAY_REFRESH_MS = 60_000
CHUNK = 64 * 1024
EXPORT_DIR_KEY = "reports/export_dir"
FORMATS = {"csv": ("CSV (*.csv)", ".csv"), "html": ("HTML (*.html)", ".html")}

OPEN_HOUR, CLOSE_HOUR = 8, 18
"""The hourly chart always shows 8:00 to 18:59, and any other hour with a signal."""
FUNNEL = ("offered", "accepted", "served", "no_show", "declined")


def grouping_text(by: str) -> str:
    return {
        "type": tr("Signal type"),
        "station": tr("Raised at"),
        "staff": tr("Responder"),
        "hour": tr("Hour"),
    }.get(by, by)


def funnel_text(step: str) -> str:
    return {
        "offered": tr("Offered"),
        "accepted": tr("Accepted"),
        "served": tr("Served"),
        "no_show": tr("No-show"),
        "declined": tr("Declined"),
    }[step]


def seconds_text(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 60:
        return tr("{n} s").format(n=f"{value:.1f}")
    minutes, secs = divmod(round(value), 60)
    return tr("{m} min {s} s").format(m=minutes, s=secs)


def failure_text(code: str, reason: str) -> str:
    headline = {
        "not_sent": tr("The hub is not reachable"),
        "timeout": tr("The hub did not answer in time"),
        "busy": tr("The hub is busy with other reports; try again in a moment"),
        "forbidden": tr("This station may not see reports"),
        "too_long": tr("At most 366 days at a time"),
    }.get(code, tr("The report could not be made"))
    return f"{headline} ({reason})" if reason and code not in ("not_sent", "too_long") else headline


@dataclass
class _Export:
    msg_id: str
    path: Path
    fmt: str
    dialog: QProgressDialog
    cancelled: threading.Event


class _Writer(QObject):
    """Signals from the export thread (delivered queued, on the UI thread)."""

    progress = Signal(int)
    done = Signal(str)
    failed = Signal(str)


def write_text_file(
    path: Path,
    text: str,
    cancelled: threading.Event,
    progress: Callable[[int], None] | None = None,
) -> bool:
    """Write ``text`` next to ``path`` and move it into place; False if cancelled.

    Never leaves half a file at ``path``: a failed or cancelled write removes the
    temporary file and keeps whatever was at ``path`` before.
    """
    data = text.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for start in range(0, max(len(data), 1), CHUNK):
                if cancelled.is_set():
                    raise InterruptedError
                out.write(data[start : start + CHUNK])
                if progress is not None:
                    progress(min(100, (start + CHUNK) * 100 // max(len(data), 1)))
            out.flush()
            os.fsync(out.fileno())
        if cancelled.is_set():
            return False
        os.replace(tmp, path)
        return True
    except InterruptedError:
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


class ReportPanel(QWidget):
    """One report on screen. ``today``: fixed to the branch's today, refreshed every
    minute while visible; otherwise a date range picker and a Show button."""

    def __init__(self, bridge: StationBridge, today: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.today_mode = today
        self.setObjectName("todayPanel" if today else "reportsPanel")
        self.data: dict[str, Any] | None = None
        """The report on screen, exactly as the hub sent it."""
        self._pending = ""
        self._export: _Export | None = None
        self._writer: _Writer | None = None
        self.settings: QSettings | None = None
        """Where the export folder is remembered (None: the application's settings)."""

        controls = QHBoxLayout()
        controls.setSpacing(6)
        self.range_label = QLabel(self)
        self.range_label.setObjectName("reportRange")
        self.preset = QComboBox(self)
        self.preset.setObjectName("reportPreset")
        self.first = QDateEdit(self)
        self.first.setObjectName("reportFrom")
        self.last = QDateEdit(self)
        self.last.setObjectName("reportTo")
        for edit, name in ((self.first, tr("From")), (self.last, tr("To"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
        self.by = QComboBox(self)
        self.by.setObjectName("reportBy")
        self.by.setAccessibleName(tr("Group by"))
        for key in GROUPINGS:
            self.by.addItem(grouping_text(key), key)
        self.show_button = QPushButton(tr("Show"), self)
        self.show_button.setObjectName("reportShow")
        self.show_button.setDefault(True)
        self.export_csv = QPushButton(tr("Export CSV…"), self)
        self.export_csv.setObjectName("exportCsv")
        self.export_html = QPushButton(tr("Export HTML…"), self)
        self.export_html.setObjectName("exportHtml")
        if today:
            self.show_button.setText(tr("Refresh"))
            controls.addWidget(self.range_label)
            for hidden in (self.preset, self.first, self.last):
                hidden.hide()
        else:
            for key, text in (
                ("today", tr("Today")),
                ("yesterday", tr("Yesterday")),
                ("week", tr("Last 7 days")),
                ("month", tr("This month")),
                ("last_month", tr("Last month")),
                ("custom", tr("Chosen days")),
            ):
                self.preset.addItem(text, key)
            self.range_label.hide()
            controls.addWidget(self.preset)
            controls.addWidget(QLabel(tr("From"), self))
            controls.addWidget(self.first)
            controls.addWidget(QLabel(tr("to"), self))
            controls.addWidget(self.last)
        controls.addSpacing(12)
        controls.addWidget(QLabel(tr("Group by"), self))
        controls.addWidget(self.by)
        controls.addWidget(self.show_button)
        controls.addStretch(1)
        controls.addWidget(self.export_csv)
        controls.addWidget(self.export_html)

        self.status = QLabel(self)
        self.status.setObjectName("reportStatus")
        self.status.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setObjectName("reportSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 15px;")

        self.hourly_chart = self._chart(tr("Signals per hour"))
        self.response_chart = self._chart(tr("Time to claim vs deadline (s)"))
        self.funnel_chart = self._chart(tr("Handoffs"))
        self.views: list[QChartView] = []
        charts = QHBoxLayout()
        charts.setSpacing(6)
        for chart, stretch in (
            (self.hourly_chart, 3),
            (self.response_chart, 2),
            (self.funnel_chart, 2),
        ):
            view = QChartView(chart, self)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(220)
            self.views.append(view)
            charts.addWidget(view, stretch)

        self.table = QTableWidget(self)
        self.table.setObjectName("reportTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAlternatingRowColors(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        layout.addLayout(charts, 3)
        layout.addWidget(self.table, 2)

        self._refresh = QTimer(self)
        self._refresh.setInterval(TODAY_REFRESH_MS)
        self._refresh.timeout.connect(self.request)
        self.preset.activated.connect(self._on_preset)
        self.first.userDateChanged.connect(self._on_dates_edited)
        self.last.userDateChanged.connect(self._on_dates_edited)
        self.show_button.clicked.connect(self.request)
        self.export_csv.clicked.connect(lambda: self.export("csv"))
        self.export_html.clicked.connect(lambda: self.export("html"))
        bridge.report_ready.connect(self._on_ready)
        bridge.report_failed.connect(self._on_failed)
        self._set_preset("today" if today else "week")
        self._show_empty()

    # The range -------------------------------------------------------------------------
    def today(self) -> date:
        """The branch's today, on the hub's clock and in the branch's time zone."""
        return local_time(self.bridge.hub_now_ms(), self.bridge.branch.timezone).date()

    def set_range(self, first: date, last: date) -> None:
        self.first.setDate(QDate(first.year, first.month, first.day))
        self.last.setDate(QDate(last.year, last.month, last.day))
        self.preset.setCurrentIndex(self.preset.findData("custom"))

    def chosen(self) -> tuple[date, date]:
        if self.today_mode:
            today = self.today()
            return today, today
        return self.first.date().toPython(), self.last.date().toPython()  # type: ignore[return-value]

    def grouping(self) -> str:
        return str(self.by.currentData())

    def _set_preset(self, key: str) -> None:
        today = self.today()
        first, last = today, today
        if key == "yesterday":
            first = last = today - timedelta(days=1)
        elif key == "week":
            first = today - timedelta(days=6)
        elif key == "month":
            first = today.replace(day=1)
        elif key == "last_month":
            last = today.replace(day=1) - timedelta(days=1)
            first = last.replace(day=1)
        for edit, day in ((self.first, first), (self.last, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)
        self.preset.setCurrentIndex(self.preset.findData(key))
        self.range_label.setText(tr("Today, {day}").format(day=today.isoformat()))

    def _on_preset(self, _index: int) -> None:
        key = str(self.preset.currentData())
        if key != "custom":
            self._set_preset(key)
            self.request()

    def _on_dates_edited(self, _day: QDate) -> None:
        self.preset.setCurrentIndex(self.preset.findData("custom"))

    def _check_range(self) -> tuple[date, date] | None:
        first, last = self.chosen()
        if last < first:
            self._say(tr("The range ends before it starts: pick a later end day."), error=True)
            return None
        if (last - first).days + 1 > MAX_DAYS:
            self._say(tr("At most 366 days at a time: shorten the range."), error=True)
            return None
        return first, last

    # Asking the hub ----------------------------------------------------------------------
    def request(self) -> str:
        """Ask the hub for the chosen range; the answer replaces what is shown."""
        if self.today_mode:
            self._set_preset("today")
        chosen = self._check_range()
        if chosen is None:
            return ""
        self._say(tr("Asking the hub…"))
        self._pending = self.bridge.request_report(*chosen, self.grouping())
        return self._pending

    @property
    def waiting(self) -> bool:
        return bool(self._pending)

    def _on_ready(self, msg_id: str, data: object) -> None:
        if self._export is not None and msg_id == self._export.msg_id:
            assert isinstance(data, dict)
            self._write_export(data)
            return
        if msg_id != self._pending:
            return
        self._pending = ""
        assert isinstance(data, dict)
        self.show_report(data)

    def _on_failed(self, msg_id: str, code: str, reason: str) -> None:
        if self._export is not None and msg_id == self._export.msg_id:
            self._end_export(tr("Export failed: {why}").format(why=failure_text(code, reason)))
            return
        if msg_id != self._pending:
            return
        self._pending = ""
        self._say(failure_text(code, reason), error=True)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet("color: #b71c1c;" if error else "color: #455a64;")
        self.status.setText(text)

    # Showing --------------------------------------------------------------------------------
    def _chart(self, title: str) -> QChart:
        chart = QChart()
        chart.setTitle(title)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        return chart

    def _key_text(self, by: str, key: str) -> str:
        branch, lang = self.bridge.branch, self.bridge.lang
        if key == "-":
            return tr("Nobody")
        if by == "type":
            return signal_label(branch, key, lang)
        if by == "station":
            return station_name(branch, key, lang)
        if by == "staff":
            name = staff_name(branch, key, lang)
            return station_name(branch, key, lang) if name == key else name
        if by == "hour":
            return f"{key}:00"
        return key

    def _show_empty(self) -> None:
        self.summary.setText(tr("No report yet."))
        for chart in (self.hourly_chart, self.response_chart, self.funnel_chart):
            chart.removeAllSeries()
            for axis in chart.axes():
                chart.removeAxis(axis)

    def show_report(self, data: dict[str, Any]) -> None:
        """Put a report (as the hub sends it) on screen: summary, charts, table."""
        self.data = data
        total = data["total"]
        if data["first_day"] == data["last_day"]:
            span = data["first_day"]
        else:
            span = tr("{first} to {last}").format(first=data["first_day"], last=data["last_day"])
        self._say(tr("{span}: figures from the hub's journal").format(span=span))
        conversion = data["handoffs"]["conversion"]
        self.summary.setText(
            " · ".join(
                (
                    tr("Signals {n}").format(n=total["signals"]),
                    tr("Claimed {n}").format(n=total["acknowledged"]),
                    tr("Median to claim {t}").format(t=seconds_text(total["ack"]["p50_s"])),
                    tr("90% claimed within {t}").format(t=seconds_text(total["ack"]["p90_s"])),
                    tr("Unanswered {n}").format(n=total["unanswered"]),
                    tr("Escalated {n}").format(n=total["escalated"]),
                    tr("Handoff conversion {p}").format(
                        p="—" if conversion is None else f"{conversion * 100:.1f}%"
                    ),
                )
            )
        )
        self._show_hourly([int(v) for v in data["hourly"]])
        self._show_response(data["deadlines"])
        self._show_funnel(data["handoffs"])
        self._show_table(data)

    def _bars(
        self,
        chart: QChart,
        categories: list[str],
        sets: list[tuple[str, list[float], str]],
        horizontal: bool = False,
    ) -> None:
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        series = QHorizontalBarSeries() if horizontal else QBarSeries()
        top = 0.0
        for label, values, colour in sets:
            bar = QBarSet(label)
            bar.setColor(QColor(colour))
            bar.append([float(v) for v in values])
            series.append(bar)
            top = max(top, *values, 0.0)
        chart.addSeries(series)
        names = QBarCategoryAxis()
        names.append(categories)
        small = names.labelsFont()
        small.setPointSizeF(max(6.0, small.pointSizeF() - 1))
        names.setLabelsFont(small)
        values_axis = QValueAxis()
        values_axis.setRange(0, top * 1.1 if top else 1)
        values_axis.setLabelFormat("%d")
        values_axis.applyNiceNumbers()
        if horizontal:
            chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(values_axis, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(names, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(values_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(names)
        series.attachAxis(values_axis)
        chart.legend().setVisible(len(sets) > 1)

    def hours_shown(self, hourly: list[int]) -> range:
        """The opening hours, widened to any hour with a signal: 24 bars do not fit."""
        busy = [h for h, n in enumerate(hourly) if n]
        return range(min([OPEN_HOUR, *busy]), max([CLOSE_HOUR, *busy]) + 1)

    def _show_hourly(self, hourly: list[int]) -> None:
        hours = self.hours_shown(hourly)
        self._bars(
            self.hourly_chart,
            [str(h) for h in hours],
            [(tr("Signals"), [float(hourly[h]) for h in hours], "#1565c0")],
        )

    def _show_response(self, deadlines: list[dict[str, Any]]) -> None:
        codes = [self._key_text("type", d["code"]) for d in deadlines]
        self._bars(
            self.response_chart,
            codes,
            [
                (tr("Median"), [d["p50_s"] or 0.0 for d in deadlines], "#64b5f6"),
                (tr("90%"), [d["p90_s"] or 0.0 for d in deadlines], "#ef6c00"),
                (tr("Deadline"), [float(d["deadline_s"]) for d in deadlines], "#c62828"),
            ],
        )

    def _show_funnel(self, handoffs: dict[str, Any]) -> None:
        steps = list(reversed(FUNNEL))  # a horizontal series draws bottom-up: offered on top
        self._bars(
            self.funnel_chart,
            [funnel_text(s) for s in steps],
            [(tr("Handoffs"), [float(handoffs[s]) for s in steps], "#2e7d32")],
            horizontal=True,
        )

    def _show_table(self, data: dict[str, Any]) -> None:
        by = data["by"]
        columns = (
            grouping_text(by),
            tr("Signals"),
            tr("Claimed"),
            tr("Median to claim"),
            tr("90% within"),
            tr("Longest to claim"),
            tr("Median to resolve"),
            tr("Escalated"),
            tr("Unanswered"),
            tr("Cancelled"),
            tr("Handoffs"),
            tr("Served"),
        )
        rows = [*data["groups"], {**data["total"], "key": None}]
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(list(columns))
        self.table.setRowCount(len(rows))
        for r, g in enumerate(rows):
            cells = (
                tr("All") if g["key"] is None else self._key_text(by, g["key"]),
                str(g["signals"]),
                str(g["acknowledged"]),
                seconds_text(g["ack"]["p50_s"]),
                seconds_text(g["ack"]["p90_s"]),
                seconds_text(g["ack"]["max_s"]),
                seconds_text(g["resolve"]["p50_s"]),
                str(g["escalated"]),
                str(g["unanswered"]),
                str(g["cancelled"]),
                str(g["handoffs_offered"]),
                str(g["handoffs_served"]),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if g["key"] is None:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)

    def cell(self, row: int, column: int) -> str:
        """The table's text at ``row``, ``column`` ('' where there is none)."""
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def chart_values(self) -> dict[str, dict[str, list[float]]]:
        """What each chart draws: chart -> bar set label -> values (for checks)."""
        out: dict[str, dict[str, list[float]]] = {}
        for name, chart in (
            ("hourly", self.hourly_chart),
            ("response", self.response_chart),
            ("funnel", self.funnel_chart),
        ):
            sets: dict[str, list[float]] = {}
            for series in chart.series():
                assert isinstance(series, QBarSeries | QHorizontalBarSeries)
                for bar in series.barSets():
                    sets[bar.label()] = [bar.at(i) for i in range(bar.count())]
            out[name] = sets
        return out

    # Exports -----------------------------------------------------------------------------
    def export(self, fmt: str) -> None:
        """Ask where to save, then export the chosen range as ``fmt`` (csv or html)."""
        chosen = self._check_range()
        if chosen is None:
            return
        first, last = chosen
        name = f"lobbylink-{first.isoformat()}" + ("" if first == last else f"-{last.isoformat()}")
        pattern, suffix = FORMATS[fmt]
        settings = self.settings if self.settings is not None else QSettings()
        folder = str(settings.value(EXPORT_DIR_KEY, "") or Path.home())
        path, _filter = QFileDialog.getSaveFileName(
            self, tr("Export the report"), str(Path(folder) / f"{name}{suffix}"), pattern
        )
        if path:
            settings.setValue(EXPORT_DIR_KEY, str(Path(path).parent))  # next time, start there
            self.export_to(Path(path), fmt)

    def export_to(self, path: Path, fmt: str) -> bool:
        """Export without asking where: fetch, render and write behind a progress dialog."""
        if self._export is not None:
            self._say(tr("An export is already running."), error=True)
            return False
        chosen = self._check_range()
        if chosen is None:
            return False
        if not path.parent.is_dir():
            self._say(tr("Cannot save to {path}: no such folder.").format(path=path), error=True)
            return False
        dialog = QProgressDialog(tr("Asking the hub for the report…"), tr("Cancel"), 0, 0, self)
        dialog.setObjectName("exportProgress")
        dialog.setWindowTitle(tr("Export the report"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        msg_id = self.bridge.request_report(*chosen, self.grouping())
        self._export = _Export(msg_id, path, fmt, dialog, threading.Event())
        dialog.canceled.connect(self._cancel_export)
        dialog.show()
        return True

    @property
    def exporting(self) -> bool:
        return self._export is not None

    def _write_export(self, data: dict[str, Any]) -> None:
        job = self._export
        assert job is not None
        job.dialog.setLabelText(tr("Writing {file}…").format(file=job.path.name))
        job.dialog.setRange(0, 100)
        job.dialog.setValue(0)
        writer = self._writer = _Writer()
        writer.progress.connect(job.dialog.setValue)
        writer.done.connect(lambda path: self._export is job and self._on_written(path))
        writer.failed.connect(lambda why: self._export is job and self._end_export(why))
        render = self.bridge.render_report

        def work() -> None:
            try:
                text = render(data, job.fmt)
                if write_text_file(job.path, text, job.cancelled, writer.progress.emit):
                    writer.done.emit(str(job.path))
            except OSError as exc:
                writer.failed.emit(
                    tr("Export failed: cannot write {path}: {why}").format(
                        path=job.path, why=exc.strerror or exc
                    )
                )
            except Exception as exc:  # a report that will not render: say so, keep the window
                writer.failed.emit(tr("Export failed: {why}").format(why=exc))

        threading.Thread(target=work, name="report-export", daemon=True).start()

    def _on_written(self, path: str) -> bool:
        self._end_export(tr("Saved {path}").format(path=path), error=False)
        return True

    def _cancel_export(self) -> None:
        job = self._export
        if job is None:
            return
        job.cancelled.set()  # the worker stops at its next chunk and removes its file
        self._end_export(tr("Export cancelled; nothing was saved."), error=False)

    def _end_export(self, text: str, error: bool = True) -> bool:
        job = self._export
        self._export = None
        self._writer = None
        if job is not None:
            job.dialog.canceled.disconnect(self._cancel_export)
            job.dialog.close()
            job.dialog.deleteLater()
        self._say(text, error=error)
        return True

    # Life ------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.today_mode:
            self._refresh.start()
        if not self._pending and (self.today_mode or self.data is None):
            self.request()  # (a tab shown twice in a row asks once)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._refresh.stop()
