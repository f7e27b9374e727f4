"""WealthView against a real hub: accept, decline (re-offered), outcome, counter help."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.client.bridge import StationBridge
from app.domain.roles import SignalState
from tests.gui.conftest import BridgeFactory
from widgets.teller import ReasonDialog
from widgets.wealth import OutcomeDialog, WealthView

# The offscreen platform warns on every shown top-level window; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 5000


def make_view(qtbot: QtBot, bridge: StationBridge, show: bool = False) -> WealthView:
    view = WealthView(bridge)
    qtbot.addWidget(view)
    if show:
        view.resize(620, 500)
        with qtbot.waitActive(view):
            view.show()
            view.activateWindow()
    return view


def refer(teller: StationBridge, qtbot: QtBot, view: WealthView) -> int:
    """The teller refers a customer; wait until the wealth view lists it; its id."""
    teller.raise_signal("refer_wealth", need="fund", note="asks about funds", ticket="A023")
    qtbot.waitUntil(lambda: view.inbox.topLevelItemCount() == 1, timeout=WAIT)
    sig = view.selected()
    assert sig is not None and sig.code == "refer_wealth"
    return sig.id


def test_inbox_shows_need_ticket_and_who_referred(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    teller = make_bridge("C01", staff="lina")
    wealth = make_bridge("W1", staff="sunli")
    view = make_view(qtbot, wealth)
    refer(teller, qtbot, view)
    item = view.inbox.topLevelItem(0)
    assert item is not None
    assert item.text(view.COL_REQUEST) == "转介理财客户"
    assert item.text(view.COL_NEED) == "基金"
    assert item.text(view.COL_TICKET) == "A023"
    assert "李娜" in item.text(view.COL_FROM) and "1号窗口" in item.text(view.COL_FROM)
    assert "asks about funds" in view.detail.text()
    assert not view.finish_button.isEnabled()  # accept first


def test_accept_claims_it_and_the_other_manager_sees_who(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    teller = make_bridge("C01", staff="lina")
    w1 = make_bridge("W1", staff="sunli")
    w2 = make_bridge("W2", staff="zhoujie")
    view = make_view(qtbot, w1)
    other = make_view(qtbot, w2)
    sig_id = refer(teller, qtbot, view)
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w2.state.signals[sig_id].acked_station == "W1", timeout=WAIT)
    qtbot.waitUntil(view.finish_button.isEnabled, timeout=WAIT)
    assert not view.accept_button.isEnabled()
    qtbot.waitUntil(lambda: not other.accept_button.isEnabled(), timeout=WAIT)
    item = other.inbox.topLevelItem(0)
    assert item is not None and "孙丽" in item.text(other.COL_STATE)
    # The teller sees who took the customer.
    qtbot.waitUntil(
        lambda: teller.state.signals[sig_id].state is SignalState.ACKNOWLEDGED, timeout=WAIT
    )


def test_decline_needs_a_reason_and_offers_it_to_the_others(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    teller = make_bridge("C01", staff="lina")
    w1 = make_bridge("W1", staff="sunli")
    w2 = make_bridge("W2", staff="zhoujie")
    view = make_view(qtbot, w1, show=True)
    other = make_view(qtbot, w2)
    sig_id = refer(teller, qtbot, view)

    assert view.decline(sig_id, "") is False
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    dialog = view.active_dialog
    assert isinstance(dialog, ReasonDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClick(dialog.reasons, Qt.Key.Key_Down)
    assert dialog.reason() == "busy"
    qtbot.keyClick(dialog.reasons, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: view.inbox.topLevelItemCount() == 0, timeout=WAIT)
    qtbot.waitUntil(lambda: w2.state.signals[sig_id].declined_by("W1"), timeout=WAIT)
    assert [s.id for s in w2.inbox()] == [sig_id]
    assert w1.inbox() == []
    qtbot.waitUntil(lambda: "孙丽" in other.detail.text(), timeout=WAIT)
    assert "正在服务其他客户" in other.detail.text()
    other.accept_selected()
    qtbot.waitUntil(lambda: w1.state.signals[sig_id].acked_station == "W2", timeout=WAIT)


def test_served_with_a_product_goes_to_todays_customers(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    teller = make_bridge("C01", staff="lina")
    wealth = make_bridge("W1", staff="sunli")
    view = make_view(qtbot, wealth, show=True)
    sig_id = refer(teller, qtbot, view)
    qtbot.keyClick(view, Qt.Key.Key_Return)  # Enter accepts
    qtbot.waitUntil(view.finish_button.isEnabled, timeout=WAIT)

    qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    dialog = view.active_dialog
    assert isinstance(dialog, OutcomeDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    assert dialog.served.isChecked()
    dialog.product.setCurrentIndex(dialog.product.findData("fund"))
    qtbot.keyClicks(dialog.note, "bought a 3-year fund")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)

    qtbot.waitUntil(
        lambda: teller.state.signals[sig_id].state is SignalState.RESOLVED, timeout=WAIT
    )
    sig = teller.state.signals[sig_id]
    assert (sig.outcome, sig.product, sig.result_note) == ("served", "fund", "bought a 3-year fund")
    qtbot.waitUntil(lambda: view.today.topLevelItemCount() == 1, timeout=WAIT)
    assert view.inbox.topLevelItemCount() == 0
    row = view.today.topLevelItem(0)
    assert row is not None
    texts = [row.text(c) for c in range(row.columnCount())]
    assert "基金" in texts and "A023" in texts and "Served" in texts


def test_no_show(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    teller = make_bridge("C01", staff="lina")
    wealth = make_bridge("W1", staff="sunli")
    view = make_view(qtbot, wealth, show=True)
    sig_id = refer(teller, qtbot, view)
    view.accept_selected()
    qtbot.waitUntil(view.finish_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    dialog = view.active_dialog
    assert isinstance(dialog, OutcomeDialog)
    dialog.no_show.setChecked(True)
    assert not dialog.product.isEnabled()
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: teller.state.signals[sig_id].outcome == "no_show", timeout=WAIT)
    qtbot.waitUntil(lambda: view.today.topLevelItemCount() == 1, timeout=WAIT)


def test_counter_help_from_the_branch_head(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    head = make_bridge("H1", staff="zhenghua")
    wealth = make_bridge("W1", staff="sunli")
    view = make_view(qtbot, wealth)
    head.raise_signal("cover_counter", note="C02 is short")
    qtbot.waitUntil(lambda: view.inbox.topLevelItemCount() == 1, timeout=WAIT)
    assert "Claim" in view.accept_button.text()
    assert view.decline_button.isHidden()
    sig_id = head.my_signals()[0].id
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: head.state.signals[sig_id].acked_staff == "sunli", timeout=WAIT)
    qtbot.waitUntil(view.finish_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: head.state.signals[sig_id].state is SignalState.RESOLVED, timeout=WAIT)
    qtbot.waitUntil(lambda: view.inbox.topLevelItemCount() == 0, timeout=WAIT)
    assert view.today.topLevelItemCount() == 0  # not a customer handoff
