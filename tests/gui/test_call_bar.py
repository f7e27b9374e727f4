"""The call bar over an in-memory branch: its buttons and keys, its open calls and who is
coming, a window that never takes the focus, and the duress's discreet mark."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.client.hotkeys import GlobalKeys, GrabError, win_vkey, x_keysym
from app.domain.config import Branch, call_keys, parse_chord
from app.domain.roles import Role
from tests.gui.memory import MemoryHub
from widgets.call_bar import CallBar, SilentConfirm

# The offscreen platform warns on every shown top-level window (and cannot raise one).
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

SILENT_WORDS = ("duress", "emergency", "紧急", "silent", "静默")


def names_silent(text: str) -> bool:
    return any(word in text.lower() for word in SILENT_WORDS)


def test_the_bar_has_the_counters_calls_with_their_keys_and_nothing_silent(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    teller = memory_hub.station("C01", staff="lina", lang="en")
    bar = CallBar(teller)
    qtbot.addWidget(bar)
    codes = ["assist", "authorize", "refer_wealth", "cash", "complaint", "device_fault"]
    assert list(bar.buttons) == codes
    assert bar.buttons["assist"].text() == "Call lobby manager\nCtrl+Shift+F1"
    assert bar.buttons["device_fault"].text().endswith("Ctrl+Shift+F6")
    assert not names_silent(bar.text_shown())
    assert bar.calls.text() == "No open calls."

    with qtbot.waitSignal(bar.raise_requested) as raised:
        qtbot.mouseClick(bar.buttons["cash"], Qt.MouseButton.LeftButton)
    assert raised.args == ["cash"]
    with qtbot.waitSignal(bar.restore_requested):
        qtbot.mouseClick(bar.restore_button, Qt.MouseButton.LeftButton)


def test_the_bar_lists_open_calls_and_who_is_coming(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    teller = memory_hub.station("C01", staff="lina", lang="en")
    lobby = memory_hub.station("L1", staff="wangfang")
    bar = CallBar(teller)
    qtbot.addWidget(bar)
    teller.raise_signal("assist")
    memory_hub.flush()
    assert bar.calls.text().startswith("Call lobby manager · 00:00\n")
    (sig,) = teller.my_signals()
    lobby.acknowledge(sig.id)
    memory_hub.flush()
    assert "Wang Fang acknowledged · on the way" in bar.calls.text()
    teller.cancel(sig.id)
    memory_hub.flush()
    assert bar.calls.text() == "No open calls."


def test_the_bar_never_takes_the_focus(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    bar = CallBar(memory_hub.station("C01", staff="lina"))
    qtbot.addWidget(bar)
    flags = bar.windowFlags()
    for flag in (
        Qt.WindowType.WindowDoesNotAcceptFocus,
        Qt.WindowType.WindowStaysOnTopHint,
        Qt.WindowType.FramelessWindowHint,
    ):
        assert flags & flag
    assert bar.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert bar.focusPolicy() is Qt.FocusPolicy.NoFocus
    for button in [*bar.buttons.values(), bar.restore_button]:
        assert button.focusPolicy() is Qt.FocusPolicy.NoFocus
    bar.show()
    qtbot.waitExposed(bar)
    room = bar.screen().availableGeometry()
    assert bar.frameGeometry().right() == room.right()  # docked to the right edge


def test_the_silent_signal_is_confirmed_by_the_mark_alone(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    teller = memory_hub.station("C01", staff="lina", lang="en")
    confirm = SilentConfirm(teller)
    bar = CallBar(teller, confirm)
    qtbot.addWidget(bar)
    before = bar.text_shown()
    assert not bar.mark.on
    confirm.expect(teller.raise_signal("duress"))
    memory_hub.flush()
    assert confirm.confirmed and bar.mark.on
    assert bar.text_shown() == before
    assert not names_silent(bar.text_shown())
    assert not bar.mark.toolTip() and not bar.mark.accessibleName()
    # A refused or unrelated command does not turn it on; a new sign-in turns it off.
    teller.sign_out()
    memory_hub.flush()
    assert not confirm.confirmed and not bar.mark.on


def test_global_keys_say_when_the_platform_allows_none(qtbot: QtBot, branch: Branch) -> None:
    keys = call_keys(branch, Role.TELLER)
    with pytest.raises(GrabError, match="Wayland"):
        GlobalKeys(keys, "wayland").start()
    assert GlobalKeys(keys, "offscreen").start() == []  # tests, kiosks: none, silently
    assert GlobalKeys({}, "wayland").start() == []


def test_key_names_map_to_x11_keysyms_and_windows_virtual_keys() -> None:
    assert x_keysym(parse_chord("Ctrl+Shift+F1").key) == 0xFFBE  # XK_F1
    assert x_keysym(parse_chord("Ctrl+Alt+Shift+F12").key) == 0xFFC9  # XK_F12
    assert x_keysym(parse_chord("Ctrl+A").key) == ord("a")
    assert x_keysym("Pause") == 0xFF13
    assert win_vkey("F1") == 0x70 and win_vkey("F12") == 0x7B and win_vkey("F24") == 0x87
    assert win_vkey("A") == 0x41 and win_vkey("Pause") == 0x13


def test_the_bar_confirms_the_arrival_of_who_came(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    teller = memory_hub.station("C01", staff="lina", lang="en")
    lobby = memory_hub.station("L1", staff="wangfang")
    bar = CallBar(teller)
    qtbot.addWidget(bar)
    teller.raise_signal("assist")
    memory_hub.flush()
    assert bar.arrived_button.isHidden()  # nobody has taken it yet
    (sig,) = teller.my_signals()
    lobby.acknowledge(sig.id)
    memory_hub.flush()
    assert not bar.arrived_button.isHidden()
    bar.arrived_button.click()
    memory_hub.flush()
    assert teller.state.signals[sig.id].state.value == "arrived"
    assert bar.arrived_button.isHidden()
