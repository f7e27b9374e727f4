"""Alerts at a station: a sound per priority, a flashing taskbar entry, a tray notice.

What should sound *now* is decided by :func:`decide`, a pure function over the open
signals waiting here, so the rules are tested without audio. The AlertManager only
collects those signals from the station model, keeps the times it alerted, and plays.

Sound and tray degrade quietly: on a PC without a sound server (or with
``LOBBYLINK_NO_SOUND=1``) no QSoundEffect is created at all, because Qt's multimedia
backend logs a warning ("PulseAudioService: pa_context_connect() failed") the moment
anything asks it for audio devices; without a system tray there is no tray notice.
"""

from __future__ import annotations

import os
import sys
import time
import wave
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

import msgspec
from PySide6.QtCore import QObject, QSettings, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from app import log
from app.domain import policy
from app.domain.config import SignalType
from app.domain.roles import SignalState
from app.domain.state import SignalRecord
from widgets.common import signal_label, staff_name, station_name
from widgets.model import StationModel

NO_SOUND_ENV = "LOBBYLINK_NO_SOUND"
NOTICE_SOUND = "acknowledged"
NOTICE_FRESH_MS = 15_000
"""A claim older than this (e.g. replayed at start-up) brings the raiser no notice."""
TRAY_MS = 5_000
DEFAULT_REMIND_S: int = next(
    f.default for f in msgspec.structs.fields(SignalType) if f.name == "remind_s"
)
"""How often a signal type that sets no ``remind_s`` is repeated (the config's default)."""


def sound_dir() -> Path:
    return Path(str(resources.files("resources").joinpath("sounds")))


ALARM_PRIORITY = 0
"""The urgency of a silent alarm (duress) at a station that watches for one: above every
priority of the config, with a sound of its own (:data:`ALARM_SOUND`)."""
ALARM_SOUND = "duress"


def sound_name(priority: int) -> str:
    if priority <= ALARM_PRIORITY:
        return ALARM_SOUND
    return f"priority{min(4, max(1, priority))}"


def sound_urgency(name: str | None) -> int:
    """0 for the duress alarm; 1 (most urgent) … 4 for an alert sound; 9 for the notice;
    99 for silence."""
    if name is None:
        return 99
    if name == ALARM_SOUND:
        return ALARM_PRIORITY
    if name.startswith("priority") and name[-1].isdigit():
        return int(name[-1])
    return 9


# The decision -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Waiting:
    """An open signal waiting at this station, as far as alerting is concerned."""

    signal_id: int
    priority: int
    remind_ms: int
    """Repeat the alert this often until acknowledged; 0 = alert once."""
    raised_ms: int


@dataclass(frozen=True)
class Decision:
    """What to do now: ``sound`` (a priority) for ``signal_id``, or nothing."""

    sound: int | None
    signal_id: int | None
    heard: tuple[int, ...]
    """Signals whose alert is taken as given now (the winner and those it drowned)."""
    next_ms: int | None
    """When to decide again (same clock as ``now_ms``), or None: nothing to remind."""


def decide(
    waiting: Sequence[Waiting],
    last_alerted: Mapping[int, int],
    now_ms: int,
    playing: int | None = None,
) -> Decision:
    """Which signal should sound now, and when the next reminder is due.

    A signal is due when it never alerted here or its ``remind_ms`` has passed since.
    Only one sound at a time: the most urgent due signal wins (then the oldest); the
    other due signals count as heard with it. A sound already playing that is at
    least as urgent is not interrupted, and the due signals count as heard with it.
    ``playing`` is the priority of the sound playing now (None: silence).
    """
    due = [
        w
        for w in waiting
        if w.signal_id not in last_alerted
        or (w.remind_ms > 0 and now_ms - last_alerted[w.signal_id] >= w.remind_ms)
    ]
    heard = tuple(w.signal_id for w in due)
    sound: int | None = None
    signal_id: int | None = None
    if due:
        winner = min(due, key=lambda w: (w.priority, w.raised_ms, w.signal_id))
        if playing is None or winner.priority < playing:
            sound, signal_id = winner.priority, winner.signal_id
    next_ms: int | None = None
    for w in waiting:
        if w.remind_ms <= 0:
            continue
        last = now_ms if w.signal_id in heard else last_alerted.get(w.signal_id, now_ms)
        at = last + w.remind_ms
        next_ms = at if next_ms is None else min(next_ms, at)
    return Decision(sound, signal_id, heard, next_ms)


