"""A report as text: table, CSV, JSON, or one self-contained HTML file with SVG charts.

Every format shows the same numbers: they all come from ``Report.as_dict()`` (a
report the board got from the hub is that dict already; it renders the same way).
No SQL is imported here, so a station can export without loading the journal's
libraries.
"""

from __future__ import annotations

import csv
import html
import io
from typing import TYPE_CHECKING, Any, TypeAlias

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


def _table(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> list[str]:
    text = [[_num(r[c]) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    out += ["  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)).rstrip() for t in text]
    return out


def as_json(report: ReportData) -> str:
    return msgspec.json.format(msgspec.json.encode(_data(report)), indent=2).decode() + "\n"


def as_csv(report: ReportData) -> str:
    """Two CSV blocks separated by a blank line: the groups (and the total), then spans."""
    data = _data(report)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=GROUP_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(group_row(g) for g in [*data["groups"], data["total"]])
    buf.write("\n")
    writer = csv.DictWriter(buf, fieldnames=SPAN_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(span_rows(data))
    return buf.getvalue()


def as_table(report: ReportData) -> str:
    data = _data(report)
    head = (
        f"Branch {data['branch']}, {data['first_day']} to {data['last_day']} "
        f"({data['timezone']}), by {data['by']}"
    )
    out = [head, ""]
    out += _table(GROUP_COLUMNS, [group_row(g) for g in [*data["groups"], data["total"]]])
    out += ["", *_table(SPAN_COLUMNS, span_rows(data))]
    return "\n".join(out) + "\n"


# HTML ------------------------------------------------------------------------------------------
CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",Arial,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;font-size:12px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f0f0f0}
.charts{display:flex;flex-wrap:wrap;gap:24px}
svg text{font-size:11px;fill:#333}
"""


def _svg_bars(
    title: str,
    labels: list[str],
    values: list[float],
    *,
    marks: list[float | None] | None = None,
    width: int = 560,
    height: int = 220,
    color: str = "#3b7dd8",
) -> str:
    """A vertical bar chart; ``marks`` draws a red tick per bar (a deadline)."""
    top = max([*values, *(m for m in (marks or []) if m is not None), 1])
    left, bottom, plot_h = 40, 30, height - 60
    slot = (width - left - 10) / max(1, len(values))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f'<text x="{left}" y="14" style="font-weight:bold">{html.escape(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#999"/>',
        f'<text x="{left - 4}" y="{height - bottom - plot_h + 4}" text-anchor="end">'
        f"{_num(round(top, 1))}</text>",
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{html.escape(label)}: {_num(value)}</title></rect>"
        )
        if value:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{y - 2:.1f}" text-anchor="middle">'
                f"{_num(value)}</text>"
            )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle">'
            f"{html.escape(label)}</text>"
        )
        mark = marks[i] if marks else None
        if mark is not None:
            my = height - bottom - plot_h * mark / top
            parts.append(
                f'<line x1="{x - 2:.1f}" y1="{my:.1f}" x2="{x + w + 2:.1f}" y2="{my:.1f}" '
                f'stroke="#d33" stroke-width="2"><title>deadline {_num(mark)} s</title></line>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _html_table(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_num(r[c]))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def as_html(report: ReportData) -> str:
    """One file, no scripts, no external resources: mail it, open it in any browser."""
    data = _data(report)
    h = data["handoffs"]
    title = f"Lobbylink report · {data['branch']} · {data['first_day']}" + (
        "" if data["first_day"] == data["last_day"] else f" – {data['last_day']}"
    )
    hourly = _svg_bars(
        "Hourly load (signals raised per local hour)",
        [f"{i:02d}" for i in range(24)],
        [float(v) for v in data["hourly"]],
        width=720,
    )
    deadlines = data["deadlines"]
    response = _svg_bars(
        "Time to acknowledge, p90 (s) vs deadline (red)",
        [d["code"] for d in deadlines],
        [d["p90_s"] or 0.0 for d in deadlines],
        marks=[float(d["deadline_s"]) for d in deadlines],
        color="#e39b2d",
    )
    funnel = _svg_bars(
        "Handoff funnel",
        ["offered", "accepted", "declined", "served", "no_show"],
        [float(h[k]) for k in ("offered", "accepted", "declined", "served", "no_show")],
        color="#3a9d5d",
    )
    conversion = "—" if h["conversion"] is None else f"{h['conversion'] * 100:.1f}%"
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Time zone {html.escape(data['timezone'])}; days cut at local midnight. "
        "Durations are seconds from the raise; p50/p90 by nearest rank. "
        f"Signals: {data['total']['signals']}; handoff conversion (served / offered): "
        f"{conversion}.</p>",
        f'<div class="charts">{hourly}{response}{funnel}</div>',
        f"<h2>By {html.escape(data['by'])}</h2>",
        _html_table(GROUP_COLUMNS, [group_row(g) for g in [*data["groups"], data["total"]]]),
        "<h2>Acknowledge deadlines</h2>",
        _html_table(
            ("code", "deadline_s", "signals", "acknowledged", "p50_s", "p90_s", "max_s", "late"),
            deadlines,
        ),
        "<h2>Handoffs, pauses, presence gaps, hourly load</h2>",
        _html_table(SPAN_COLUMNS, span_rows(data)),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )


def render_report(report: ReportData, fmt: str) -> str:
    if fmt == "json":
        return as_json(report)
    if fmt == "csv":
        return as_csv(report)
    if fmt == "html":
        return as_html(report)
    return as_table(report)
