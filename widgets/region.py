"""The region board: every branch a regional manager may see, at a glance, and one
branch's day.

Over a :class:`widgets.region_model.RegionModel` (plain dicts, see there): the alerts
first (what needs a call now), then a row per branch (its link to head office, its open
signals, today's measures), and on a double-click the branch's day with the very charts
and table of the branch board's Reports page (widgets.report_figures). When head office
cannot be read the last figures stay, with their age, under one line saying why.

Followed: "exception first" operations dashboards (an alert list above the full table,
a drill-down for the detail), as Grafana's alert list over its panels.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.timeday import local_time
from widgets.common import scaled_font, signal_label, tr
from widgets.region_model import RegionModel
from widgets.report_figures import ReportCharts, ReportTable, seconds_text, summary_text

COLUMNS = (
    "branch",
    "region",
    "link",
    "lag",
    "open",
    "waiting",
    "signals",
    "answered",
    "p50",
    "p90",
    "unanswered",
    "resolved",
    "late",
)
RED, AMBER, GREEN, GREY = "#c62828", "#8d4e00", "#2e7d32", "#607d8b"
ALERT_BG = {"disconnected": "#ffebee", "waiting": "#ffebee"}
"""Alert kinds shown on red; the others on amber."""
AGE_TICK_MS = 1_000
ALERT_LINES = 8
"""Alert lines shown at once; more scroll."""


def column_text(key: str) -> str:
    return {
        "branch": tr("Branch"),
        "region": tr("Region"),
        "link": tr("Link to head office"),
        "lag": tr("Behind"),
        "open": tr("Open now"),
        "waiting": tr("Unclaimed now"),
        "signals": tr("Signals today"),
        "answered": tr("Claimed"),
        "p50": tr("Median to claim"),
        "p90": tr("90% within"),
        "unanswered": tr("Unanswered"),
        "resolved": tr("Resolved"),
        "late": tr("Late"),
    }[key]


def span_text(ms: int) -> str:
    """How long, as a person says it: 40 s, 12 min, 3 h 05 min, 2 d 4 h."""
    secs = max(0, ms // 1000)
    if secs < 60:
        return tr("{n} s").format(n=secs)
    minutes = secs // 60
    if minutes < 60:
        return tr("{n} min").format(n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return tr("{h} h {m} min").format(h=hours, m=f"{minutes:02d}")
    days, hours = divmod(hours, 24)
    return tr("{d} d {h} h").format(d=days, h=hours)


class RegionView(QWidget):
    """The overview page and the day page of one branch; the model feeds both."""

    def __init__(self, model: RegionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("regionView")
        self.model = model
        self.data: dict[str, Any] | None = None
        """The overview on screen, as the model gave it."""
        self.received_ms = 0
        """This PC's clock when it came."""
        self.failure = ""
        """Why the last refresh failed ("" : it did not)."""
        self.day_branch = ""
        """The branch whose day is shown (or asked for); "" on the overview."""
        self.day_data: dict[str, Any] | None = None

        self.title = QLabel(tr("Region board"), self)
        self.title.setFont(scaled_font(1.5, bold=True))
        self.whose = QLabel(self)
        self.whose.setObjectName("regionWhose")
        self.whose.setStyleSheet(f"color: {GREY};")
        self.status = QLabel(self)
        self.status.setObjectName("regionStatus")
        self.banner = QLabel(self)
        self.banner.setObjectName("regionBanner")
        self.banner.setWordWrap(True)
        self.banner.setFont(scaled_font(1.15, bold=True))
        self.banner.setStyleSheet(
            f"color: white; background: {RED}; padding: 6px 10px; border-radius: 3px;"
        )
        self.banner.hide()
        self.refresh_button = QPushButton(tr("Refresh"), self)
        self.refresh_button.setObjectName("regionRefresh")
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(16)
        top.addWidget(self.whose, 1)
        top.addWidget(self.status)
        top.addWidget(self.refresh_button)

        # the overview: alerts, then a row per branch
        self.alerts_title = QLabel(self)
        self.alerts_title.setFont(scaled_font(1.15, bold=True))
        self.alerts = QListWidget(self)
        self.alerts.setObjectName("regionAlerts")
        self.alerts.setFont(scaled_font(1.1))
        self.alerts.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.rules = QLabel(self)
        self.rules.setObjectName("regionRules")
        self.rules.setStyleSheet(f"color: {GREY};")
        self.rules.setWordWrap(True)
        self.table = QTableWidget(self)
        self.table.setObjectName("regionTable")
        self.table.setFont(scaled_font(1.1))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setColumnCount(len(COLUMNS))
        self.table.setHorizontalHeaderLabels([column_text(c) for c in COLUMNS])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(72)
        # the figures share the board's width (read across a wide screen, not bunched
        # at its left); the names, the link and the lag keep their whole text
        for column in range(COLUMNS.index("open"), len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.hint = QLabel(tr("Double-click a branch (or an alert) to see its day."), self)
        self.hint.setStyleSheet(f"color: {GREY};")
        overview = QWidget(self)
        page = QVBoxLayout(overview)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.alerts_title)
        page.addWidget(self.alerts)
        page.addWidget(self.rules)
        page.addWidget(self.table, 1)
        page.addWidget(self.hint)

        # one branch's day: the branch board's report figures
        self.back = QPushButton(tr("← All branches"), self)
        self.back.setObjectName("regionBack")
        self.day_title = QLabel(self)
        self.day_title.setObjectName("regionDayTitle")
        self.day_title.setFont(scaled_font(1.3, bold=True))
        self.day_status = QLabel(self)
        self.day_status.setObjectName("regionDayStatus")
        self.day_link = QLabel(self)
        self.day_link.setObjectName("regionDayLink")
        self.day_alerts = QLabel(self)
        self.day_alerts.setObjectName("regionDayAlerts")
        self.day_alerts.setWordWrap(True)
        self.day_alerts.setStyleSheet(f"color: {RED}; font-weight: bold;")
        self.summary = QLabel(self)
        self.summary.setObjectName("regionDaySummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 15px;")
        self.charts = ReportCharts(self._key_text, self)
        self.day_table = ReportTable(self._key_text, self)
        day = QWidget(self)
        rows = QVBoxLayout(day)
        rows.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.back)
        head.addSpacing(12)
        head.addWidget(self.day_title)
        head.addSpacing(12)
        head.addWidget(self.day_link, 1)
        rows.addLayout(head)
        rows.addWidget(self.day_alerts)
        rows.addWidget(self.day_status)
        rows.addWidget(self.summary)
        rows.addWidget(self.charts, 3)
        rows.addWidget(self.day_table, 2)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(overview)
        self.pages.addWidget(day)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)

        self._ages = QTimer(self)
        self._ages.setInterval(AGE_TICK_MS)
        self._ages.timeout.connect(self._show_status)
        self._ages.start()
        self.refresh_button.clicked.connect(self.model.refresh)
        self.back.clicked.connect(self.show_overview)
        self.table.cellDoubleClicked.connect(self._on_row)
        self.alerts.itemDoubleClicked.connect(self._on_alert)
        self.table.itemActivated.connect(lambda item: self._on_row(item.row(), 0))
        model.overview_ready.connect(self.show_overview_data)
        model.overview_failed.connect(self._on_failed)
        model.day_ready.connect(self._on_day)
        model.day_failed.connect(self._on_day_failed)
        self.alerts_title.setText(tr("Alerts"))
        self._show_status()

    # The overview ------------------------------------------------------------------------
    def branch_text(self, code: str) -> str:
        row = self.row_of(code)
        name = str(row.get("name", "")) if row else ""
        return f"{code} {name}" if name else code

    def row_of(self, code: str) -> dict[str, Any] | None:
        if self.data is None:
            return None
        return next((r for r in self.data["rows"] if r["branch"] == code), None)

    def show_overview_data(self, data: dict[str, Any]) -> None:
        """Put a new overview on screen (keeps the selected branch)."""
        self.data = data
        self.received_ms = self.model.now_ms()
        self.failure = ""
        regions = (
            "、".join(data["regions"]) if self.model.lang == "zh_CN" else ", ".join(data["regions"])
        )
        self.whose.setText(
            tr("{day} · view of role {role} · regions: {regions} · {n} branches").format(
                day=data["day"], role=data["role"], regions=regions or "—", n=len(data["rows"])
            )
        )
        self._show_alerts(data)
        self._show_rows(data)
        self.rules.setText(self._rules_text(data["thresholds"], int(data["connected_within_ms"])))
        self._show_status()
        if self.day_branch and self.pages.currentIndex() == 1:
            self._show_day_link()
            self.model.request_day(self.day_branch, data["day"])

    def _rules_text(self, limits: dict[str, Any], quiet_ms: int) -> str:
        parts = [
            tr("a signal unclaimed over {n} min").format(n=f"{limits['waiting_min']:g}"),
            tr("a type's 90% time to claim over its deadline"),
        ]
        if limits.get("ack_p90_s") is not None:
            parts.append(
                tr("a branch's 90% time to claim over {t}").format(
                    t=seconds_text(float(limits["ack_p90_s"]))
                )
            )
        parts.append(tr("no word from a branch for {age}").format(age=span_text(quiet_ms)))
        parts.append(
            tr("head office over {n} min behind a branch").format(n=f"{limits['behind_min']:g}")
        )
        return tr("Alerts when: {rules}").format(rules=tr("; ").join(parts))

    def alert_text(self, alert: dict[str, Any]) -> str:
        branch = self.branch_text(alert["branch"])
        kind, value, limit = alert["kind"], float(alert["value"]), float(alert["limit"])
        if kind == "disconnected":
            return tr("{branch}: no word from its hub for {age}").format(
                branch=branch, age=span_text(int(value * 60_000))
            )
        if kind == "waiting":
            return tr("{branch}: {n} unclaimed for over {limit} min, the longest {age}").format(
                branch=branch,
                n=alert["count"],
                limit=f"{limit:g}",
                age=span_text(int(value * 60_000)),
            )
        if kind == "p90_type":
            return tr(
                "{branch}: {type}, 90% claimed within {value}, over its {limit} deadline"
            ).format(
                branch=branch,
                type=signal_label(self.model.catalog, alert["code"], self.model.lang),
                value=seconds_text(value),
                limit=seconds_text(limit),
            )
        if kind == "p90":
            return tr("{branch}: 90% claimed within {value}, over the {limit} target").format(
                branch=branch, value=seconds_text(value), limit=seconds_text(limit)
            )
        return tr("{branch}: head office is {age} behind").format(
            branch=branch, age=span_text(int(value * 60_000))
        )

    def _show_alerts(self, data: dict[str, Any]) -> None:
        self.alerts.clear()
        for alert in data["alerts"]:
            item = QListWidgetItem(self.alert_text(alert))
            item.setData(Qt.ItemDataRole.UserRole, alert["branch"])
            red = alert["kind"] in ALERT_BG
            item.setForeground(QBrush(QColor(RED if red else AMBER)))
            item.setBackground(QBrush(QColor("#ffebee" if red else "#fff3e0")))
            self.alerts.addItem(item)
        if not data["rows"]:
            calm = QListWidgetItem(
                tr("Role {role} sees no branch: head office files branches under regions.").format(
                    role=data["role"]
                )
            )
            calm.setForeground(QBrush(QColor(AMBER)))
            self.alerts.addItem(calm)
        elif not data["alerts"]:
            calm = QListWidgetItem(tr("No alerts: every branch within its limits."))
            calm.setForeground(QBrush(QColor(GREEN)))
            self.alerts.addItem(calm)
        # as tall as its lines (at most ALERT_LINES; more scroll), so the table keeps the room
        line = max(self.alerts.sizeHintForRow(0), 1)
        shown = min(self.alerts.count(), ALERT_LINES)
        self.alerts.setFixedHeight(line * shown + 2 * self.alerts.frameWidth() + 4)
        self.alerts_title.setText(
            tr("Alerts ({n})").format(n=len(data["alerts"])) if data["alerts"] else tr("Alerts")
        )

    def link_text(self, row: dict[str, Any], now_ms: int) -> tuple[str, str]:
        """(text, colour) of a branch's link."""
        if row["link"] == "connected":
            return tr("Connected"), GREEN
        if row["link"] == "never":
            return tr("Never connected"), GREY
        since = local_time(int(row["last_seen_ms"]), self.model.catalog.timezone)
        return (
            tr("Disconnected since {time} ({age})").format(
                time=since.strftime("%H:%M"), age=span_text(now_ms - int(row["last_seen_ms"]))
            ),
            RED,
        )

    def lag_text(self, row: dict[str, Any]) -> str:
        if row["link"] == "never":
            return "—"
        if not row["lag_events"]:
            return tr("Up to date")
        text = tr("{n} events · {age}").format(
            n=row["lag_events"], age=span_text(int(row["lag_ms"]))
        )
        return tr("at least {lag}").format(lag=text) if row["link"] == "disconnected" else text

    def _show_rows(self, data: dict[str, Any]) -> None:
        chosen = self.selected_branch()
        rows = data["rows"]
        self.table.setRowCount(len(rows))
        now = int(data["now_ms"])
        for r, row in enumerate(rows):
            kinds = {a["kind"] for a in row["alerts"]}
            link, colour = self.link_text(row, now)
            cells: dict[str, tuple[str, str]] = {
                "branch": (self.branch_text(row["branch"]), RED if kinds & set(ALERT_BG) else ""),
                "region": (row["region"], ""),
                "link": (link, colour),
                "lag": (self.lag_text(row), AMBER if "behind" in kinds else ""),
                "open": (str(row["open_signals"]), ""),
                "waiting": (str(row["waiting"]), RED if "waiting" in kinds else ""),
                "signals": (str(row["signals"]), ""),
                "answered": (str(row["answered"]), ""),
                "p50": (seconds_text(row["ack_p50_s"]), ""),
                "p90": (
                    seconds_text(row["ack_p90_s"]),
                    AMBER if kinds & {"p90", "p90_type"} else "",
                ),
                "unanswered": (str(row["unanswered"]), ""),
                "resolved": (str(row["resolved"]), ""),
                "late": (str(row["late"]), AMBER if row["late"] else ""),
            }
            for c, key in enumerate(COLUMNS):
                text, fg = cells[key]
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row["branch"])
                if key not in ("branch", "region", "link", "lag"):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if fg:
                    item.setForeground(QBrush(QColor(fg)))
                    if fg == RED:
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                self.table.setItem(r, c, item)
            if row["branch"] == chosen:
                self.table.selectRow(r)

    def selected_branch(self) -> str:
        items = self.table.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else ""

    def cell(self, branch: str, column: str) -> str:
        """The table's text of ``branch`` in ``column`` ('' when not shown)."""
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == branch:
                found = self.table.item(r, COLUMNS.index(column))
                return found.text() if found is not None else ""
        return ""

    def alert_lines(self) -> list[str]:
        return [self.alerts.item(i).text() for i in range(self.alerts.count())]

    def _on_failed(self, why: str) -> None:
        self.failure = why
        self._show_status()

    def _show_status(self) -> None:
        now = self.model.now_ms()
        self.banner.setVisible(bool(self.failure))
        if self.failure:
            text = tr("head office unreachable: {why}").format(why=self.failure)
            if self.data is not None:
                text += tr(" · figures from {age} ago").format(
                    age=span_text(now - self.received_ms)
                )
            self.banner.setText(text)
            self.status.clear()
        elif self.data is None:
            self.status.setText(tr("Reading head office…"))
            self.status.setStyleSheet(f"color: {GREY};")
        else:
            self.status.setText(
                tr("updated {age} ago").format(age=span_text(now - self.received_ms))
            )
            self.status.setStyleSheet(f"color: {GREY};")

    # One branch's day --------------------------------------------------------------------
    def _on_row(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.open_day(str(item.data(Qt.ItemDataRole.UserRole)))

    def _on_alert(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        if code:
            self.open_day(str(code))

    def open_day(self, code: str) -> None:
        """Show ``code``'s day (asked of the model; the page says so until it comes)."""
        if self.data is None:
            return
        self.day_branch = code
        self.day_data = None
        self.day_title.setText(
            tr("{branch} · {day}").format(branch=self.branch_text(code), day=self.data["day"])
        )
        self._show_day_link()
        self.day_status.setText(tr("Reading head office…"))
        self.day_status.setStyleSheet(f"color: {GREY};")
        self.summary.clear()
        self.charts.clear()
        self.day_table.setRowCount(0)
        self.pages.setCurrentIndex(1)
        self.model.request_day(code, self.data["day"])

    def _show_day_link(self) -> None:
        row = self.row_of(self.day_branch)
        if row is None or self.data is None:
            self.day_link.clear()
            return
        link, colour = self.link_text(row, int(self.data["now_ms"]))
        mine = [self.alert_text(a) for a in row["alerts"]]
        self.day_alerts.setText(tr("; ").join(mine))
        self.day_alerts.setVisible(bool(mine))
        self.day_link.setText(
            tr("{link} · behind: {lag} · open now {n}").format(
                link=link, lag=self.lag_text(row), n=row["open_signals"]
            )
        )
        self.day_link.setStyleSheet(f"color: {colour};")

    def show_overview(self) -> None:
        self.day_branch = ""
        self.pages.setCurrentIndex(0)

    def _on_day(self, code: str, data: dict[str, Any]) -> None:
        if code != self.day_branch:
            return  # an answer for a branch no longer shown
        self.day_data = data
        self.day_status.setText(
            tr("{day}: figures from head office's copy of the branch journal").format(
                day=data["first_day"]
            )
        )
        self.day_status.setStyleSheet(f"color: {GREY};")
        self.summary.setText(summary_text(data))
        self.charts.show_report(data)
        self.day_table.show_report(data)

    def _on_day_failed(self, code: str, why: str) -> None:
        if code != self.day_branch:
            return
        self.day_status.setText(tr("This branch's day could not be read: {why}").format(why=why))
        self.day_status.setStyleSheet(f"color: {RED}; font-weight: bold;")

    def _key_text(self, by: str, key: str) -> str:
        if key == "-":
            return tr("Nobody")
        if by == "type":
            return signal_label(self.model.catalog, key, self.model.lang)
        if by == "hour":
            return f"{key}:00"
        return key
