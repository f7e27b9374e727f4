"""One person, one station: signing in at a second counter moves the person (protocol §7
``signed_in``), and the counter they left stops naming them at once. It went on showing
李娜 in its header, so she appeared accepted at two counters at the same time."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.domain.config import Branch
from app.domain.events import SignIn
from app.domain.state import BranchState
from tests.gui.memory import MemoryHub
from widgets.floormap import FloorMap
from widgets.teller import TellerView
from widgets.window import StationWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 2000


def test_signing_in_elsewhere_clears_the_counter_left(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    first = hub.station("C01", staff="lina")
    second = hub.station("C02")
    lobby = hub.station("L1", staff="wangfang")
    window = StationWindow(first, TellerView(first))
    qtbot.addWidget(window)
    floor = FloorMap(lobby)
    qtbot.addWidget(floor)
    qtbot.waitUntil(lambda: window.staff_label.text() == "李娜", timeout=WAIT)

    with qtbot.waitSignal(first.staff_changed, check_params_cb=lambda s: s == "C01"):
        second.sign_in("lina")  # she moved to counter 2 without signing out at 1
    assert first.staff == "" and second.staff == "lina"
    assert window.staff_label.text() == "Nobody signed in"
    qtbot.waitUntil(lambda: floor.tile("C02").staff == "李娜", timeout=WAIT)
    assert floor.tile("C01").staff == ""
    named = [sid for sid, who in lobby.state.staff_at.items() if who == "lina"]
    assert named == ["C02"]


def test_the_rule_in_the_state_one_station_a_person() -> None:
    """The reducer's rule that the views follow (decided by the hub, replayed by all)."""
    from app.domain.config import load_branch

    state = BranchState(load_branch())
    for seq, station in enumerate(("C01", "C02", "C03"), start=1):
        event = state.decide(station, SignIn(staff="lina"), seq)
        state.apply(seq, 1_764_000_000_000 + seq, event)
        assert state.staff_at == {station: "lina"}