def wants_alert(sig: SignalRecord, station_id: str, silent: bool, public: bool) -> bool:
    """Whether an inbox signal should alert here: still unclaimed, not our own call,
    and never a silent one on a public screen."""
    return sig.state is SignalState.OPEN and sig.station != station_id and not (silent and public)


# Sound ------------------------------------------------------------------------------------
class SoundPlayer(Protocol):
    """Plays one named sound at a time (names of resources/sounds/*.wav).

    One player serves every station window of a process, so ``owner`` says who started
    the sound playing now: a station only ever stops its own.
    """

    def play(self, name: str, owner: object = None) -> None: ...

    def stop(self) -> None: ...

    def playing(self) -> str | None:
        """The sound playing now, or None."""
        ...

    def owner(self) -> object:
        """Who started the sound playing now (None when silent)."""
        ...


def audio_output_available() -> bool:
    """Whether this PC can play sound, decided without touching Qt Multimedia's backend.

    On Linux Qt asks PulseAudio (PipeWire serves the same socket) and logs a warning
    when there is no server, so look for the server's socket first.
    """
    if os.environ.get(NO_SOUND_ENV, "").strip() not in ("", "0"):
        return False
    if sys.platform.startswith("linux"):
        if not os.environ.get("PULSE_SERVER"):
            runtime = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
            if not (Path(runtime) / "pulse" / "native").exists():
                return False
    from PySide6.QtMultimedia import QMediaDevices

    return bool(QMediaDevices.audioOutputs())


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / float(wav.getframerate())


class QtSoundPlayer(QObject):
    """QSoundEffect per sound; one at a time. Use :func:`make_player`, which checks audio."""

    def __init__(self, folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QSoundEffect

        folder = folder or sound_dir()
        self._effects: dict[str, QSoundEffect] = {}
        self._lengths: dict[str, float] = {}
        for path in sorted(folder.glob("*.wav")):
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.8)
            self._effects[path.stem] = effect
            self._lengths[path.stem] = wav_seconds(path)
        self._current: str | None = None
        self._owner: object = None
        self._until = 0.0

    def play(self, name: str, owner: object = None) -> None:
        effect = self._effects.get(name)
        if effect is None:
            log.ui.warning("no sound %r in %s", name, sound_dir())
            return
        self.stop()
        effect.play()
        self._current, self._owner = name, owner
        # QSoundEffect.isPlaying() stays False until the file is loaded: time it ourselves.
        self._until = time.monotonic() + self._lengths[name]

    def stop(self) -> None:
        if self._current is not None:
            self._effects[self._current].stop()
        self._current, self._owner = None, None

    def playing(self) -> str | None:
        if self._current is not None and time.monotonic() >= self._until:
            self._current, self._owner = None, None
        return self._current

    def owner(self) -> object:
        return self._owner if self.playing() is not None else None


def make_player(parent: QObject | None = None) -> QtSoundPlayer | None:
    """A sound player, or None (quietly) where this PC has no audio output."""
    if not audio_output_available():
        log.ui.info("no audio output: alerts flash and notify without sound")
        return None
    return QtSoundPlayer(parent=parent)


