"""WealthView over an in-memory branch: accept, decline (re-offered), outcome, counter help."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.config import Branch
from app.domain.events import Acknowledge
from app.domain.policy import Act
from app.domain.roles import SignalState
from tests.gui.memory import MemoryHub, MemoryModel
from tests.gui.roles_support import actions, newer_type_signal
from widgets.dialogs import OutcomeDialog, ReasonDialog
from widgets.wealth import WealthView

# The offscreen platform warns on every shown top-level window; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 2000


def make_view(qtbot: QtBot, model: MemoryModel, show: bool = False) -> WealthView:
    view = WealthView(model)
    qtbot.addWidget(view)
    if show:
        view.resize(620, 500)
        with qtbot.waitActive(view):
            view.show()
            view.activateWindow()
    return view


def refer(teller: MemoryModel, qtbot: QtBot, view: WealthView) -> int:
    """The teller refers a customer; wait until the wealth view lists it; its id."""
    teller.raise_signal("refer_wealth", need="fund", note="asks about funds", ticket="A023")
    qtbot.waitUntil(lambda: view.inbox.topLevelItemCount() == 1, timeout=WAIT)
    sig = view.selected()
    assert sig is not None and sig.code == "refer_wealth"
    return sig.id


def test_inbox_shows_need_ticket_and_who_referred(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    wealth = hub.station("W1", staff="sunli")
    view = make_view(qtbot, wealth)
    sig_id = refer(teller, qtbot, view)
    item = view.inbox.topLevelItem(0)
    assert item is not None
    assert item.text(view.COL_REQUEST) == "转介理财客户"
    assert item.text(view.COL_NEED) == "基金"
    assert item.text(view.COL_TICKET) == "A023"
    assert "李娜" in item.text(view.COL_FROM) and "1号窗口" in item.text(view.COL_FROM)
    assert "asks about funds" in view.detail.text()
    # It was "accept first" here while the hub let a target close an open handoff at once
    # (claiming and closing it in one): the hub's rule is the button's now.
    assert view.finish_button.isEnabled() == hub.may("W1", Act.RESOLVE, sig_id) is True
    assert view.accept_button.isEnabled() and view.decline_button.isEnabled()


def test_accept_claims_it_and_the_other_manager_sees_who(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    w1 = hub.station("W1", staff="sunli")
    w2 = hub.station("W2", staff="zhoujie")
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


def test_decline_needs_a_reason_and_offers_it_to_the_others(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    w1 = hub.station("W1", staff="sunli")
    w2 = hub.station("W2", staff="zhoujie")
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


def test_served_with_a_product_goes_to_todays_customers(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    wealth = hub.station("W1", staff="sunli")
    view = make_view(qtbot, wealth, show=True)
    sig_id = refer(teller, qtbot, view)
    qtbot.keyClick(view, Qt.Key.Key_Return)  # Enter accepts
    qtbot.waitUntil(lambda: not view.accept_button.isEnabled(), timeout=WAIT)
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


def test_no_show(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    wealth = hub.station("W1", staff="sunli")
    view = make_view(qtbot, wealth, show=True)
    sig_id = refer(teller, qtbot, view)
    view.accept_selected()
    qtbot.waitUntil(lambda: not view.accept_button.isEnabled(), timeout=WAIT)
    qtbot.waitUntil(view.finish_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    dialog = view.active_dialog
    assert isinstance(dialog, OutcomeDialog)
    dialog.no_show.setChecked(True)
    assert not dialog.product.isEnabled()
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: teller.state.signals[sig_id].outcome == "no_show", timeout=WAIT)
    qtbot.waitUntil(lambda: view.today.topLevelItemCount() == 1, timeout=WAIT)


def test_counter_help_from_the_branch_head(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    head = hub.station("H1", staff="zhenghua")
    wealth = hub.station("W1", staff="sunli")
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


def test_cancelling_the_outcome_sends_nothing(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    wealth = hub.station("W1", staff="sunli")
    view = make_view(qtbot, wealth, show=True)
    sig_id = refer(teller, qtbot, view)
    view.accept_selected()
    qtbot.waitUntil(lambda: not view.accept_button.isEnabled(), timeout=WAIT)
    view.finish_selected()
    dialog = view.active_dialog
    assert isinstance(dialog, OutcomeDialog)
    dialog.reject()
    qtbot.waitUntil(lambda: view.active_dialog is None, timeout=WAIT)
    assert actions(wealth) == [Acknowledge(signal_id=sig_id, staff="sunli")]
    assert teller.state.signals[sig_id].state is SignalState.ACKNOWLEDGED


def test_the_buttons_are_what_the_policy_allows(qtbot: QtBot, branch: Branch) -> None:
    """Referrals new, offered again, taken by either manager, declined here, and a
    counter-help request: accept / decline / outcome are what the hub would accept."""
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    head = hub.station("H1", staff="zhenghua")
    w1, w2 = hub.station("W1", staff="sunli"), hub.station("W2", staff="zhoujie")
    view = make_view(qtbot, w1)

    def newest(model: MemoryModel, code: str, **fields: str) -> int:
        model.raise_signal(code, **fields)
        hub.flush()
        return max(s.id for s in hub.state.signals.values() if s.station == model.station.id)

    newest(teller, "refer_wealth")
    w1.acknowledge(newest(teller, "refer_wealth"))
    w2.acknowledge(newest(lobby, "vip"))
    w2.decline(newest(teller, "refer_wealth"), "busy")  # offered again, to W1
    w1.decline(newest(lobby, "refer_wealth"), "busy")  # no longer listed here
    w1.acknowledge(newest(head, "cover_counter"))
    hub.flush()
    w1.arrive(max(hub.state.signals))
    newest(head, "cover_counter")
    hub.flush()
    view.refresh()
    assert view.inbox.topLevelItemCount() == 6

    buttons = {Act.CLAIM: view.accept_button, Act.DECLINE: view.decline_button}
    buttons[Act.RESOLVE] = view.finish_button
    for sig_id in view.shown_ids():
        view.select(sig_id)
        enabled = {act for act, button in buttons.items() if button.isEnabled()}
        assert enabled == {act for act in buttons if hub.may("W1", act, sig_id)}, sig_id


def test_a_type_this_config_lacks_is_ordered_by_the_branch_rule(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    wealth = hub.station("W1", staff="sunli")
    view = make_view(qtbot, wealth)
    teller.raise_signal("refer_wealth")  # priority 3
    hub.flush()
    hub.advance(1000)
    unknown = newer_type_signal(hub, "H1", ("wealth_manager",))
    qtbot.waitUntil(lambda: view.inbox.topLevelItemCount() == 2, timeout=WAIT)
    assert view.shown_ids()[0] == unknown.id  # the default priority (2) comes first
    item = view.inbox.topLevelItem(0)
    assert item is not None and item.text(view.COL_REQUEST) == "brand_new"
    assert not view.accept_button.isEnabled() or hub.may("W1", Act.CLAIM, unknown.id)
