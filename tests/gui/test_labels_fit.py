"""No English label is cut at 640 px (the smallest station window the branch supports):
every visible label, button and tab of the role views is as wide as its text needs."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QTabBar, QWidget
from pytestqt.qtbot import QtBot

from app.domain.config import Branch
from tests.gui.memory import MemoryHub
from widgets.board import BoardView
from widgets.lobby import LobbyView
from widgets.raise_bar import KeyButton
from widgets.supervisor import SupervisorView
from widgets.teller import TellerView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

VIEWS = {"C01": TellerView, "L1": LobbyView, "S1": SupervisorView, "H1": BoardView}
STAFF = {"C01": "lina", "L1": "wangfang", "S1": "wugang", "H1": "zhenghua"}


def cut_texts(root: QWidget) -> list[str]:
    """Visible texts wider than the room their widget gives them."""
    cut = []
    for w in root.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, QLabel) and not w.wordWrap() and w.text() and "<" not in w.text():
            need = max(w.fontMetrics().horizontalAdvance(x) for x in w.text().split("\n"))
            if need > w.contentsRect().width() + 1:
                cut.append(f"{w.objectName()}: {w.text()!r}")
        elif isinstance(w, KeyButton):
            if w.shown_text() != w.text():
                cut.append(f"{w.objectName()}: {w.shown_text()!r}")
        elif isinstance(w, QAbstractButton) and w.text():
            if w.fontMetrics().horizontalAdvance(w.text().replace("&", "")) > w.width():
                cut.append(f"{w.objectName()}: {w.text()!r}")
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                if w.fontMetrics().horizontalAdvance(w.tabText(i)) > w.tabRect(i).width():
                    cut.append(f"tab {w.tabText(i)!r}")
    return cut


@pytest.mark.parametrize("station", list(VIEWS))
def test_english_labels_are_whole_at_640_px(qtbot: QtBot, branch: Branch, station: str) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina", lang="en")
    model = teller if station == "C01" else hub.station(station, staff=STAFF[station], lang="en")
    teller.raise_signal("assist")
    teller.raise_signal("authorize")
    hub.flush()
    view = VIEWS[station](model)
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.show()
    qtbot.waitExposed(view)
    qtbot.wait(50)  # the layouts settle (the raise bar reflows on resize)
    assert cut_texts(view) == []
