"""The composition root and the station/board/demo commands around it."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq
from PySide6.QtCore import QRect, QSettings
from pytestqt.qtbot import QtBot

from app.cli import main
from app.client.demo import grid_cells, save_screenshots
from app.client.main import StationParts, build_station, outbox_path, render_report
from app.domain.config import Branch
from tests.helpers import ROOT, HubProcess, TestStation, keys_for, wait_for
from widgets.board import BoardView
from widgets.teller import TellerView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
WAIT = 5000


# The commands' errors --------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """main() gives the lobbylink logger a handler on this test's (captured) stderr."""
    logger = logging.getLogger("lobbylink")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.mark.parametrize("command", ["station", "board", "demo"])
def test_each_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "--lang" in capsys.readouterr().out


def test_unknown_station_is_named_with_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["station", "--station", "X9"]) == 2
    err = capsys.readouterr().err
    assert "'X9' is not a station" in err and "C01" in err and "H1" in err


def test_board_needs_a_branch_head_station(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["board", "--station", "L1"]) == 2
    assert "branch_head" in capsys.readouterr().err


def test_bad_config_and_bad_language_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "branch.toml"
    broken.write_text("[branch\n", encoding="utf-8")
    assert main(["station", "--config", str(broken), "--station", "C01"]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(["station", "--station", "C01", "--lang", "fr"])
    assert done.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


# Building a station --------------------------------------------------------------------------------
@pytest.fixture
def built(
    qtbot: QtBot, hub: HubProcess, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> Iterator[list[StationParts]]:
    made: list[StationParts] = []
    yield made
    for parts in made:
        parts.close()


def test_a_station_is_built_signed_in_and_wired(
    qtbot: QtBot,
    hub: HubProcess,
    branch: Branch,
    ctx: zmq.Context,
    tmp_path: Path,
    built: list[StationParts],
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    parts = build_station(
        branch,
        hub.endpoint,
        "C01",
        ctx,
        keys=keys_for(hub.endpoint, "C01"),
        staff="lina",
        settings=settings,
    )
    built.append(parts)
    assert isinstance(parts.view, TellerView) and parts.kind == "teller"
    assert parts.window.view is parts.view
    qtbot.waitUntil(lambda: parts.bridge.staff == "lina", timeout=WAIT)

    parts.window.mute_button.click()  # the header's toggle mutes this station's alerts
    assert parts.alerts.muted and parts.window.muted
    again = build_station(
        branch, hub.endpoint, "C01", ctx, keys=keys_for(hub.endpoint, "C01"), settings=settings
    )
    built.append(again)
    assert again.alerts.muted and again.window.mute_button.isChecked()  # remembered

    parts.alerts.notice.emit("Wang Fang acknowledged: Call lobby manager")
    assert parts.window.statusBar().currentMessage().startswith("Wang Fang")


def test_the_board_is_public_unless_asked_otherwise(
    qtbot: QtBot,
    hub: HubProcess,
    branch: Branch,
    ctx: zmq.Context,
    tmp_path: Path,
    built: list[StationParts],
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    public = build_station(
        branch,
        hub.endpoint,
        "H1",
        ctx,
        keys=keys_for(hub.endpoint, "H1"),
        public=True,
        settings=settings,
    )
    private = build_station(
        branch, hub.endpoint, "H1", ctx, keys=keys_for(hub.endpoint, "H1"), settings=settings
    )
    built += [public, private]
    assert isinstance(public.view, BoardView) and public.view.public and public.alerts.public
    assert isinstance(private.view, BoardView) and not private.view.public
    assert public.kind == "board"
    # The composition root gives the board the CLI's renderer for its exports.
    assert private.view.renderer is render_report


def test_outbox_lives_per_station_in_the_data_folder(tmp_path: Path) -> None:
    assert outbox_path("C01", tmp_path) == tmp_path / "outbox-C01.sqlite"
    assert outbox_path("C01").name == "outbox-C01.sqlite"


# The demo's layout and screenshots ------------------------------------------------------------------
def test_demo_grid_is_three_by_two_without_overlap() -> None:
    cells = grid_cells(QRect(0, 0, 1920, 1080), 6)
    assert [(c.width(), c.height()) for c in cells] == [(640, 540)] * 6
    for i, a in enumerate(cells):
        assert all(not a.intersects(b) for b in cells[i + 1 :])
    assert QRect(0, 0, 1920, 1080).contains(cells[-1])


def test_screenshots_are_named_by_view_and_station(
    qtbot: QtBot,
    hub: HubProcess,
    branch: Branch,
    ctx: zmq.Context,
    tmp_path: Path,
    built: list[StationParts],
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    built.append(
        build_station(
            branch, hub.endpoint, "L1", ctx, keys=keys_for(hub.endpoint, "L1"), settings=settings
        )
    )
    built[0].window.resize(640, 540)
    saved = save_screenshots(built, tmp_path / "shots")
    assert [p.name for p in saved] == ["lobby-L1.png"]
    assert saved[0].stat().st_size > 1000


# The real commands, as processes ------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    ("argv", "station"),
    [(["board", "--windowed"], "H1"), (["station", "--station", "C01", "--lang", "en"], "C01")],
)
def test_station_and_board_run_until_told_to_stop(
    argv: list[str],
    station: str,
    hub: HubProcess,
    branch: Branch,
    ctx: zmq.Context,
    tmp_path: Path,
) -> None:
    observer = TestStation(branch, "S1", hub.endpoint, ctx)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        LOBBYLINK_NO_SOUND="1",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHONUNBUFFERED="1",
        LOBBYLINK_KEYS=str(hub.keys_dir),
    )
    cmd = [sys.executable, "-m", "app.cli", *argv, "--hub", f"127.0.0.1:{hub.port}"]
    proc = subprocess.Popen(
        [*cmd, "--outbox-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Online at the hub: the window (or its sign-in dialog) is up and pinging.
        wait_for(
            lambda: observer.state.presence.get(station, False),
            timeout=20,
            step=observer.pump,
            what=f"{station} online",
        )
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()  # reap it and close its pipes
        observer.close()
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    assert (tmp_path / f"outbox-{station}.sqlite").exists()
