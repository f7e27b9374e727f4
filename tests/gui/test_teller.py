"""TellerView over an in-memory branch: one click or F-key per call, live progress, counter
status, and a handoff sent to the counter closed with the outcome the teller chose."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.domain.config import Branch
from app.domain.events import Acknowledge, Resolve
from app.domain.policy import Act
from app.domain.roles import CounterStatus, SignalState
from tests.gui.memory import MemoryHub, MemoryModel
from tests.gui.roles_support import HANDOFF_BACK, actions, branch_with, outcome_dialog
from widgets.dialogs import ReasonDialog
from widgets.raise_form import RaiseDialog
from widgets.teller import TellerView

# The offscreen platform warns on every shown top-level window; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 2000


def make_view(qtbot: QtBot, model: MemoryModel, show: bool = False) -> TellerView:
    view = TellerView(model)
    qtbot.addWidget(view)
    if show:
        view.resize(620, 500)
        with qtbot.waitActive(view):
            view.show()
            view.activateWindow()
    return view


def open_codes(model: MemoryModel) -> list[str]:
    return [s.code for s in model.inbox()]


def test_buttons_follow_the_config_with_f_keys(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    view = make_view(qtbot, teller)
    kinds = teller.branch.raisable_by(teller.station.role)
    codes = [k.code for k in kinds if not k.silent]  # a silent type has no button
    assert list(view.buttons) == codes
    assert codes[0] == "assist"
    assert view.buttons["assist"].text().startswith("F1")
    assert "呼叫大堂经理" in view.buttons["assist"].text()


def test_click_reaches_the_lobby_claim_shows_name_resolve_removes(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, teller)

    qtbot.mouseClick(view.findChild(QPushButton, "signal_assist"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: open_codes(lobby) == ["assist"], timeout=WAIT)
    qtbot.waitUntil(lambda: view.my_list.count() == 1, timeout=WAIT)
    assert "呼叫大堂经理" in view.my_list.item(0).text()

    sig = lobby.inbox()[0]
    lobby.acknowledge(sig.id)
    qtbot.waitUntil(lambda: "王芳" in view.my_list.item(0).text(), timeout=WAIT)

    lobby.resolve(sig.id)
    qtbot.waitUntil(lambda: view.my_list.count() == 0, timeout=WAIT)
    assert view.empty_label.isVisibleTo(view)


def test_f1_raises_and_delete_cancels(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, teller, show=True)

    qtbot.keyClick(view, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: open_codes(lobby) == ["assist"], timeout=WAIT)
    qtbot.waitUntil(lambda: view.my_list.count() == 1, timeout=WAIT)
    sig_id = view.selected_signal()
    assert sig_id is not None

    qtbot.keyClick(view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: open_codes(lobby) == [], timeout=WAIT)
    qtbot.waitUntil(lambda: view.my_list.count() == 0, timeout=WAIT)
    assert teller.state.signals[sig_id].state is SignalState.CANCELLED


def test_cancel_button_cancels_the_selected_call(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    view = make_view(qtbot, teller)
    assert not view.cancel_button.isEnabled()
    teller.raise_signal("authorize")
    teller.raise_signal("cash")
    qtbot.waitUntil(lambda: view.my_list.count() == 2, timeout=WAIT)
    view.my_list.setCurrentRow(0)
    first = view.selected_signal()
    assert first is not None and teller.state.signals[first].code == "authorize"
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.my_list.count() == 1, timeout=WAIT)
    assert teller.state.signals[first].state is SignalState.CANCELLED
    assert [s.code for s in teller.my_signals()] == ["cash"]


def test_pause_needs_a_reason(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1")
    view = make_view(qtbot, teller, show=True)
    assert "Open" in view.status_label.text() or "营业" in view.status_label.text()
    assert not view.resume_button.isEnabled()

    assert view.pause("") is False  # the API refuses too
    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
    dialog = view.active_dialog
    assert isinstance(dialog, ReasonDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClick(dialog.reasons, Qt.Key.Key_Return)  # Enter without a reason: nothing
    assert dialog.isVisible()
    assert actions(teller) == []

    qtbot.keyClick(dialog.reasons, Qt.Key.Key_Down)  # arrow keys pick the first reason
    assert dialog.reason() == "meal"
    assert dialog.ok_button.isEnabled()
    qtbot.keyClick(dialog.reasons, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: lobby.state.counters["C01"].status is CounterStatus.PAUSED, timeout=WAIT
    )
    assert lobby.state.counters["C01"].reason == "meal"
    qtbot.waitUntil(lambda: view.counter_status is CounterStatus.PAUSED, timeout=WAIT)
    assert "用餐" in view.status_label.text()
    assert view.resume_button.isEnabled()

    qtbot.mouseClick(view.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lobby.state.counters["C01"].status is CounterStatus.OPEN, timeout=WAIT)
    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.counter_status is CounterStatus.CLOSED, timeout=WAIT)
    assert not view.close_button.isEnabled()


def test_handoff_form_sends_need_note_and_ticket(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    wealth = hub.station("W1", staff="sunli")
    view = make_view(qtbot, teller, show=True)
    key = list(view.buttons).index("refer_wealth") + 1
    qtbot.keyClick(view, getattr(Qt.Key, f"Key_F{key}"))
    dialog = view.active_dialog
    assert isinstance(dialog, RaiseDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    assert dialog.need is not None and dialog.ticket is not None
    assert actions(teller) == []  # nothing sent before the form

    dialog.need.setCurrentIndex(dialog.need.findData("fund"))
    qtbot.keyClicks(dialog.note, "wants a 3-year fund")
    qtbot.keyClicks(dialog.ticket, "A023")
    qtbot.keyClick(dialog.ticket, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: open_codes(wealth) == ["refer_wealth"], timeout=WAIT)
    sig = wealth.inbox()[0]
    assert (sig.need, sig.note, sig.ticket) == ("fund", "wants a 3-year fund", "A023")
    assert sig.staff == "lina"
    qtbot.waitUntil(lambda: view.my_list.count() == 1, timeout=WAIT)


def test_escape_closes_the_form_without_sending(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    view = make_view(qtbot, teller, show=True)
    view.trigger("refer_wealth")
    dialog = view.active_dialog
    assert isinstance(dialog, RaiseDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(dialog.note, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.active_dialog is None, timeout=WAIT)
    assert actions(teller) == []
    assert teller.my_signals() == []


def test_silent_signal_leaves_no_trace(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    supervisor = hub.station("S1", staff="wugang")
    view = make_view(qtbot, teller)
    assert view.active_dialog is None
    # no button, key or label at the counter names it: the station's chord raises it
    assert "duress" not in view.buttons and "duress" not in view.shortcuts
    shown = " ".join(b.text() + b.toolTip() for b in view.findChildren(QPushButton))
    assert "紧急" not in shown and "Emergency" not in shown and "uress" not in shown
    view.trigger("duress")  # what the chord does
    qtbot.waitUntil(lambda: open_codes(supervisor) == ["duress"], timeout=WAIT)
    # the raiser's PC is not told what it was: its state only moves past the seq
    qtbot.waitUntil(lambda: teller.state.last_seq >= supervisor.state.last_seq, timeout=WAIT)
    assert teller.my_signals() == []
    view.refresh()
    assert view.my_list.count() == 0
    assert view.active_dialog is None


def test_call_sent_to_this_counter(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C03", staff="liuyang")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, teller, show=True)
    assert view.incoming_group.isHidden()
    lobby.raise_signal("direct_counter", to="C03", note="passport renewal")
    qtbot.waitUntil(lambda: view.incoming_list.count() == 1, timeout=WAIT)
    assert not view.incoming_group.isHidden()
    assert "王芳" in view.incoming_list.item(0).text()
    sig_id = lobby.my_signals()[0].id

    qtbot.mouseClick(view.incoming_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: lobby.state.signals[sig_id].state is SignalState.ACKNOWLEDGED, timeout=WAIT
    )
    qtbot.mouseClick(view.incoming_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.incoming_list.count() == 0, timeout=WAIT)
    assert lobby.state.signals[sig_id].state is SignalState.RESOLVED


def test_a_call_row_shows_who_is_coming_in_full(qtbot: QtBot, branch: Branch) -> None:
    """The demo's 640 px window cut "Wang Fang acknowledged" in the middle: never again."""
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina", lang="en")
    lobby = hub.station("L1", staff="wangfang", lang="en")
    view = make_view(qtbot, teller, show=True)
    view.resize(640, 540)
    teller.raise_signal("assist")
    qtbot.waitUntil(lambda: view.my_list.count() == 1, timeout=WAIT)
    label, progress, age = view.row_lines(0)
    assert (label, progress) == ("Call lobby manager", "Waiting")
    assert age.count(":") == 1

    qtbot.waitUntil(lambda: open_codes(lobby) == ["assist"], timeout=WAIT)
    lobby.acknowledge(lobby.inbox()[0].id)
    qtbot.waitUntil(lambda: view.row_lines(0)[1].startswith("✓"), timeout=WAIT)
    assert view.row_lines(0)[1] == "✓ Wang Fang acknowledged · on the way"
    assert "Wang Fang" in view.my_list.item(0).text()  # what a screen reader reads
    one_line_rows = view.my_list.visualItemRect(view.my_list.item(0)).height()

    # Squeezed: the label may be elided, the progress wraps onto another line instead.
    view.my_list.setFixedWidth(180)
    qtbot.waitUntil(
        lambda: view.my_list.visualItemRect(view.my_list.item(0)).height() > one_line_rows,
        timeout=WAIT,
    )
    label, progress, _age = view.row_lines(0)
    assert label.endswith("…") and progress == "✓ Wang Fang acknowledged · on the way"


