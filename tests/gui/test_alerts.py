"""Alerts: which signal sounds when (pure), and the AlertManager over an in-memory branch
that decides as the hub does."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.client.alerts import (
    DEFAULT_REMIND_S,
    NO_SOUND_ENV,
    NOTICE_SOUND,
    AlertManager,
    Waiting,
    audio_output_available,
    decide,
    make_player,
    sound_dir,
    sound_name,
    wants_alert,
)
from app.domain import policy
from app.domain.roles import SignalState
from app.domain.state import SignalRecord
from tests.gui.memory import MemoryHub
from widgets.model import StationModel

WAIT = 5000


# The decision (pure) ------------------------------------------------------------------------------
def w(sid: int, priority: int = 2, remind_s: int = 10, raised: int = 0) -> Waiting:
    return Waiting(sid, priority, remind_s * 1000, raised)


def test_nothing_waiting_means_silence() -> None:
    d = decide([], {}, 1000)
    assert (d.sound, d.signal_id, d.heard, d.next_ms) == (None, None, (), None)


def test_a_new_signal_sounds_at_once_and_again_after_its_remind_time() -> None:
    d = decide([w(7, priority=3, remind_s=10)], {}, 1000)
    assert (d.sound, d.signal_id, d.heard, d.next_ms) == (3, 7, (7,), 11_000)
    early = decide([w(7, priority=3, remind_s=10)], {7: 1000}, 10_999)
    assert (early.sound, early.heard, early.next_ms) == (None, (), 11_000)
    due = decide([w(7, priority=3, remind_s=10)], {7: 1000}, 11_000)
    assert (due.sound, due.heard, due.next_ms) == (3, (7,), 21_000)


def test_the_most_urgent_wins_and_drowns_the_others() -> None:
    d = decide([w(1, priority=3, remind_s=30), w(2, priority=1, remind_s=5)], {}, 0)
    assert (d.sound, d.signal_id) == (1, 2)
    assert set(d.heard) == {1, 2}
    assert d.next_ms == 5000


def test_equal_urgency_goes_to_the_oldest() -> None:
    d = decide([w(9, raised=500), w(4, raised=900), w(5, raised=500)], {}, 1000)
    assert d.signal_id == 5


def test_a_playing_sound_is_interrupted_only_by_a_more_urgent_one() -> None:
    same = decide([w(1, priority=2)], {}, 0, playing=2)
    assert same.sound is None and same.heard == (1,)
    more = decide([w(1, priority=1)], {}, 0, playing=2)
    assert more.sound == 1
    notice = decide([w(1, priority=4)], {}, 0, playing=9)
    assert notice.sound == 4


def test_remind_zero_alerts_once() -> None:
    d = decide([w(1, remind_s=0)], {}, 0)
    assert d.sound == 2 and d.next_ms is None
    again = decide([w(1, remind_s=0)], {1: 0}, 10**9)
    assert again.sound is None and again.next_ms is None


def test_who_is_alerted() -> None:
    sig = SignalRecord(id=1, code="duress", station="C01", staff="lina", targets=("supervisor",))
    assert wants_alert(sig, "S1", silent=True, public=False)
    assert not wants_alert(sig, "H1", silent=True, public=True)  # never on a public screen
    assert not wants_alert(sig, "C01", silent=True, public=False)  # never at the raiser
    sig.state = SignalState.ACKNOWLEDGED
    assert not wants_alert(sig, "S1", silent=True, public=False)


# Sounds on disk ---------------------------------------------------------------------------------
def test_one_distinct_short_wav_per_priority() -> None:
    seen: set[bytes] = set()
    for priority in (0, 1, 2, 3, 4):  # 0: a duress, at the stations that watch for one
        path = sound_dir() / f"{sound_name(priority)}.wav"
        assert path.stat().st_size < 100_000
        with wave.open(str(path), "rb") as wav:
            assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
            assert 0.2 < wav.getnframes() / wav.getframerate() < 1.5
            frames = wav.readframes(wav.getnframes())
        seen.add(frames)
    assert len(seen) == 5
    assert sound_name(0) == "duress"
    assert (sound_dir() / "acknowledged.wav").stat().st_size < 100_000


def test_committed_sounds_are_what_the_generator_makes() -> None:
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "make_sounds.py"
    spec = importlib.util.spec_from_file_location("make_sounds", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, notes in module.SOUNDS.items():
        with wave.open(str(sound_dir() / f"{name}.wav"), "rb") as wav:
            assert wav.readframes(wav.getnframes()) == module.render(notes), name


# Audio detection degrades quietly -------------------------------------------------------------
def test_no_sound_env_means_no_player(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    monkeypatch.setenv(NO_SOUND_ENV, "1")
    assert not audio_output_available()
    assert make_player() is None


def test_no_sound_server_is_found_without_asking_qt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, qtbot: QtBot
) -> None:
    # Asking Qt Multimedia without a server logs a warning (which fails this test run).
    monkeypatch.delenv(NO_SOUND_ENV, raising=False)
    monkeypatch.delenv("PULSE_SERVER", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert not audio_output_available()


# The manager over an in-memory branch ------------------------------------------------------------------
class FakePlayer:
    """Records what would have played; a sound 'plays' until stopped or finished."""

    def __init__(self) -> None:
        self.played: list[str] = []
        self.current: str | None = None
        self._owner: object = None

    def play(self, name: str, owner: object = None) -> None:
        self.played.append(name)
        self.current, self._owner = name, owner

    def stop(self) -> None:
        self.current, self._owner = None, None

    def finish(self) -> None:
        self.stop()

    def playing(self) -> str | None:
        return self.current

    def owner(self) -> object:
        return self._owner


class Clock:
    def __init__(self) -> None:
        self.ms = 1_000_000

    def __call__(self) -> int:
        return self.ms


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[QSettings]:
    store = QSettings(str(tmp_path / "alerts.ini"), QSettings.Format.IniFormat)
    yield store
    store.sync()


def manager(
    model: StationModel,
    settings: QSettings,
    player: FakePlayer | None = None,
    clock: Clock | None = None,
    public: bool = False,
) -> AlertManager:
    return AlertManager(
        model,
        None,
        player=player,
        settings=settings,
        clock=clock or Clock(),
        public=public,
    )


def test_a_call_sounds_at_its_target_until_claimed_and_the_raiser_hears_the_claim(
    qtbot: QtBot, memory_hub: MemoryHub, settings: QSettings
) -> None:
    teller = memory_hub.station("C01", staff="lina", lang="en")
    lobby = memory_hub.station("L1", staff="wangfang", lang="en")
    lobby_player, teller_player, clock = FakePlayer(), FakePlayer(), Clock()
    lobby_alerts = manager(lobby, settings, lobby_player, clock)
    teller_alerts = manager(teller, settings, teller_player, clock)

    with qtbot.waitSignal(lobby_alerts.alerted, timeout=WAIT) as alerted:
        teller.raise_signal("assist")
    sig_id, priority = alerted.args
    assert priority == lobby.branch.signal_types["assist"].priority
    assert lobby_player.played == ["priority2"]
    assert teller_player.played == []  # the raiser's own call does not ring at the raiser

    lobby_player.finish()
    lobby_alerts.refresh()  # not due yet: silence
    assert lobby_player.played == ["priority2"]
    clock.ms += lobby.branch.signal_types["assist"].remind_s * 1000
    lobby_alerts.refresh()
    assert lobby_player.played == ["priority2", "priority2"]
    lobby_player.finish()
    with qtbot.waitSignal(lobby_alerts.alerted, timeout=WAIT):  # up the ladder: at once
        lobby.signal_escalated.emit(lobby.state.signals[sig_id])
    assert lobby_player.played == ["priority2"] * 3

    with qtbot.waitSignal(teller_alerts.notice, timeout=WAIT) as notice:
        lobby.acknowledge(sig_id)
    assert notice.args[0] == "Wang Fang acknowledged: Call lobby manager"
    assert teller_player.played == ["acknowledged"]
    # The reminder stops with the claim.
    qtbot.waitUntil(lambda: lobby_player.current is None, timeout=WAIT)
    clock.ms += 60_000
    lobby_alerts.refresh()
    assert lobby_player.played == ["priority2"] * 3


def test_silent_signal_alerts_its_targets_but_not_the_raiser_nor_a_public_board(
    qtbot: QtBot, memory_hub: MemoryHub, settings: QSettings
) -> None:
    teller = memory_hub.station("C01", staff="lina")
    supervisor = memory_hub.station("S1", staff="wugang")
    board = memory_hub.station("H1", staff="zhenghua")
    players = {name: FakePlayer() for name in ("teller", "supervisor", "public", "private")}
    teller_alerts = manager(teller, settings, players["teller"])
    supervisor_alerts = manager(supervisor, settings, players["supervisor"])
    public_alerts = manager(board, settings, players["public"], public=True)
    manager(board, settings, players["private"])
    notices: list[str] = []
    teller_alerts.notice.connect(notices.append)
    public_alerted: list[int] = []
    public_alerts.alerted.connect(lambda sid, _p: public_alerted.append(sid))

    with qtbot.waitSignal(supervisor_alerts.alerted, timeout=WAIT):
        teller.raise_signal("duress")
    assert players["supervisor"].played == ["duress"]
    qtbot.waitUntil(lambda: players["private"].played == ["duress"], timeout=WAIT)
    sig = supervisor.inbox()[0]
    with qtbot.waitSignal(supervisor.signal_changed, timeout=WAIT):
        supervisor.acknowledge(sig.id)
    qtbot.wait(100)
    assert players["teller"].played == [] and notices == []  # silent at the raiser
    assert sig.id not in teller.state.signals  # whose PC never even received it
    assert players["public"].played == [] and public_alerted == []


def test_mute_silences_sound_but_not_the_alert_and_is_remembered(
    qtbot: QtBot, memory_hub: MemoryHub, settings: QSettings
) -> None:
    teller = memory_hub.station("C01", staff="lina")
    lobby = memory_hub.station("L1", staff="wangfang")
    player = FakePlayer()
    alerts = manager(lobby, settings, player)
    assert not alerts.muted
    with qtbot.waitSignal(alerts.muted_changed) as changed:
        alerts.set_muted(True)
    assert changed.args == [True]
    with qtbot.waitSignal(alerts.alerted, timeout=WAIT):
        teller.raise_signal("assist")
    assert player.played == []
    assert manager(lobby, settings, FakePlayer()).muted  # read back from the settings
    assert not manager(teller, settings, FakePlayer()).muted  # per station


def test_a_call_of_a_type_this_config_lacks_rings_at_the_branchs_default_urgency(
    qtbot: QtBot, memory_hub: MemoryHub, settings: QSettings
) -> None:
    """It is in the inbox, so it rings (it used to be skipped): at UNKNOWN_PRIORITY,
    reminded as often as a type that sets no reminder."""
    lobby = memory_hub.station("L1", staff="wangfang")
    player = FakePlayer()
    alerts = manager(lobby, settings, player)
    with qtbot.waitSignal(alerts.alerted, timeout=WAIT) as alerted:
        newer = memory_hub.raise_newer_type("C02", ("lobby_manager",))
    assert alerted.args == [newer.id, policy.UNKNOWN_PRIORITY]
    assert player.played == [sound_name(policy.UNKNOWN_PRIORITY)]
    (waiting,) = alerts.waiting()
    assert waiting.remind_ms == DEFAULT_REMIND_S * 1000 == 15_000


def test_a_reminder_plays_the_gentle_notice_never_over_an_alert_nor_when_muted(
    qtbot: QtBot, memory_hub: MemoryHub, settings: QSettings
) -> None:
    """A pause over its length, a broadcast: the notice sound and line (issue 12)."""
    teller = memory_hub.station("C01", staff="lina")
    player = FakePlayer()
    alerts = manager(teller, settings, player)
    with qtbot.waitSignal(alerts.notice) as notice:
        teller.remind("十分钟后开晨会")
    assert notice.args == ["十分钟后开晨会"] and player.played == [NOTICE_SOUND]
    player.play(sound_name(1), alerts)  # an urgent alert is playing: it is not cut
    teller.remind("again")
    assert player.played == [NOTICE_SOUND, sound_name(1)]
    player.stop()
    alerts.set_muted(True)
    with qtbot.waitSignal(alerts.notice):
        teller.remind("muted")  # the line still says it
    assert player.played == [NOTICE_SOUND, sound_name(1)]
