"""SupervisorView over an in-memory branch: the queue's order, claim (Enter), resolve
(Ctrl+Enter), and a handoff resolved with the outcome the supervisor chose."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain import policy
from app.domain.config import Branch
from app.domain.events import Acknowledge, Resolve
from app.domain.policy import Act
from app.domain.roles import SignalState
from tests.gui.memory import MemoryHub, MemoryModel
from tests.gui.roles_support import (
    HANDOFF_BACK,
    actions,
    branch_with,
    newer_type_signal,
    outcome_dialog,
)
from widgets.common import age_colour
from widgets.supervisor import SupervisorView

# The offscreen platform warns on every shown top-level window; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 2000


def make_view(qtbot: QtBot, model: MemoryModel, show: bool = False) -> SupervisorView:
    view = SupervisorView(model)
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
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C02", staff="zhangwei")
    supervisor = hub.station("S1", staff="wugang")
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


def test_buttons_claim_and_resolve(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    supervisor = hub.station("S1", staff="wugang")
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


def test_queue_is_ordered_by_priority_then_age(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    c01 = hub.station("C01", staff="lina")
    c02 = hub.station("C02", staff="zhangwei")
    supervisor = hub.station("S1", staff="wugang")
    view = make_view(qtbot, supervisor)
    c01.raise_signal("cash")
    hub.advance(1000)
    c01.raise_signal("device_fault")
    hub.advance(1000)
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


def test_a_type_this_config_lacks_is_ordered_by_the_branch_rule(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    supervisor = hub.station("S1", staff="wugang")
    view = make_view(qtbot, supervisor)
    teller.raise_signal("cash")  # priority 3
    hub.flush()
    hub.advance(1000)
    newer_type_signal(hub, "C02", ("supervisor",))
    hub.advance(1000)
    teller.raise_signal("authorize")  # priority 2, newer
    qtbot.waitUntil(lambda: view.queue.topLevelItemCount() == 3, timeout=WAIT)
    codes = [supervisor.state.signals[i].code for i in view.shown_ids()]
    assert codes == ["brand_new", "authorize", "cash"]
    assert view.shown_ids() == [s.id for s in policy.by_urgency(branch, supervisor.inbox())]


# A handoff: resolved with the outcome the supervisor chose ----------------------------------
def test_a_handoff_is_resolved_with_the_chosen_outcome(qtbot: QtBot, tmp_path: Path) -> None:
    """Ctrl+Enter on a handoff sent "served" without asking: now it asks, and Cancel
    sends nothing."""
    hub = MemoryHub(branch_with(tmp_path, HANDOFF_BACK))
    wealth = hub.station("W1", staff="sunli")
    supervisor = hub.station("S1", staff="wugang")
    view = make_view(qtbot, supervisor, show=True)
    wealth.raise_signal("send_back", ticket="A051")
    qtbot.waitUntil(lambda: view.queue.topLevelItemCount() == 1, timeout=WAIT)
    sig_id = view.shown_ids()[0]
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Claimed by you" in state_of_first_row(view), timeout=WAIT)

    qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    dialog = outcome_dialog(qtbot, view.active_dialog)
    assert dialog.product.isHidden()
    qtbot.keyClick(dialog.note, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.active_dialog is None, timeout=WAIT)
    assert actions(supervisor) == [Acknowledge(signal_id=sig_id, staff="wugang")]

    qtbot.mouseClick(view.resolve_button, Qt.MouseButton.LeftButton)
    dialog = outcome_dialog(qtbot, view.active_dialog)
    assert dialog.served.isChecked()
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.queue.topLevelItemCount() == 0, timeout=WAIT)
    assert actions(supervisor)[-1] == Resolve(signal_id=sig_id, outcome="served", staff="wugang")
    assert wealth.state.signals[sig_id].outcome == "served"


def test_the_buttons_are_what_the_policy_allows(qtbot: QtBot, tmp_path: Path) -> None:
    """Requests new, claimed here, claimed and raised here, escalated, and handoffs:
    claim and resolve are what the hub would accept from the supervisor."""
    hub = MemoryHub(branch_with(tmp_path, HANDOFF_BACK))
    teller = hub.station("C01", staff="lina")
    wealth = hub.station("W1", staff="sunli")
    supervisor = hub.station("S1", staff="wugang")
    view = make_view(qtbot, supervisor)

    def newest(model: MemoryModel, code: str) -> int:
        model.raise_signal(code)
        hub.flush()
        return max(s.id for s in hub.state.signals.values() if s.station == model.station.id)

    newest(teller, "cash")
    supervisor.acknowledge(newest(teller, "authorize"))
    supervisor.acknowledge(newest(supervisor, "device_fault"))
    hub.flush()
    supervisor.arrive(max(hub.state.signals))
    newest(wealth, "send_back")
    supervisor.acknowledge(newest(wealth, "send_back"))
    newest(teller, "assist")
    hub.advance(10 * 60 * 1000)  # the assist escalates to the supervisor
    hub.flush()
    view.refresh()
    assert view.queue.topLevelItemCount() == 6

    buttons = {Act.CLAIM: view.claim_button, Act.RESOLVE: view.resolve_button}
    for sig_id in view.shown_ids():
        view.select(sig_id)
        enabled = {act for act, button in buttons.items() if button.isEnabled()}
        assert enabled == {act for act in buttons if hub.may("S1", act, sig_id)}, sig_id


def test_a_duress_is_pinned_full_width_until_acknowledged(qtbot: QtBot, branch: Branch) -> None:
    """A duress is a red band across the supervisor's window, above the queue, until
    someone acknowledges it; then it is a row of the queue like any claimed request."""
    hub = MemoryHub(branch)
    supervisor = hub.station("S1", staff="wugang")
    head = hub.station("H1", staff="zhenghua")
    teller = hub.station("C03", staff="liuyang")
    view = make_view(qtbot, supervisor, show=True)
    assert view.duress.isHidden()
    with qtbot.waitSignal(supervisor.signal_raised, timeout=WAIT) as raised:
        teller.raise_signal("duress")
    sid = raised.args[0].id
    qtbot.waitUntil(lambda: view.duress.alarm_ids() == [sid], timeout=WAIT)
    assert view.duress.isVisible()
    assert view.duress.width() >= view.queue.width()  # full width, above the queue
    assert view.duress.geometry().bottom() < view.queue.geometry().top()
    text = view.duress.lines[sid].text()
    assert "紧急情况（静默）" in text and "3号窗口" in text and "刘洋" in text
    qtbot.wait(1100)  # the band stays up, however long nobody acknowledges it
    assert view.duress.isVisible()
    qtbot.mouseClick(view.duress.buttons[sid], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.duress.isHidden(), timeout=WAIT)
    assert head.state.signals[sid].acked_staff == "wugang"  # everyone watching sees who
    assert [type(c) for c in actions(supervisor)] == [Acknowledge]
