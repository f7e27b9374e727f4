"""System-wide call keys: a key that raises a call while another application has the
keyboard (the core-banking system, all day at a counter).

Why this way, not a library that only listens:

* **pynput** (GlobalHotKeys) listens through the X RECORD extension on X11: the key still
  reaches the focused application as well (Ctrl+Shift+F1 would also act in the banking
  system), and it cannot tell us that another program already owns the key. On Windows it
  uses a low-level hook that can only swallow every key or none.
* **keyboard** reads /dev/input on Linux, which needs root; unmaintained since 2020.
* **python-xlib** would do (pynput uses it), but has had no release since 2022.
* **system_hotkey** does grab on both, over xpybutil (unmaintained since 2019).

So the keys are *grabbed*, as window managers and QHotkey do (dwm's grabkeys(): the key
with each mix of CapsLock and NumLock, so those locks do not disable it):

* on X11, ``GrabKey`` on the root window over a connection of our own, through
  **xcffib** (the XCB binding qtile is built on; maintained, pure Python over libxcb
  which Qt's xcb plugin already needs). Each grab is a checked request, so a key another
  program holds comes back as BadAccess and the station says which. A thread waits on
  the connection and hands each press to Qt through a queued signal.
* on Windows, ``RegisterHotKey`` (user32, through ctypes: no dependency) on a thread with
  its own message loop; a key already registered elsewhere fails with error 1409.
* Wayland lets no application take keys from the others: the station says so.

A key held down repeats: on X11 a repeat comes as a release and a press with the same
time stamp (as Qt tells them apart), on Windows MOD_NOREPEAT; one press, one call.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from app import log
from app.domain.config import Chord

Keys = Mapping[str, tuple[Chord, ...]]
"""{signal code: its chords}, as :func:`app.domain.config.call_keys` gives them."""

# X11 -----------------------------------------------------------------------------------------
X_KEYSYMS = {
    "Pause": 0xFF13,
    "ScrollLock": 0xFF14,
    "Print": 0xFF61,
    "Insert": 0xFF63,
    "Delete": 0xFFFF,
    "Home": 0xFF50,
    "End": 0xFF57,
    "PageUp": 0xFF55,
    "PageDown": 0xFF56,
    "Space": 0x20,
    "Return": 0xFF0D,
    "Tab": 0xFF09,
    "Escape": 0xFF1B,
    "Backspace": 0xFF08,
}
X_MODS = {"Shift": 1, "Ctrl": 4, "Alt": 8, "Super": 64}
X_LOCK = 2
X_NUM_LOCK_KEYSYM = 0xFF7F
X_RELEVANT = 1 | 4 | 8 | 64


def x_keysym(key: str) -> int:
    """The X11 keysym of a key as :func:`app.domain.config.parse_chord` names it."""
    if key in X_KEYSYMS:
        return X_KEYSYMS[key]
    if key.startswith("F") and key[1:].isdigit():
        return 0xFFBE + int(key[1:]) - 1  # XK_F1 …
    return ord(key.lower())  # letters (lower case) and digits are their Latin-1 codes


# Windows -------------------------------------------------------------------------------------
WIN_VKEYS = {
    "Pause": 0x13,
    "ScrollLock": 0x91,
    "Print": 0x2C,
    "Insert": 0x2D,
    "Delete": 0x2E,
    "Home": 0x24,
    "End": 0x23,
    "PageUp": 0x21,
    "PageDown": 0x22,
    "Space": 0x20,
    "Return": 0x0D,
    "Tab": 0x09,
    "Escape": 0x1B,
    "Backspace": 0x08,
}
WIN_MODS = {"Alt": 0x1, "Ctrl": 0x2, "Shift": 0x4, "Super": 0x8}
WIN_NOREPEAT = 0x4000
WM_HOTKEY = 0x0312
WM_QUIT = 0x0012
ERROR_HOTKEY_ALREADY_REGISTERED = 1409


def win_vkey(key: str) -> int:
    if key in WIN_VKEYS:
        return WIN_VKEYS[key]
    if key.startswith("F") and key[1:].isdigit():
        return 0x70 + int(key[1:]) - 1  # VK_F1 …
    return ord(key.upper())


HELD = "another program holds it"
"""The refusal of a key another program has taken (X11 BadAccess, Windows error 1409)."""
NO_SUCH_KEY = "this keyboard has no such key"
"""A key the keyboard map lacks (e.g. F13 on a plain layout): only logged."""


class GrabError(Exception):
    """The platform cannot give this station system-wide keys at all (one plain line)."""


class _XcbGrabber:
    """Grabs chords on the X server's root window; ``run`` delivers presses until closed."""

    def __init__(self, on_press: Callable[[Chord], None]) -> None:
        try:
            import xcffib
            import xcffib.xproto
        except ImportError as exc:  # pragma: no cover - a broken install
            raise GrabError(f"the xcffib package is missing ({exc})") from None
        self._xcffib = xcffib
        self._xproto = xcffib.xproto
        self.conn: Any
        try:
            self.conn = xcffib.connect()
        except xcffib.ConnectionException as exc:
            raise GrabError(f"cannot reach the X server ({exc})") from None
        self.on_press = on_press
        setup = self.conn.get_setup()
        self.root = setup.roots[self.conn.pref_screen].root
        first, last = setup.min_keycode, setup.max_keycode
        reply = self.conn.core.GetKeyboardMapping(first, last - first + 1).reply()
        per = reply.keysyms_per_keycode
        syms = list(reply.keysyms)
        self.codes: dict[int, int] = {}  # keysym → its first keycode
        for i in range(last - first + 1):
            for sym in syms[i * per : (i + 1) * per]:
                if sym:
                    self.codes.setdefault(sym, first + i)
        self.num_lock = self._num_lock_mask()
        self.chords: dict[tuple[int, int], Chord] = {}
        self._released: dict[int, int] = {}
        self._wake_r, self._wake_w = os.pipe()
        self._closed = False

    def _num_lock_mask(self) -> int:
        code = self.codes.get(X_NUM_LOCK_KEYSYM)
        reply = self.conn.core.GetModifierMapping().reply()
        per = reply.keycodes_per_modifier
        keycodes = list(reply.keycodes)
        for mod in range(8):
            if code is not None and code in keycodes[mod * per : (mod + 1) * per]:
                return 1 << mod
        return 16  # Mod2, NumLock on every common layout

    def grab(self, chord: Chord) -> str:
        """Grab ``chord``: "" when done, else why not (in plain words)."""
        keycode = self.codes.get(x_keysym(chord.key))
        if keycode is None:
            return NO_SUCH_KEY
        mods = sum(X_MODS[m] for m in chord.mods)
        grab_mode = self._xproto.GrabMode.Async
        cookies = [
            self.conn.core.GrabKeyChecked(
                False, self.root, mods | extra, keycode, grab_mode, grab_mode
            )
            for extra in {0, X_LOCK, self.num_lock, self.num_lock | X_LOCK}
        ]
        refused = ""
        for cookie in cookies:
            try:
                cookie.check()
            except self._xproto.AccessError:
                refused = HELD
            except self._xcffib.XcffibException as exc:
                refused = f"the X server refused it ({type(exc).__name__})"
        if refused:
            with contextlib.suppress(self._xcffib.XcffibException):
                self.conn.core.UngrabKeyChecked(keycode, self.root, mods).check()
            return refused
        self.chords[(keycode, mods)] = chord
        return ""

    def run(self) -> None:
        fd = self.conn.get_file_descriptor()
        while not self._closed:
            ready, _, _ = select.select([fd, self._wake_r], [], [])
            if self._wake_r in ready or self._closed:
                break
            while True:
                try:
                    event = self.conn.poll_for_event()
                except self._xcffib.XcffibException as exc:
                    log.ui.info("call keys: X error %s", type(exc).__name__)
                    continue
                if event is None:
                    break
                self._handle(event)
            if self.conn.has_error():
                log.ui.warning("call keys: the X connection was lost")
                break

    def _handle(self, event: Any) -> None:
        if isinstance(event, self._xproto.KeyReleaseEvent):
            self._released[event.detail] = event.time
        elif isinstance(event, self._xproto.KeyPressEvent):
            if self._released.get(event.detail) == event.time:
                return  # auto-repeat: a release and a press at the same instant
            chord = self.chords.get((event.detail, event.state & X_RELEVANT))
            if chord is not None:
                self.on_press(chord)

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def release(self) -> None:
        """After ``run`` ended: the connection and the pipe (the grabs go with them)."""
        self.conn.disconnect()
        os.close(self._wake_r)
        os.close(self._wake_w)


