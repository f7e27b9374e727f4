"""A report as text: table, CSV, JSON, or one self-contained HTML file with SVG charts
(Jinja2 templates in app/reports/templates, autoescaped).

Every format shows the same numbers: they all come from ``Report.as_dict()`` (a
report the board got from the hub is that dict already; it renders the same way).
No SQL is imported here, so a station can export without loading the journal's
libraries.
"""

from __future__ import annotations

import csv
import functools
import io
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import jinja2
import msgspec

if TYPE_CHECKING:
    from app.reports.measures import Report

ReportData: TypeAlias = "Report | dict[str, Any]"


def _data(report: ReportData) -> dict[str, Any]:
    return report if isinstance(report, dict) else report.as_dict()


FORMATS = ("table", "csv", "json", "html")

GROUP_COLUMNS = (
    "key",
    "signals",
    "acknowledged",
    "ack_p50_s",
    "ack_p90_s",
    "ack_max_s",
    "arrive_p50_s",
    "arrive_p90_s",
    "arrive_max_s",
    "resolve_p50_s",
    "resolve_p90_s",
    "resolve_max_s",
    "escalated",
    "levels",
    "unanswered",
    "cancelled",
    "handoffs_offered",
    "handoffs_accepted",
    "handoffs_declined",
    "handoffs_served",
    "handoffs_no_show",
)
SPAN_COLUMNS = ("section", "key", "count", "total_s", "longest_s")


def _num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) else str(int(value))
    return str(value)


def group_row(group: dict[str, Any]) -> dict[str, Any]:
    """A group flattened into the columns of the table and the CSV."""
    row: dict[str, Any] = {"key": group["key"], "signals": group["signals"]}
    row["acknowledged"] = group["acknowledged"]
    for name in ("ack", "arrive", "resolve"):
        d = group[name]
        row[f"{name}_p50_s"], row[f"{name}_p90_s"], row[f"{name}_max_s"] = (
            d["p50_s"],
            d["p90_s"],
            d["max_s"],
        )
    row["escalated"] = group["escalated"]
    row["levels"] = " ".join(f"L{k}:{v}" for k, v in group["levels"].items())
    for name in GROUP_COLUMNS[14:]:
        row[name] = group[name]
    return row


def span_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Pauses, presence gaps, decline reasons, products and the funnel, one row each."""
    rows: list[dict[str, Any]] = []
    for span in data["pauses"]:
        rows.append({"section": "pause", **span})
    for span in data["presence_gaps"]:
        rows.append({"section": "presence_gap", **span})
    h = data["handoffs"]
    for reason, n in h["declined_by_reason"].items():
        rows.append({"section": "decline_reason", "key": reason, "count": n})
    for product, n in h["products"].items():
        rows.append({"section": "product", "key": product, "count": n})
    for name in ("offered", "accepted", "declined", "declines", "served", "no_show"):
        rows.append({"section": "handoffs", "key": name, "count": h[name]})
    rows.append({"section": "handoffs", "key": "conversion", "count": h["conversion"]})
    for hour, n in enumerate(data["hourly"]):
        rows.append({"section": "hourly", "key": f"{hour:02d}", "count": n})
    return [{c: r.get(c) for c in SPAN_COLUMNS} for r in rows]


# Text tables -----------------------------------------------------------------------------------
# A terminal gives a CJK character two columns and a combining mark none, so columns are
# padded by display width, not by len(): Unicode's East Asian Width property (UAX #11),
# read from the standard library's unicodedata, as wcwidth and Rich's cell_len do. The
# stdlib is enough here (no emoji or zero-width joiners in branch labels, staff ids or
# times), so no new dependency.
HEADERS_ZH: dict[str, str] = {
    # the per-signal listing (app.reports.day.SignalLine)
    "signal_id": "编号",
    "code": "类型代码",
    "label": "类型",
    "station": "发起站点",
    "staff": "发起人",
    "state": "状态",
    "level": "升级级别",
    "raised": "发起时间",
    "acked": "响应时间",
    "acked_by": "响应人",
    "ack_s": "响应用时（秒）",
    "arrived": "到达时间",
    "resolved": "处理时间",
    "resolved_by": "处理人",
    "resolve_s": "处理用时（秒）",
    "cancelled": "取消时间",
    "outcome": "结果",
    "product": "产品",
    "ticket": "号码",
    "to": "指定站点",
    # the measures (GROUP_COLUMNS, SPAN_COLUMNS)
    "key": "分组",
    "signals": "呼叫数",
    "acknowledged": "已响应",
    "ack_p50_s": "响应P50（秒）",
    "ack_p90_s": "响应P90（秒）",
    "ack_max_s": "响应最长（秒）",
    "arrive_p50_s": "到达P50（秒）",
    "arrive_p90_s": "到达P90（秒）",
    "arrive_max_s": "到达最长（秒）",
    "resolve_p50_s": "处理P50（秒）",
    "resolve_p90_s": "处理P90（秒）",
    "resolve_max_s": "处理最长（秒）",
    "escalated": "已升级",
    "levels": "升级级别",
    "unanswered": "无人响应",
    "cancelled_n": "已取消",
    "handoffs_offered": "转介发起",
    "handoffs_accepted": "转介接受",
    "handoffs_declined": "转介婉拒",
    "handoffs_served": "转介办理",
    "handoffs_no_show": "客户未到",
    "section": "部分",
    "count": "次数",
    "total_s": "合计（秒）",
    "longest_s": "最长（秒）",
}
"""Column headings of a text table in Chinese (``--lang zh_CN``). JSON and CSV keep the
English keys: they are read by programs, and every language gets the same file."""


def header(column: str, lang: str, section: str = "") -> str:
    """A text table's heading for ``column`` in ``lang`` (English: the key itself)."""
    if lang != "zh_CN":
        return column
    if column == "cancelled" and section == "groups":
        return HEADERS_ZH["cancelled_n"]
    return HEADERS_ZH.get(column, column)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: 2 for wide and full-width characters (CJK,
    full-width punctuation), 0 for combining marks and other zero-width characters."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` display columns."""
    return text + " " * max(0, width - display_width(text))