# A handoff sent to the counter: closed with the outcome the teller chose ----------------------
def test_a_handoff_sent_to_the_counter_is_done_with_the_chosen_outcome(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """ "Done" on a handoff sent "served" without asking: now it asks, and Cancel sends
    nothing."""
    hub = MemoryHub(branch_with(tmp_path, HANDOFF_BACK))
    teller = hub.station("C01", staff="lina")
    wealth = hub.station("W1", staff="sunli")
    view = make_view(qtbot, teller, show=True)
    wealth.raise_signal("send_back", ticket="A051", note="deposit")
    qtbot.waitUntil(lambda: view.incoming_list.count() == 1, timeout=WAIT)
    sid = teller.inbox()[0].id
    assert view.incoming_button.text() == "Acknowledge"
    qtbot.mouseClick(view.incoming_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.incoming_button.text() == "Done", timeout=WAIT)
    assert actions(teller) == [Acknowledge(signal_id=sid, staff="lina")]

    qtbot.mouseClick(view.incoming_button, Qt.MouseButton.LeftButton)
    dialog = outcome_dialog(qtbot, view.active_dialog)
    assert dialog.product.isHidden()
    qtbot.mouseClick(dialog.no_show, Qt.MouseButton.LeftButton)
    dialog.reject()
    qtbot.waitUntil(lambda: view.active_dialog is None, timeout=WAIT)
    assert actions(teller) == [Acknowledge(signal_id=sid, staff="lina")]
    assert wealth.state.signals[sid].state is SignalState.ACKNOWLEDGED

    qtbot.mouseClick(view.incoming_button, Qt.MouseButton.LeftButton)
    dialog = outcome_dialog(qtbot, view.active_dialog)
    dialog.no_show.setChecked(True)
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.incoming_list.count() == 0, timeout=WAIT)
    assert actions(teller)[-1] == Resolve(signal_id=sid, outcome="no_show", staff="lina")
    resolved = wealth.state.signals[sid]
    assert (resolved.state, resolved.outcome) == (SignalState.RESOLVED, "no_show")


