"""StationWindow and SignInDialog over an in-memory branch that decides as the hub does:
header, offline banner, refusals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.domain.config import Branch, default_config_path, load_branch
from tests.gui.memory import MemoryHub
from widgets.board import BoardView
from widgets.model import StationModel
from widgets.signin import SignInDialog
from widgets.supervisor import SupervisorView
from widgets.teller import TellerView
from widgets.wealth import WealthView
from widgets.window import StationWindow

# The offscreen platform warns on every shown top-level window; it is not our warning.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 5000


V = TypeVar("V", bound=QWidget)


def role_view(kind: Callable[[Any], V], model: StationModel) -> V:
    """``kind(model)``: a role view over any station model."""
    return kind(model)


def make_window(qtbot: QtBot, model: StationModel, view: QWidget | None = None) -> StationWindow:
    window = StationWindow(model, view or role_view(TellerView, model))
    qtbot.addWidget(window)
    return window


def test_header_title_and_sign_out(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    teller = memory_hub.station("C01", staff="lina")
    window = make_window(qtbot, teller)
    assert "1号窗口" in window.windowTitle()
    assert window.station_label.text() == "1号窗口"
    assert window.staff_label.text() == "李娜"
    assert window.clock_label.text().count(":") == 2
    assert not window.sign_out_button.isHidden() and window.sign_in_button.isHidden()
    assert not window.offline

    qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: teller.staff == "", timeout=WAIT)
    qtbot.waitUntil(lambda: not window.sign_in_button.isHidden(), timeout=WAIT)
    assert window.sign_out_button.isHidden()
    assert window.staff_label.text() != "李娜"

    window.show()
    qtbot.mouseClick(window.sign_in_button, Qt.MouseButton.LeftButton)
    dialog = window.sign_in_dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert teller.staff == "lina"  # the first name on the list
    qtbot.waitUntil(lambda: window.staff_label.text() == "李娜", timeout=WAIT)


def test_mute_toggle(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    window = make_window(qtbot, memory_hub.station("C01", staff="lina"))
    assert not window.muted
    with qtbot.waitSignal(window.mute_toggled, timeout=1000) as toggled:
        qtbot.mouseClick(window.mute_button, Qt.MouseButton.LeftButton)
    assert toggled.args == [True]
    assert window.muted
    window.blockSignals(True)  # how the composition root restores a remembered setting
    window.set_muted(False)
    window.blockSignals(False)
    assert not window.muted


def test_a_refused_command_shows_its_reason(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    teller = memory_hub.station("C01", staff="lina")
    window = make_window(qtbot, teller)
    assert window.status_message() == ""
    teller.raise_signal("vip")  # a teller may not announce a VIP
    qtbot.waitUntil(lambda: window.status_message() != "", timeout=WAIT)
    assert "vip" in window.status_message()
    assert "Not allowed" in window.status_message()
    teller.raise_signal("assist")  # the next command that goes through clears it
    qtbot.waitUntil(lambda: window.status_message() == "", timeout=WAIT)


def test_a_refused_silent_signal_shows_nothing(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    teller = memory_hub.station("C01", staff="lina")
    view = role_view(TellerView, teller)
    window = make_window(qtbot, teller, view)
    duress = teller.branch.signal_type("duress")
    assert duress is not None and duress.silent
    with qtbot.waitSignal(teller.command_rejected, timeout=WAIT):
        view._send(duress, {"note": "x" * 501})  # too long: the hub refuses it
    qtbot.waitUntil(lambda: not view.quiet_msg_ids, timeout=WAIT)
    assert window.status_message() == ""


def test_banner_while_the_hub_is_down(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    teller = memory_hub.station("C01", staff="lina")
    view = role_view(TellerView, teller)
    window = make_window(qtbot, teller, view)
    assert not window.offline

    teller.set_connected(False)  # the hub is gone: commands wait at the station
    qtbot.waitUntil(lambda: window.offline, timeout=10_000)
    assert "Hub unreachable" in window.banner_text.text()
    view.trigger("assist")
    view.trigger("duress")  # silent: not counted on screen either
    qtbot.waitUntil(lambda: "1 action" in window.banner_text.text(), timeout=3000)
    assert teller.waiting_count() == 2

    teller.set_connected(True)
    qtbot.waitUntil(lambda: not window.offline, timeout=15_000)
    qtbot.waitUntil(lambda: teller.waiting_count() == 0, timeout=WAIT)
    qtbot.waitUntil(lambda: view.my_list.count() == 1, timeout=WAIT)
    assert [s.code for s in teller.my_signals()] == ["assist"]  # duress: never on this PC
    assert window.status_message() == ""


@pytest.mark.parametrize("station", ["C01", "W1", "S1"])
def test_views_fit_a_sixth_of_a_screen(qtbot: QtBot, memory_hub: MemoryHub, station: str) -> None:
    """The demo puts six windows on one 1920×1080 screen: each must work at 620×500."""
    model = memory_hub.station(station, lang="en")  # English labels are the longest
    views: dict[str, Callable[[Any], QWidget]] = {
        "C01": TellerView,
        "W1": WealthView,
        "S1": SupervisorView,
    }
    view = role_view(views[station], model)
    window = make_window(qtbot, model, view)
    if isinstance(view, TellerView):  # every part of the teller's view on screen
        lobby = memory_hub.station("L1", staff="wangfang")
        lobby.raise_signal("direct_counter", to="C01")
        model.raise_signal("assist")
        qtbot.waitUntil(lambda: not view.incoming_group.isHidden(), timeout=WAIT)
    hint = window.minimumSizeHint()
    banner = window.banner.sizeHint().height()  # the offline banner may come on top
    assert hint.width() <= 620 and hint.height() + banner <= 500, (hint, banner)
    window.resize(620, 500)
    window.show()
    qtbot.waitExposed(window)
    assert window.size().toTuple() == (620, 500)


def test_sign_in_dialog_lists_the_roster_and_signs_in(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    teller = memory_hub.station("C01")
    dialog = SignInDialog(teller)
    qtbot.addWidget(dialog)
    names = [dialog.roster.item(i).text() for i in range(dialog.roster.count())]
    assert names == ["李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "周杰"]  # tellers only
    with qtbot.waitActive(dialog):
        dialog.open()
    qtbot.keyClick(dialog.roster, Qt.Key.Key_Down)
    assert dialog.staff_id() == "zhangwei"
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        qtbot.keyClick(dialog.roster, Qt.Key.Key_Return)
    assert teller.staff == "zhangwei"

    lobby = SignInDialog(memory_hub.station("L1"))  # another role, another list
    qtbot.addWidget(lobby)
    assert [p.id for p in lobby.eligible_staff()] == ["zhaomin", "wangfang"]


@pytest.fixture
def pin_branch(tmp_path: Path) -> Branch:
    """A branch whose roster gives lina the PIN 2468."""
    text = default_config_path().read_text(encoding="utf-8")
    marker = 'id = "lina"\nname = { zh_CN = "李娜", en = "Li Na" }\n'
    assert marker in text
    config = tmp_path / "branch.toml"
    config.write_text(text.replace(marker, marker + 'pin = "2468"\n'), encoding="utf-8")
    return load_branch(config)


def test_sign_in_dialog_shows_a_wrong_pin(qtbot: QtBot, pin_branch: Branch) -> None:
    hub = MemoryHub(pin_branch)
    model = hub.station("C01")
    dialog = SignInDialog(model)
    qtbot.addWidget(dialog)
    assert dialog.staff_id() == "lina"
    qtbot.keyClicks(dialog.pin, "1111")
    with qtbot.waitSignal(model.command_rejected, timeout=WAIT):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert "PIN" in dialog.message.text()
    assert dialog.sign_in_button.isEnabled() and dialog.pin.text() == ""
    assert dialog.result() == 0 and model.staff == ""

    qtbot.keyClicks(dialog.pin, "2468")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert model.staff == "lina"


def test_the_board_keeps_its_big_clock_and_the_header_drops_its_own(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    head = memory_hub.station("H1", staff="zhenghua")
    board = BoardView(head)
    window = make_window(qtbot, head, board)
    assert window.clock_label.isHidden()  # one clock on the board: its own, big one
    assert not board.clock.isHidden() and board.clock.text().count(":") == 2
    teller = make_window(qtbot, memory_hub.station("C01", staff="lina"))
    assert not teller.clock_label.isHidden()
