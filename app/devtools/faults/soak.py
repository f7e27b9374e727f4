"""``soak``: a compressed branch day with the demo's people, memory over time.

:func:`soak_run` is shared with tests/integration/test_fault_soak.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from app.devtools.common import (
    ROOT,
    Hub,
    journal_fingerprint,
    journal_last_seq,
    rss_mb,
)
from app.devtools.faults.common import (
    Say,
)
from app.devtools.faults.station import StationProcess
from app.domain.config import load_branch

# Soak: a compressed branch day, memory over time ------------------------------------------------
SOAK_SPEED = 60.0
"""The simulator's people at 60×: one simulated hour a real minute. Faster, its 0.1 s
reaction time lags (speed 120 gave 1.6× the events of speed 60, not 2×)."""


def case_soak(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """24 branch hours (quick: 1) compressed 60×, with the hub's and two stations' RSS."""
    folder = base / "soak"
    folder.mkdir()
    hub = Hub(folder, config, keys).start()
    try:
        return soak_run(
            hub,
            folder,
            config,
            keys,
            say,
            hours=1.0 if quick else 24.0,
            samples=12 if quick else 48,
        )
    finally:
        hub.stop()


def soak_run(
    hub: Hub,
    folder: Path,
    config: Path,
    keys: Path,
    say: Say,
    *,
    hours: float,
    samples: int,
    speed: float = SOAK_SPEED,
) -> dict[str, Any]:
    """The demo branch's people (app.sim) at ``speed``× for ``hours`` simulated hours.

    Beside them: the branch head's board (the Qt station, ``python -m app.devtools.bench.board``)
    and a lobby-manager window without Qt (a StationProcess). Their RSS and the hub's
    are read from /proc ``samples`` times; at the end the window must hold the journal's
    state. Shared with tests/integration (a few simulated minutes there).
    """
    from app.sim import Simulator

    branch = load_branch(config)
    board_out = folder / "board.out"
    with board_out.open("w", encoding="utf-8") as out:
        board = subprocess.Popen(
            [
                sys.executable, "-m", "app.devtools.bench.board", "--hub", str(hub.endpoint),
                "--keys", str(keys), "--config", str(config), "--station", "H1",
                "--t0", str(time.monotonic_ns()), "--measure", "1", "--soak", "1e9",
            ],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1"),
        )  # fmt: skip
    window = StationProcess(folder, "L1", hub.endpoint, config, keys)
    sim: Simulator | None = None
    rows: list[dict[str, Any]] = []
    try:
        window.wait(lambda st: bool(st["synced"]), 60, "synced")
        deadline = time.monotonic() + 60
        while "startup_s" not in board_out.read_text(encoding="utf-8"):
            if board.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the board did not start:\n" + board_out.read_text()[-2000:])
            time.sleep(0.1)
        people = [sid for sid in branch.stations if sid != "H1" and not sid.startswith("X")]
        sim = Simulator(branch, hub.endpoint, people, speed=speed, seed=1, keys_dir=keys)
        duration = hours * 3600 / speed
        start = time.monotonic()
        sim.start()
        for i in range(samples + 1):
            due = start + duration * i / samples
            while time.monotonic() < due:
                if sim.error is not None:
                    raise RuntimeError(f"the simulator stopped: {sim.error!r}")
                if board.poll() is not None:
                    raise RuntimeError("the board ended:\n" + board_out.read_text()[-2000:])
                time.sleep(min(0.5, max(0.0, due - time.monotonic())))
            status = window.status()
            row = {
                "real_s": round(time.monotonic() - start, 1),
                "simulated_h": round((time.monotonic() - start) * speed / 3600, 2),
                "events": journal_last_seq(hub.db_path),
                "signals_held": status["signals"],
                "hub_mb": round(hub.rss_mb(), 1),
                "board_mb": round(rss_mb(board.pid), 1),
                "window_mb": round(float(status["rss_mb"]), 1),
            }
            rows.append(row)
            say(
                f"soak: {row['simulated_h']:5.2f} h, {row['events']:7,} events, "
                f"{row['signals_held']:6,} signals held; RSS MB hub {row['hub_mb']}, "
                f"board {row['board_mb']}, window {row['window_mb']}"
            )
        sim.stop()
        accepted, refused = sum(sim.actions.values()), dict(sim.rejections)
        sim = None
        equal = False
        settle = time.monotonic()
        try:
            while time.monotonic() - settle < 60:
                seq, truth = journal_fingerprint(hub.db_url, config)
                status = window.status()
                if status["last_seq"] == seq and status["synced"]:
                    equal = bytes.fromhex(status["fingerprint"]) == truth
                    if equal:
                        break
                time.sleep(0.2)
        except Exception as exc:  # keep the samples of a long run whatever happens here
            say(f"soak: could not compare the window with the journal: {exc!r}")
    finally:
        if sim is not None:
            sim.stop()
        window.stop()
        if board.poll() is None:
            board.terminate()
            try:
                board.wait(10)
            except subprocess.TimeoutExpired:
                board.kill()
                board.wait(10)
    first, mid, last = rows[0], rows[len(rows) // 2], rows[-1]

    def growth(key: str) -> dict[str, float]:
        return {
            "start": first[key],
            "end": last[key],
            "max": max(r[key] for r in rows),
            "growth": round(last[key] - first[key], 1),
            "second_half_growth": round(last[key] - mid[key], 1),
        }

    events = last["events"] - first["events"]
    result: dict[str, Any] = {
        "speed": speed,
        "simulated_hours": hours,
        "real_s": last["real_s"],
        "events": events,
        "commands_accepted": accepted,
        "commands_refused": refused,
        "hub_mb": growth("hub_mb"),
        "board_mb": growth("board_mb"),
        "window_mb": growth("window_mb"),
        "window_equal_to_journal": equal,
        "samples": rows,
        "acknowledged_lost": 0,  # not what this case measures: memory; see "kill"
    }
    result["ok"] = equal
    say(
        f"soak: {hours:g} simulated hours at {speed:g}× ({last['real_s']:.0f} s): {events:,} "
        f"events, {accepted:,} commands accepted; RSS MB start → end (max): hub "
        f"{first['hub_mb']} → {last['hub_mb']} ({result['hub_mb']['max']}), board "
        f"{first['board_mb']} → {last['board_mb']} ({result['board_mb']['max']}), window "
        f"{first['window_mb']} → {last['window_mb']} ({result['window_mb']['max']}); "
        f"second half: hub +{result['hub_mb']['second_half_growth']}, board "
        f"+{result['board_mb']['second_half_growth']}, window "
        f"+{result['window_mb']['second_half_growth']}; the window equals the journal: {equal}"
    )
    return result
