"""The board benchmark: the only module of app.devtools that imports Qt.

Run as a child process by ``lobbylink bench run`` (``python -m app.devtools.bench.board``), so
the figures include a real process start. It prints one JSON line per phase:

1. ``{"startup_s": …}``: from the parent's ``--t0`` (monotonic, taken just before it
   started this process) to the board window shown, synced with the hub and rendered;
2. ``{"board": …}``: once events flow, for ``--measure`` seconds: the time to apply one
   event (link → state → the bridge's Qt signals → the view's listeners), the board's
   refresh time, and the UI thread's longest stall (largest gap of a 5 ms timer);
3. ``{"rss_mb": …}`` after ``--soak`` more seconds of traffic.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def _emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj), flush=True)


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m app.devtools.bench.board")
    p.add_argument("--hub", required=True)
    p.add_argument("--keys", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--station", default="H1")
    p.add_argument("--t0", type=int, required=True, help="time.monotonic_ns() at the parent")
    p.add_argument("--measure", type=float, default=5.0)
    p.add_argument("--soak", type=float, default=5.0)
    args = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import zmq
    from PySide6.QtCore import Qt, QTimer

    from app.client.main import build_station, ensure_app
    from app.domain.config import load_branch
    from messaging.envelope import Envelope
    from messaging.keys import station_keys
    from messaging.outbox import Outbox
    from messaging.sockets import Endpoint

    app = ensure_app()
    ctx = zmq.Context()
    branch = load_branch(args.config)
    parts = build_station(
        branch,
        Endpoint.parse(args.hub),
        args.station,
        ctx,
        lang="zh_CN",
        outbox=Outbox(),
        keys=station_keys(Path(args.keys), args.station),
    )
    parts.window.resize(1600, 900)
    parts.window.show()
    link = parts.bridge.session.link
    view: Any = parts.view

    apply_ns: list[int] = []
    refresh_ns: list[int] = []
    gaps_ns: list[int] = []
    phase: dict[str, Any] = {"name": "startup", "until": 0.0, "events": 0, "first": 0}

    original_on_event = link.on_event

    def timed_on_event(env: Envelope) -> None:
        t = time.perf_counter_ns()
        original_on_event(env)
        if phase["name"] == "measure":
            apply_ns.append(time.perf_counter_ns() - t)
            phase["events"] += 1
        elif phase["name"] == "wait":
            phase["name"] = "measure"
            phase["first"] = time.monotonic_ns()
            phase["until"] = time.monotonic() + args.measure

    link.on_event = timed_on_event
    original_refresh = view.refresh_now

    def timed_refresh() -> None:
        t = time.perf_counter_ns()
        original_refresh()
        if phase["name"] == "measure":
            refresh_ns.append(time.perf_counter_ns() - t)

    view.refresh_now = timed_refresh

    last = [time.perf_counter_ns()]
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)

    def beat() -> None:
        now = time.perf_counter_ns()
        if phase["name"] == "measure":
            gaps_ns.append(now - last[0])
        last[0] = now

    heartbeat.timeout.connect(beat)
    heartbeat.start(5)

    def poll() -> None:
        if phase["name"] == "startup":
            if link.synced and parts.window.isVisible():
                parts.window.grab()  # the first complete frame
                _emit({"startup_s": (time.monotonic_ns() - args.t0) / 1e9, "rss_mb": _rss_mb()})
                phase["name"] = "wait"
                checker.setInterval(20)
        elif phase["name"] == "measure" and time.monotonic() >= phase["until"]:
            from app.devtools.common import stats_ms  # not before the first frame

            seconds = (time.monotonic_ns() - phase["first"]) / 1e9
            stall = [max(0, g - 5_000_000) for g in gaps_ns]
            _emit(
                {
                    "board": {
                        "events": phase["events"],
                        "events_per_s": round(phase["events"] / seconds, 1),
                        "apply": stats_ms(apply_ns),
                        "refresh": stats_ms(refresh_ns),
                        "stall_max_ms": round(max(stall, default=0) / 1e6, 2),
                        "stall_p99_ms": stats_ms(stall)["p99_ms"],
                        "open_signals": len(view.open_signal_ids()),
                    }
                }
            )
            phase["name"] = "soak"
            phase["until"] = time.monotonic() + args.soak
        elif phase["name"] == "soak" and time.monotonic() >= phase["until"]:
            _emit({"rss_mb": _rss_mb(), "last_seq": link.last_seq})
            app.quit()

    checker = QTimer()
    checker.timeout.connect(poll)
    checker.start(5)  # start-up: see the synced window within 5 ms; then every 20 ms
    try:
        return app.exec()
    finally:
        heartbeat.stop()
        checker.stop()
        parts.close()
        ctx.destroy(linger=0)


if __name__ == "__main__":
    sys.exit(main())
