"""Broadcasts and the Today list in the station window (issue 12, items 7 and 8), over an
in-memory branch that decides as the hub does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.domain.config import Branch
from app.domain.events import AckBroadcast, Broadcast
from tests.gui.memory import MemoryHub, MemoryModel
from tests.gui.roles_support import actions
from widgets.board import BoardView
from widgets.broadcast import BroadcastDialog
from widgets.lobby import LobbyView
from widgets.supervisor import SupervisorView
from widgets.teller import TellerView
from widgets.wealth import WealthView
from widgets.window import StationWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 2000


def window_of(qtbot: QtBot, model: MemoryModel, kind: Callable[[Any], QWidget]) -> StationWindow:
    window = StationWindow(model, kind(model))
    qtbot.addWidget(window)
    return window


# Broadcasts ---------------------------------------------------------------------------------
def test_only_the_lobby_and_the_branch_head_get_the_broadcast_button(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    lobby = window_of(qtbot, hub.station("L1", staff="wangfang"), LobbyView)
    teller = window_of(qtbot, hub.station("C01", staff="lina"), TellerView)
    assert not lobby.broadcast_button.isHidden()
    assert teller.broadcast_button.isHidden()
    assert teller.broadcast_tally is None and lobby.broadcast_tally is not None


def test_a_broadcast_sent_from_the_form_is_acknowledged_at_each_station(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    lobby_model = hub.station("L1", staff="wangfang")
    c01_model, c02_model = hub.station("C01", staff="lina"), hub.station("C02")
    lobby = window_of(qtbot, lobby_model, LobbyView)
    c01 = window_of(qtbot, c01_model, TellerView)
    c02 = window_of(qtbot, c02_model, TellerView)
    w1 = window_of(qtbot, hub.station("W1"), WealthView)
    reminders: list[str] = []
    c01_model.reminder.connect(reminders.append)
    assert c01.broadcast_banner is not None and c01.broadcast_banner.isHidden()

    lobby.ask_broadcast()
    dialog = lobby.dialogs.active
    assert isinstance(dialog, BroadcastDialog)
    zones = [dialog.zone_box.itemData(i) for i in range(dialog.zone_box.count())]
    assert zones[0] == "" and "high" in zones and "self" not in zones  # no station there
    assert not dialog.send_button.isEnabled()
    dialog.text_edit.insert("十分钟后开晨会")  # typed (keyClicks is ASCII only)
    dialog.zone_box.setCurrentIndex(zones.index("high"))
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    hub.flush()
    assert actions(lobby_model) == [Broadcast(text="十分钟后开晨会", zone="high", staff="wangfang")]

    for window in (c01, c02):
        banner = window.broadcast_banner
        assert banner is not None and not banner.isHidden()
        assert "十分钟后开晨会" in banner.text.text() and "大堂经理台" in banner.text.text()
    assert w1.broadcast_banner is not None and w1.broadcast_banner.isHidden()  # not its zone
    assert reminders == ["十分钟后开晨会"]  # the gentle sound, once
    tally = lobby.broadcast_tally
    assert tally is not None and "0/4" in tally.texts()[0]

    assert c01.broadcast_banner is not None
    qtbot.mouseClick(c01.broadcast_banner.ok_button, Qt.MouseButton.LeftButton)
    hub.flush()
    assert c01.broadcast_banner.isHidden()
    assert c02.broadcast_banner is not None and not c02.broadcast_banner.isHidden()
    assert "1/4" in tally.texts()[0]
    assert "2号窗口" in tally.lines[0].toolTip() and "1号窗口" not in tally.lines[0].toolTip()
    assert c02.broadcast_banner is not None
    qtbot.mouseClick(c02.broadcast_banner.ok_button, Qt.MouseButton.LeftButton)
    hub.flush()
    assert "2/4" in tally.texts()[0]
    (sent,) = lobby_model.state.broadcasts.values()
    assert actions(c02_model) == [AckBroadcast(broadcast_id=sent.id)]
    assert set(sent.acks) == {"C01", "C02"}


def test_an_empty_broadcast_is_not_sent(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    model = hub.station("H1", staff="zhenghua")
    window = window_of(qtbot, model, SupervisorView)
    window.ask_broadcast()
    dialog = window.dialogs.active
    assert isinstance(dialog, BroadcastDialog)
    qtbot.keyClicks(dialog.text_edit, "   ")
    assert not dialog.send_button.isEnabled()
    dialog.accept()
    assert dialog.isVisible() and actions(model) == []


# Today --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("station", "kind"),
    [("C01", TellerView), ("L1", LobbyView), ("W1", WealthView), ("S1", SupervisorView)],
)
def test_every_role_has_a_today_list_of_handled_calls(
    qtbot: QtBot, branch: Branch, station: str, kind: Callable[[Any], QWidget]
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    wealth = hub.station("W1", staff="sunli")
    models = {"C01": teller, "L1": lobby, "W1": wealth}
    model = models.get(station) or hub.station(station)
    window = window_of(qtbot, model, kind)
    assert not window.today_button.isHidden()

    first = teller.raise_signal("assist")
    hub.flush()
    assist = teller.state.last_seq
    lobby.resolve(assist)
    teller.raise_signal("cash")
    hub.flush()
    teller.cancel(teller.state.last_seq)
    lobby.raise_signal("refer_wealth", ticket="A023", need="fund")
    hub.flush()
    handoff = lobby.state.last_seq
    wealth.acknowledge(handoff)
    hub.flush()
    wealth.resolve(handoff, outcome="served")
    hub.flush()
    assert first

    window.today_button.click()
    today = window.today_view
    assert today is not None and not today.isHidden()
    assert not window.view.isHidden()  # beside the role view: its keys still work
    rows = [today.row_lines(r) for r in range(today.list.count())]
    details = " | ".join(d for _t, d, _a in rows)
    if station in ("C01", "L1", "S1"):
        assert any("李娜" in d and "王芳" in d for _t, d, _a in rows), details  # the assist
    if station in ("L1", "W1", "S1"):
        assert any("孙丽" in d for _t, d, _a in rows), details  # the handoff, served
    if station == "C01":
        assert len(rows) == 2  # its assist, resolved, and its cash call, cancelled
    assert all(age.count(":") == 1 for _t, _d, age in rows)  # ended HH:MM
    window.today_button.click()
    assert today.isHidden()


def test_the_board_has_no_today_toggle(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    window = window_of(qtbot, hub.station("H1"), BoardView)
    assert window.today_button.isHidden() and window.today_view is None


def test_the_teller_keys_still_call_while_today_is_open(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    window = window_of(qtbot, teller, TellerView)
    window.resize(1280, 800)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.today_button.click()
    assert window.today_view is not None and window.today_view.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    hub.flush()
    assert [s.code for s in teller.my_signals()] == ["assist"]


def test_a_public_board_shows_no_broadcast(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    lobby = hub.station("L1", staff="wangfang")
    model = hub.station("H1")
    window = StationWindow(model, BoardView(model, public=True))
    qtbot.addWidget(window)
    lobby.broadcast("十分钟后开晨会")
    hub.flush()
    assert window.broadcast_banner is None and window.broadcast_button.isHidden()
    private = window_of(qtbot, model, BoardView)  # the branch head's own board: it shows
    assert private.broadcast_banner is not None and not private.broadcast_banner.isHidden()
