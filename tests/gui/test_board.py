"""The branch head's board: tiles, open signals, escalations, KPIs, and a burst of events,
over an in-memory branch that decides as the hub does (tests.gui.memory)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.domain import policy
from app.domain.config import default_config_path, load_branch
from app.domain.roles import CounterStatus, SignalState
from tests.gui.memory import MemoryHub
from widgets.board import BoardView
from widgets.model import StationModel


def make_board(qtbot: QtBot, model: StationModel, public: bool = False) -> BoardView:
    board = BoardView(model, public=public)
    qtbot.addWidget(board)
    board.resize(1280, 800)
    return board


def texts(board: BoardView) -> str:
    """Everything the board's labels say (the banners, the KPI tiles, the titles)."""
    return "\n".join(label.text() for label in board.findChildren(QLabel))


def test_tiles_follow_counter_status_presence_and_staff(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    head = memory_hub.station("H1", staff="zhenghua")
    board = make_board(qtbot, head)
    tile = board.map.tile
    assert not tile("C01").online and tile("C01").staff == ""
    teller = memory_hub.station("C01", staff="lina")

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
    memory_hub.set_online("C01", False)  # the counter PC went quiet: the hub says offline
    qtbot.waitUntil(lambda: refreshed(lambda: not tile("C01").online), timeout=10_000)


def test_open_signals_and_kpis_follow_events(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    head = memory_hub.station("H1", staff="zhenghua")
    c1 = memory_hub.station("C01", staff="lina")
    c2 = memory_hub.station("C02", staff="zhangwei")
    lobby = memory_hub.station("L1", staff="wangfang")
    board = make_board(qtbot, head)
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as a:
        c1.raise_signal("authorize")
    memory_hub.advance(1000)
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as b:
        c2.raise_signal("complaint")
    memory_hub.advance(1000)
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as c:
        c2.raise_signal("assist")
    memory_hub.advance(1000)
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
    assert board.kpis.acknowledged == 1 and board.kpis.ack_median_s == 1.0
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
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    head = make_board(qtbot, memory_hub.station("H1", staff="zhenghua"))
    big_screen = make_board(qtbot, memory_hub.station("H1"), public=True)
    teller = memory_hub.station("C05", staff="yanglei")
    teller.raise_signal("cash")
    with qtbot.waitSignal(
        head.model.signal_raised, timeout=5000, check_params_cb=lambda s: s.code == "duress"
    ) as raised:
        teller.raise_signal("duress")
    duress = raised.args[0].id
    qtbot.waitUntil(lambda: duress in big_screen.model.state.signals, timeout=5000)
    qtbot.waitUntil(lambda: len(big_screen.model.state.signals) == 2, timeout=5000)
    for board in (head, big_screen):
        board.refresh_now()
    # The head's own board: a pinned alarm band above every tab, and only that (not in the
    # list, not on the map), until someone acknowledges it.
    assert head.duress is not None and big_screen.duress is None
    assert head.alarm_ids() == [duress] and head.duress.alarm_ids() == [duress]
    assert not head.duress.isHidden() and head.alarm.isHidden()
    band = head.duress.lines[duress].text()
    assert "紧急情况（静默）" in band and "5号窗口" in band
    assert head.show_page("reports") is not None  # another tab: the band stays
    assert head.duress.isVisibleTo(head)
    head.show_page("live")
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
    memory_hub.station("S1", staff="wugang").acknowledge(duress)
    qtbot.waitUntil(lambda: big_screen.model.state.signals[duress].acked_staff == "wugang")
    qtbot.waitUntil(lambda: head.model.state.signals[duress].acked_staff == "wugang")
    for board in (head, big_screen):
        board.refresh_now()
    assert "吴刚" in head.alarm.text() and not head.alarm.isHidden()
    qtbot.waitUntil(lambda: head.duress is not None and head.duress.isHidden(), timeout=5000)
    assert "紧急" not in texts(big_screen) and big_screen.kpis.acknowledged == 0


def test_the_board_coalesces_refreshes(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    board = make_board(qtbot, memory_hub.station("H1"))
    refreshes = 0
    original = board.refresh_now

    def counting() -> None:
        nonlocal refreshes
        refreshes += 1
        original()

    board.refresh_now = counting  # type: ignore[method-assign]
    for _ in range(1000):
        board.model.counter_changed.emit("C01")
        board.model.presence_changed.emit("C02", True)
    assert refreshes == 0  # an event only marks the board dirty
    board._on_timer()
    assert refreshes == 1  # one refresh for the lot
    board._on_timer()
    assert refreshes == 1  # nothing new: nothing rebuilt


def test_a_burst_of_events_leaves_the_board_correct(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    """About a thousand events from every station of the branch, in two quick waves
    (as the real hub's allowance of 60 commands at once per station would let through)."""
    head = memory_hub.station("H1")
    board = make_board(qtbot, head)
    tellers = [memory_hub.station(f"C0{i}") for i in range(1, 7)]
    supervisor = memory_hub.station("S1")
    others = [
        memory_hub.station("L1"),
        memory_hub.station("W1"),
        memory_hub.station("W2"),
        supervisor,
        head,
    ]
    wave = 55
    for teller in tellers:
        for _ in range(wave):
            teller.raise_signal("cash")
    for station in others:
        for _ in range(wave):
            station.raise_signal("queue_alert" if station.station.id == "L1" else "device_fault")
    total = wave * (len(tellers) + len(others))
    qtbot.waitUntil(lambda: len(head.state.signals) == total, timeout=20_000)
    qtbot.waitUntil(lambda: len(supervisor.state.signals) == total, timeout=20_000)
    board.refresh_now()
    assert len(board.open_signal_ids()) == total

    # Second wave: claims and cancels.
    signals = sorted(supervisor.state.signals.values(), key=lambda s: s.id)
    cash = [s.id for s in signals if s.code == "cash"]
    claimed = cash[:: len(cash) // wave][:wave]
    for sid in claimed:
        supervisor.acknowledge(sid)
    senders = {b.station.id: b for b in (*tellers, *others)}
    cancelled: list[int] = []
    for station_id, sender in senders.items():
        own = [s.id for s in signals if s.station == station_id and s.id not in claimed]
        mine = own[: wave - (len(claimed) if sender is supervisor else 10)]
        for sid in mine:
            sender.cancel(sid)
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


def test_escalated_calls_nobody_claimed_are_bannered(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    head = memory_hub.station("H1")
    teller = memory_hub.station("C03", staff="liuyang")
    lobby = memory_hub.station("L1")
    board = make_board(qtbot, head)
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as raised:
        teller.raise_signal("assist")
    assist = memory_hub.branch.signal_type("assist")
    assert assist is not None and assist.ack_s
    with qtbot.waitSignal(head.signal_escalated, timeout=5000) as escalated:
        memory_hub.advance(assist.ack_s * 1000)  # nobody claimed it in time
    sid = escalated.args[0].id
    assert sid == raised.args[0].id
    board.refresh_now()
    assert board.escalated_ids() == [sid]
    assert not board.escalation.isHidden()
    banner = board.escalation.text()
    assert "呼叫大堂经理" in banner and "3号窗口 · 刘洋" in banner and "Supervisor" in banner
    assert board.kpis is not None and board.kpis.escalations == 1
    lobby.acknowledge(sid)
    qtbot.waitUntil(lambda: head.state.signals[sid].state is SignalState.ACKNOWLEDGED)
    board.refresh_now()
    assert board.escalated_ids() == []
    assert board.escalation_lines() == ["✓ No call is waiting past its deadline"]
    assert board.kpis.escalations == 1  # it still counts for the day


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_open_signals_are_readable_in_a_small_window_and_across_the_room(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    head = memory_hub.station("H1", staff="zhenghua", lang="en")
    teller = memory_hub.station("C01", staff="lina", lang="en")
    lobby = memory_hub.station("L1", staff="wangfang", lang="en")
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


# One urgency order and one audience rule (app.domain.policy) ------------------------------
def test_a_type_this_config_lacks_sorts_where_the_policy_says_in_the_list_and_on_the_map(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    """A newer hub's type is neither hidden nor put last: it sorts at UNKNOWN_PRIORITY,
    in the board's list and on its map alike (they used 9 and "silent" before)."""
    head = memory_hub.station("H1", staff="zhenghua", lang="en")
    teller = memory_hub.station("C02", staff="zhangwei")
    board = make_board(qtbot, head)
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as low:
        teller.raise_signal("cash")  # priority 3
    memory_hub.advance(1000)
    newer = memory_hub.raise_newer_type("C02", ("branch_head",))
    memory_hub.advance(1000)
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as urgent:
        teller.raise_signal("complaint")  # priority 1
    board.refresh_now()
    expected = [s.id for s in policy.by_urgency(head.branch, head.state.signals.values())]
    assert policy.priority(head.branch, "brand_new") == policy.UNKNOWN_PRIORITY == 2
    assert expected == [urgent.args[0].id, newer.id, low.args[0].id]
    assert board.open_signal_ids() == expected
    assert [s.id for s in board.map.tile("C02").signals] == expected
    assert board.open_model.lines(newer)[0] == "brand_new"  # its code: no label here
    assert board.kpis is not None and board.kpis.open_now == len(expected)


def test_the_public_board_lists_what_it_counts(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    """What a screen may show is the branch's audience rule: a type anyone may read is
    listed, on the map and counted; a silent one is none of these (the public board
    used to count a newer type in "Open now" and hide it from the list)."""
    screen = make_board(qtbot, memory_hub.station("H1"), public=True)
    teller = memory_hub.station("C04", staff="chenjing")
    newer = memory_hub.raise_newer_type("C04", ("supervisor",))
    with qtbot.waitSignal(screen.model.signal_raised, timeout=5000):
        teller.raise_signal("duress")
    screen.refresh_now()
    assert screen.open_signal_ids() == [newer.id]
    assert [s.id for s in screen.map.tile("C04").signals] == [newer.id]
    assert screen.kpis is not None and screen.kpis.open_now == 1 and screen.kpis.signals == 1
    assert screen.alarm_ids() == []


SILENT_ROBBERY = """
[[signals]]
code = "robbery"
label = { zh_CN = "抢劫（静默）", en = "Robbery (silent)" }
raisers = ["teller"]
targets = ["supervisor"]
priority = 1
ack_s = 10
escalate = ["branch_head"]
silent = true
"""


def test_a_silent_signal_the_head_may_read_is_its_alarm_before_it_escalates(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The head's own board shows a private signal as an alarm when the head may read it
    (its audience: targets and ladder), as the hub sends it: not only once it escalated
    to the head (the board dropped it from every part of the screen till then)."""
    config = tmp_path / "branch.toml"
    config.write_text(
        default_config_path().read_text(encoding="utf-8") + SILENT_ROBBERY, encoding="utf-8"
    )
    hub = MemoryHub(load_branch(config))
    head = hub.station("H1", staff="zhenghua")
    teller = hub.station("C01", staff="lina")
    own, screen = make_board(qtbot, head), make_board(qtbot, hub.station("H1"), public=True)
    with qtbot.waitSignal(head.signal_raised, timeout=5000) as raised:
        teller.raise_signal("robbery")
    sig = raised.args[0]
    assert not head.state.is_target(sig, head.station)  # not yet: the ladder's next step
    for board in (own, screen):
        board.refresh_now()
    assert own.alarm_ids() == [sig.id] and own.duress is not None
    assert "抢劫（静默）" in own.duress.lines[sig.id].text()
    assert not own.duress.buttons[sig.id].isEnabled()  # the head may not claim it yet
    assert sig.id not in own.open_signal_ids() and own.map.marked_stations() == set()
    assert screen.alarm_ids() == [] and screen.open_signal_ids() == []
    assert "抢劫" not in texts(screen)


def test_the_heads_board_warns_of_a_key_used_from_two_pcs(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    from app.domain.events import KeyShared

    head = make_board(qtbot, memory_hub.station("H1", staff="zhenghua"))
    public = make_board(qtbot, memory_hub.station("H1"), public=True)
    memory_hub.publish(KeyShared(station="C05", addresses=["10.0.0.7", "10.0.0.9"]))
    memory_hub.flush()
    head.refresh_now()
    public.refresh_now()
    assert "10.0.0.7" in head.alarm.text() and "10.0.0.9" in head.alarm.text()
    assert not head.alarm.isHidden()
    assert "10.0.0.7" not in texts(public)  # never on a screen customers see


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_escalations_never_stack_nor_shrink_the_map(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    """Escalation banners stacked a line per call (wrapped, too) and took the map's
    height: now a fixed strip of two lines, one call a line, the rest counted."""
    head = memory_hub.station("H1")
    board = make_board(qtbot, head)
    board.resize(1280, 800)
    board.show()
    qtbot.waitExposed(board)
    board.refresh_now()
    qtbot.wait(50)
    map_h, strip_h = board.map.height(), board.escalation.height()
    assert strip_h > 0 and not board.escalation.isHidden()
    tellers = [memory_hub.station(f"C0{i}", staff="") for i in range(1, 6)]
    for teller in tellers:
        teller.raise_signal("assist", note="客户需要协助办理开户业务" * 4)
    memory_hub.flush()
    assist = memory_hub.branch.signal_type("assist")
    assert assist is not None and assist.ack_s
    memory_hub.advance(assist.ack_s * 1000)
    qtbot.waitUntil(
        lambda: sum(1 for x in head.state.signals.values() if x.level) == 5, timeout=5000
    )
    board.refresh_now()
    qtbot.wait(50)
    assert len(board.escalated_ids()) == 5
    lines = board.escalation_lines()
    assert len(lines) == 2 and lines[-1] == "… and 4 more escalated"
    assert board.escalation.height() == strip_h and board.map.height() == map_h
    board.resize(640, 480)  # a small window: still one line a call, elided, not wrapped
    board.refresh_now()
    qtbot.wait(50)
    assert len(board.escalation_lines()) == 2
    assert board.escalation.sizeHint().width() <= board.width()


def test_the_title_follows_the_tab(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    """The Today tab was titled 实时看板 (Live board): the title names the page shown."""
    board = make_board(qtbot, memory_hub.station("H1", staff="zhenghua"))
    assert board.title.text().endswith("· Live board")
    board.show_page("today")
    assert board.title.text().endswith("· Today") and "Live" not in board.title.text()
    board.show_page("reports")
    assert board.title.text().endswith("· Reports")
    board.show_page("live")
    assert board.title.text().endswith("· Live board")


def test_open_now_counts_exactly_the_open_list(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    """ "当前未结 12" stood beside "未结事项 · 11": the tile counted a duress the list
    does not show (it has its band) and the list a call from before midnight the day's
    figure left out. Both now count the signals listed."""
    head = memory_hub.station("H1", staff="zhenghua")
    board = make_board(qtbot, head)
    c1, c2 = memory_hub.station("C01", staff="lina"), memory_hub.station("C02", staff="zhangwei")
    c1.raise_signal("authorize")
    c1.raise_signal("cash")
    memory_hub.flush()
    memory_hub.advance(24 * 3600 * 1000)  # a new day: the calls are still open
    c2.raise_signal("complaint")
    c2.raise_signal("duress")
    memory_hub.flush()
    qtbot.waitUntil(lambda: len(head.state.signals) == 4, timeout=5000)
    board.refresh_now()
    listed = len(board.open_signal_ids())
    assert listed == 3
    assert board.list_title.text() == f"Open signals · {listed}"
    assert board.tiles["open"].value.text() == str(listed)
