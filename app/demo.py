"""``lobbylink demo``: a hub and one window per role in one process, the first thing to run.

A hub subprocess on 127.0.0.1 with a journal in a temporary folder (or ``--db``), six
windows (two counters, the lobby desk, a wealth room, the supervisor and the branch
head's board) each signed in as a roster member, laid out 3 × 2 so none overlaps, and
with ``--simulate`` the rest of the branch at work.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import socket
import sys
import tempfile
import time
from pathlib import Path

import zmq
from PySide6.QtCore import QRect, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from app import log
from app.cli import CliError
from app.client import i18n
from app.client.alerts import make_player, make_tray
from app.client.main import StationParts, build_station, ensure_app, quit_on_signals
from app.domain.config import Branch, load_branch
from app.domain.errors import ConfigError
from app.hub.process import HubProcess, HubStartError
from app.sim import Simulator, assign_staff
from messaging import keys as keyfiles
from messaging.outbox import Outbox
from widgets.board import BoardView

DEMO_STATIONS = ("C01", "C02", "L1", "W1", "S1", "H1")
"""The demo's windows, in grid order: three across, two down."""
COLUMNS, ROWS = 3, 2
HUB_START_S = 20.0
HUB_STOP_S = 10.0


def free_port_pair(host: str = "127.0.0.1") -> int:
    """A port P such that P (commands) and P+1 (events) are both free on ``host`` now."""
    for _ in range(200):
        with socket.socket() as first:
            first.bind((host, 0))
            port = int(first.getsockname()[1])
            if port >= 65534:
                continue
            with socket.socket() as second:
                try:
                    second.bind((host, port + 1))
                except OSError:
                    continue
                return port
    raise CliError(f"no two consecutive free ports on {host}")


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

    for parts in stations:
        grab(parts, parts.kind)
        view = parts.view
        if isinstance(view, BoardView) and view.tabs is not None:
            size = parts.window.size()
            parts.window.resize(1280, 800)  # the branch head's office screen, not a demo tile
            for page in ("today", "reports"):
                panel = view.show_page(page)
                deadline = time.monotonic() + 10
                while panel is not None and panel.data is None and time.monotonic() < deadline:
                    QApplication.processEvents()
                    time.sleep(0.02)
                QApplication.processEvents()
                grab(parts, f"board-{page}")
            view.show_page("live")
            parts.window.resize(size)
    return saved


def _report_hint(db_url: str, config: str | None) -> str:
    cmd = ["lobbylink", "report", "--db", db_url]
    if config:
        cmd += ["--config", config]
    return shlex.join(cmd)


def run_demo(args: argparse.Namespace) -> int:
    """The ``lobbylink demo`` command (arguments as parsed by app.cli)."""
    try:
        branch: Branch = load_branch(args.config)
    except ConfigError as exc:
        raise CliError(str(exc)) from exc
    missing = [s for s in DEMO_STATIONS if branch.station(s) is None]
    if missing:
        raise CliError(f"the demo needs the stations {', '.join(missing)} in the branch config")
    if args.speed <= 0:
        raise CliError("--speed must be positive")
    if not getattr(args, "verbose", False):
        # Seventeen links (six windows, eleven simulated stations) each say "reachable".
        logging.getLogger("lobbylink.wire").setLevel(logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="lobbylink-demo-"))
    db_url = args.db or f"sqlite:///{workdir / 'journal.sqlite'}"
    keys_dir = workdir / "keys"  # the demo branch gets its own CURVE keys, as a real one
    keyfiles.init(keys_dir, sorted(branch.stations))
    hub = HubProcess(
        db_url,
        free_port_pair(),
        keys_dir=keys_dir,
        config=args.config,
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
    try:
        try:
            hub.start(HUB_START_S)
        except HubStartError as exc:
            raise CliError(f"{exc}\n(log: {hub.log_path})") from exc
        print(f"demo: hub on {hub.endpoint}, journal {db_url}", flush=True)
        print(f"demo: hub log {hub.log_path}", flush=True)
        lang = i18n.install(app, args.lang)
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

        if args.simulate:
            sim = Simulator(branch, hub.endpoint, speed=args.speed, lang=lang, keys_dir=keys_dir)
            sim.start()
        if args.seconds:
            QTimer.singleShot(int(args.seconds * 1000), lambda: _finish(app, stations, args))
        print("demo: running; press Ctrl+C (or close every window) to stop", flush=True)
        rc = app.exec()
        if sim is not None and sim.error is not None:
            print(f"demo: the simulator failed: {sim.error!r}", file=sys.stderr)
            failed = True
    finally:
        keeper.stop()
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
        print(f"demo: read it with: {_report_hint(db_url, args.config)}", flush=True)
    return 1 if failed or rc else 0


def _finish(app: QApplication, stations: list[StationParts], args: argparse.Namespace) -> None:
    if args.screenshots:
        for path in save_screenshots(stations, Path(args.screenshots)):
            print(f"demo: screenshot {path}", flush=True)
    app.quit()