class _WinGrabber:  # pragma: no cover - exercised on Windows only
    """RegisterHotKey on a thread of its own, whose message loop receives WM_HOTKEY."""

    def __init__(self, on_press: Callable[[Chord], None]) -> None:
        self.on_press = on_press
        self.user32: Any = getattr(ctypes, "windll").user32  # noqa: B009 (Windows only)
        self.kernel32: Any = getattr(ctypes, "windll").kernel32  # noqa: B009
        self.chords: dict[int, Chord] = {}
        self.thread_id = 0

    def grab(self, chord: Chord) -> str:
        ident = len(self.chords) + 1
        mods = sum(WIN_MODS[m] for m in chord.mods) | WIN_NOREPEAT
        if not self.user32.RegisterHotKey(None, ident, mods, win_vkey(chord.key)):
            error = self.kernel32.GetLastError()
            if error == ERROR_HOTKEY_ALREADY_REGISTERED:
                return HELD
            return f"Windows refused it (error {error})"
        self.chords[ident] = chord
        return ""

    def run(self) -> None:
        class Msg(ctypes.Structure):
            _fields_ = (
                ("hwnd", ctypes.c_void_p),
                ("message", ctypes.c_uint),
                ("wParam", ctypes.c_size_t),
                ("lParam", ctypes.c_ssize_t),
                ("time", ctypes.c_ulong),
                ("x", ctypes.c_long),
                ("y", ctypes.c_long),
            )

        msg = Msg()
        while self.user32.GetMessageW(ctypes.byref(msg), None, 0, 0) > 0:
            if msg.message == WM_HOTKEY and int(msg.wParam) in self.chords:
                self.on_press(self.chords[int(msg.wParam)])
        for ident in self.chords:
            self.user32.UnregisterHotKey(None, ident)

    def close(self) -> None:
        if self.thread_id:
            self.user32.PostThreadMessageW(self.thread_id, WM_QUIT, 0, 0)

    def release(self) -> None:
        pass


