"""The lobby manager's view: calls by urgency, claimed from the keyboard, own signals raised.

Built over an in-memory branch (tests.gui.memory), which decides with the hub's rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.domain import policy
from app.domain.config import Branch
from app.domain.events import Resolve
from app.domain.policy import Act
from app.domain.roles import SignalState
from tests.gui.memory import MemoryHub, MemoryModel
from tests.gui.roles_support import (
    HANDOFF_BACK,
    SECOND_DESK,
    actions,
    branch_with,
    newer_type_signal,
    outcome_dialog,
    show,
)
from widgets.lobby import LobbyView

WAIT = 2000


def make_view(qtbot: QtBot, model: MemoryModel) -> LobbyView:
    view = LobbyView(model)
    qtbot.addWidget(view)
    view.resize(620, 500)
    return view


def state_of(model: MemoryModel, signal_id: int) -> SignalState | None:
    sig = model.state.signals.get(signal_id)
    return sig.state if sig else None


def test_a_call_is_listed_flashes_and_is_handled_from_the_keyboard(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    assert view.visible_call_ids() == []
    with qtbot.waitSignal(lobby.signal_raised, timeout=WAIT) as raised:
        teller.raise_signal("assist", ticket="A017", note="开户")
    sid = raised.args[0].id
    qtbot.waitUntil(lambda: view.visible_call_ids() == [sid], timeout=WAIT)
    assert "C01" in view.map.flashing_stations()
    assert view.row_text(sid).splitlines() == ["呼叫大堂经理", "1号窗口 · 李娜 · No. A017 · 开户"]
    assert view.selected_signal() is not None and view.selected_signal().id == sid  # type: ignore[union-attr]
    assert view.map.highlighted() == "C01"

    qtbot.keyClick(view, Qt.Key.Key_Return)  # claim
    qtbot.waitUntil(lambda: state_of(teller, sid) is SignalState.ACKNOWLEDGED, timeout=WAIT)
    assert teller.state.signals[sid].acked_staff == "wangfang"  # the teller sees who comes
    qtbot.waitUntil(lambda: "Claimed by 王芳" in view.row_text(sid), timeout=WAIT)
    assert "C01" not in view.map.flashing_stations()

    qtbot.keyClick(view.calls, Qt.Key.Key_A)  # arrived, typed in the list itself
    qtbot.waitUntil(lambda: state_of(teller, sid) is SignalState.ARRIVED, timeout=WAIT)
    qtbot.waitUntil(lambda: "王芳 arrived" in view.row_text(sid), timeout=WAIT)
    qtbot.keyClick(view, Qt.Key.Key_R)  # resolved: an assist takes no outcome, no question
    assert view.active_dialog is None
    qtbot.waitUntil(lambda: state_of(teller, sid) is SignalState.RESOLVED, timeout=WAIT)
    qtbot.waitUntil(lambda: view.visible_call_ids() == [], timeout=WAIT)
    assert view.map.marked_stations() == set()


def test_calls_are_ordered_and_the_map_and_list_select_each_other(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    c1 = hub.station("C01", staff="lina")
    c2 = hub.station("C02", staff="zhangwei")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    with qtbot.waitSignal(lobby.signal_raised, timeout=WAIT) as first:
        c1.raise_signal("assist")
    hub.advance(1000)
    with qtbot.waitSignal(lobby.signal_raised, timeout=WAIT) as second:
        c2.raise_signal("assist")
    older, newer = first.args[0].id, second.args[0].id
    qtbot.waitUntil(lambda: view.visible_call_ids() == [older, newer], timeout=WAIT)
    assert view.map.flashing_stations() == {"C01", "C02"}
    assert view.selected_signal().id == older  # type: ignore[union-attr]

    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected_signal().id == newer  # type: ignore[union-attr]
    assert view.map.highlighted() == "C02"
    view.map.station_clicked.emit("C01")  # clicking a flashing counter picks its call
    assert view.selected_signal().id == older  # type: ignore[union-attr]
    assert view.map.highlighted() == "C01"

    # Enter claims the most urgent waiting call (the older), not the selected one.
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected_signal().id == newer  # type: ignore[union-attr]
    qtbot.keyClick(view, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: state_of(c1, older) is SignalState.ACKNOWLEDGED, timeout=WAIT)
    assert state_of(c2, newer) is SignalState.OPEN
    assert view.status_line.text() == "Claimed: 1号窗口 呼叫大堂经理"
    # The claimed call is selected (it can be marked arrived) and sorts below the waiting.
    qtbot.waitUntil(view.arrived_button.isEnabled, timeout=WAIT)
    assert view.selected_signal().id == older  # type: ignore[union-attr]
    assert view.visible_call_ids() == [newer, older]
    assert view.claim_button.isEnabled()  # Enter would take the newer one now
    # Waiting calls stay on top, whatever their priority against claimed ones.
    hub.advance(1000)
    third = c2.raise_signal("assist")
    qtbot.waitUntil(lambda: len(view.visible_call_ids()) == 3, timeout=WAIT)
    ids = view.visible_call_ids()
    assert ids[0] == newer and ids[2] == older, third


URGENT_FOR_LOBBY = """
[[signals]]
code = "fall"
label = { zh_CN = "客户摔倒", en = "Customer fell" }
raisers = ["teller"]
targets = ["lobby_manager"]
priority = 1
"""


def test_enter_takes_the_most_urgent_waiting_call_whatever_is_selected(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """With a claimed row selected, Enter claims the most urgent waiting call by the
    branch's order (priority before age), and the status line names it in plain words."""
    hub = MemoryHub(branch_with(tmp_path, URGENT_FOR_LOBBY))
    c1 = hub.station("C01", staff="lina")
    c2 = hub.station("C02", staff="zhangwei")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    with qtbot.waitSignal(lobby.signal_raised, timeout=WAIT) as first:
        c1.raise_signal("assist")
    oldest = first.args[0].id
    hub.advance(5000)
    with qtbot.waitSignal(lobby.signal_raised, timeout=WAIT) as second:
        c1.raise_signal("assist", ticket="A102")
    hub.advance(5000)
    with qtbot.waitSignal(lobby.signal_raised, timeout=WAIT) as third:
        c2.raise_signal("fall")
    older, urgent = second.args[0].id, third.args[0].id
    qtbot.waitUntil(lambda: len(view.visible_call_ids()) == 3, timeout=WAIT)
    assert view.visible_call_ids() == [urgent, oldest, older]  # priority 1 first

    lobby.acknowledge(oldest)  # claimed, say from the map; then selected
    qtbot.waitUntil(lambda: view.visible_call_ids()[-1] == oldest, timeout=WAIT)
    view.select_signal(oldest)
    assert view.selected_signal().state is SignalState.ACKNOWLEDGED  # type: ignore[union-attr]
    qtbot.keyClick(view.calls, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: state_of(c2, urgent) is SignalState.ACKNOWLEDGED, timeout=WAIT)
    assert view.status_line.text() == "Claimed: 2号窗口 客户摔倒"
    assert state_of(c1, older) is SignalState.OPEN
    qtbot.waitUntil(lambda: view.visible_call_ids() == [older, urgent, oldest], timeout=WAIT)

    qtbot.keyClick(view.calls, Qt.Key.Key_Return)  # the next: the waiting assist
    qtbot.waitUntil(lambda: state_of(c1, older) is SignalState.ACKNOWLEDGED, timeout=WAIT)
    assert view.status_line.text() == "Claimed: 1号窗口 呼叫大堂经理 · No. A102"
    qtbot.waitUntil(lambda: not view.claim_button.isEnabled(), timeout=WAIT)
    qtbot.keyClick(view.calls, Qt.Key.Key_Return)  # nothing waits: said, nothing sent
    assert view.status_line.text() == "No call is waiting"
    assert len(actions(lobby)) == 3


