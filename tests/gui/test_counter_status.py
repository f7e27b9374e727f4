"""The teller's counter status as a teller means it (issue 12, item 6): ending service
asks first while anything is open, in words that cannot mean "close this window"; a
pause shows its running time, may say how long it will be, and reminds once it is over."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.client import i18n
from app.domain.config import Branch
from app.domain.events import SetStatus
from app.domain.roles import CounterStatus
from tests.gui.memory import MemoryHub, MemoryModel
from tests.gui.roles_support import actions
from widgets.counter_status import EndServiceDialog, PauseDialog
from widgets.teller import TellerView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 2000


@pytest.fixture(autouse=True)
def zh_cn(qapp: QApplication) -> Iterator[None]:
    """The counter reads Chinese: the zh_CN translators, taken out again after."""
    before = QLocale()
    i18n.install(qapp, "zh_CN")
    yield
    for translator in getattr(qapp, "_lobbylink_translators", []):
        qapp.removeTranslator(translator)
    qapp._lobbylink_translators = []  # type: ignore[attr-defined]
    QLocale.setDefault(before)


def make_view(qtbot: QtBot, model: MemoryModel) -> TellerView:
    view = TellerView(model)
    qtbot.addWidget(view)
    view.resize(900, 600)
    with qtbot.waitActive(view):
        view.show()
        view.activateWindow()
    return view


def statuses(model: MemoryModel) -> list[SetStatus]:
    return [c for c in actions(model) if isinstance(c, SetStatus)]


def test_the_words_say_service_not_window(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    view = make_view(qtbot, hub.station("C01", staff="lina"))
    close, pause = view.close_button.text(), view.pause_button.text()
    assert "结束本窗口营业" in close and "关闭" not in close
    assert "暂停对外服务" in pause
    assert "恢复对外服务" in view.resume_button.text()


def test_ending_service_with_nothing_open_asks_nothing(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    view = make_view(qtbot, teller)
    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    assert view.active_dialog is None
    qtbot.waitUntil(lambda: view.counter_status is CounterStatus.CLOSED, timeout=WAIT)


def test_ending_service_with_calls_open_asks_and_keep_is_the_default(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    view = make_view(qtbot, teller)
    teller.raise_signal("assist")
    lobby.raise_signal("direct_counter", to="C01", ticket="A017")
    hub.flush()
    assert view.open_items() == (1, 1)

    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    dialog = view.active_dialog
    assert isinstance(dialog, EndServiceDialog)
    text = dialog.message.text()
    assert "1" in text and "程序" in text  # what is open, and that the program stays
    assert dialog.windowTitle().endswith("？")  # a Chinese question, full-width
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # a stray Enter keeps serving
    assert not dialog.isVisible() and view.active_dialog is None
    hub.flush()
    assert statuses(teller) == []
    assert view.counter_status is CounterStatus.OPEN

    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    dialog = view.active_dialog
    assert isinstance(dialog, EndServiceDialog)
    qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.counter_status is CounterStatus.CLOSED, timeout=WAIT)
    assert statuses(teller) == [SetStatus(status=CounterStatus.CLOSED, staff="lina")]


def test_a_pause_with_a_length_runs_a_timer_and_reminds_once(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1")
    view = make_view(qtbot, teller)
    reminders: list[str] = []
    teller.reminder.connect(reminders.append)

    qtbot.mouseClick(view.pause_button, Qt.MouseButton.LeftButton)
    dialog = view.active_dialog
    assert isinstance(dialog, PauseDialog)
    assert dialog.expected_min() == 0  # not said unless chosen
    assert dialog.windowTitle() == "暂停对外服务"
    dialog.select("meal")
    qtbot.mouseClick(dialog.lengths.button(10), Qt.MouseButton.LeftButton)
    assert dialog.expected_min() == 10
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: lobby.state.counters["C01"].status is CounterStatus.PAUSED, timeout=WAIT
    )
    assert lobby.state.pause_lengths == {"C01": 10}  # every station knows the length
    assert "00:00" in view.status_label.text() and "10" in view.status_label.text()

    hub.advance(3 * 60_000 + 12_000)
    view._tick()
    assert "03:12" in view.status_label.text()
    assert reminders == []

    hub.advance(9 * 60_000)  # 12:12 into a 10-minute pause
    view._tick()
    assert "12:12" in view.status_label.text() and "02:12" in view.status_label.text()
    assert "#c62828" in view.status_label.styleSheet()
    assert len(reminders) == 1 and "10" in reminders[0]
    hub.advance(60_000)
    view._tick()
    assert len(reminders) == 1  # once per pause

    qtbot.mouseClick(view.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.counter_status is CounterStatus.OPEN, timeout=WAIT)
    assert ":" not in view.status_label.text()  # no timer while open


def test_a_pause_without_a_length_still_shows_its_time(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    view = make_view(qtbot, teller)
    reminders: list[str] = []
    teller.reminder.connect(reminders.append)
    assert view.pause("handover")
    qtbot.waitUntil(lambda: view.counter_status is CounterStatus.PAUSED, timeout=WAIT)
    hub.advance(45 * 60_000)
    view._tick()
    assert "45:00" in view.status_label.text()
    assert reminders == []  # no length, nothing to be over
    assert statuses(teller)[0].expected_min == 0