class GlobalKeys(QObject):
    """The station's system-wide keys.

    :meth:`start` grabs every chord and returns the refusals, ``[(chord, why), …]``;
    then ``pressed(code)`` comes (queued, on Qt's thread) for each press of a grabbed key.
    ``platform`` is Qt's platform name: xcb, windows; anything else has no global keys
    (wayland: :class:`GrabError`; offscreen, minimal: none, silently).
    """

    pressed = Signal(str)
    _heard = Signal(str)
    """Emitted on the grabber's thread; queued to :meth:`_deliver` on this object's."""

    def __init__(self, keys: Keys, platform: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._heard.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.codes = {chord: code for code, chords in keys.items() for chord in chords}
        self.platform = platform
        self.grabbed: list[Chord] = []
        self._grabber: _XcbGrabber | _WinGrabber | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> list[tuple[Chord, str]]:
        """Grab the keys; raise :class:`GrabError` if the platform allows none at all."""
        if not self.codes:
            return []
        if self.platform == "wayland":
            raise GrabError("Wayland lets no application take keys from the others")
        if self.platform == "xcb":
            self._grabber = _XcbGrabber(self._on_press)
            grab_here = True
        elif self.platform == "windows" and sys.platform == "win32":  # pragma: no cover
            self._grabber = _WinGrabber(self._on_press)
            grab_here = False  # a hot key belongs to the thread that registers it
        else:
            return []
        refused: list[tuple[Chord, str]] = []
        done = threading.Event()

        def grab_all() -> None:
            assert self._grabber is not None
            for chord in sorted(self.codes):
                why = self._grabber.grab(chord)
                if why:
                    refused.append((chord, why))
                else:
                    self.grabbed.append(chord)
            done.set()

        def loop() -> None:
            assert self._grabber is not None
            if isinstance(self._grabber, _WinGrabber):  # pragma: no cover
                self._grabber.thread_id = self._grabber.kernel32.GetCurrentThreadId()
                grab_all()
            self._grabber.run()

        if grab_here:
            grab_all()
        self._thread = threading.Thread(target=loop, name="call-keys", daemon=True)
        self._thread.start()
        done.wait(5)
        for chord, why in refused:
            log.ui.warning("call key %s not taken: %s", chord, why)  # main.py says it too
        if self.grabbed:
            log.ui.info("call keys taken: %s", ", ".join(map(str, self.grabbed)))
        return refused

    def _on_press(self, chord: Chord) -> None:
        """On the grabber's thread: the signal is queued to the Qt thread."""
        code = self.codes.get(chord)
        if code is not None:
            self._heard.emit(code)

    def _deliver(self, code: str) -> None:
        log.ui.info("call key: %s", code)
        self.pressed.emit(code)

    def stop(self) -> None:
        if self._grabber is None:
            return
        self._grabber.close()
        if self._thread is not None:
            self._thread.join(2)
        self._grabber.release()
        self._grabber = None
        self.grabbed = []
