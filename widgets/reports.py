"""The board's "Today" and "Reports" views: the branch's measures as charts and a table.

The numbers come from the hub (``StationModel.request_report``): the very report that
``lobbylink report --format json`` prints, so the board, the CLI and the exported files
agree. The charts and the table are widgets.report_figures'. Exports (CSV, HTML) ask the
hub afresh, render the file with the renderer the composition root gave (the CLI's own)
and write it on the export pool behind a progress dialog (widgets.report_export), so the
window never freezes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSettings, Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.timeday import local_time
from widgets.common import signal_label, staff_name, station_name, tr
from widgets.model import ReportRenderer, StationModel
from widgets.report_export import ExportJob
from widgets.report_figures import (
    ReportCharts,
    ReportTable,
    grouping_text,
    hours_shown,
    summary_text,
)

GROUPINGS = ("type", "station", "staff", "hour")
MAX_DAYS = 366
"""The longest range the hub answers at once (a year)."""
TODAY_REFRESH_MS = 60_000
EXPORT_DIR_KEY = "reports/export_dir"
FORMATS = {"csv": ("CSV (*.csv)", ".csv"), "html": ("HTML (*.html)", ".html")}


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
    """The report asked for it."""
    job: ExportJob
    dialog: QProgressDialog


class ReportPanel(QWidget):
    """One report on screen. ``today``: fixed to the branch's today, refreshed every
    minute while visible; otherwise a date range picker and a Show button."""

    def __init__(
        self,
        model: StationModel,
        today: bool,
        renderer: ReportRenderer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.renderer = renderer
        """Turns a report into an exported file's text; None: no exports on this panel."""
        self.today_mode = today
        self.setObjectName("todayPanel" if today else "reportsPanel")
        self.data: dict[str, Any] | None = None
        """The report on screen, exactly as the hub sent it."""
        self._pending = ""
        self._export: _Export | None = None
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

        self.charts = ReportCharts(self._key_text, self)

        self.table = ReportTable(self._key_text, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        layout.addWidget(self.charts, 3)
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
        if renderer is None:  # nothing to export with
            self.export_csv.hide()
            self.export_html.hide()
        model.report_ready.connect(self._on_ready)
        model.report_failed.connect(self._on_failed)
        self._set_preset("today" if today else "week")
        self._show_empty()

    # The range -------------------------------------------------------------------------
    def today(self) -> date:
        """The branch's today, on the hub's clock and in the branch's time zone."""
        return local_time(self.model.hub_now_ms(), self.model.branch.timezone).date()

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
        self._pending = self.model.request_report(*chosen, self.grouping())
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
    def _key_text(self, by: str, key: str) -> str:
        branch, lang = self.model.branch, self.model.lang
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
        self.charts.clear()

    def show_report(self, data: dict[str, Any]) -> None:
        """Put a report (as the hub sends it) on screen: summary, charts, table."""
        self.data = data
        if data["first_day"] == data["last_day"]:
            span = data["first_day"]
        else:
            span = tr("{first} to {last}").format(first=data["first_day"], last=data["last_day"])
        self._say(tr("{span}: figures from the hub's journal").format(span=span))
        self.summary.setText(summary_text(data))
        self.charts.show_report(data)
        self.table.show_report(data)

    @staticmethod
    def hours_shown(hourly: list[int]) -> range:
        """The hours the hourly chart shows (see widgets.report_charts.hours_shown)."""
        return hours_shown(hourly)

    def cell(self, row: int, column: int) -> str:
        """The table's text at ``row``, ``column`` ('' where there is none)."""
        return self.table.cell(row, column)

    def chart_values(self) -> dict[str, dict[str, list[float]]]:
        """What each chart draws: chart -> bar set label -> values (for checks)."""
        return self.charts.values()

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
        if self.renderer is None:  # (the buttons are hidden)
            return False
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
        msg_id = self.model.request_report(*chosen, self.grouping())
        self._export = _Export(msg_id, ExportJob(path, fmt), dialog)
        dialog.canceled.connect(self._cancel_export)
        dialog.show()
        return True

    @property
    def exporting(self) -> bool:
        return self._export is not None

    def _write_export(self, data: dict[str, Any]) -> None:
        export = self._export
        assert export is not None and self.renderer is not None
        job, dialog = export.job, export.dialog
        dialog.setLabelText(tr("Writing {file}…").format(file=job.path.name))
        dialog.setRange(0, 100)
        dialog.setValue(0)
        job.signals.progress.connect(dialog.setValue)
        job.signals.saved.connect(self._on_saved)
        job.signals.failed.connect(self._on_export_failed)
        job.start(data, self.renderer)

    def _current(self) -> bool:
        """Whether the export that signalled is the one running (not a cancelled one's
        late word)."""
        return self._export is not None and self.sender() is self._export.job.signals

    def _on_saved(self, path: str) -> None:
        if self._current():
            self._end_export(tr("Saved {path}").format(path=path), error=False)

    def _on_export_failed(self, why: str) -> None:
        if self._current():
            self._end_export(why)

    def _cancel_export(self) -> None:
        export = self._export
        if export is None:
            return
        export.job.cancel()  # the writer stops at its next chunk; nothing is kept
        self._end_export(tr("Export cancelled; nothing was saved."), error=False)

    def _end_export(self, text: str, error: bool = True) -> None:
        export = self._export
        self._export = None
        if export is not None:
            export.dialog.canceled.disconnect(self._cancel_export)
            export.dialog.close()
            export.dialog.deleteLater()
        self._say(text, error=error)

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
