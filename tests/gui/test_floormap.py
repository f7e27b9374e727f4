"""The floor map flashes the calling station and shows each station's live tile (over an
in-memory branch, tests.gui.memory)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.domain import policy
from app.domain.roles import CounterStatus, SignalState
from tests.gui.memory import MemoryHub
from widgets.floormap import FloorMap, TileInfo


def test_a_call_for_the_lobby_flashes_its_counter_until_resolved(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    teller = memory_hub.station("C01", staff="lina")
    lobby = memory_hub.station("L1", staff="wangfang")
    fmap = FloorMap(lobby)
    qtbot.addWidget(fmap)
    assert fmap.flashing_stations() == set()
    with qtbot.waitSignal(lobby.signal_raised, timeout=5000) as raised:
        teller.raise_signal("assist")
    sig = raised.args[0]
    qtbot.waitUntil(lambda: fmap.flashing_stations() == {"C01"}, timeout=5000)
    assert [s.code for s in fmap.tile("C01").signals] == ["assist"]
    lobby.acknowledge(sig.id)
    # Claimed: it stops flashing but stays marked until it is resolved.
    qtbot.waitUntil(lambda: fmap.flashing_stations() == set(), timeout=5000)
    assert fmap.marked_stations() == {"C01"}
    lobby.resolve(sig.id)
    qtbot.waitUntil(lambda: fmap.marked_stations() == set(), timeout=5000)
    assert lobby.state.signals[sig.id].state is SignalState.RESOLVED


def test_only_signals_for_the_viewer_flash_and_public_maps_hide_silent_ones(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    teller = memory_hub.station("C02", staff="zhangwei")
    lobby = memory_hub.station("L1")
    head = memory_hub.station("H1")  # duress is for the branch head: its PC receives it in full
    mine = FloorMap(lobby)
    everything = FloorMap(head, flash_for=lambda _s: True)
    public = FloorMap(head, flash_for=lambda _s: True, hide_silent=True)
    for widget in (mine, everything, public):
        qtbot.addWidget(widget)
    teller.raise_signal("authorize")  # for the supervisor, not the lobby
    teller.raise_signal("duress")
    qtbot.waitUntil(lambda: len(head.state.signals) == 2, timeout=5000)
    qtbot.waitUntil(lambda: lobby.state.last_seq >= head.state.last_seq, timeout=5000)
    assert [s.code for s in lobby.state.signals.values()] == ["authorize"]  # never sees duress
    assert mine.flashing_stations() == set()
    assert everything.flashing_stations() == {"C02"}
    assert [s.code for s in everything.tile("C02").signals] == ["duress", "authorize"]
    assert public.flashing_stations() == {"C02"}
    assert [s.code for s in public.tile("C02").signals] == ["authorize"]


def test_tiles_show_staff_counter_status_and_presence(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    teller = memory_hub.station("C03", staff="liuyang")
    lobby = memory_hub.station("L1")
    fmap = FloorMap(lobby)
    qtbot.addWidget(fmap)
    qtbot.waitUntil(lambda: fmap.tile("C03").online, timeout=5000)
    tile = fmap.tile("C03")
    assert (tile.station, tile.name, tile.staff) == ("C03", "3号窗口", "刘洋")
    assert (tile.status, tile.status_text, tile.role) == (CounterStatus.OPEN, "Open", "Teller")
    assert not fmap.tile("C04").online and fmap.tile("C04").staff == ""
    assert fmap.tile("W1").status is None and fmap.tile("W1").status_text == ""
    teller.set_status(CounterStatus.PAUSED, "meal")
    qtbot.waitUntil(lambda: fmap.tile("C03").status is CounterStatus.PAUSED, timeout=5000)
    assert fmap.tile("C03").status_text == "Paused · 用餐"
    teller.set_status(CounterStatus.CLOSED)
    qtbot.waitUntil(lambda: fmap.tile("C03").status is CounterStatus.CLOSED, timeout=5000)
    teller.sign_out()
    qtbot.waitUntil(lambda: fmap.tile("C03").staff == "", timeout=5000)


def test_clicking_a_station_says_which(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    lobby = memory_hub.station("L1")
    fmap = FloorMap(lobby)
    qtbot.addWidget(fmap)
    fmap.resize(800, 480)
    centre = fmap.tile_rect("C05").center().toPoint()
    with qtbot.waitSignal(fmap.station_clicked, timeout=2000) as clicked:
        qtbot.mouseClick(fmap, Qt.MouseButton.LeftButton, pos=centre)
    assert clicked.args == ["C05"]
    with qtbot.assertNotEmitted(fmap.station_clicked):
        qtbot.mouseClick(fmap, Qt.MouseButton.LeftButton, pos=fmap.rect().bottomRight())


def test_flashing_is_painted_and_blinks(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    teller = memory_hub.station("C01", staff="lina")
    lobby = memory_hub.station("L1")
    fmap = FloorMap(lobby)
    qtbot.addWidget(fmap)
    fmap.resize(1000, 600)
    teller.raise_signal("assist")
    qtbot.waitUntil(lambda: fmap.flashing_stations() == {"C01"}, timeout=5000)
    fmap.set_highlight("C02")
    calling, quiet = fmap.tile_rect("C01").toRect(), fmap.tile_rect("C04").toRect()

    def shot() -> QImage:
        return fmap.grab().toImage()

    def crop(image: QImage, rect: QRect) -> QImage:
        return image.copy(rect)

    fmap._flash.stop()  # step the ~2 Hz blink by hand
    on = shot()
    fmap._on_flash()
    off = shot()
    assert crop(on, calling) != crop(off, calling)
    assert crop(on, quiet) == crop(off, quiet)
    assert fmap.highlighted() == "C02"


def test_changes_are_coalesced(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    lobby = memory_hub.station("L1")
    fmap = FloorMap(lobby)
    qtbot.addWidget(fmap)
    builds = 0
    original = fmap._build_tiles

    def counting() -> dict[str, TileInfo]:
        nonlocal builds
        builds += 1
        return original()

    fmap._build_tiles = counting  # type: ignore[method-assign]
    for _ in range(1000):
        lobby.counter_changed.emit("C01")
    assert builds == 0  # nothing is rebuilt per event...
    qtbot.waitUntil(lambda: builds == 1, timeout=2000)  # ...one rebuild for the burst
    qtbot.wait(250)
    assert builds == 1


def test_marks_follow_the_branchs_urgency_and_waiting_first(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    """A tile's marks are in the policy's order (waiting first, then by urgency): a type
    this config lacks sorts at UNKNOWN_PRIORITY, not last as the map had it."""
    teller = memory_hub.station("C01", staff="lina")
    lobby = memory_hub.station("L1", staff="wangfang")
    fmap = FloorMap(lobby, flash_for=lambda _s: True)
    qtbot.addWidget(fmap)
    with qtbot.waitSignal(lobby.signal_raised, timeout=5000) as call:
        teller.raise_signal("assist")  # priority 2, for the lobby: claimed below
    with qtbot.waitSignal(lobby.signal_raised, timeout=5000) as cash:
        teller.raise_signal("cash")  # priority 3
    memory_hub.advance(1000)
    newer = memory_hub.raise_newer_type("C01", ("supervisor",))
    lobby.acknowledge(call.args[0].id)
    qtbot.waitUntil(lambda: fmap.tile("C01").signals[-1].id == call.args[0].id, timeout=5000)
    marks = [s.id for s in fmap.tile("C01").signals]
    assert marks == [newer.id, cash.args[0].id, call.args[0].id]
    key = [policy.waiting_first_key(lobby.branch, s, "L1") for s in fmap.tile("C01").signals]
    assert key == sorted(key)


def test_the_highlight_ring_goes_when_the_highlight_goes(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    """Even when the tile changed while ringed (the kept base picture was repainted then)."""
    teller = memory_hub.station("C02", staff="zhangwei")
    lobby = memory_hub.station("L1")
    fmap, fresh = FloorMap(lobby), FloorMap(lobby)
    for widget in (fmap, fresh):
        qtbot.addWidget(widget)
        widget.resize(1000, 600)
        widget._flash.stop()
    area = fmap.tile_rect("C02").adjusted(-12, -12, 12, 12).toRect()

    def look(widget: FloorMap) -> QImage:
        return widget.grab().toImage().copy(area)

    plain = look(fmap)
    fmap.set_highlight("C02")
    assert look(fmap) != plain
    teller.set_status(CounterStatus.PAUSED, "meal")  # C02's tile changes while ringed
    qtbot.waitUntil(lambda: fmap.tile("C02").status is CounterStatus.PAUSED, timeout=5000)
    look(fmap)
    fmap.set_highlight(None)
    fresh.refresh_now()
    assert look(fmap) == look(fresh)


def test_an_offline_counter_shows_offline_not_its_last_status(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    """ "⊘ 离线" and "● 服务中" side by side contradicted each other: offline only."""
    teller = memory_hub.station("C03", staff="liuyang")
    lobby = memory_hub.station("L1")
    fmap = FloorMap(lobby)
    qtbot.addWidget(fmap)
    fmap.resize(1000, 600)
    qtbot.waitUntil(lambda: fmap.tile("C03").online, timeout=5000)
    rows = fmap.tile_rows("C03")
    assert "Open" in rows and "Offline" not in rows
    memory_hub.set_online("C03", False)
    qtbot.waitUntil(lambda: not fmap.tile("C03").online, timeout=5000)
    assert fmap.tile("C03").status is CounterStatus.OPEN  # still known, not shown
    rows = fmap.tile_rows("C03")
    assert "Offline" in rows and "Open" not in rows
    assert teller.station.id == "C03"


def test_a_badge_shows_the_whole_call_with_its_age_and_count(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    """The badge read "呼叫大堂... 00:02 +1" at the lobby desk's size: the label is what
    the lobby manager needs, so it is shown whole (smaller or on two lines)."""
    teller = memory_hub.station("C01", staff="lina")
    lobby = memory_hub.station("L1")
    fmap = FloorMap(lobby)
    qtbot.addWidget(fmap)
    teller.raise_signal("assist")
    teller.raise_signal("assist")
    qtbot.waitUntil(lambda: len(fmap.tile("C01").signals) == 2, timeout=5000)
    for width, height in ((420, 300), (480, 320), (640, 400), (1000, 600)):
        fmap.resize(width, height)
        lines = fmap.bubble_text("C01")
        text = "".join(lines)
        assert "呼叫大堂经理" in text and "…" not in text, (width, lines)
        assert lines[-1].endswith("+1") and "00:0" in lines[-1], (width, lines)
    fmap.resize(1000, 600)
    assert len(fmap.bubble_text("C01")) == 1  # room enough: one line