# Tray -------------------------------------------------------------------------------------
def tray_icon_image() -> QIcon:
    """A plain round badge, so the tray never shows an empty icon."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#c62828"))
    painter.setPen(QColor("#ffffff"))
    painter.drawEllipse(2, 2, 28, 28)
    painter.end()
    return QIcon(pixmap)


def make_tray(parent: QObject | None = None) -> QSystemTrayIcon | None:
    """A visible tray icon where the desktop has a system tray, else None."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    icon = QApplication.windowIcon()
    tray = QSystemTrayIcon(icon if not icon.isNull() else tray_icon_image(), parent)
    tray.setToolTip(QApplication.translate("AlertManager", "Lobbylink"))
    tray.show()
    return tray


# The manager --------------------------------------------------------------------------------
def _monotonic_ms() -> int:
    return int(time.monotonic() * 1000)


class AlertManager(QObject):
    """Sounds, flashes and notifies for the signals waiting at one station.

    Signals:
      alerted(int, int): an alert went off for signal id at priority (sound or not).
      notice(str): a short notice for this station's staff (their call was claimed).
      muted_changed(bool): sound was switched off (True) or on.
    """

    alerted = Signal(int, int)
    notice = Signal(str)
    muted_changed = Signal(bool)

    def __init__(
        self,
        model: StationModel,
        window: QWidget | None = None,
        *,
        player: SoundPlayer | None = None,
        tray: QSystemTrayIcon | None = None,
        settings: QSettings | None = None,
        public: bool = False,
        clock: Callable[[], int] = _monotonic_ms,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent if parent is not None else model)
        self.model = model
        self.window = window
        self.player = player
        self.tray = tray
        self.public = public
        self._clock = clock
        self._settings = settings if settings is not None else QSettings()
        self._muted = self._settings.value(self._mute_key, False, type=bool)
        self._last: dict[int, int] = {}
        self._noticed: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        # A busy branch changes many signals per second: look once per event-loop turn.
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self.refresh)
        model.signal_changed.connect(self._on_signal_changed)
        model.signal_escalated.connect(self._on_signal_escalated)
        model.state_reset.connect(self.refresh)
        model.reminder.connect(self.remind)

    # Mute ------------------------------------------------------------------------------
    @property
    def _mute_key(self) -> str:
        return f"alerts/muted/{self.model.station.id}"

    @property
    def muted(self) -> bool:
        return bool(self._muted)

    def set_muted(self, muted: bool) -> None:
        """Switch this station's sound off or on (remembered across restarts)."""
        if muted == self._muted:
            return
        self._muted = muted
        self._settings.setValue(self._mute_key, muted)
        self._settings.sync()
        if muted:
            self._stop_my_sound()
        self.muted_changed.emit(muted)

    # Deciding ------------------------------------------------------------------------
    def waiting(self) -> list[Waiting]:
        """The inbox's signals that should alert here, at the branch's urgency (a type
        this config lacks too: at UNKNOWN_PRIORITY, reminded as a type that sets none)."""
        model, branch = self.model, self.model.branch
        out = []
        for sig in model.inbox():
            silent = not model.may_show(sig.code, public=True)
            if not wants_alert(sig, model.station.id, silent, self.public):
                continue
            kind = branch.signal_type(sig.code)
            remind_s = kind.remind_s if kind is not None else DEFAULT_REMIND_S
            # A silent alarm sounds as nothing else does, and before anything else.
            priority = ALARM_PRIORITY if silent else policy.priority(branch, sig.code)
            out.append(Waiting(sig.id, priority, remind_s * 1000, sig.raised_ms))
        return out

    def refresh(self) -> None:
        """Look at what is waiting; sound, flash and notify what is due; plan the next look."""
        waiting = self.waiting()
        ids = {w.signal_id for w in waiting}
        for gone in [sid for sid in self._last if sid not in ids]:
            del self._last[gone]
        if not waiting:
            self._stop_my_sound()
            self._timer.stop()
            return
        now = self._clock()
        playing = self.player.playing() if self.player is not None else None
        urgency = sound_urgency(playing)
        decision = decide(waiting, self._last, now, urgency if urgency < 99 else None)
        fresh = [sid for sid in decision.heard if sid not in self._last]
        for sid in decision.heard:
            self._last[sid] = now
        if decision.sound is not None and decision.signal_id is not None:
            self._alert(decision.signal_id, decision.sound, decision.signal_id in fresh)
        elif fresh:
            # Drowned by a sound already playing, but still new here: flash and notify.
            sig = self.model.state.signals[fresh[0]]
            self._flash()
            self._tray_new(sig)
        if decision.next_ms is None:
            self._timer.stop()
        else:
            self._timer.start(max(0, decision.next_ms - now))

    # Acting ------------------------------------------------------------------------------
    def _alert(self, signal_id: int, priority: int, new: bool) -> None:
        sig = self.model.state.signals[signal_id]
        if self.player is not None and not self._muted:
            self.player.play(sound_name(priority), self)
        self._flash()
        if new:
            self._tray_new(sig)
        self.alerted.emit(signal_id, priority)

    def _flash(self) -> None:
        if self.window is not None:
            QApplication.alert(self.window, 0)

    def _tray_new(self, sig: SignalRecord) -> None:
        if self.tray is None:
            return
        lang = self.model.lang
        self.tray.showMessage(
            signal_label(self.model.branch, sig.code, lang),
            self.tr("From {station}").format(
                station=station_name(self.model.branch, sig.station, lang)
            ),
            QSystemTrayIcon.MessageIcon.Information,
            TRAY_MS,
        )

    def _stop_my_sound(self) -> None:
        """Stop an alert this station started (the short notice plays out)."""
        if (
            self.player is not None
            and self.player.owner() is self
            and sound_urgency(self.player.playing()) < 9
        ):
            self.player.stop()

    def _on_signal_changed(self, sig: SignalRecord) -> None:
        station = self.model.station
        if sig.station == station.id:
            self._maybe_notice(sig)
        elif sig.id in self._last or (
            sig.state is SignalState.OPEN and self.model.state.is_target(sig, station)
        ):
            self._soon.start()

    def _on_signal_escalated(self, sig: SignalRecord) -> None:
        # Going up the ladder is news: alert again now, not at the next reminder.
        self._last.pop(sig.id, None)
        self._soon.start()

    def remind(self, text: str) -> None:
        """A gentle reminder (a pause that is over, a broadcast): the short notice sound
        unless an alert is playing or the station is muted, a tray message while the
        window is in the background, and the notice line."""
        if self.player is not None and not self._muted and sound_urgency(self.player.playing()) > 9:
            self.player.play(NOTICE_SOUND, self)
        if self.tray is not None and self.window is not None and not self.window.isActiveWindow():
            self.tray.showMessage(
                self.tr("Reminder"), text, QSystemTrayIcon.MessageIcon.Information, TRAY_MS
            )
        self.notice.emit(text)

    def _maybe_notice(self, sig: SignalRecord) -> None:
        """Tell the raiser, briefly, that someone claimed their call."""
        if sig.state is not SignalState.ACKNOWLEDGED or sig.id in self._noticed:
            return
        kind = self.model.branch.signal_type(sig.code)
        if kind is None or kind.silent or sig.acked_ms is None:
            return
        self._noticed.add(sig.id)
        if self.model.hub_now_ms() - sig.acked_ms > NOTICE_FRESH_MS:
            return
        branch, lang = self.model.branch, self.model.lang
        who = staff_name(branch, sig.acked_staff, lang) or station_name(
            branch, sig.acked_station, lang
        )
        text = self.tr("{who} acknowledged: {signal}").format(
            who=who, signal=signal_label(branch, sig.code, lang)
        )
        if self.player is not None and not self._muted and sound_urgency(self.player.playing()) > 9:
            self.player.play(NOTICE_SOUND, self)
        if self.tray is not None and self.window is not None and not self.window.isActiveWindow():
            self.tray.showMessage(
                self.tr("Acknowledged"), text, QSystemTrayIcon.MessageIcon.Information, TRAY_MS
            )
        self.notice.emit(text)