def test_a_type_this_config_lacks_is_ordered_by_the_branch_rule(
    qtbot: QtBot, branch: Branch
) -> None:
    """The list put an unknown type after every other (priority 9); the policy gives it the
    default priority, so an older one comes before a newer assist (priority 2)."""
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    unknown = newer_type_signal(hub, "C02", ("lobby_manager",))
    hub.advance(1000)
    with qtbot.waitSignal(lobby.signal_raised, timeout=WAIT) as raised:
        teller.raise_signal("assist")
    view.refresh_now()
    expected = sorted(
        lobby.inbox(), key=lambda s: policy.waiting_first_key(branch, s, lobby.station.id)
    )
    assert view.visible_call_ids() == [s.id for s in expected] == [unknown.id, raised.args[0].id]
    assert view.row_text(unknown.id).startswith("brand_new")  # its code: no label here


def test_direct_a_customer_to_a_counter(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    c3 = hub.station("C03", staff="liuyang")
    c2 = hub.station("C02", staff="zhangwei")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    codes = [t.code for t in view.raise_bar.types]
    assert {"direct_counter", "vip", "queue_alert", "refer_wealth"} <= set(codes)
    key = (Qt.Key.Key_F2, Qt.Key.Key_F3, Qt.Key.Key_F4, Qt.Key.Key_F5)[
        codes.index("direct_counter")
    ]
    qtbot.keyClick(view, key)
    bar = view.raise_bar
    assert not bar.form.isHidden() and bar.code == "direct_counter"
    assert not bar.counter.isHidden() and bar.need.isHidden()
    # The counters the policy allows, not this desk; the first that can take a customer.
    offered = [bar.counter.itemData(i) for i in range(bar.counter.count())]
    assert offered == [s.id for s in policy.destinations(branch, "direct_counter")]
    assert bar.counter.currentData() == "C02"  # C01 has nobody signed in
    bar.counter.setCurrentIndex(bar.counter.findData("C03"))
    qtbot.keyClicks(bar.ticket, "A030")
    qtbot.keyClick(bar.ticket, Qt.Key.Key_Return)  # Enter in the form sends it
    assert bar.form.isHidden()
    qtbot.waitUntil(lambda: [s.code for s in c3.inbox()] == ["direct_counter"], timeout=WAIT)
    sig = c3.inbox()[0]
    assert (sig.to, sig.ticket, sig.station, sig.staff) == ("C03", "A030", "L1", "wangfang")
    assert c2.inbox() == []
    qtbot.waitUntil(lambda: view.my_signal_ids() == [sig.id], timeout=WAIT)
    assert "→ 3号窗口" in view.mine.item(0).text()
    c3.acknowledge(sig.id)  # the teller takes the customer: progress shows who
    qtbot.waitUntil(lambda: "刘洋" in view.mine.item(0).text(), timeout=WAIT)


def test_refer_vip_and_queue_alert(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    wealth = hub.station("W1", staff="sunli")
    head = hub.station("H1", staff="zhenghua")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    bar = view.raise_bar
    qtbot.mouseClick(bar.buttons["refer_wealth"], Qt.MouseButton.LeftButton)
    # a referral names a wealth manager or goes to any (the default)
    assert not bar.counter.isHidden() and bar.counter.currentData() == ""
    assert not bar.need.isHidden()
    bar.need.setCurrentIndex(bar.need.findData("fund"))
    bar.note.setText("想了解基金定投")  # QTest types ASCII only
    qtbot.keyClicks(bar.ticket, "B042")
    qtbot.mouseClick(bar.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [s.code for s in wealth.inbox()] == ["refer_wealth"], timeout=WAIT)
    referral = wealth.inbox()[0]
    assert (referral.need, referral.note, referral.ticket) == ("fund", "想了解基金定投", "B042")

    view.open_raise_form("vip")
    qtbot.keyClick(view.raise_bar, Qt.Key.Key_Escape)  # closed without sending
    assert bar.form.isHidden()
    qtbot.mouseClick(bar.buttons["queue_alert"], Qt.MouseButton.LeftButton)  # one click
    qtbot.waitUntil(lambda: [s.code for s in head.inbox()] == ["queue_alert"], timeout=WAIT)
    assert [s.code for s in wealth.inbox()] == ["refer_wealth"]  # no VIP was sent
    qtbot.waitUntil(lambda: len(view.my_signal_ids()) == 2, timeout=WAIT)


def test_a_rejected_command_is_explained(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    with qtbot.waitSignal(lobby.command_rejected, timeout=WAIT):
        view.raise_signal("direct_counter", to="W1")  # not a counter
    assert view.status_line.text().startswith("✗ 引导至窗口")
    assert "W1" in view.status_line.toolTip()  # the hub's own reason


def test_silent_signals_leave_no_trace_at_the_raiser(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    head = hub.station("H1")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    # nothing at the lobby desk names it: the station's chord raises it
    assert "duress" not in view.raise_bar.buttons
    view.raise_bar.start("duress")  # what the chord's raise does: no form
    qtbot.waitUntil(lambda: [s.code for s in head.inbox()] == ["duress"], timeout=WAIT)
    view.refresh_now()
    assert view.my_signal_ids() == []
    assert view.status_line.text() == ""


def test_everyone_sees_who_claimed_a_call(qtbot: QtBot, tmp_path: Path) -> None:
    """A branch with two lobby desks: everyone sees who claimed what."""
    hub = MemoryHub(branch_with(tmp_path, SECOND_DESK))
    teller = hub.station("C01", staff="lina")
    mine, other = hub.station("L1", staff="wangfang"), hub.station("L2", staff="zhaomin")
    view = make_view(qtbot, mine)
    with qtbot.waitSignal(mine.signal_raised, timeout=WAIT) as raised:
        teller.raise_signal("assist")
    sid = raised.args[0].id
    qtbot.waitUntil(lambda: view.visible_call_ids() == [sid], timeout=WAIT)
    other.acknowledge(sid)
    qtbot.waitUntil(lambda: "Claimed by 赵敏" in view.row_text(sid), timeout=WAIT)
    assert view.visible_call_ids() == [sid]  # still listed, for everyone to see
    assert "C01" not in view.map.flashing_stations()
    qtbot.keyClick(view, Qt.Key.Key_Return)  # claiming it again is refused here
    assert view.status_line.text() == "Already claimed by 赵敏"
    assert actions(mine) == []  # refused before anything is sent
    other.resolve(sid)
    qtbot.waitUntil(lambda: view.visible_call_ids() == [], timeout=WAIT)


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_raise_buttons_fit_a_narrow_window_with_their_keys(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    lobby = hub.station("L1", staff="wangfang", lang="en")
    view = LobbyView(lobby)
    qtbot.addWidget(view)
    view.resize(640, 500)
    view.show()
    qtbot.waitExposed(view)
    bar = view.raise_bar
    qtbot.waitUntil(lambda: bar.width() <= 640, timeout=WAIT)
    assert 2 <= bar.columns <= 4  # wrapped onto rows, not one row cut at both ends
    for i, (code, button) in enumerate(bar.buttons.items()):
        key = f"F{i + 2}"
        label = lobby.branch.signal_types[code].label.get("en")
        assert button.geometry().left() >= 0 and button.geometry().right() < bar.width()
        assert button.shown_text().startswith(f"{key}  ")  # the key is always seen
        assert label in button.toolTip()  # the whole label, when it is elided on screen
    # The window's header names the desk and who is signed in; the view does not repeat it.
    assert not any("Lobby desk" in label.text() for label in view.findChildren(QLabel))

    view.resize(1280, 760)
    qtbot.waitUntil(lambda: bar.columns == len(bar.buttons), timeout=WAIT)  # one row
    assert all(b.shown_text() == b.text() for b in bar.buttons.values())  # nothing elided


def test_my_signals_show_who_took_them(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C05", staff="yanglei", lang="en")
    lobby = hub.station("L1", staff="wangfang", lang="en")
    view = make_view(qtbot, lobby)
    assert view.calls_title.text() == "Calls · 0 waiting"  # %n, in its plural form
    view.raise_signal("direct_counter", to="C05", ticket="A002")
    qtbot.waitUntil(lambda: len(view.my_signal_ids()) == 1, timeout=WAIT)
    assert view.my_signal_lines(0)[1] == "Waiting"
    qtbot.waitUntil(lambda: len(teller.inbox()) == 1, timeout=WAIT)
    teller.acknowledge(teller.inbox()[0].id)
    qtbot.waitUntil(lambda: view.my_signal_lines(0)[1] == "✓ Yang Lei acknowledged", timeout=WAIT)
    assert "Customer sent to counter → Counter 5" in view.mine.item(0).text()


# Closing a handoff asks how it went --------------------------------------------------------
@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_a_handoff_sent_to_the_desk_is_resolved_with_the_chosen_outcome(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """R on a handoff was refused here ("closed by the person who served it") while the
    hub lets a target close it: now R asks the outcome, and Cancel sends nothing."""
    hub = MemoryHub(branch_with(tmp_path, HANDOFF_BACK))
    wealth = hub.station("W1", staff="sunli")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    show(qtbot, view)
    with qtbot.waitSignal(lobby.signal_raised, timeout=WAIT) as raised:
        wealth.raise_signal("send_back", ticket="A051")
    sid = raised.args[0].id
    qtbot.waitUntil(lambda: view.visible_call_ids() == [sid], timeout=WAIT)
    assert view.resolve_button.isEnabled() == hub.may("L1", Act.RESOLVE, sid) is True

    qtbot.keyClick(view, Qt.Key.Key_R)
    dialog = outcome_dialog(qtbot, view.active_dialog)
    assert dialog.product.isHidden()  # the product is the wealth manager's question
    dialog.reject()
    qtbot.waitUntil(lambda: view.active_dialog is None, timeout=WAIT)
    assert actions(lobby) == []
    assert state_of(wealth, sid) is SignalState.OPEN

    qtbot.keyClick(view, Qt.Key.Key_R)
    dialog = outcome_dialog(qtbot, view.active_dialog)
    dialog.no_show.setChecked(True)
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_of(wealth, sid) is SignalState.RESOLVED, timeout=WAIT)
    assert actions(lobby) == [Resolve(signal_id=sid, outcome="no_show", staff="wangfang")]
    assert wealth.state.signals[sid].outcome == "no_show"


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_a_handoff_the_desk_raised_is_closed_from_my_signals(qtbot: QtBot, branch: Branch) -> None:
    """The raiser may close a handoff once someone took it (the policy's rule)."""
    hub = MemoryHub(branch)
    wealth = hub.station("W1", staff="sunli")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    show(qtbot, view)
    view.raise_signal("refer_wealth", ticket="B007")
    qtbot.waitUntil(lambda: len(view.my_signal_ids()) == 1, timeout=WAIT)
    sid = view.my_signal_ids()[0]
    view.mine.setCurrentRow(0)
    panel = view.mine_panel
    assert panel.cancel_button.isEnabled() and not panel.resolve_button.isEnabled()
    assert not hub.may("L1", Act.RESOLVE, sid)  # nobody took it yet

    wealth.acknowledge(sid)
    qtbot.waitUntil(panel.resolve_button.isEnabled, timeout=WAIT)
    assert hub.may("L1", Act.RESOLVE, sid)
    qtbot.mouseClick(panel.resolve_button, Qt.MouseButton.LeftButton)
    dialog = outcome_dialog(qtbot, view.active_dialog)
    assert dialog.served.isChecked()
    qtbot.keyClicks(dialog.note, "left after 10 min")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: state_of(wealth, sid) is SignalState.RESOLVED, timeout=WAIT)
    assert actions(lobby)[-1] == Resolve(
        signal_id=sid, outcome="served", note="left after 10 min", staff="wangfang"
    )
    resolved = wealth.state.signals[sid]
    assert (resolved.outcome, resolved.resolved_station) == ("served", "L1")
    qtbot.waitUntil(lambda: view.my_signal_ids() == [], timeout=WAIT)


# The buttons are the policy's ---------------------------------------------------------------
def test_the_buttons_are_what_the_policy_allows(qtbot: QtBot, tmp_path: Path) -> None:
    """Every call and own signal, in every state, on both desks: the enabled buttons are
    exactly what the hub would accept from this desk."""
    hub = MemoryHub(branch_with(tmp_path, SECOND_DESK, HANDOFF_BACK))
    c1, c2 = hub.station("C01", staff="lina"), hub.station("C02", staff="zhangwei")
    w1 = hub.station("W1", staff="sunli")
    l1, l2 = hub.station("L1", staff="wangfang"), hub.station("L2", staff="zhaomin")
    view = make_view(qtbot, l1)

    def newest(model: MemoryModel, code: str, **fields: str) -> int:
        model.raise_signal(code, **fields)
        hub.flush()
        return max(s.id for s in hub.state.signals.values() if s.station == model.station.id)

    waiting = newest(c1, "assist")
    mine = newest(c2, "assist")
    l1.acknowledge(mine)
    theirs = newest(c1, "assist")
    l2.acknowledge(theirs)
    here = newest(c2, "assist")
    l1.acknowledge(here)
    hub.flush()
    l1.arrive(here)
    handoff_open = newest(w1, "send_back")
    handoff_mine = newest(w1, "send_back")
    l1.acknowledge(handoff_mine)
    referral_open = newest(l1, "refer_wealth")
    referral_taken = newest(l1, "refer_wealth")
    w1.acknowledge(referral_taken)
    hub.flush()
    view.refresh_now()

    calls = {Act.ARRIVE: view.arrived_button, Act.RESOLVE: view.resolve_button}
    listed = view.visible_call_ids()
    assert set(listed) == {waiting, mine, theirs, here, handoff_open, handoff_mine}
    # Claim (Enter) takes the most urgent claimable call, whichever row is selected.
    claimable = [sid for sid in listed if hub.may("L1", Act.CLAIM, sid)]
    assert view.next_call().id == claimable[0]  # type: ignore[union-attr]
    for sid in listed:
        view.select_signal(sid)
        assert view.claim_button.isEnabled()
        enabled = {act for act, button in calls.items() if button.isEnabled()}
        assert enabled == {act for act in calls if hub.may("L1", act, sid)}, sid
        assert enabled == view.model.acts(hub.state.signal(sid)) & set(calls), sid

    panel = view.mine_panel
    own = {Act.CANCEL: panel.cancel_button, Act.RESOLVE: panel.resolve_button}
    assert view.my_signal_ids() == [referral_open, referral_taken]
    for row, sid in enumerate(view.my_signal_ids()):
        view.mine.setCurrentRow(row)
        enabled = {act for act, button in own.items() if button.isEnabled()}
        assert enabled == {act for act in own if hub.may("L1", act, sid)}, sid
