"""A station's composition root: every object of a station is built and wired here.

``run_station`` is what ``lobbylink station`` and ``lobbylink board`` run; the demo
calls ``build_station`` six times in one process. All signal connections between
the parts are made in :func:`connect_signals`, so a reader finds them in one place.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import zmq
from platformdirs import user_data_dir
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFrame, QSystemTrayIcon, QWidget

from app import log
from app.client import crashlog, i18n
from app.client.alerts import AlertManager, SoundPlayer, make_player, make_tray
from app.client.bridge import StationBridge
from app.client.hotkeys import HELD, NO_SUCH_KEY, GlobalKeys, GrabError
from app.domain.config import Branch, call_keys
from app.domain.roles import Role
from messaging.envelope import BranchSettings
from messaging.keys import StationKeys
from messaging.outbox import Outbox
from messaging.sockets import Hubs
from widgets.call_bar import CallBar, DiscreetMark, SilentConfirm
from widgets.raise_form import needs_form
from widgets.signin import SignInDialog
from widgets.window import StationWindow

ORGANIZATION = "Lobbylink"
APPLICATION = "lobbylink"
NOTICE_MS = 6_000

VIEW_KINDS: dict[Role, str] = {
    Role.TELLER: "teller",
    Role.LOBBY_MANAGER: "lobby",
    Role.WEALTH_MANAGER: "wealth",
    Role.SUPERVISOR: "supervisor",
    Role.BRANCH_HEAD: "board",
}
"""The main view of each role; also the prefix of the demo's screenshot names."""


@dataclass
class StationParts:
    """One station window and everything behind it."""

    bridge: StationBridge
    view: QWidget
    window: StationWindow
    alerts: AlertManager
    kind: str
    """teller, lobby, wealth, supervisor or board."""
    keys: GlobalKeys | None = None
    """The system-wide call keys (a desk station: ``build_station(desk=True)``)."""
    call_bar: CallBar | None = None
    """The compact always-on-top bar (a teller's desk): shown while the window is minimised."""
    mark: DiscreetMark | None = None
    """The window's discreet mark of a silent signal taken (a desk that may raise one)."""
    confirm: SilentConfirm | None = None
    """What the marks show: whether the hub took this desk's silent signal."""

    def close(self) -> None:
        if self.keys is not None:
            self.keys.stop()
        if self.call_bar is not None:
            self.call_bar.close()
        self.window.close()
        self.bridge.close()


def ensure_app() -> QApplication:
    """The process's QApplication (made here when there is none yet)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    return app


def data_dir() -> Path:
    return Path(user_data_dir(APPLICATION, appauthor=False))


def outbox_path(station: str, outbox_dir: Path | None = None) -> Path:
    """Where a station keeps its durable outbox: one SQLite file per station."""
    return (outbox_dir or data_dir()) / f"outbox-{station}.sqlite"


def render_report(data: dict[str, Any], fmt: str) -> str:
    """The board's exports: a report from the hub as csv, html or json text, the very
    files ``lobbylink report --format …`` writes (the reports package loads on first use,
    not at start). Safe to call from a worker thread."""
    from app.reports.render import render_report as render

    return render(data, fmt)


def make_view(model: StationBridge, public: bool = False) -> QWidget:
    """The main view for the station's role."""
    role = model.station.role
    if role is Role.TELLER:
        from widgets.teller import TellerView

        return TellerView(model)
    if role is Role.LOBBY_MANAGER:
        from widgets.lobby import LobbyView

        return LobbyView(model)
    if role is Role.WEALTH_MANAGER:
        from widgets.wealth import WealthView

        return WealthView(model)
    if role is Role.SUPERVISOR:
        from widgets.supervisor import SupervisorView

        return SupervisorView(model)
    from widgets.board import BoardView

    return BoardView(model, public=public, renderer=render_report)


