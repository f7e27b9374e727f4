"""The branch head's board: tiles, open signals, escalations, KPIs, and a burst of events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.client.bridge import StationBridge
from app.domain.config import Branch, default_config_path, load_branch
from app.domain.roles import CounterStatus, SignalState
from tests.gui.conftest import BridgeFactory
from tests.helpers import HubProcess, free_port_pair, keys_for
from widgets.board import BoardView


def make_board(qtbot: QtBot, bridge: StationBridge, public: bool = False) -> BoardView:
    board = BoardView(bridge, public=public)
    qtbot.addWidget(board)
    board.resize(1280, 800)
    return board


def texts(board: BoardView) -> str:
    """Everything the board's labels say (the banners, the KPI tiles, the titles)."""
    return "\n".join(label.text() for label in board.findChildren(QLabel))


def test_tiles_follow_counter_status_presence_and_staff(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    head = make_bridge("H1", staff="zhenghua")
    board = make_board(qtbot, head)
    tile = board.map.tile
    assert not tile("C01").online and tile("C01").staff == ""
    teller = make_bridge("C01", staff="lina")

    def refreshed(check: object) -> bool:
        board.refresh_now()
        return bool(check() if callable(check) else check)

    qtbot.waitUntil(lambda: refreshed(lambda: tile("C01").online), timeout=5000)
    qtbot.waitUntil(lambda: refreshed(lambda: tile("C01").staff == "李娜"), timeout=5000)
    teller.set_status(CounterStatus.PAUSED, "cash_count")
    qtbot.waitUntil(lambda: refreshed(lambda: tile("C01").status_text == "Paused · 现金清点"))
    assert tile("C01").status is CounterStatus.PAUSED
    assert board.kpis is not None and board.kpis.paused_counters == 1
    assert board.tiles["paused"].value.text() == "1"
    teller.set_status(CounterStatus.CLOSED)
    qtbot.waitUntil(lambda: refreshed(lambda: tile("C01").status is CounterStatus.CLOSED))
    assert (board.kpis.paused_counters, board.kpis.closed_counters) == (0, 1)
    teller.sign_out()
    qtbot.waitUntil(lambda: refreshed(lambda: tile("C01").staff == ""), timeout=5000)
    teller.driver.stop()  # the counter PC goes quiet: offline after 3 s of silence
    qtbot.waitUntil(lambda: refreshed(lambda: not tile("C01").online), timeout=10_000)


def test_open_signals_and_kpis_follow_events(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    head = make_bridge("H1", staff="zhenghua")
    c1 = make_bridge("C01", staff="lina")
    c2 = make_bridge("C02", staff="zhangwei")
    lobby = make_bridge("L1", staff="wangfang")
    board = make_board(qtbot, head)
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as a:
        c1.raise_signal("authorize")
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as b:
        c2.raise_signal("complaint")
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as c:
        c2.raise_signal("assist")
    authorize, complaint, assist = a.args[0].id, b.args[0].id, c.args[0].id
    board.refresh_now()
    # Most urgent first (the complaint is priority 1), then by age.
    assert board.open_signal_ids() == [complaint, authorize, assist]
    assert board.map.flashing_stations() == {"C01", "C02"}
    assert board.kpis is not None
    assert (board.kpis.signals, board.kpis.open_now, board.kpis.acknowledged) == (3, 3, 0)
    assert board.kpis.ack_median_s is None and board.tiles["ack_median"].value.text() == "—"

    lobby.acknowledge(assist)
    qtbot.waitUntil(lambda: head.state.signals[assist].state is SignalState.ACKNOWLEDGED)
    board.refresh_now()
    assert board.kpis.acknowledged == 1 and board.kpis.ack_median_s is not None
    assert board.open_signal_ids() == [complaint, authorize, assist]  # claimed, not closed
    lobby.resolve(assist)
    c1.cancel(authorize)
    qtbot.waitUntil(lambda: not head.state.signals[authorize].open, timeout=5000)
    qtbot.waitUntil(lambda: not head.state.signals[assist].open, timeout=5000)
    board.refresh_now()
    assert board.open_signal_ids() == [complaint]
    assert (board.kpis.signals, board.kpis.open_now) == (3, 1)
    assert board.tiles["signals"].value.text() == "3"
    assert board.tiles["open"].value.text() == "1"
    assert board.map.flashing_stations() == {"C02"}


def test_public_board_never_shows_duress_while_the_heads_board_raises_its_alarm(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    head = make_board(qtbot, make_bridge("H1", staff="zhenghua"))
    big_screen = make_board(qtbot, make_bridge("H1"), public=True)
    teller = make_bridge("C05", staff="yanglei")
    teller.raise_signal("cash")
    with qtbot.waitSignal(
        head.bridge.signal_raised, timeout=5000, check_params_cb=lambda s: s.code == "duress"
    ) as raised:
        teller.raise_signal("duress")
    duress = raised.args[0].id
    qtbot.waitUntil(lambda: duress in big_screen.bridge.state.signals, timeout=5000)
    qtbot.waitUntil(lambda: len(big_screen.bridge.state.signals) == 2, timeout=5000)
    for board in (head, big_screen):
        board.refresh_now()
    # The head's own board: an alarm line, and only that (not in the list, not on the map).
    assert head.alarm_ids() == [duress] and not head.alarm.isHidden()
    assert "紧急情况（静默）" in head.alarm.text() and "5号窗口" in head.alarm.text()
    assert duress not in head.open_signal_ids()
    assert [s.code for s in head.map.tile("C05").signals] == ["cash"]
    assert head.kpis is not None and head.kpis.signals == 2
    # The big screen: no trace at all, not even in a count.
    assert big_screen.alarm_ids() == [] and big_screen.alarm.isHidden()
    assert duress not in big_screen.open_signal_ids()
    assert [s.code for s in big_screen.map.tile("C05").signals] == ["cash"]
    assert big_screen.kpis is not None and big_screen.kpis.signals == 1
    assert "紧急" not in texts(big_screen) and "Emergency" not in texts(big_screen)
    # Claimed: the head's alarm says who is on it; the big screen still knows nothing.
    make_bridge("S1", staff="wugang").acknowledge(duress)
    qtbot.waitUntil(lambda: big_screen.bridge.state.signals[duress].acked_staff == "wugang")
    qtbot.waitUntil(lambda: head.bridge.state.signals[duress].acked_staff == "wugang")
    for board in (head, big_screen):
        board.refresh_now()
    assert "吴刚" in head.alarm.text()
    assert "紧急" not in texts(big_screen) and big_screen.kpis.acknowledged == 0


def test_the_board_coalesces_refreshes(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    board = make_board(qtbot, make_bridge("H1"))
    refreshes = 0
    original = board.refresh_now

    def counting() -> None:
        nonlocal refreshes
        refreshes += 1
        original()

    board.refresh_now = counting  # type: ignore[method-assign]
    for _ in range(1000):
        board.bridge.counter_changed.emit("C01")
        board.bridge.presence_changed.emit("C02", True)
    assert refreshes == 0  # an event only marks the board dirty
    board._on_timer()
    assert refreshes == 1  # one refresh for the lot
    board._on_timer()
    assert refreshes == 1  # nothing new: nothing rebuilt


def test_a_burst_of_events_leaves_the_board_correct(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    """About a thousand events from every station of the branch, in two quick waves.

    The hub lets a station send 60 commands at once and 20 a second after that, so the
    load is spread over all twelve stations and each wave stays within that allowance.
    """
    head = make_bridge("H1")
    board = make_board(qtbot, head)
    tellers = [make_bridge(f"C0{i}") for i in range(1, 7)]
    supervisor = make_bridge("S1")
    others = [make_bridge("L1"), make_bridge("W1"), make_bridge("W2"), supervisor, head]
    wave = 55
    started = time.monotonic()
    for teller in tellers:
        for _ in range(wave):
            teller.raise_signal("cash")
    for bridge in others:
        for _ in range(wave):
            bridge.raise_signal("queue_alert" if bridge.station.id == "L1" else "device_fault")
    total = wave * (len(tellers) + len(others))
    qtbot.waitUntil(lambda: len(head.state.signals) == total, timeout=20_000)
    qtbot.waitUntil(lambda: len(supervisor.state.signals) == total, timeout=20_000)
    board.refresh_now()
    assert len(board.open_signal_ids()) == total

    # Second wave, once every station may send as many again: claims and cancels.
    qtbot.wait(max(0, int((started + 2.8 - time.monotonic()) * 1000)))
    signals = sorted(supervisor.state.signals.values(), key=lambda s: s.id)
    cash = [s.id for s in signals if s.code == "cash"]
    claimed = cash[:: len(cash) // wave][:wave]
    for sid in claimed:
        supervisor.acknowledge(sid)
    senders = {b.station.id: b for b in (*tellers, *others)}
    cancelled: list[int] = []
    for station_id, bridge in senders.items():
        own = [s.id for s in signals if s.station == station_id and s.id not in claimed]
        mine = own[: wave - (len(claimed) if bridge is supervisor else 10)]
        for sid in mine:
            bridge.cancel(sid)
        cancelled += mine

    def settled() -> bool:
        sigs = head.state.signals
        return all(sigs[sid].state is SignalState.ACKNOWLEDGED for sid in claimed) and all(
            sigs[sid].state is SignalState.CANCELLED for sid in cancelled
        )

    qtbot.waitUntil(settled, timeout=20_000)
    events = len(claimed) + len(cancelled) + total
    assert events >= 1000
    board.refresh_now()
    expected = [s.id for s in signals if s.id not in cancelled]
    assert sorted(board.open_signal_ids()) == expected
    assert board.kpis is not None
    assert (board.kpis.signals, board.kpis.open_now) == (total, len(expected))
    assert board.kpis.acknowledged == len(claimed)
    assert board.tiles["signals"].value.text() == str(total)
    assert board.tiles["open"].value.text() == str(len(expected))
    assert board.list_title.text() == f"Open signals · {len(expected)}"
    waiting = {s.station for s in head.state.signals.values() if s.state is SignalState.OPEN}
    assert board.map.flashing_stations() == waiting  # claimed ones stop flashing
    assert board.map.marked_stations() == set(senders)


# A branch whose calls escalate after one second --------------------------------------
@pytest.fixture
def fast_ladder(tmp_path: Path) -> Iterator[tuple[Branch, HubProcess]]:
    text = default_config_path().read_text(encoding="utf-8")
    assert text.count("ack_s = 30") == 1  # the assist call
    config = tmp_path / "branch.toml"
    config.write_text(text.replace("ack_s = 30", "ack_s = 1"), encoding="utf-8")
    hub = HubProcess(
        f"sqlite:///{tmp_path / 'journal.sqlite'}", free_port_pair(), config=str(config)
    ).start()
    yield load_branch(config), hub
    hub.stop()


def test_escalated_calls_nobody_claimed_are_bannered(
    qtbot: QtBot, fast_ladder: tuple[Branch, HubProcess], ctx: zmq.Context
) -> None:
    branch, hub = fast_ladder
    bridges: list[StationBridge] = []

    def station(sid: str, staff: str = "") -> StationBridge:
        bridge = StationBridge(branch, sid, hub.endpoint, ctx, keys=keys_for(hub.endpoint, sid))
        bridges.append(bridge)
        bridge.start()
        qtbot.waitUntil(lambda: bridge.session.link.synced, timeout=10_000)
        if staff:
            bridge.sign_in(staff)
            qtbot.waitUntil(lambda: bridge.staff == staff, timeout=10_000)
        return bridge

    try:
        head = station("H1")
        teller = station("C03", "liuyang")
        lobby = station("L1")
        board = make_board(qtbot, head)
        with qtbot.waitSignal(head.signal_escalated, timeout=5000) as escalated:
            teller.raise_signal("assist")
        sid = escalated.args[0].id
        board.refresh_now()
        assert board.escalated_ids() == [sid]
        assert not board.escalation.isHidden()
        banner = board.escalation.text()
        assert "呼叫大堂经理" in banner and "3号窗口 · 刘洋" in banner and "Supervisor" in banner
        assert board.kpis is not None and board.kpis.escalations == 1
        lobby.acknowledge(sid)
        qtbot.waitUntil(lambda: head.state.signals[sid].state is SignalState.ACKNOWLEDGED)
        board.refresh_now()
        assert board.escalated_ids() == [] and board.escalation.isHidden()
        assert board.kpis.escalations == 1  # it still counts for the day
    finally:
        for bridge in bridges:
            bridge.close()


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_open_signals_are_readable_in_a_small_window_and_across_the_room(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    head = make_bridge("H1", staff="zhenghua", lang="en")
    teller = make_bridge("C01", staff="lina", lang="en")
    lobby = make_bridge("L1", staff="wangfang", lang="en")
    board = make_board(qtbot, head)
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as raised:
        teller.raise_signal("assist")
    sid = raised.args[0].id
    lobby.acknowledge(sid)
    qtbot.waitUntil(lambda: head.state.signals[sid].state is SignalState.ACKNOWLEDGED)
    board.show()
    qtbot.waitExposed(board)

    for width, height in ((640, 540), (1920, 1080)):
        board.resize(width, height)
        qtbot.wait(50)  # the splitter is placed once the layout has run
        board.refresh_now()
        signal, age, who, progress = board.row_lines(0)
        # One stacked cell, not four columns cut to "Com…" and "Count…": who is on it
        # is whole even in the demo's small window.
        assert progress.startswith("✓ Wang Fang "), (width, progress)
        assert who == "Counter 1 · Li Na" and age.count(":") == 1
        # The tile shows its whole name or its id alone, never "C01 Co…".
        assert board.map.tile_title("C01") in ("C01", "C01 Counter 1")
        if width == 640:
            assert board.map.tile_title("C01") == "C01"
        else:  # the big screen, read from three metres: large and whole
            assert (signal, progress) == (
                "Call lobby manager",
                "✓ Wang Fang acknowledged · on the way",
            )
            assert board.open_list.font().pixelSize() >= 24
            assert board.clock.font().pixelSize() >= 30
            assert board.tiles["open"].value.font().pixelSize() >= 40
