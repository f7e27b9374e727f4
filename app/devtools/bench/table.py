"""The figures as ratios to their baselines and as a Markdown table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.devtools.common import (
    ratio,
)


def ratios(r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    raw = r["raw"]
    for c in r["click"]:
        n, p, b = c["stations"], c["product"], c["raw"]
        out[f"click_{n}_target_p50_vs_raw_fanout"] = ratio(
            p["target"]["p50_ms"], b["target"]["p50_ms"]
        )
        out[f"click_{n}_target_p99_vs_raw_fanout"] = ratio(
            p["target"]["p99_ms"], b["target"]["p99_ms"]
        )
        out[f"click_{n}_last_station_p50_vs_raw_fanout"] = ratio(
            p["last_station"]["p50_ms"], b["last_station"]["p50_ms"]
        )
        out[f"click_{n}_reply_p50_vs_raw_dealer_router_rtt"] = ratio(
            p["reply"]["p50_ms"], raw["dealer_router_rtt"]["p50_ms"]
        )
        out[f"click_{n}_target_p50_vs_raw_pub_sub"] = ratio(
            p["target"]["p50_ms"], raw["pub_sub_one_way"]["p50_ms"]
        )
    best, rawcap = r["capacity"]["best"], r["capacity_raw"]
    out["capacity_vs_raw"] = ratio(best["events_per_s"], rawcap["events_per_s"])
    out["capacity_reply_p99_vs_raw"] = ratio(best["reply"]["p99_ms"], rawcap["reply"]["p99_ms"])
    if "server_cpu_us_per_event" in best and "server_cpu_us_per_event" in rawcap:
        out["capacity_cpu_per_event_vs_raw"] = ratio(
            best["server_cpu_us_per_event"], rawcap["server_cpu_us_per_event"]
        )
    out["capacity_vs_sqlite_single_commits"] = ratio(
        best["events_per_s"], 1000 / raw["sqlite_insert_commit"]["p50_ms"]
    )
    if "bulk_reply_curve" in raw:
        out["resync_vs_raw_bulk_reply"] = ratio(
            r["resync"]["time"]["p50_ms"], raw["bulk_reply_curve"]["p50_ms"]
        )
    out["board_apply_p50_vs_raw_pub_sub"] = ratio(
        r["board"]["board"]["apply"]["p50_ms"], raw["pub_sub_one_way"]["p50_ms"]
    )
    return out


def table(r: dict[str, Any]) -> str:
    """The figures as a Markdown table: figure, measured, baseline, ratio, target."""
    raw, rows = r["raw"], []

    def row(name: str, value: str, base: str = "", rat: str = "", target: str = "") -> None:
        rows.append(f"| {name} | {value} | {base} | {rat} | {target} |")

    def f(s: dict[str, Any]) -> str:
        return f"{s['p50_ms']:.3f} / {s['p99_ms']:.3f} / {s['max_ms']:.3f}"

    rt = r["ratios"]
    for c in r["click"]:
        n, p, b = c["stations"], c["product"], c["raw"]
        target = "p50 ≤ 1, p99 ≤ 3 ms; ≤ 2× raw" if n == 200 else ""
        row(
            f"click → shown at target (S1), {n} stations, ms p50/p99/max",
            f(p["target"]),
            f(b["target"]),
            f"{rt[f'click_{n}_target_p50_vs_raw_fanout']}× / "
            f"{rt[f'click_{n}_target_p99_vs_raw_fanout']}×",
            target,
        )
        row(
            f"click → shown at the last of {n - 1} listeners, ms",
            f(p["last_station"]),
            f(b["last_station"]),
            f"{rt[f'click_{n}_last_station_p50_vs_raw_fanout']}×",
        )
        row(f"click → accepted (reply), {n} stations, ms", f(p["reply"]), f(b["reply"]))
    best, rawcap = r["capacity"]["best"], r["capacity_raw"]
    row(
        f"hub capacity, durable events/s ({best['stations']} stations)",
        f"{best['events_per_s']:,}",
        f"{rawcap['events_per_s']:,}",
        f"{rt['capacity_vs_raw']}×",
        "≥ 20,000",
    )
    row(
        "  reply time at that rate, ms",
        f(best["reply"]),
        f(rawcap["reply"]),
        f"{rt['capacity_reply_p99_vs_raw']}× (p99)",
    )
    if "capacity_cpu_per_event_vs_raw" in rt:
        us, raw_us = best["server_cpu_us_per_event"], rawcap["server_cpu_us_per_event"]
        row(
            "  hub CPU per accepted event, µs (all threads; events/s on one core)",
            f"{us:.0f} ({1e6 / us:,.0f}/s)",
            f"{raw_us:.0f} ({1e6 / raw_us:,.0f}/s)",
            f"{rt['capacity_cpu_per_event_vs_raw']}×",
        )
    rs = r["resync"]
    row(
        f"resync of {rs['events']:,} events (snapshot {rs['snapshot_bytes']:,} B), ms",
        f(rs["time"]),
        f(raw["bulk_reply_curve"]) if "bulk_reply_curve" in raw else "",
        f"{rt.get('resync_vs_raw_bulk_reply', '')}×",
        "≤ 100 ms",
    )
    bd = r["board"]["board"]
    row(
        f"board: apply one event ({bd['events_per_s']:.0f} events/s arriving), ms",
        f(bd["apply"]),
        "",
        "",
        "1,000 events/s",
    )
    row("board: refresh, ms", f(bd["refresh"]))
    row(
        "board: UI thread's longest stall, ms",
        f"{bd['stall_max_ms']:.1f}",
        "",
        "",
        "without freezing",
    )
    bm = r["board"]
    row(
        f"station start → shown and synced (board H1, {bm.get('startup_stations', '?')} "
        "stations), s",
        f"{bm['startup_s']:.2f}",
        "",
        "",
        "≤ 1 s",
    )
    if "startup" in r:
        su = r["startup"]
        row(
            f"station start → shown and synced (board H1, {su['stations']} stations), "
            f"s, median of {len(su['runs'])}",
            f"{su['median_s']:.2f}",
            "",
            "",
            "≤ 1 s",
        )
    row(
        f"RSS after {bm['soak']['simulated_minutes']} simulated minutes: station, MB",
        f"{bm['station_rss_mb']:.0f}",
        "",
        "",
        "≤ 120 MB",
    )
    row("RSS: hub, MB", f"{bm['hub_rss_mb']:.0f}", "", "", "≤ 120 MB")
    row("raw DEALER↔ROUTER round trip (plain), ms", f(raw["dealer_router_rtt"]))
    row("raw DEALER↔ROUTER round trip (CURVE), ms", f(raw["dealer_router_rtt_curve"]))
    row("raw PUB→SUB one way (plain), ms", f(raw["pub_sub_one_way"]))
    row("raw sqlite3 insert + commit (WAL, FULL), ms", f(raw["sqlite_insert_commit"]))
    head = "| figure | measured | raw baseline | ratio | DESIGN target |\n|---|---|---|---|---|\n"
    return head + "\n".join(rows)


def print_result(r: dict[str, Any], say: Callable[[str], None] = print) -> None:
    m = r["machine"]
    say(
        f"\nLobbylink bench ({r['mode']}, {r['seconds']} s) — {m['date']}; {m['nproc']} cores; "
        f"Python {m['python']}, pyzmq {m['pyzmq']}, libzmq {m['libzmq']}\n"
    )
    say(table(r))
