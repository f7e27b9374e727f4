"""Loops closed (issue 12) on the screens, over an in-memory branch: a declined referral
back at its raiser with the reason, re-offered to a named wealth manager; availability
set by the wealth manager and seen where a teller or the lobby chooses; the lobby told
when nobody can take a handoff; a raise and a sign-in made with the hub away, listed at
once as waiting."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.domain.config import Branch
from app.domain.roles import Availability
from tests.gui.memory import MemoryHub, MemoryModel
from widgets.dialogs import ReasonDialog, ReofferDialog
from widgets.lobby import LobbyView
from widgets.raise_form import RaiseDialog
from widgets.signin import SignInDialog
from widgets.teller import TellerView
from widgets.wealth import WealthView
from widgets.window import StationWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 2000


def teller_view(qtbot: QtBot, model: MemoryModel) -> TellerView:
    view = TellerView(model)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()  # rows are read as painted: at a real width
    return view


def wealth_view(qtbot: QtBot, model: MemoryModel) -> WealthView:
    view = WealthView(model)
    qtbot.addWidget(view)
    return view


def choices(combo_or_list: object) -> list[tuple[str, str, bool]]:
    """(text, station id, enabled) of a RaiseForm target combo."""
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QComboBox

    assert isinstance(combo_or_list, QComboBox)
    items = combo_or_list.model()
    assert isinstance(items, QStandardItemModel)
    return [
        (items.item(i).text(), str(combo_or_list.itemData(i) or ""), items.item(i).isEnabled())
        for i in range(combo_or_list.count())
    ]


def test_a_declined_named_referral_goes_back_to_the_teller_who_offers_it_again(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    w1 = hub.station("W1", staff="sunli")
    w2 = hub.station("W2", staff="zhoujie")
    view = teller_view(qtbot, teller)
    sunli = wealth_view(qtbot, w1)
    zhoujie = wealth_view(qtbot, w2)

    # F-key form: the referral names 孙丽's desk (the combo lists every wealth manager)
    view.trigger("refer_wealth")
    form = view.active_dialog
    assert isinstance(form, RaiseDialog) and form.target is not None
    listed = choices(form.target)
    assert listed[0][1] == "" and [c[1] for c in listed[1:]] == ["W1", "W2"]
    assert "孙丽" in listed[1][0] and "周杰" in listed[2][0]
    form.target.setCurrentIndex(1)
    form.accept()
    qtbot.waitUntil(lambda: sunli.inbox.topLevelItemCount() == 1, timeout=WAIT)
    assert zhoujie.inbox.topLevelItemCount() == 0  # named: only her desk gets it
    sig_id = sunli.shown_ids()[0]
    qtbot.waitUntil(lambda: "孙丽" in view.row_lines(0)[1], timeout=WAIT)
    assert view.row_lines(0)[1].startswith("Offered to")

    # 孙丽 declines, with a reason: it goes back to the teller
    sunli.request_decline()
    dialog = sunli.active_dialog
    assert isinstance(dialog, ReasonDialog)
    assert any("goes back to 李娜" in label.text() for label in dialog.findChildren(QLabel))
    dialog.select("busy")
    dialog.accept()
    qtbot.waitUntil(lambda: "Nobody can take it" in view.row_lines(0)[1], timeout=WAIT)
    line = view.row_lines(0)[1]
    assert "孙丽" in line and "正在服务其他客户" in line  # who, and the reason's label
    assert view.reoffer_button.isEnabled()

    # the teller offers it to 周杰
    view.my_list.setCurrentRow(0)
    view.reoffer_selected()
    again = view.active_dialog
    assert isinstance(again, ReofferDialog)
    assert again.findChild(QLabel, "reofferWhy") is not None
    assert again.select("W2")
    again.accept()
    qtbot.waitUntil(lambda: zhoujie.shown_ids() == [sig_id], timeout=WAIT)
    assert sunli.inbox.topLevelItemCount() == 0
    qtbot.waitUntil(lambda: "周杰" in view.row_lines(0)[1], timeout=WAIT)
    assert "Nobody" not in view.row_lines(0)[1]


def test_availability_is_set_by_the_wealth_manager_and_respected_by_the_forms(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    w1 = hub.station("W1", staff="sunli")
    hub.station("W2", staff="zhoujie")
    sunli = wealth_view(qtbot, w1)
    assert sunli.availability_buttons[Availability.AVAILABLE].isChecked()

    qtbot.mouseClick(sunli.availability_buttons[Availability.BUSY], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: teller.availability_of("W1") is Availability.BUSY, timeout=WAIT)
    assert sunli.availability_buttons[Availability.BUSY].isChecked()
    view = teller_view(qtbot, teller)
    view.trigger("refer_wealth")
    form = view.active_dialog
    assert isinstance(form, RaiseDialog) and form.target is not None
    w1_row = choices(form.target)[1]
    assert "With a customer" in w1_row[0] and w1_row[2]  # busy: still offered
    form.reject()

    qtbot.mouseClick(sunli.availability_buttons[Availability.AWAY], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: teller.availability_of("W1") is Availability.AWAY, timeout=WAIT)
    view.trigger("refer_wealth")
    form = view.active_dialog
    assert isinstance(form, RaiseDialog) and form.target is not None
    w1_row = choices(form.target)[1]
    assert "Away" in w1_row[0] and not w1_row[2]  # away: cannot be chosen
    form.reject()
    # a click on the pressed button sends nothing
    before = len(w1.sent)
    sunli.set_availability(Availability.AWAY)
    assert len(w1.sent) == before


def test_the_lobby_is_told_when_nobody_can_take_a_referral(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C03", staff="liuyang")
    w1 = hub.station("W1", staff="sunli")
    w2 = hub.station("W2", staff="zhoujie")
    lobby = hub.station("L1", staff="wangfang")
    view = LobbyView(lobby)
    qtbot.addWidget(view)
    view.resize(900, 600)
    line = view.mine_panel.unplaced_line
    teller.raise_signal("refer_wealth", ticket="A019")
    hub.flush()
    sig_id = max(lobby.state.signals)
    assert line.isHidden()
    w1.decline(sig_id, "not_my_area")
    w2.set_availability(Availability.AWAY)
    hub.flush()
    qtbot.waitUntil(lambda: not line.isHidden(), timeout=WAIT)
    assert view.map.tile("W2").role == "Away"  # the floor map's desk says it too
    assert view.map.tile("W1").role == "Available"
    text = line.text()
    assert "转介理财客户" in text and "刘洋" in text and "A019" in text and "孙丽" in text
    w2.set_availability(Availability.AVAILABLE)  # someone can take it again
    hub.flush()
    qtbot.waitUntil(line.isHidden, timeout=WAIT)


def test_a_raise_made_with_the_hub_away_is_listed_at_once_as_waiting(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    view = teller_view(qtbot, teller)
    teller.set_connected(False)
    view.trigger("assist")
    qtbot.waitUntil(lambda: view.my_list.count() == 1, timeout=WAIT)
    label, progress, _age = view.row_lines(0)
    assert label == "呼叫大堂经理" and progress.startswith("◷ Waiting to be sent")
    assert "clicked at" in progress and ":" in progress.rsplit("at", 1)[1]
    assert teller.state.signals == {}  # the hub has not taken it yet
    view.trigger("duress")  # silent: never on this screen, not even as waiting
    assert view.my_list.count() == 1
    teller.set_connected(True)
    qtbot.waitUntil(lambda: len(hub.state.signals) == 2, timeout=WAIT)  # duress too
    qtbot.waitUntil(lambda: view.my_list.count() == 1, timeout=WAIT)
    assert not view.row_lines(0)[1].startswith("◷")


def test_the_lobby_desk_lists_its_offline_raise_as_waiting(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    lobby = hub.station("L1", staff="wangfang")
    view = LobbyView(lobby)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    lobby.set_connected(False)
    lobby.raise_signal("direct_counter", to="C02", ticket="A7")
    qtbot.waitUntil(lambda: view.mine_panel.pending_count() == 1, timeout=WAIT)
    assert view.mine_panel.signal_ids() == []
    label, progress, _ = view.mine_panel.lines(0)
    assert "A7" in label and progress.startswith("◷")
    lobby.set_connected(True)
    qtbot.waitUntil(lambda: len(view.mine_panel.signal_ids()) == 1, timeout=WAIT)
    assert view.mine_panel.pending_count() == 0


def test_sign_in_with_the_hub_away_is_queued_and_shown_as_pending(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C02")
    window = StationWindow(teller, teller_view(qtbot, teller))
    qtbot.addWidget(window)
    teller.set_connected(False)
    dialog = SignInDialog(teller, window)
    qtbot.addWidget(dialog)
    dialog.roster.setCurrentRow(
        next(
            i
            for i in range(dialog.roster.count())
            if dialog.roster.item(i).data(Qt.ItemDataRole.UserRole) == "zhangwei"
        )
    )
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        dialog.submit()
    assert dialog.queued and teller.staff == ""
    assert teller.pending_sign_in() == "zhangwei"
    assert "张伟" in window.staff_label.text() and "waiting for the hub" in (
        window.staff_label.text()
    )
    view = window.view
    assert isinstance(view, TellerView)
    view.trigger("assist")  # works on straight away; sent after the sign-in
    teller.set_connected(True)
    qtbot.waitUntil(lambda: teller.staff == "zhangwei", timeout=WAIT)
    qtbot.waitUntil(lambda: window.staff_label.text() == "张伟", timeout=WAIT)
    raised = next(iter(teller.state.signals.values()))
    assert raised.staff == "zhangwei"
