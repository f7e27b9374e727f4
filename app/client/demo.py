"""The demo: a hub and one window per role in one process, the first thing to run.

A hub subprocess on 127.0.0.1 with a journal in a temporary folder (or ``--db``), six
windows (two counters, the lobby desk, a wealth room, the supervisor and the branch
head's board) each signed in as a roster member, laid out 3 × 2 so none overlaps, and
with ``simulate`` the rest of the branch at work. The ``lobbylink demo`` command
(app.cli.demo) checks its arguments and calls :func:`run_demo`.
"""

from __future__ import annotations

import logging
import shlex
import sys
import tempfile
import time
from pathlib import Path

import zmq
from PySide6.QtCore import QRect, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from app import log
from app.client import crashlog, i18n
from app.client.alerts import make_player, make_tray
from app.client.main import StationParts, build_station, ensure_app, quit_on_signals
from app.domain.config import Branch
from app.hub.process import HubProcess, HubStartError, free_port_pair
from app.sim import Simulator, assign_staff
from messaging import keys as keyfiles
from messaging.outbox import Outbox
from widgets.board import BoardView

DEMO_STATIONS = ("C01", "C02", "L1", "W1", "S1", "H1")
"""The demo's windows, in grid order: three across, two down."""
COLUMNS, ROWS = 3, 2
HUB_START_S = 20.0
HUB_STOP_S = 10.0


class DemoError(RuntimeError):
    """The demo cannot run (no free ports, the hub did not start); said without a traceback."""


