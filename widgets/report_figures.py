"""How a report's figures are drawn: three charts (QtCharts: hourly load, time to claim
against each type's deadline, the handoff funnel) and the table of groups.

They draw a report exactly as the hub sends it (``lobbylink report --format json``);
the caller says how a group key reads on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from widgets.common import tr

OPEN_HOUR, CLOSE_HOUR = 8, 18
"""The hourly chart always shows 8:00 to 18:59, and any other hour with a signal."""
FUNNEL = ("offered", "accepted", "served", "no_show", "declined")

KeyText = Callable[[str, str], str]
"""(grouping, key) -> how the key reads on screen."""


def grouping_text(by: str) -> str:
    return {
        "type": tr("Signal type"),
        "station": tr("Raised at"),
        "staff": tr("Responder"),
        "hour": tr("Hour"),
    }.get(by, by)


def seconds_text(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 60:
        return tr("{n} s").format(n=f"{value:.1f}")
    minutes, secs = divmod(round(value), 60)
    return tr("{m} min {s} s").format(m=minutes, s=secs)


def funnel_text(step: str) -> str:
    return {
        "offered": tr("Offered"),
        "accepted": tr("Accepted"),
        "served": tr("Served"),
        "no_show": tr("No-show"),
        "declined": tr("Declined"),
    }[step]


def summary_text(data: dict[str, Any]) -> str:
    """A report's totals in one line (the Reports page's and the region board's day)."""
    total = data["total"]
    conversion = data["handoffs"]["conversion"]
    return " · ".join(
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


def hours_shown(hourly: list[int]) -> range:
    """The opening hours, widened to any hour with a signal: 24 bars do not fit."""
    busy = [h for h, n in enumerate(hourly) if n]
    return range(min([OPEN_HOUR, *busy]), max([CLOSE_HOUR, *busy]) + 1)


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


def _clear(chart: QChart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


def integer_axis(top: float, most_ticks: int = 6) -> tuple[int, int]:
    """(maximum, step) of a count or seconds axis from 0 whose every tick is a whole
    number, with at most ``most_ticks`` intervals, the step 1, 2 or 5 × 10^k.

    Qt's nice numbers split 0…1 into quarters and "%d" printed them "0 0 0 0 0 1" (an
    empty chart); matplotlib's MaxNLocator(integer=True) and Excel pick a step from the
    same 1-2-5 series. An empty chart gets 0…1.
    """
    if top <= 0:
        return 1, 1
    steps = (m * 10**k for k in range(16) for m in (1, 2, 5))
    step = next(c for c in steps if math.ceil(top / c) <= most_ticks)
    maximum = step * math.ceil(top / step)
    if maximum == top and top >= 1:  # leave a little room above the tallest bar
        maximum += step
    return int(maximum), int(step)


def _bars(
    chart: QChart,
    categories: list[str],
    sets: list[tuple[str, list[float], str]],
    horizontal: bool = False,
) -> None:
    _clear(chart)
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
    maximum, step = integer_axis(top)
    values_axis.setRange(0, maximum)
    values_axis.setTickType(QValueAxis.TickType.TicksDynamic)
    values_axis.setTickAnchor(0)
    values_axis.setTickInterval(step)
    values_axis.setMinorTickCount(0)
    values_axis.setLabelFormat("%d")
    if horizontal:
        chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(values_axis, Qt.AlignmentFlag.AlignBottom)
    else:
        chart.addAxis(names, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values_axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(names)
    series.attachAxis(values_axis)
    chart.legend().setVisible(len(sets) > 1)


class ReportCharts(QWidget):
    """The three charts of one report, in a row (no signals of its own)."""

    def __init__(self, key_text: KeyText, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key_text = key_text
        self.hourly_chart = _chart(tr("Signals per hour"))
        self.response_chart = _chart(tr("Time to claim vs deadline (s)"))
        self.funnel_chart = _chart(tr("Handoffs"))
        self.views: list[QChartView] = []
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        for chart, stretch in (
            (self.hourly_chart, 3),
            (self.response_chart, 2),
            (self.funnel_chart, 2),
        ):
            view = QChartView(chart, self)
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(220)
            self.views.append(view)
            row.addWidget(view, stretch)

    def clear(self) -> None:
        for chart in (self.hourly_chart, self.response_chart, self.funnel_chart):
            _clear(chart)

    def show_report(self, data: dict[str, Any]) -> None:
        self._show_hourly([int(v) for v in data["hourly"]])
        self._show_response(data["deadlines"])
        self._show_funnel(data["handoffs"])

    def values(self) -> dict[str, dict[str, list[float]]]:
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

    def axis_ticks(self, name: str) -> list[str]:
        """The labels of a chart's value axis as drawn ("hourly", "response", "funnel")."""
        chart = {
            "hourly": self.hourly_chart,
            "response": self.response_chart,
            "funnel": self.funnel_chart,
        }[name]
        for axis in chart.axes():
            if isinstance(axis, QValueAxis):
                step = axis.tickInterval()
                count = round((axis.max() - axis.min()) / step)
                return ["%d" % (axis.min() + i * step) for i in range(count + 1)]  # noqa: UP031
        return []

    def _show_hourly(self, hourly: list[int]) -> None:
        hours = hours_shown(hourly)
        _bars(
            self.hourly_chart,
            [str(h) for h in hours],
            [(tr("Signals"), [float(hourly[h]) for h in hours], "#1565c0")],
        )

    def _show_response(self, deadlines: list[dict[str, Any]]) -> None:
        codes = [self.key_text("type", d["code"]) for d in deadlines]
        _bars(
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
        _bars(
            self.funnel_chart,
            [funnel_text(s) for s in steps],
            [(tr("Handoffs"), [float(handoffs[s]) for s in steps], "#2e7d32")],
            horizontal=True,
        )


class ReportTable(QTableWidget):
    """A row per group and a bold total row: counts and times as the hub reports them."""

    def __init__(self, key_text: KeyText, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key_text = key_text
        self.setObjectName("reportTable")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setAlternatingRowColors(True)

    def show_report(self, data: dict[str, Any]) -> None:
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
        self.clear()
        self.setColumnCount(len(columns))
        self.setHorizontalHeaderLabels(list(columns))
        self.setRowCount(len(rows))
        for r, g in enumerate(rows):
            cells = (
                tr("All") if g["key"] is None else self.key_text(by, g["key"]),
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
                self.setItem(r, c, item)

    def cell(self, row: int, column: int) -> str:
        """The text at ``row``, ``column`` ('' where there is none)."""
        item = self.item(row, column)
        return item.text() if item is not None else ""