def text_table(
    columns: list[str] | tuple[str, ...],
    rows: list[list[str]],
    lang: str = "en",
    section: str = "",
) -> list[str]:
    """Lines of a left-aligned table, two spaces between columns, padded by display width."""
    heads = [header(c, lang, section) for c in columns]
    widths = [
        max(display_width(h), *(display_width(t[i]) for t in rows)) if rows else display_width(h)
        for i, h in enumerate(heads)
    ]
    out = ["  ".join(pad(h, w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    out += ["  ".join(pad(v, w) for v, w in zip(t, widths, strict=True)).rstrip() for t in rows]
    return out


def _table(
    columns: tuple[str, ...], rows: list[dict[str, Any]], lang: str = "en", section: str = ""
) -> list[str]:
    return text_table(columns, [[_num(r[c]) for c in columns] for r in rows], lang, section)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: typed text starting like a formula gets a '.

    OWASP "CSV Injection": a ticket ``=1+2`` or a note ``@SUM(…)`` would otherwise run
    as a formula when the file is opened. Numbers stay numbers; a lone "-" (no product)
    is not a formula and stays.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and value != "-":
        return "'" + value
    return value


def csv_rows(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows with every cell passed through :func:`csv_cell`."""
    for row in rows:
        yield {key: csv_cell(value) for key, value in row.items()}


def as_json(report: ReportData) -> str:
    return msgspec.json.format(msgspec.json.encode(_data(report)), indent=2).decode() + "\n"


def as_csv(report: ReportData) -> str:
    """Two CSV blocks separated by a blank line: the groups (and the total), then spans."""
    data = _data(report)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=GROUP_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(group_row(g) for g in [*data["groups"], data["total"]]))
    buf.write("\n")
    writer = csv.DictWriter(buf, fieldnames=SPAN_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(span_rows(data)))
    return buf.getvalue()


def as_table(report: ReportData, lang: str = "en") -> str:
    data = _data(report)
    if lang == "zh_CN":
        head = (
            f"网点 {data['branch']}，{data['first_day']} 至 {data['last_day']}"
            f"（{data['timezone']}），按 {data['by']}"
        )
    else:
        head = (
            f"Branch {data['branch']}, {data['first_day']} to {data['last_day']} "
            f"({data['timezone']}), by {data['by']}"
        )
    out = [head, ""]
    view = data.get("view")
    if view:  # head office's report: whose view it is
        regions = [r or "-" for r in view["regions"]]
        if lang == "zh_CN":
            whose = (
                f"角色 {view['role']} 可见网点：{'、'.join(view['branches'])}"
                f"（片区：{'、'.join(regions)}）"
            )
        else:
            whose = f"Role {view['role']}: {', '.join(view['branches'])} ({', '.join(regions)})"
        out[1:1] = [whose]
    groups = [group_row(g) for g in [*data["groups"], data["total"]]]
    out += _table(GROUP_COLUMNS, groups, lang, "groups")
    out += ["", *_table(SPAN_COLUMNS, span_rows(data), lang)]
    return "\n".join(out) + "\n"


def signals_table(rows: list[dict[str, Any]], lang: str = "en") -> str:
    """The per-signal listing (``report`` without ``--by``) as a text table."""
    if not rows:
        return "（无呼叫）\n" if lang == "zh_CN" else "(no signals)\n"
    columns = list(rows[0])
    text = [[("" if r[c] is None else str(r[c])) for c in columns] for r in rows]
    return "\n".join(text_table(columns, text, lang)) + "\n"


# HTML ------------------------------------------------------------------------------------------
# Jinja2 renders the page (templates/*.html.j2, package data) with autoescaping: any text
# from the journal (staff, stations, reasons, products) is escaped by the library, not by
# us. Python lays the charts out (numbers), the templates only write the markup.


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    w: float
    h: float
    mark: float | None
    """The deadline drawn across this bar (a red tick), if any."""
    mark_y: float | None

    @property
    def mid(self) -> float:
        return self.x + self.w / 2


@dataclass(frozen=True)
class BarChart:
    """A vertical bar chart laid out in SVG user units, for templates/charts.html.j2."""

    title: str
    width: int
    height: int
    color: str
    left: int
    right: int
    axis_y: int
    top: float
    """The largest value (or deadline), at the top of the plot; its label, to 0.1."""
    top_y: int
    bars: list[Bar]


def bar_chart(
    title: str,
    labels: list[str],
    values: list[float],
    *,
    marks: list[float | None] | None = None,
    width: int = 560,
    height: int = 220,
    color: str = "#3b7dd8",
) -> BarChart:
    """A vertical bar chart; ``marks`` draws a red tick per bar (a deadline)."""
    top = max([*values, *(m for m in (marks or []) if m is not None), 1])
    left, bottom, plot_h = 40, 30, height - 60
    axis_y = height - bottom
    slot = (width - left - 10) / max(1, len(values))
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        x = left + i * slot + slot * 0.15
        mark = marks[i] if marks else None
        mark_y = None if mark is None else axis_y - plot_h * mark / top
        bars.append(Bar(label, value, x, axis_y - h, slot * 0.7, h, mark, mark_y))
    return BarChart(
        title, width, height, color, left, width - 10, axis_y, round(top, 1), axis_y - plot_h, bars
    )


DEADLINE_COLUMNS = (
    "code",
    "deadline_s",
    "signals",
    "acknowledged",
    "p50_s",
    "p90_s",
    "max_s",
    "late",
)


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("app.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html.j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = _num
    env.filters["f1"] = "{:.1f}".format
    return env


def as_html(report: ReportData) -> str:
    """One file, no scripts, no external resources: mail it, open it in any browser."""
    data = _data(report)
    h = data["handoffs"]
    title = f"Lobbylink report · {data['branch']} · {data['first_day']}" + (
        "" if data["first_day"] == data["last_day"] else f" – {data['last_day']}"
    )
    deadlines = data["deadlines"]
    funnel = ("offered", "accepted", "declined", "served", "no_show")
    charts = [
        bar_chart(
            "Hourly load (signals raised per local hour)",
            [f"{i:02d}" for i in range(24)],
            [float(v) for v in data["hourly"]],
            width=720,
        ),
        bar_chart(
            "Time to acknowledge, p90 (s) vs deadline (red)",
            [d["code"] for d in deadlines],
            [d["p90_s"] or 0.0 for d in deadlines],
            marks=[float(d["deadline_s"]) for d in deadlines],
            color="#e39b2d",
        ),
        bar_chart("Handoff funnel", list(funnel), [float(h[k]) for k in funnel], color="#3a9d5d"),
    ]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            timezone=data["timezone"],
            view=data.get("view"),
            by=data["by"],
            signals=data["total"]["signals"],
            conversion="—" if h["conversion"] is None else f"{h['conversion'] * 100:.1f}%",
            charts=charts,
            group_columns=GROUP_COLUMNS,
            groups=[group_row(g) for g in [*data["groups"], data["total"]]],
            deadline_columns=DEADLINE_COLUMNS,
            deadlines=deadlines,
            span_columns=SPAN_COLUMNS,
            spans=span_rows(data),
        )
    )


def render_report(report: ReportData, fmt: str, lang: str = "en") -> str:
    if fmt == "json":
        return as_json(report)
    if fmt == "csv":
        return as_csv(report)
    if fmt == "html":
        return as_html(report)
    return as_table(report, lang)
