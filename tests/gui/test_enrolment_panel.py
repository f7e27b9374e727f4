"""The branch head approves a station PC's enrolment on the board, fingerprint shown."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from tests.gui.memory import MemoryHub
from tests.gui.test_board import make_board
from widgets.enrolment import EnrolmentPanel

FP = "ABCDE-FGHIJ"


def _confirm(panel: EnrolmentPanel, yes: bool) -> str:
    dialog = panel.dialogs.active
    assert isinstance(dialog, QDialog)
    question = " ".join(
        label.text() for label in dialog.findChildren(QLabel)
    )  # with the fingerprint
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    which = QDialogButtonBox.StandardButton.Yes if yes else QDialogButtonBox.StandardButton.No
    box.button(which).click()
    return question


def test_the_head_approves_only_after_confirming_the_fingerprint(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    memory_hub.enrolments.append(("C03", FP, 1_764_000_000_000))
    board = make_board(qtbot, memory_hub.station("H1", staff="zhenghua"))
    board.show_page("enrolment")
    panel = board.enrolment_panel
    assert panel is not None
    panel.refresh()  # what showing the page does (the offscreen test never shows it)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1)
    station, fingerprint = panel.table.item(0, 0), panel.table.item(0, 1)
    assert station is not None and fingerprint is not None
    assert fingerprint.text() == FP and "C03" in station.text()
    assert not panel.approve_button.isEnabled()  # nothing chosen yet
    panel.table.selectRow(0)
    panel.approve_button.click()
    question = _confirm(panel, yes=False)  # "No": nothing is approved
    assert FP in question
    qtbot.wait(50)
    assert memory_hub.approved == [] and memory_hub.enrolments
    panel.approve_button.click()
    _confirm(panel, yes=True)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0)
    assert memory_hub.approved == [("C03", FP)]
    assert "approved" in panel.status.text()


def test_only_the_heads_own_board_has_the_enrolment_page(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    public = make_board(qtbot, memory_hub.station("H1"), public=True)
    assert public.enrolment_panel is None
    supervisor = memory_hub.station("S1", staff="wugang")
    assert make_board(qtbot, supervisor).enrolment_panel is None