def grid_cells(area: QRect, count: int, columns: int = COLUMNS, rows: int = ROWS) -> list[QRect]:
    """``count`` equal cells filling ``area`` row by row (1920×1080: 640×540 each)."""
    width, height = area.width() // columns, area.height() // rows
    return [
        QRect(area.x() + (i % columns) * width, area.y() + (i // columns) * height, width, height)
        for i in range(count)
    ]


def place(parts: StationParts, cell: QRect) -> None:
    """Fit the window, frame included, into ``cell`` (a window manager adds a frame)."""
    window = parts.window
    extra_w = window.frameGeometry().width() - window.geometry().width()
    extra_h = window.frameGeometry().height() - window.geometry().height()
    window.resize(max(200, cell.width() - extra_w), max(150, cell.height() - extra_h))
    window.move(cell.topLeft())


def _settle() -> None:
    """Let a resized window lay itself out and repaint before it is grabbed."""
    for _ in range(5):
        QApplication.processEvents()
        time.sleep(0.01)


def save_screenshots(stations: list[StationParts], folder: Path) -> list[Path]:
    """One PNG per window, named <view>-<station>.png (teller-C01.png, board-H1.png …);
    the board adds its Today and Reports pages (board-today-H1.png, board-reports-H1.png)."""
    folder.mkdir(parents=True, exist_ok=True)
    saved = []

    def grab(parts: StationParts, name: str) -> None:
        path = folder / f"{name}-{parts.bridge.station.id}.png"
        if parts.window.grab().save(str(path), "PNG"):
            saved.append(path)
        else:
            log.cli.warning("could not save %s", path)

    # Every role at a counter PC's 1280×800 and the board at a big screen's 1920×1080,
    # one after the other in one run: the README's pictures are of one moment.
    for parts in stations:
        view = parts.view
        board = isinstance(view, BoardView)
        size = parts.window.size()
        parts.window.resize(*((1920, 1080) if board else (1280, 800)))
        _settle()
        grab(parts, parts.kind)
        if isinstance(view, BoardView) and view.tabs is not None:
            for page in ("today", "reports"):
                panel = view.show_page(page)
                deadline = time.monotonic() + 10
                while panel is not None and panel.data is None and time.monotonic() < deadline:
                    QApplication.processEvents()
                    time.sleep(0.02)
                _settle()
                grab(parts, f"board-{page}")
            view.show_page("live")
        parts.window.resize(size)
    return saved


def _report_hint(db_url: str, config: str | None) -> str:
    cmd = ["lobbylink", "report", "--db", db_url]
    if config:
        cmd += ["--config", config]
    return shlex.join(cmd)


def run_demo(
    branch: Branch,
    *,
    config: str | None = None,
    db: str | None = None,
    seconds: float = 0,
    simulate: bool = False,
    speed: float = 1.0,
    screenshots: str | None = None,
    lang: str | None = None,
    verbose: bool = False,
) -> int:
    """Run the demo until its windows close (or ``seconds``); the exit code.

    ``config`` is the file of ``branch``, passed on to the hub (None: the demo branch
    shipped with Lobbylink). DemoError if it lacks a station of DEMO_STATIONS.
    """
    missing = [s for s in DEMO_STATIONS if branch.station(s) is None]
    if missing:
        raise DemoError(f"the demo needs the stations {', '.join(missing)} in the branch config")
    if not verbose:
        # Seventeen links (six windows, eleven simulated stations) each say "reachable".
        log.wire.setLevel(logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="lobbylink-demo-"))
    db_url = db or f"sqlite:///{workdir / 'journal.sqlite'}"
    keys_dir = workdir / "keys"  # the demo branch gets its own CURVE keys, as a real one
    keyfiles.init(keys_dir, sorted(branch.stations))
    try:
        port = free_port_pair()
    except HubStartError as exc:
        raise DemoError(str(exc)) from exc
    hub = HubProcess(
        db_url,
        port,
        keys_dir=keys_dir,
        config=config,
        log_path=workdir / "hub.log",
        new_session=True,  # Ctrl+C in the terminal reaches the group; the demo stops the hub
    )
    stations: list[StationParts] = []
    sim: Simulator | None = None
    ctx = zmq.Context()
    failed = False
    rc = 1
    app = ensure_app()
    keeper = quit_on_signals(app)  # from here on, Ctrl+C ends the demo cleanly
    unhook = crashlog.install()  # Qt's messages and uncaught exceptions: to the log
    try:
        try:
            hub.start(HUB_START_S)
        except HubStartError as exc:
            raise DemoError(f"{exc}\n(log: {hub.log_path})") from exc
        print(f"demo: hub on {hub.endpoint}, journal {db_url}", flush=True)
        print(f"demo: hub log {hub.log_path}", flush=True)
        lang = i18n.install(app, lang)
        settings = QSettings(str(workdir / "settings.ini"), QSettings.Format.IniFormat)
        player = make_player(app)
        tray = make_tray(app)
        staff = assign_staff(branch, DEMO_STATIONS)
        for station in DEMO_STATIONS:
            stations.append(
                build_station(
                    branch,
                    hub.endpoint,
                    station,
                    ctx,
                    lang=lang,
                    outbox=Outbox(workdir / f"outbox-{station}.sqlite"),
                    staff=staff.get(station, ""),
                    player=player,
                    tray=tray,
                    settings=settings,
                    keys=keyfiles.station_keys(keys_dir, station),
                )
            )
        screen = app.primaryScreen()
        area = screen.availableGeometry() if screen is not None else QRect(0, 0, 1920, 1080)
        cells = grid_cells(area, len(stations))
        for parts, cell in zip(stations, cells, strict=True):
            place(parts, cell)
            parts.window.show()

        def refit() -> None:
            # A window manager has framed the windows by now: fit frames into the cells.
            for parts, cell in zip(stations, cells, strict=True):
                place(parts, cell)

        QTimer.singleShot(300, refit)

        if simulate:
            sim = Simulator(branch, hub.endpoint, speed=speed, lang=lang, keys_dir=keys_dir)
            sim.start()
        if seconds:
            shots = Path(screenshots) if screenshots else None
            QTimer.singleShot(int(seconds * 1000), lambda: _finish(app, stations, shots))
        print("demo: running; press Ctrl+C (or close every window) to stop", flush=True)
        rc = app.exec()
        if sim is not None and sim.error is not None:
            print(f"demo: the simulator failed: {sim.error!r}", file=sys.stderr)
            failed = True
    finally:
        keeper.stop()
        unhook()
        if sim is not None:
            sim.stop()
        for parts in stations:
            parts.close()
        ctx.destroy(linger=0)
        code = hub.stop(HUB_STOP_S)
        if code not in (0, None):
            print(f"demo: the hub exited with {code}; see {hub.log_path}", file=sys.stderr)
            failed = True
        print(f"demo: journal kept at {db_url}", flush=True)
        print(f"demo: read it with: {_report_hint(db_url, config)}", flush=True)
    return 1 if failed or rc else 0


def _finish(app: QApplication, stations: list[StationParts], screenshots: Path | None) -> None:
    if screenshots is not None:
        for path in save_screenshots(stations, screenshots):
            print(f"demo: screenshot {path}", flush=True)
    app.quit()