def test_the_buttons_are_what_the_policy_allows(qtbot: QtBot, tmp_path: Path) -> None:
    """Calls sent to the counter in every state, its own calls: the buttons are exactly
    what the hub would accept from it (a handoff another counter took: nothing)."""
    hub = MemoryHub(branch_with(tmp_path, HANDOFF_BACK))
    teller = hub.station("C01", staff="lina")
    other = hub.station("C03", staff="liuyang")
    lobby = hub.station("L1", staff="wangfang")
    wealth = hub.station("W1", staff="sunli")
    view = make_view(qtbot, teller)

    def newest(model: MemoryModel, code: str, **fields: str) -> int:
        model.raise_signal(code, **fields)
        hub.flush()
        return max(s.id for s in hub.state.signals.values() if s.station == model.station.id)

    newest(lobby, "direct_counter", to="C01")
    teller.acknowledge(newest(lobby, "direct_counter", to="C01"))
    newest(wealth, "send_back")
    other.acknowledge(newest(wealth, "send_back"))
    teller.acknowledge(newest(wealth, "send_back"))
    newest(teller, "authorize")
    lobby.acknowledge(newest(teller, "assist"))
    hub.flush()
    view.refresh()
    assert view.incoming_list.count() == 5 and view.my_list.count() == 2

    for row in range(view.incoming_list.count()):
        view.incoming_list.setCurrentRow(row)
        sid = int(view.incoming_list.currentItem().data(Qt.ItemDataRole.UserRole))
        claim, resolve = (hub.may("C01", act, sid) for act in (Act.CLAIM, Act.RESOLVE))
        assert view.incoming_button.isEnabled() == (claim or resolve), sid
        expected = "Done" if resolve and not claim else "Acknowledge"
        assert view.incoming_button.text() == expected, sid
    for row in range(view.my_list.count()):
        view.my_list.setCurrentRow(row)
        own = view.selected_signal()
        assert own is not None
        assert view.cancel_button.isEnabled() == hub.may("C01", Act.CANCEL, own)


