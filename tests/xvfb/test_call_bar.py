"""At a real counter another application has the keyboard: an xterm stands in for the
core-banking system. Ctrl+Shift+F1 (grabbed system-wide) and a click on the call bar each
raise a call the lobby sees, the duress chord raises a duress nobody at the counter can
read about, and the xterm keeps the X input focus throughout.

The key presses go through the X server (xdotool → XTEST), the way a keyboard's do; the
click is a real pointer click on the bar's button.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QListWidget
from pytestqt.qtbot import QtBot

from app.client.hotkeys import GlobalKeys
from app.client.main import StationParts, take_keys
from app.domain.config import Branch, parse_chord
from app.domain.roles import SignalState
from tests.helpers import HubProcess
from tests.xvfb.windows import WAIT, open_windows, xdotool
from widgets.lobby import LobbyView

TITLE = "core-banking-stand-in"


def focused() -> str:
    return xdotool("getwindowfocus")


def window_texts(parts: StationParts) -> str:
    """Everything the teller's window and call bar show in words, as a customer could read."""
    window = parts.window
    texts = [window.windowTitle(), window.statusBar().currentMessage()]
    for label in window.findChildren(QLabel):
        if label.isVisible():
            texts.append(label.text())
    for button in window.findChildren(QAbstractButton):
        if button.isVisible():
            texts.append(button.text())
    for view in window.findChildren(QListWidget):
        texts += [view.item(i).text() for i in range(view.count())]  # title · detail · age
    if parts.call_bar is not None:
        texts.append(parts.call_bar.text_shown())
    return "\n".join(texts)


