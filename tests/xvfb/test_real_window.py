"""Real windows on a real X server: F1 at a counter flashes it on the lobby's floor map,
Enter at the lobby desk claims the call (the most urgent waiting one, whatever row is
selected), and the counter sees who is coming; a duress is a pinned alarm at the
supervisor and on the branch head's board, and nothing at the counter that raised it.

The key presses go through the X server (xdotool → XTEST), the way a keyboard's do.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq
from PySide6.QtWidgets import QApplication
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from app.client.main import StationParts
from app.domain.config import Branch
from app.domain.roles import SignalState
from tests.helpers import HubProcess
from tests.xvfb.windows import WAIT, open_windows, xdotool
from widgets.lobby import LobbyView


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
    people = {"C01": "lina", "L1": "wangfang"}
    with open_windows(qtbot, hub, branch, ctx, tmp_path, people, width=680) as made:
        yield made


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


@pytest.fixture
def watchers(
    qtbot: QtBot, hub: HubProcess, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> Iterator[dict[str, StationParts]]:
    """A counter, the supervisor and the branch head's own board, on real windows."""
    people = {"C03": "liuyang", "S1": "wugang", "H1": "zhenghua"}
    with open_windows(qtbot, hub, branch, ctx, tmp_path, people, 620, lang="zh_CN") as made:
        yield made


def test_a_duress_is_a_pinned_alarm_at_the_watchers_and_nothing_at_the_raiser(
    qtbot: QtBot, watchers: dict[str, StationParts]
) -> None:
    from widgets.board import BoardView
    from widgets.supervisor import SupervisorView

    teller, s1, h1 = watchers["C03"], watchers["S1"], watchers["H1"]
    supervisor, board = s1.view, h1.view
    assert isinstance(supervisor, SupervisorView) and isinstance(board, BoardView)
    assert board.duress is not None
    before = teller.view.grab().toImage()
    from widgets.teller import TellerView

    assert isinstance(teller.view, TellerView)
    teller.view.trigger("duress")  # the counter's discreet button (its chord is the bar's)
    qtbot.waitUntil(lambda: len(supervisor.duress.alarm_ids()) == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: board.duress is not None and board.duress.isVisible(), timeout=WAIT)
    (sid,) = supervisor.duress.alarm_ids()
    assert supervisor.duress.isVisible() and "3号窗口" in supervisor.duress.lines[sid].text()
    assert sid not in teller.bridge.state.signals  # the raiser's PC never has it
    assert teller.view.findChildren(type(supervisor.duress)) == []
    qtbot.wait(300)
    assert teller.view.grab().toImage() == before  # not a pixel changed at the counter
    press(s1, "Return", qtbot)  # the supervisor claims it from the keyboard
    qtbot.waitUntil(lambda: board.duress is not None and board.duress.isHidden(), timeout=WAIT)
    qtbot.waitUntil(lambda: supervisor.duress.isHidden(), timeout=WAIT)