def build_station(
    branch: Branch,
    endpoint: Hubs,
    station_id: str,
    ctx: zmq.Context,
    *,
    lang: str = "zh_CN",
    outbox: Outbox | None = None,
    staff: str = "",
    public: bool = False,
    player: SoundPlayer | None = None,
    tray: QSystemTrayIcon | None = None,
    settings: QSettings | None = None,
    keys: StationKeys | None = None,
    config_hash: str = "",
    desk: bool = False,
) -> StationParts:
    """Build, wire and start one station window without running the event loop.

    ``staff`` signs that roster member in straight away (the demo's pre-signed-in
    windows); otherwise the caller asks with a SignInDialog. The window is not shown.
    ``desk``: the station shares its PC's desk with other applications (one station a
    process): it takes its system-wide call keys and, at a counter, has the call bar.
    """
    bridge = StationBridge(branch, station_id, endpoint, ctx, outbox, keys=keys)
    bridge.lang = lang
    public = public or bridge.station.public
    view = make_view(bridge, public)
    window = StationWindow(bridge, view)
    alerts = AlertManager(
        bridge, window, player=player, tray=tray, settings=settings, public=public
    )
    parts = StationParts(bridge, view, window, alerts, VIEW_KINDS[bridge.station.role])
    if desk:
        build_desk(parts)
    connect_signals(parts)
    bridge.session.link.config_hash = config_hash  # named in every hello
    bridge.start()
    if staff:
        bridge.sign_in(staff)
    return parts


def connect_signals(parts: StationParts) -> None:
    """Every connection between a station's parts (each part follows the bridge itself)."""
    window, alerts = parts.window, parts.alerts
    window.mute_toggled.connect(alerts.set_muted)
    window.mute_button.setChecked(alerts.muted)  # the position remembered for this station
    # The role view's keys (Enter claims, F-keys call) work the moment the window opens,
    # not after a click: the header's buttons come first in the tab order.
    parts.view.setFocus()
    alerts.notice.connect(lambda text: window.statusBar().showMessage(text, NOTICE_MS))
    if parts.keys is not None:
        parts.keys.pressed.connect(partial(raise_call, parts))
    if parts.call_bar is not None:
        parts.call_bar.raise_requested.connect(partial(raise_call, parts))
        parts.call_bar.restore_requested.connect(partial(restore_window, parts))


# The desk: system-wide keys, the call bar, the discreet mark ---------------------------------
class BarFollower(QObject):
    """Shows the call bar while the station window is minimised, hides it when restored."""

    def __init__(self, window: QWidget, bar: CallBar) -> None:
        super().__init__(window)
        self.window, self.bar = window, bar
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.WindowStateChange:
            self.follow()
        return False

    def follow(self) -> None:
        self.bar.setVisible(self.window.isMinimized())


def build_desk(parts: StationParts) -> None:
    """The parts of a station that shares the desk: keys, bar (a teller's), mark."""
    bridge, window = parts.bridge, parts.window
    role = bridge.station.role
    keys = call_keys(bridge.branch, role)
    parts.keys = GlobalKeys(keys, QApplication.platformName(), window)
    quiet = getattr(parts.view, "quiet_msg_ids", ())
    parts.confirm = confirm = SilentConfirm(bridge, quiet, window)
    silent = [c for c in keys if (k := bridge.branch.signal_type(c)) is not None and k.silent]
    header = window.findChild(QFrame, "header")
    row = header.layout() if header is not None else None
    if silent and row is not None:
        # Beside the station's name: a dot that becomes a ring, nothing more.
        parts.mark = DiscreetMark(confirm, header)
        row.insertWidget(1, parts.mark)  # type: ignore[attr-defined]
    if role is Role.TELLER:
        parts.call_bar = CallBar(bridge, confirm)
        BarFollower(window, parts.call_bar)


def take_keys(parts: StationParts) -> None:
    """Grab the station's keys; say plainly (status bar, bar, log) which it could not."""
    if parts.keys is None:
        return
    try:
        refused = parts.keys.start()
    except GrabError as exc:
        log.ui.warning("call keys: none available: %s", exc)
        why = str(exc)
        if parts.keys.platform == "wayland":
            why = QCoreApplication.translate(
                "StationWindow", "Wayland lets no application take keys from the others"
            )
        text = QCoreApplication.translate(
            "StationWindow",
            "System-wide call keys are not available on this desktop ({why}): "
            "use the buttons or the call bar.",
        ).format(why=why)
        show_key_problem(parts, text)
        return
    held = [chord for chord, why in refused if why == HELD]
    other = [(chord, why) for chord, why in refused if why != HELD]
    text = ""
    if held:
        text = QCoreApplication.translate(
            "StationWindow",
            "Another program already uses {keys}: those call keys do not work here. "
            "Use the buttons or the call bar, and ask IT to free the keys or change them "
            "in branch.toml.",
        ).format(keys=", ".join(map(str, held)))
    elif any(why != NO_SUCH_KEY for _chord, why in other):
        text = QCoreApplication.translate(
            "StationWindow", "Some call keys could not be taken: {keys}. See the log."
        ).format(keys=", ".join(str(chord) for chord, _why in other))
    if text:
        show_key_problem(parts, text)