@pytest.fixture
def counter(
    qtbot: QtBot, hub: HubProcess, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> Iterator[dict[str, StationParts]]:
    for tool in ("xdotool", "xterm"):
        assert shutil.which(tool), f"{tool} is needed here (scripts/setup.sh installs it)"
    people = {"C01": "lina", "L1": "wangfang", "S1": "wugang"}
    desk = frozenset({"C01"})
    with open_windows(qtbot, hub, branch, ctx, tmp_path, people, width=600, desk=desk) as made:
        take_keys(made["C01"])
        assert made["C01"].window.statusBar().currentMessage() == ""  # every key was taken
        yield made


@pytest.fixture
def xterm(qtbot: QtBot) -> Iterator[str]:
    """Another application's window, holding the X input focus."""
    proc = subprocess.Popen(
        ["xterm", "-title", TITLE, "-geometry", "80x20+300+300"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wid = xdotool("search", "--sync", "--name", f"^{TITLE}$").split()[0]
        xdotool("windowfocus", "--sync", wid)
        qtbot.waitUntil(lambda: focused() == wid, timeout=WAIT)
        yield wid
    finally:
        proc.terminate()
        proc.wait(10)


def open_codes(parts: StationParts, station: str = "C01") -> list[str]:
    return sorted(
        s.code for s in parts.bridge.state.signals.values() if s.station == station and s.open
    )


def test_keys_and_the_bar_raise_calls_while_another_application_keeps_the_focus(
    qtbot: QtBot, counter: dict[str, StationParts], xterm: str
) -> None:
    teller, lobby = counter["C01"], counter["L1"]
    assert QApplication.platformName() == "xcb"
    assert teller.keys is not None and teller.call_bar is not None
    bar = teller.call_bar
    assert "Ctrl+Shift+F1" in [str(c) for c in teller.keys.grabbed]

    # Minimised, the full window gives way to the call bar; the xterm keeps the keyboard.
    teller.window.showMinimized()
    qtbot.waitUntil(bar.isVisible, timeout=WAIT)
    qtbot.waitExposed(bar, timeout=WAIT)
    assert focused() == xterm

    # 1. The system-wide key, pressed while the xterm has the focus.
    desk = lobby.view
    assert isinstance(desk, LobbyView)
    xdotool("key", "--clearmodifiers", "ctrl+shift+F1")
    qtbot.waitUntil(lambda: open_codes(lobby) == ["assist"], timeout=WAIT)
    qtbot.waitUntil(lambda: "C01" in desk.map.flashing_stations(), timeout=WAIT)
    assert focused() == xterm
    # The bar lists it with who is coming.
    qtbot.waitUntil(lambda: "Call lobby manager" in bar.calls.text(), timeout=WAIT)

    # 2. A real click on the bar's button: a second call, and still the xterm's keyboard.
    button = bar.buttons["authorize"]
    centre = button.mapToGlobal(button.rect().center())
    xdotool("mousemove", "--sync", str(centre.x()), str(centre.y()))
    xdotool("click", "1")
    qtbot.waitUntil(lambda: open_codes(lobby) == ["assist", "authorize"], timeout=WAIT)
    assert focused() == xterm
    assert QApplication.activeWindow() is None

    # Someone claims the assist: the bar says who is coming.
    (assist,) = [s for s in lobby.bridge.state.signals.values() if s.code == "assist"]
    lobby.bridge.acknowledge(assist.id)
    qtbot.waitUntil(lambda: "Wang Fang acknowledged" in bar.calls.text(), timeout=WAIT)
    assert focused() == xterm


def test_the_duress_chord_raises_it_and_the_counter_shows_only_a_discreet_mark(
    qtbot: QtBot, counter: dict[str, StationParts], xterm: str
) -> None:
    teller, supervisor = counter["C01"], counter["S1"]
    bar, mark = teller.call_bar, teller.mark
    assert bar is not None and mark is not None
    teller.window.showMinimized()
    qtbot.waitUntil(bar.isVisible, timeout=WAIT)
    before = window_texts(teller)
    assert not bar.mark.on and not mark.on

    xdotool("key", "--clearmodifiers", "ctrl+alt+shift+F12")
    # The supervisor has it; the counter has only the mark (it never reads a duress).
    qtbot.waitUntil(lambda: open_codes(supervisor) == ["duress"], timeout=WAIT)
    (duress,) = [s for s in supervisor.bridge.state.signals.values() if s.code == "duress"]
    assert duress.state is SignalState.OPEN
    qtbot.waitUntil(lambda: bar.mark.on and mark.on, timeout=WAIT)
    assert open_codes(teller) == []
    assert focused() == xterm

    # Nothing new on the counter's screens names it: not the bar, not the window (its
    # rows, its status line), in either language's words.
    after = window_texts(teller)
    names = ("duress", "Emergency", "紧急", "silent", "静默")
    assert not any(name.lower() in bar.text_shown().lower() for name in names)
    new_lines = set(after.splitlines()) - set(before.splitlines())
    assert not [line for line in new_lines if any(n.lower() in line.lower() for n in names)]
    assert "duress" not in [s.code for s in bar.open_calls()]


def test_a_key_another_program_holds_is_named_and_the_others_still_work(
    qtbot: QtBot, hub: HubProcess, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> None:
    # Another X client (a connection of its own, as another program's) takes Ctrl+Shift+F2.
    other = GlobalKeys({"other": (parse_chord("Ctrl+Shift+F2"),)}, "xcb")
    assert other.start() == []
    try:
        with open_windows(
            qtbot, hub, branch, ctx, tmp_path, {"C01": "lina"}, 600, desk=frozenset({"C01"})
        ) as made:
            parts = made["C01"]
            take_keys(parts)
            text = parts.window.statusBar().currentMessage()
            assert text.startswith("Another program already uses Ctrl+Shift+F2:")
            assert parts.call_bar is not None and parts.call_bar.warning.text() == text
            assert parts.keys is not None
            assert "Ctrl+Shift+F1" in [str(c) for c in parts.keys.grabbed]
            xdotool("key", "--clearmodifiers", "ctrl+shift+F1")
            qtbot.waitUntil(lambda: open_codes(parts) == ["assist"], timeout=WAIT)
    finally:
        other.stop()
