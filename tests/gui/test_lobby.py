"""The lobby manager's view: calls by urgency, claimed from the keyboard, own signals raised."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.client.bridge import StationBridge
from app.domain.config import Branch, default_config_path, load_branch
from app.domain.roles import SignalState
from tests.gui.conftest import BridgeFactory
from tests.helpers import HubProcess, free_port_pair, keys_for
from widgets.lobby import LobbyView


def make_view(qtbot: QtBot, bridge: StationBridge) -> LobbyView:
    view = LobbyView(bridge)
    qtbot.addWidget(view)
    view.resize(620, 500)
    return view


def state_of(bridge: StationBridge, signal_id: int) -> SignalState | None:
    sig = bridge.state.signals.get(signal_id)
    return sig.state if sig else None


def test_a_call_is_listed_flashes_and_is_handled_from_the_keyboard(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    teller = make_bridge("C01", staff="lina")
    lobby = make_bridge("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    assert view.visible_call_ids() == []
    with qtbot.waitSignal(lobby.signal_raised, timeout=5000) as raised:
        teller.raise_signal("assist", ticket="A017", note="开户")
    sid = raised.args[0].id
    qtbot.waitUntil(lambda: view.visible_call_ids() == [sid], timeout=5000)
    assert "C01" in view.map.flashing_stations()
    assert view.row_text(sid).splitlines() == ["呼叫大堂经理", "1号窗口 · 李娜 · No. A017 · 开户"]
    assert view.selected_signal() is not None and view.selected_signal().id == sid  # type: ignore[union-attr]
    assert view.map.highlighted() == "C01"

    qtbot.keyClick(view, Qt.Key.Key_Return)  # claim
    qtbot.waitUntil(lambda: state_of(teller, sid) is SignalState.ACKNOWLEDGED, timeout=5000)
    assert teller.state.signals[sid].acked_staff == "wangfang"  # the teller sees who comes
    qtbot.waitUntil(lambda: "Claimed by 王芳" in view.row_text(sid), timeout=5000)
    assert "C01" not in view.map.flashing_stations()

    qtbot.keyClick(view.calls, Qt.Key.Key_A)  # arrived, typed in the list itself
    qtbot.waitUntil(lambda: state_of(teller, sid) is SignalState.ARRIVED, timeout=5000)
    qtbot.waitUntil(lambda: "王芳 arrived" in view.row_text(sid), timeout=5000)
    qtbot.keyClick(view, Qt.Key.Key_R)  # resolved
    qtbot.waitUntil(lambda: state_of(teller, sid) is SignalState.RESOLVED, timeout=5000)
    qtbot.waitUntil(lambda: view.visible_call_ids() == [], timeout=5000)
    assert view.map.marked_stations() == set()


def test_calls_are_ordered_and_the_map_and_list_select_each_other(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    c1 = make_bridge("C01", staff="lina")
    c2 = make_bridge("C02", staff="zhangwei")
    lobby = make_bridge("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    with qtbot.waitSignal(lobby.signal_raised, timeout=5000) as first:
        c1.raise_signal("assist")
    with qtbot.waitSignal(lobby.signal_raised, timeout=5000) as second:
        c2.raise_signal("assist")
    older, newer = first.args[0].id, second.args[0].id
    qtbot.waitUntil(lambda: view.visible_call_ids() == [older, newer], timeout=5000)
    assert view.map.flashing_stations() == {"C01", "C02"}
    assert view.selected_signal().id == older  # type: ignore[union-attr]

    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.selected_signal().id == newer  # type: ignore[union-attr]
    assert view.map.highlighted() == "C02"
    view.map.station_clicked.emit("C01")  # clicking a flashing counter picks its call
    assert view.selected_signal().id == older  # type: ignore[union-attr]
    assert view.map.highlighted() == "C01"

    # Enter claims the selected call, not the top one.
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: state_of(c2, newer) is SignalState.ACKNOWLEDGED, timeout=5000)
    assert state_of(c1, older) is SignalState.OPEN
    # The claimed call stays selected: now it can be marked arrived, not claimed again.
    qtbot.waitUntil(view.arrived_button.isEnabled, timeout=5000)
    assert view.selected_signal().id == newer  # type: ignore[union-attr]
    assert not view.claim_button.isEnabled()
    # Waiting calls stay on top, whatever their priority against claimed ones.
    c2.raise_signal("assist")
    qtbot.waitUntil(lambda: len(view.visible_call_ids()) == 3, timeout=5000)
    ids = view.visible_call_ids()
    assert ids[0] == older and ids[2] == newer


def test_direct_a_customer_to_a_counter(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    c3 = make_bridge("C03", staff="liuyang")
    c2 = make_bridge("C02", staff="zhangwei")
    lobby = make_bridge("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    codes = [t.code for t in view.raise_bar.types]
    assert {"direct_counter", "vip", "queue_alert", "refer_wealth"} <= set(codes)
    key = (Qt.Key.Key_F2, Qt.Key.Key_F3, Qt.Key.Key_F4, Qt.Key.Key_F5)[
        codes.index("direct_counter")
    ]
    qtbot.keyClick(view, key)
    bar = view.raise_bar
    assert not bar.form.isHidden() and bar.code == "direct_counter"
    assert not bar.counter.isHidden() and bar.need.isHidden()
    bar.counter.setCurrentIndex(bar.counter.findData("C03"))
    qtbot.keyClicks(bar.ticket, "A030")
    qtbot.keyClick(bar.ticket, Qt.Key.Key_Return)  # Enter in the form sends it
    assert bar.form.isHidden()
    qtbot.waitUntil(lambda: [s.code for s in c3.inbox()] == ["direct_counter"], timeout=5000)
    sig = c3.inbox()[0]
    assert (sig.to, sig.ticket, sig.station, sig.staff) == ("C03", "A030", "L1", "wangfang")
    assert c2.inbox() == []
    qtbot.waitUntil(lambda: view.my_signal_ids() == [sig.id], timeout=5000)
    assert "→ 3号窗口" in view.mine.item(0).text()
    c3.acknowledge(sig.id)  # the teller takes the customer: progress shows who
    qtbot.waitUntil(lambda: "刘洋" in view.mine.item(0).text(), timeout=5000)


def test_refer_vip_and_queue_alert(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    wealth = make_bridge("W1", staff="sunli")
    head = make_bridge("H1", staff="zhenghua")
    lobby = make_bridge("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    bar = view.raise_bar
    qtbot.mouseClick(bar.buttons["refer_wealth"], Qt.MouseButton.LeftButton)
    assert bar.counter.isHidden() and not bar.need.isHidden()
    bar.need.setCurrentIndex(bar.need.findData("fund"))
    bar.note.setText("想了解基金定投")  # QTest types ASCII only
    qtbot.keyClicks(bar.ticket, "B042")
    qtbot.mouseClick(bar.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [s.code for s in wealth.inbox()] == ["refer_wealth"], timeout=5000)
    referral = wealth.inbox()[0]
    assert (referral.need, referral.note, referral.ticket) == ("fund", "想了解基金定投", "B042")

    view.open_raise_form("vip")
    qtbot.keyClick(view.raise_bar, Qt.Key.Key_Escape)  # closed without sending
    assert bar.form.isHidden()
    qtbot.mouseClick(bar.buttons["queue_alert"], Qt.MouseButton.LeftButton)  # one click
    qtbot.waitUntil(lambda: [s.code for s in head.inbox()] == ["queue_alert"], timeout=5000)
    assert [s.code for s in wealth.inbox()] == ["refer_wealth"]  # no VIP was sent
    qtbot.waitUntil(lambda: len(view.my_signal_ids()) == 2, timeout=5000)


def test_a_rejected_command_is_explained(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    lobby = make_bridge("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    with qtbot.waitSignal(lobby.command_rejected, timeout=5000):
        view.raise_signal("direct_counter", to="W1")  # not a counter
    assert view.status_line.text().startswith("✗ 引导至窗口")
    assert "W1" in view.status_line.toolTip()  # the hub's own reason


def test_silent_signals_leave_no_trace_at_the_raiser(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    head = make_bridge("H1")
    lobby = make_bridge("L1", staff="wangfang")
    view = make_view(qtbot, lobby)
    view.raise_bar.start("duress")  # one click, no form
    qtbot.waitUntil(lambda: [s.code for s in head.inbox()] == ["duress"], timeout=5000)
    view.refresh_now()
    assert view.my_signal_ids() == []
    assert view.status_line.text() == ""


# A branch with two lobby desks: everyone sees who claimed what -----------------------
@pytest.fixture
def two_desks(tmp_path: Path) -> Iterator[tuple[Branch, HubProcess]]:
    config = tmp_path / "branch.toml"
    config.write_text(
        default_config_path().read_text(encoding="utf-8")
        + '\n[[stations]]\nid = "L2"\nname = { zh_CN = "大堂经理台2", en = "Lobby desk 2" }\n'
        'role = "lobby_manager"\nzone = "lobby"\npos = [380, 290]\n',
        encoding="utf-8",
    )
    hub = HubProcess(
        f"sqlite:///{tmp_path / 'journal.sqlite'}", free_port_pair(), config=str(config)
    ).start()
    yield load_branch(config), hub
    hub.stop()


def test_everyone_sees_who_claimed_a_call(
    qtbot: QtBot, two_desks: tuple[Branch, HubProcess], ctx: zmq.Context
) -> None:
    branch, hub = two_desks
    bridges: list[StationBridge] = []

    def station(sid: str, staff: str) -> StationBridge:
        bridge = StationBridge(branch, sid, hub.endpoint, ctx, keys=keys_for(hub.endpoint, sid))
        bridges.append(bridge)
        bridge.start()
        qtbot.waitUntil(lambda: bridge.session.link.synced, timeout=10_000)
        bridge.sign_in(staff)
        qtbot.waitUntil(lambda: bridge.staff == staff, timeout=10_000)
        return bridge

    try:
        teller = station("C01", "lina")
        mine, other = station("L1", "wangfang"), station("L2", "zhaomin")
        view = make_view(qtbot, mine)
        with qtbot.waitSignal(mine.signal_raised, timeout=5000) as raised:
            teller.raise_signal("assist")
        sid = raised.args[0].id
        qtbot.waitUntil(lambda: view.visible_call_ids() == [sid], timeout=5000)
        other.acknowledge(sid)
        qtbot.waitUntil(lambda: "Claimed by 赵敏" in view.row_text(sid), timeout=5000)
        assert view.visible_call_ids() == [sid]  # still listed, for everyone to see
        assert "C01" not in view.map.flashing_stations()
        qtbot.keyClick(view, Qt.Key.Key_Return)  # claiming it again is refused here
        assert view.status_line.text() == "Already claimed by 赵敏"
        other.resolve(sid)
        qtbot.waitUntil(lambda: view.visible_call_ids() == [], timeout=5000)
    finally:
        for bridge in bridges:
            bridge.close()


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_raise_buttons_fit_a_narrow_window_with_their_keys(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    lobby = make_bridge("L1", staff="wangfang", lang="en")
    view = LobbyView(lobby)
    qtbot.addWidget(view)
    view.resize(640, 500)
    view.show()
    qtbot.waitExposed(view)
    bar = view.raise_bar
    qtbot.waitUntil(lambda: bar.width() <= 640, timeout=5000)
    assert 2 <= bar.columns <= 4  # wrapped onto rows, not one row cut at both ends
    for i, (code, button) in enumerate(bar.buttons.items()):
        key = f"F{i + 2}"
        label = lobby.branch.signal_types[code].label.get("en")
        assert button.geometry().left() >= 0 and button.geometry().right() < bar.width()
        assert button.shown_text().startswith(f"{key}  ")  # the key is always seen
        assert label in button.toolTip()  # the whole label, when it is elided on screen
    # The window's header names the desk and who is signed in; the view does not repeat it.
    assert not any("Lobby desk" in label.text() for label in view.findChildren(QLabel))

    view.resize(1280, 760)
    qtbot.waitUntil(lambda: bar.columns == len(bar.buttons), timeout=5000)  # one row
    assert all(b.shown_text() == b.text() for b in bar.buttons.values())  # nothing elided


def test_my_signals_show_who_took_them(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    teller = make_bridge("C05", staff="yanglei", lang="en")
    lobby = make_bridge("L1", staff="wangfang", lang="en")
    view = make_view(qtbot, lobby)
    assert view.calls_title.text() == "Calls · 0 waiting"  # %n, in its plural form
    view.raise_signal("direct_counter", to="C05", ticket="A002")
    qtbot.waitUntil(lambda: len(view.my_signal_ids()) == 1, timeout=5000)
    assert view.my_signal_lines(0)[1] == "Waiting"
    qtbot.waitUntil(lambda: len(teller.inbox()) == 1, timeout=5000)
    teller.acknowledge(teller.inbox()[0].id)
    qtbot.waitUntil(lambda: view.my_signal_lines(0)[1] == "✓ Yang Lei acknowledged", timeout=5000)
    assert "Customer sent to counter → Counter 5" in view.mine.item(0).text()