def show_key_problem(parts: StationParts, text: str) -> None:
    parts.window.statusBar().showMessage(text)
    if parts.call_bar is not None:
        parts.call_bar.set_warning(text)


def raise_call(parts: StationParts, code: str) -> None:
    """A call key or a call-bar button: raise ``code`` as the view's own button would.

    A silent type goes at once and quietly, its acceptance shown only by the discreet
    mark; a type that needs a form brings the full window back first, to fill it in.
    """
    kind = parts.bridge.branch.signal_type(code)
    if kind is None:
        return
    if kind.silent:
        msg_id = parts.bridge.raise_signal(code)
        quiet = getattr(parts.view, "quiet_msg_ids", None)
        if isinstance(quiet, set):
            quiet.add(msg_id)  # the window shows no refusal or waiting count for it
        if parts.confirm is not None:
            parts.confirm.expect(msg_id)
        return
    if needs_form(kind):
        restore_window(parts)
    view: Any = parts.view
    trigger = getattr(view, "trigger", None) or getattr(view, "open_raise_form", None)
    if trigger is not None:
        trigger(code)
    else:
        parts.bridge.raise_signal(code)


def restore_window(parts: StationParts) -> None:
    window = parts.window
    window.setWindowState(
        (window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
    )
    window.show()
    window.raise_()
    window.activateWindow()


def quit_on_signals(app: QApplication) -> QTimer:
    """Ctrl+C and SIGTERM quit the event loop cleanly.

    Python runs signal handlers only between bytecodes, so a slow timer lets it in
    while Qt waits in C++. Keep the returned timer alive.
    """

    def stop(*_args: object) -> None:
        log.ui.info("interrupted: quitting")
        # Queued, so a signal that comes before the event loop runs is not lost; exit()
        # (unlike quit()) also ends a modal dialog's loop, e.g. the sign-in dialog's.
        QTimer.singleShot(0, lambda: app.exit(0))

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer


def sign_in(parts: StationParts) -> bool:
    """Ask who works at the station before its window opens; False: the user gave up."""
    dialog = SignInDialog(parts.bridge)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


def run_station(
    config: Branch,
    hub: Hubs,
    station: str,
    lang: str | None,
    outbox_dir: Path | None,
    board: bool = False,
    fullscreen: bool = False,
    public: bool | None = None,
    keys: StationKeys | None = None,
    held: tuple[str, Callable[[BranchSettings], None]] | None = None,
) -> int:
    """Run one station (or the board) until its window closes; return the exit code.

    ``lang`` None: zh_CN on a Chinese locale, English elsewhere. ``public`` (boards
    only, default True for a board) hides silent signals: a screen others can see.
    ``held``: the hash of the configuration this PC holds from the hub, and what keeps a
    new one the hub sends (it applies at the next start, as the window says).
    """
    unhook = crashlog.install()  # Qt's messages and uncaught exceptions: to the log
    app = ensure_app()
    keeper = quit_on_signals(app)
    lang = i18n.install(app, lang)
    public = board if public is None else public
    ctx = zmq.Context()
    player = make_player(app)
    tray = make_tray(app)
    outbox = Outbox(outbox_path(station, outbox_dir))
    parts = build_station(
        config,
        hub,
        station,
        ctx,
        lang=lang,
        outbox=outbox,
        public=public,
        player=player,
        tray=tray,
        keys=keys,
        config_hash=held[0] if held else "",
        desk=not board,
    )
    if held is not None:
        keep = held[1]

        def changed(new: BranchSettings) -> None:
            keep(new)
            text = QCoreApplication.translate(
                "StationWindow",
                "The branch settings changed at the hub: restart this station to use them.",
            )
            parts.window.statusBar().showMessage(text)

        parts.bridge.session.link.on_config = changed
    try:
        if not board and not sign_in(parts):
            return 0
        take_keys(parts)
        if fullscreen:
            parts.window.showFullScreen()
        else:
            parts.window.show()
        return app.exec()
    finally:
        keeper.stop()
        parts.close()
        if tray is not None:
            tray.hide()
        ctx.destroy(linger=0)
        unhook()
