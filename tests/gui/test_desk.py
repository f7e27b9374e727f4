"""A station on a desk it shares (build_station(desk=True)), against a real hub on
loopback: the call bar follows the minimised window, a call key or a bar button raises as
the view's own button would, the duress goes quietly and only the mark tells, and a
platform that allows no system-wide keys is named on the status line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.client.main import StationParts, build_station, raise_call, take_keys
from app.domain.config import Branch
from tests.helpers import HubProcess, keys_for
from widgets.raise_form import RaiseDialog
from widgets.teller import TellerView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")
WAIT = 15_000  # a loaded machine: the hub may hold a first raise until it has measured the station


@pytest.fixture
def desk(
    qtbot: QtBot, hub: HubProcess, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> Iterator[StationParts]:
    parts = build_station(
        branch,
        hub.endpoint,
        "C01",
        ctx,
        lang="en",
        staff="lina",
        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
        keys=keys_for(hub.endpoint, "C01"),
        desk=True,
    )
    parts.window.show()
    qtbot.waitUntil(lambda: bool(parts.bridge.staff), timeout=WAIT)
    yield parts
    parts.close()


def test_the_bar_shows_while_the_window_is_minimised_and_brings_it_back(
    qtbot: QtBot, desk: StationParts
) -> None:
    bar = desk.call_bar
    assert bar is not None and desk.mark is not None
    assert not bar.isVisible()
    desk.window.showMinimized()
    qtbot.waitUntil(bar.isVisible, timeout=WAIT)
    bar.restore_button.click()
    qtbot.waitUntil(lambda: not desk.window.isMinimized(), timeout=WAIT)
    assert not bar.isVisible()


def test_a_call_key_raises_as_the_button_does_and_a_form_brings_the_window_back(
    qtbot: QtBot, desk: StationParts
) -> None:
    view = desk.view
    assert isinstance(view, TellerView)
    desk.window.showMinimized()
    raise_call(desk, "assist")
    qtbot.waitUntil(lambda: [s.code for s in desk.bridge.my_signals()] == ["assist"], timeout=WAIT)
    assert desk.window.isMinimized()  # a one-click call leaves the window where it was
    raise_call(desk, "refer_wealth")  # a handoff asks for its need: the window comes back
    assert not desk.window.isMinimized()
    assert isinstance(view.active_dialog, RaiseDialog)


def test_the_duress_goes_quietly_and_only_the_mark_tells(qtbot: QtBot, desk: StationParts) -> None:
    view, confirm, mark = desk.view, desk.confirm, desk.mark
    assert isinstance(view, TellerView) and confirm is not None and mark is not None
    raise_call(desk, "duress")
    (msg_id,) = view.quiet_msg_ids
    qtbot.waitUntil(lambda: confirm.confirmed, timeout=WAIT)
    assert mark.on and desk.call_bar is not None and desk.call_bar.mark.on
    assert desk.window.status_message() == ""
    assert desk.bridge.my_signals() == []  # the raiser never reads it
    assert msg_id


def test_a_desktop_without_global_keys_is_named_plainly(desk: StationParts) -> None:
    assert desk.keys is not None
    take_keys(desk)  # offscreen: no keys to take, nothing to say
    assert desk.window.statusBar().currentMessage() == ""
    desk.keys.platform = "wayland"
    take_keys(desk)
    text = desk.window.statusBar().currentMessage()
    assert "Wayland" in text and "call bar" in text
    assert desk.call_bar is not None and desk.call_bar.warning.text() == text
