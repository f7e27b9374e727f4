"""Real windows on a real X server: F1 at a counter flashes it on the lobby's floor map,
Enter at the lobby desk claims the call, and the counter sees who is coming.

The key presses go through the X server (xdotool → XTEST), the way a keyboard's do.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
import zmq
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from app.client.main import StationParts, build_station
from app.domain.config import Branch
from app.domain.roles import SignalState
from tests.helpers import HubProcess, keys_for
from widgets.lobby import LobbyView

WAIT = 10_000


def signed_in(parts: StationParts) -> bool:
    return bool(parts.bridge.staff)


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10, capture_output=True)


def press(parts: StationParts, key: str, qtbot: QtBot) -> None:
    """Give the window the X input focus, wait until Qt has it, press ``key`` for real."""
    wid = str(int(parts.window.winId()))
    xdotool("windowfocus", "--sync", wid)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is parts.window, timeout=WAIT)
    xdotool("key", "--clearmodifiers", key)


@pytest.fixture
def stations(
    qtbot: QtBot, hub: HubProcess, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> Iterator[dict[str, StationParts]]:
    assert shutil.which("xdotool"), "xdotool is needed for real key presses (apt install xdotool)"
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    made = {
        sid: build_station(
            branch,
            hub.endpoint,
            sid,
            ctx,
            lang="en",
            staff=staff,
            settings=settings,
            keys=keys_for(hub.endpoint, sid),
        )
        for sid, staff in (("C01", "lina"), ("L1", "wangfang"))
    }
    for x, parts in enumerate(made.values()):
        parts.window.setGeometry(20 + x * 700, 40, 680, 560)
        parts.window.show()
        qtbot.waitExposed(parts.window, timeout=WAIT)
    for parts in made.values():
        qtbot.waitUntil(partial(signed_in, parts), timeout=WAIT)
    yield made
    for parts in made.values():
        parts.close()


def test_f1_flashes_the_counter_on_the_lobby_map_and_enter_claims_it(
    qtbot: QtBot, stations: dict[str, StationParts]
) -> None:
    teller, lobby = stations["C01"], stations["L1"]
    assert QApplication.platformName() == "xcb"
    desk = lobby.view
    assert isinstance(desk, LobbyView)
    floor = desk.map
    assert "C01" not in floor.flashing_stations()

    press(teller, "F1", qtbot)
    qtbot.waitUntil(lambda: "C01" in floor.flashing_stations(), timeout=WAIT)
    (sig,) = teller.bridge.my_signals()
    assert sig.code == "assist" and sig.state is SignalState.OPEN

    # The lobby manager sees the call in the list before pressing Enter (the list is
    # refreshed on a short timer, after the map's flash).
    qtbot.waitUntil(lambda: sig.id in [s.id for s in desk.calls_model.rows], timeout=WAIT)
    # Keyboard only, as at a busy lobby desk: the window comes to the front, Enter claims.
    press(lobby, "Return", qtbot)
    try:
        qtbot.waitUntil(
            lambda: teller.bridge.state.signals[sig.id].state is SignalState.ACKNOWLEDGED,
            timeout=WAIT,
        )
    except WaitTimeout:
        focus = QApplication.focusWidget()
        where = (focus.objectName() or type(focus).__name__) if focus else "nothing"
        pytest.fail(f"Enter at the lobby desk claimed nothing: the keyboard focus was on {where}")
    claimed = teller.bridge.state.signals[sig.id]
    assert (claimed.acked_station, claimed.acked_staff) == ("L1", "wangfang")
    qtbot.waitUntil(lambda: "C01" not in floor.flashing_stations(), timeout=WAIT)

    # With the claimed row selected, Enter takes the most urgent waiting call: a second F1.
    desk.select_signal(sig.id)
    press(teller, "F1", qtbot)
    qtbot.waitUntil(lambda: len(teller.bridge.my_signals()) == 2, timeout=WAIT)
    second = max(s.id for s in teller.bridge.my_signals())
    qtbot.waitUntil(lambda: second in [s.id for s in desk.calls_model.rows], timeout=WAIT)
    desk.select_signal(sig.id)
    assert desk.selected_signal() is not None and desk.selected_signal().id == sig.id  # type: ignore[union-attr]
    press(lobby, "Return", qtbot)
    qtbot.waitUntil(
        lambda: teller.bridge.state.signals[second].state is SignalState.ACKNOWLEDGED,
        timeout=WAIT,
    )
    assert teller.bridge.state.signals[sig.id].state is SignalState.ACKNOWLEDGED
    assert desk.status_line.text().startswith("Claimed: ")
