"""Helpers for the role views' tests over an in-memory branch (tests.gui.memory).

A branch with more than the default config (a second lobby desk, a handoff that comes
back to a counter), a signal type only a newer hub knows, what a station sent, and the
table of which view button stands for which act.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from app.domain.config import Branch, default_config_path, load_branch
from app.domain.events import Command, SignalRaised, SignIn, SignOut
from app.domain.state import SignalRecord
from tests.gui.memory import MemoryHub, MemoryModel
from widgets.dialogs import OutcomeDialog

HANDOFF_BACK = """
[[signals]]
code = "send_back"
label = { zh_CN = "客户转回办理", en = "Customer sent back" }
raisers = ["wealth_manager"]
targets = ["teller", "supervisor", "lobby_manager"]
priority = 3
handoff = true
"""
"""A handoff that reaches a counter, the back office and the lobby desk (the default
config has none): a wealth manager sends a customer back to have a transaction done."""

SECOND_DESK = """
[[stations]]
id = "L2"
name = { zh_CN = "大堂经理台2", en = "Lobby desk 2" }
role = "lobby_manager"
zone = "lobby"
pos = [380, 290]
"""


def branch_with(tmp_path: Path, *extra: str) -> Branch:
    """The default branch config with ``extra`` TOML appended."""
    config = tmp_path / "branch.toml"
    config.write_text(
        default_config_path().read_text(encoding="utf-8") + "\n".join(extra), encoding="utf-8"
    )
    return load_branch(config)


def actions(model: MemoryModel) -> list[Command]:
    """What the person at ``model`` asked the hub to do (signing in and out aside)."""
    return [c for c in model.sent if not isinstance(c, SignIn | SignOut)]


def newer_type_signal(hub: MemoryHub, station: str, targets: tuple[str, ...]) -> SignalRecord:
    """A signal of a type this branch's config lacks, as a newer hub would publish it."""
    signal_id = hub.state.last_seq + 1
    hub.publish(
        SignalRaised(signal_id=signal_id, code="brand_new", targets=targets, station=station)
    )
    return hub.state.signal(signal_id)


def show(qtbot: QtBot, view: QWidget, width: int = 620, height: int = 500) -> None:
    """Show ``view`` as the active window (the demo's size of a station window)."""
    view.resize(width, height)
    with qtbot.waitActive(view):
        view.show()
        view.activateWindow()


def outcome_dialog(qtbot: QtBot, dialog: QDialog | None) -> OutcomeDialog:
    """The outcome question a view opened, once it is on screen."""
    assert isinstance(dialog, OutcomeDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    return dialog