def test_the_teller_confirms_that_the_lobby_manager_arrived(qtbot: QtBot, branch: Branch) -> None:
    """F12 at the counter: the person who took the call is here (the raiser confirms it,
    as a nurse-call presence button); not before someone claimed it."""
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, teller, show=True)
    assert not view.arrived_button.isEnabled()
    with qtbot.waitSignal(lobby.signal_raised, timeout=WAIT) as raised:
        qtbot.keyClick(view, Qt.Key.Key_F1)
    sid = raised.args[0].id
    qtbot.waitUntil(lambda: view.my_list.count() == 1, timeout=WAIT)
    assert not view.arrived_button.isEnabled()
    assert view.confirm_arrival() == ""  # nobody claimed it yet: nothing is sent
    lobby.acknowledge(sid)
    qtbot.waitUntil(view.arrived_button.isEnabled, timeout=WAIT)
    assert [s.id for s in teller.awaiting_arrival()] == [sid]
    qtbot.keyClick(view, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: lobby.state.signals[sid].state is SignalState.ARRIVED, timeout=WAIT)
    assert lobby.state.signals[sid].acked_staff == "wangfang"  # who came is unchanged
    qtbot.waitUntil(lambda: not view.arrived_button.isEnabled(), timeout=WAIT)
    assert teller.awaiting_arrival() == []


def test_confirm_arrival_on_the_model_takes_the_oldest_claimed_call(branch: Branch) -> None:
    """StationModel.confirm_arrival, as the compact call bar uses it."""
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    teller.raise_signal("assist")
    teller.raise_signal("assist")
    hub.flush()
    first, second = (s.id for s in teller.my_signals() if s.code == "assist")
    lobby.acknowledge(second)
    hub.flush()
    assert [s.id for s in teller.awaiting_arrival()] == [second]
    assert teller.confirm_arrival() != ""
    hub.flush()
    assert teller.state.signals[second].state is SignalState.ARRIVED
    assert teller.state.signals[first].state is SignalState.OPEN
    assert teller.confirm_arrival() == ""
