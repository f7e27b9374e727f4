"""Typed text (notes, tickets) is shown literally at S1 and W1, never as markup.

Before, QLabel and tooltips guessed rich text: a note rendered a 40-pt red line and
loaded an image from the station's disk.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import Qt, QTextDocument
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.domain.config import Branch
from tests.gui.memory import MemoryHub
from widgets.supervisor import SupervisorView
from widgets.wealth import WealthView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

NOTE = '<span style="font-size:40pt;color:red">DURESS</span><img src="file:///etc/hostname">'
TICKET = "<b>A1</b>"
WAIT = 2000


def shown(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt paints for ``text``: markup is interpreted when rich text is (or is guessed)."""
    rich = fmt is Qt.TextFormat.RichText or (
        fmt is Qt.TextFormat.AutoText and Qt.mightBeRichText(text)
    )
    if not rich:
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText().replace("\u2029", "\n")


def label_shows(label: QLabel) -> str:
    return shown(label.text(), label.textFormat())


def test_a_note_is_literal_at_the_supervisor(qtbot: QtBot, branch: Branch) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C02", staff="zhangwei")
    view = SupervisorView(hub.station("S1", staff="wugang"))
    qtbot.addWidget(view)
    teller.raise_signal("authorize", note=NOTE)
    qtbot.waitUntil(lambda: view.queue.topLevelItemCount() == 1, timeout=WAIT)
    first = view.queue.topLevelItem(0)
    assert first is not None
    view.queue.setCurrentItem(first)
    assert NOTE in label_shows(view.detail)
    assert all(label.textFormat() is Qt.TextFormat.PlainText for label in view.findChildren(QLabel))


def test_a_note_and_a_ticket_are_literal_at_the_wealth_manager(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C02", staff="zhangwei")
    view = WealthView(hub.station("W1", staff="sunli"))
    qtbot.addWidget(view)
    teller.raise_signal("refer_wealth", need="fund", note=NOTE, ticket=TICKET)
    qtbot.waitUntil(lambda: view.inbox.topLevelItemCount() == 1, timeout=WAIT)
    item = view.inbox.topLevelItem(0)
    assert item is not None
    view.inbox.setCurrentItem(item)
    assert NOTE in label_shows(view.detail)
    assert item.text(view.COL_TICKET) == TICKET  # item views paint their text as text
    assert shown(item.toolTip(view.COL_REQUEST)) == NOTE
