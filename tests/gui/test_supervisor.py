"""SupervisorView against a real hub: the queue's order, claim (Enter), resolve (Ctrl+Enter)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.client.bridge import StationBridge
from app.domain.roles import SignalState
from tests.gui.conftest import BridgeFactory
from widgets.common import age_colour
from widgets.supervisor import SupervisorView

# The offscreen platform warns on every shown top-level window; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 5000


def make_view(qtbot: QtBot, bridge: StationBridge, show: bool = False) -> SupervisorView:
    view = SupervisorView(bridge)
    qtbot.addWidget(view)
    if show:
        view.resize(620, 500)
        with qtbot.waitActive(view):
            view.show()
            view.activateWindow()
    return view


def state_of_first_row(view: SupervisorView) -> str:
    item = view.queue.topLevelItem(0)
    return item.text(view.COL_STATE) if item is not None else ""


def test_enter_claims_and_ctrl_enter_resolves_an_authorization(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    teller = make_bridge("C02", staff="zhangwei")
    supervisor = make_bridge("S1", staff="wugang")
    view = make_view(qtbot, supervisor, show=True)
    assert not view.claim_button.isEnabled()
    teller.raise_signal("authorize", note="transfer over 50,000")
    qtbot.waitUntil(lambda: view.queue.topLevelItemCount() == 1, timeout=WAIT)
    item = view.queue.topLevelItem(0)
    assert item is not None
    assert item.text(view.COL_REQUEST) == "请求授权"
    assert item.text(view.COL_STATION) == "2号窗口"
    assert item.text(view.COL_WHO) == "张伟"
    assert item.foreground(view.COL_AGE).color() == age_colour(0, 20)  # green, well inside
    assert "transfer over 50,000" in view.detail.text()
    sig_id = teller.my_signals()[0].id

    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: teller.state.signals[sig_id].acked_staff == "wugang", timeout=WAIT)
    qtbot.waitUntil(lambda: not view.claim_button.isEnabled(), timeout=WAIT)
    assert view.resolve_button.isEnabled()

    qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: teller.state.signals[sig_id].state is SignalState.RESOLVED, timeout=WAIT
    )
    qtbot.waitUntil(lambda: view.queue.topLevelItemCount() == 0, timeout=WAIT)
    assert teller.my_signals() == []


def test_buttons_claim_and_resolve(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    teller = make_bridge("C01", staff="lina")
    supervisor = make_bridge("S1", staff="wugang")
    view = make_view(qtbot, supervisor)
    teller.raise_signal("cash")
    qtbot.waitUntil(lambda: view.claim_button.isEnabled(), timeout=WAIT)
    qtbot.mouseClick(view.claim_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Claimed by you" in state_of_first_row(view), timeout=WAIT)
    # Claimed is not handled yet: the headline says so (a count, in its plural form).
    assert view.count_label.text() == "Nothing waiting · 1 in progress"
    qtbot.mouseClick(view.resolve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.queue.topLevelItemCount() == 0, timeout=WAIT)
    assert "All handled" in view.count_label.text()


def test_queue_is_ordered_by_priority_then_age(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    c01 = make_bridge("C01", staff="lina")
    c02 = make_bridge("C02", staff="zhangwei")
    supervisor = make_bridge("S1", staff="wugang")
    view = make_view(qtbot, supervisor)
    c01.raise_signal("cash")
    c01.raise_signal("device_fault")
    c02.raise_signal("authorize")
    qtbot.waitUntil(lambda: view.queue.topLevelItemCount() == 3, timeout=WAIT)
    c02.raise_signal("duress")
    qtbot.waitUntil(lambda: view.queue.topLevelItemCount() == 4, timeout=WAIT)
    codes = [supervisor.state.signals[i].code for i in view.shown_ids()]
    assert codes == ["duress", "authorize", "cash", "device_fault"]
    assert "4" in view.count_label.text()
    # The selection stays on what the supervisor chose while rows come and go.
    view.select(view.shown_ids()[2])
    c01.raise_signal("authorize")
    qtbot.waitUntil(lambda: view.queue.topLevelItemCount() == 5, timeout=WAIT)
    chosen = view.selected()
    assert chosen is not None and chosen.code == "cash"
