"""The board's Today and Reports views: the hub's figures as charts, a table, exports.

Most run over an in-memory branch that keeps a real journal and answers with the hub's
own report query (tests.gui.memory); one asks a real hub over the wire.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import zmq
from PySide6.QtCore import QSettings, Qt, QThread
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from app.client.bridge import StationBridge
from app.client.main import render_report
from app.domain.config import Branch
from app.domain.events import Acknowledge, Command, Decline, RaiseSignal, Resolve, SetStatus
from app.domain.roles import CounterStatus
from messaging.sockets import Endpoint
from tests.gui.conftest import BridgeFactory
from tests.gui.memory import MemoryHub, MemoryModel
from tests.helpers import HubProcess, TestStation, free_port_pair, keys_for
from widgets.board import BoardView
from widgets.model import ReportRenderer, StationModel
from widgets.report_export import POOL_NAME, write_file
from widgets.reports import ReportPanel


def cli_report(db_url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "report", "--db", db_url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


@pytest.fixture
def traffic(hub: HubProcess, branch: Branch, ctx: zmq.Context):
    """A small day: two calls (one claimed and resolved), a referral declined then
    served with a fund, and a referral the customer did not come for."""
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    lobby = TestStation(branch, "L1", hub.endpoint, ctx)
    wealth = TestStation(branch, "W1", hub.endpoint, ctx)
    other = TestStation(branch, "W2", hub.endpoint, ctx)
    try:
        call = teller.accept(RaiseSignal(code="assist"))
        lobby.accept(Acknowledge(signal_id=call))
        lobby.accept(Resolve(signal_id=call))
        teller.accept(RaiseSignal(code="assist"))
        ref = teller.accept(RaiseSignal(code="refer_wealth", need="fund"))
        wealth.accept(Decline(signal_id=ref, reason="busy"))
        other.accept(Acknowledge(signal_id=ref))
        other.accept(Resolve(signal_id=ref, outcome="served", product="fund"))
        gone = lobby.accept(RaiseSignal(code="refer_wealth", need="loan"))
        wealth.accept(Acknowledge(signal_id=gone))
        wealth.accept(Resolve(signal_id=gone, outcome="no_show"))
        # The counter closes: its PC going quiet later is no presence gap, so a report's
        # figures do not depend on when it is asked for (an open gap is cut at "now").
        yield teller.accept(SetStatus(status=CounterStatus.CLOSED))
    finally:
        for station in (teller, lobby, wealth, other):
            station.close()


def accept(hub: MemoryHub, model: MemoryModel, command: Command) -> int:
    """Send ``command`` and have the in-memory hub decide it now; its event's seq (a
    raise: the signal's id). Fails if the rules refuse it."""
    before = hub.state.last_seq
    model.send(command)
    hub.flush()
    assert hub.state.last_seq == before + 1, f"refused: {command}"
    hub.advance(2000)  # the next step a little later: durations are not all zero
    return before + 1


@pytest.fixture
def memory_traffic(journal_hub: MemoryHub) -> MemoryHub:
    """The same small day as ``traffic``, decided and journaled by the in-memory hub."""
    hub = journal_hub
    teller, lobby, wealth, other = (hub.station(s) for s in ("C01", "L1", "W1", "W2"))
    call = accept(hub, teller, RaiseSignal(code="assist"))
    accept(hub, lobby, Acknowledge(signal_id=call))
    accept(hub, lobby, Resolve(signal_id=call))
    accept(hub, teller, RaiseSignal(code="assist"))
    ref = accept(hub, teller, RaiseSignal(code="refer_wealth", need="fund"))
    accept(hub, wealth, Decline(signal_id=ref, reason="busy"))
    accept(hub, other, Acknowledge(signal_id=ref))
    accept(hub, other, Resolve(signal_id=ref, outcome="served", product="fund"))
    gone = accept(hub, lobby, RaiseSignal(code="refer_wealth", need="loan"))
    accept(hub, wealth, Acknowledge(signal_id=gone))
    accept(hub, wealth, Resolve(signal_id=gone, outcome="no_show"))
    accept(hub, teller, SetStatus(status=CounterStatus.CLOSED))
    return hub


def open_board(
    qtbot: QtBot, model: StationModel, renderer: ReportRenderer | None = render_report
) -> BoardView:
    board = BoardView(model, renderer=renderer)
    qtbot.addWidget(board)
    board.resize(1280, 800)
    board.show()
    qtbot.waitExposed(board)
    return board


def shown(qtbot: QtBot, panel: ReportPanel) -> dict:
    qtbot.waitUntil(lambda: panel.data is not None and not panel.waiting, timeout=15_000)
    assert panel.data is not None
    return panel.data


def test_today_charts_match_the_cli_json(
    qtbot: QtBot, make_bridge: BridgeFactory, traffic: int, db_url: str
) -> None:
    """Over the wire: the board asks a real hub, whose answer is the CLI's report."""
    head = make_bridge("H1", lang="en")
    board = open_board(qtbot, head)
    panel = board.show_page("today")
    assert panel is not None and panel.today_mode
    data = shown(qtbot, panel)
    day = data["first_day"]
    assert data["last_day"] == day == panel.today().isoformat()
    # the board shows what `lobbylink report --format json` prints, number for number
    cli = json.loads(cli_report(db_url, "--day", day, "--by", "type", "--format", "json"))
    assert data == cli
    # figures worked out by hand from the fixture's traffic
    total = data["total"]
    assert (total["signals"], total["acknowledged"], total["unanswered"]) == (4, 3, 1)
    funnel = data["handoffs"]
    assert (funnel["offered"], funnel["accepted"], funnel["served"]) == (2, 2, 1)
    assert (funnel["no_show"], funnel["declined"], funnel["conversion"]) == (1, 1, 0.5)
    assert funnel["declined_by_reason"] == {"busy": 1} and funnel["products"] == {"fund": 1}
    # every chart draws those very numbers
    charts = panel.chart_values()
    hours = panel.hours_shown(data["hourly"])
    assert hours.start <= 8 and hours.stop >= 19  # opening hours, and any busy hour
    assert charts["hourly"] == {"Signals": [float(data["hourly"][h]) for h in hours]}
    assert sum(charts["hourly"]["Signals"]) == sum(data["hourly"]) == 4
    deadlines = data["deadlines"]
    assert [d["code"] for d in deadlines] == ["assist"]
    assert charts["response"] == {
        "Median": [deadlines[0]["p50_s"]],
        "90%": [deadlines[0]["p90_s"]],
        "Deadline": [30.0],
    }
    # the funnel is drawn bottom-up: offered is the last bar, at the top
    assert charts["funnel"] == {"Handoffs": [1.0, 1.0, 1.0, 2.0, 2.0]}
    assert "Signals 4" in panel.summary.text() and "50.0%" in panel.summary.text()
    assert panel.table.rowCount() == 3  # assist, refer_wealth and the total
    assert panel.cell(2, 0) == "All" and panel.cell(2, 1) == "4"


def test_reports_range_grouping_and_exports(
    qtbot: QtBot, memory_traffic: MemoryHub, tmp_path: Path
) -> None:
    hub = memory_traffic
    assert hub.journal is not None
    db_url = hub.journal.url
    head = hub.station("H1", lang="en")
    threads: list[tuple[str, bool]] = []

    def spy(report: dict[str, Any], fmt: str) -> str:
        thread = QThread.currentThread()
        threads.append((thread.objectName(), threading.current_thread() is threading.main_thread()))
        return render_report(report, fmt)

    board = open_board(qtbot, head, spy)
    panel = board.show_page("reports")
    assert panel is not None and not panel.today_mode
    week = shown(qtbot, panel)  # opens on the last seven days
    today = panel.today()
    assert (week["first_day"], week["last_day"]) == (
        (today - timedelta(days=6)).isoformat(),
        today.isoformat(),
    )
    assert week["total"]["signals"] == 4
    panel.set_range(today - timedelta(days=30), today)
    panel.by.setCurrentIndex(panel.by.findData("station"))
    panel.data = None
    qtbot.mouseClick(panel.show_button, Qt.MouseButton.LeftButton)
    data = shown(qtbot, panel)
    assert data["by"] == "station" and [g["key"] for g in data["groups"]] == ["C01", "L1"]
    assert [panel.cell(r, 0) for r in range(3)] == ["Counter 1", "Lobby desk", "All"]

    # exports: rendered and written off the UI thread, the same files as the CLI's
    out = tmp_path / "exports"
    out.mkdir()
    first = (today - timedelta(days=30)).isoformat()
    for fmt in ("csv", "html"):
        target = out / f"report.{fmt}"
        assert panel.export_to(target, fmt)
        qtbot.waitUntil(lambda: not panel.exporting, timeout=15_000)
        assert "Saved" in panel.status.text(), panel.status.text()
        expected = cli_report(
            db_url,
            "--from",
            first,
            "--to",
            today.isoformat(),
            "--by",
            "station",
            "--format",
            fmt,
        )
        assert target.read_text(encoding="utf-8") == expected
    assert threads and all(name == POOL_NAME and not main for name, main in threads)
    assert "<svg" in (out / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["report.csv", "report.html"]


def test_export_cancelled_or_impossible_saves_nothing(
    qtbot: QtBot, journal_hub: MemoryHub, tmp_path: Path
) -> None:
    head = journal_hub.station("H1", lang="en")
    board = open_board(qtbot, head)
    panel = board.show_page("reports")
    assert panel is not None
    shown(qtbot, panel)
    journal_hub.hold_reports = True  # a slow hub: the export's report comes after the cancel
    out = tmp_path / "exports"
    out.mkdir()
    target = out / "report.html"
    assert panel.export_to(target, "html")
    assert panel.exporting
    dialog = panel.findChild(QProgressDialog, "exportProgress")
    assert isinstance(dialog, QProgressDialog) and dialog.isVisible()
    (cancel,) = dialog.findChildren(QPushButton)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert not panel.exporting and "cancelled" in panel.status.text()
    with qtbot.waitSignal(head.report_ready, timeout=5000):
        journal_hub.release_reports()  # the hub's late answer changes nothing
    qtbot.wait(100)
    assert list(out.iterdir()) == [] and "cancelled" in panel.status.text()
    assert not panel.export_to(out / "missing" / "report.csv", "csv")
    assert "no such folder" in panel.status.text() and not panel.exporting
    panel.set_range(panel.today(), panel.today() - timedelta(days=1))
    assert panel.request() == "" and "ends before it starts" in panel.status.text()
    assert not panel.export_to(target, "csv") and list(out.iterdir()) == []


def test_reports_without_a_hub_say_so(qtbot: QtBot, branch: Branch, ctx: zmq.Context) -> None:
    endpoint = Endpoint("127.0.0.1", free_port_pair())
    bridge = StationBridge(branch, "H1", endpoint, ctx, keys=keys_for(endpoint, "H1"))
    bridge.lang = "en"
    bridge.start()
    try:
        board = open_board(qtbot, bridge)
        panel = board.show_page("today")
        assert panel is not None
        qtbot.waitUntil(lambda: not panel.waiting, timeout=5_000)
        assert panel.data is None
        assert "not reachable" in panel.status.text()
    finally:
        bridge.close()


def test_public_board_has_no_reports(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    board = BoardView(memory_hub.station("H1"), public=True, renderer=render_report)
    qtbot.addWidget(board)
    assert board.tabs is None and board.show_page("reports") is None


def test_export_asks_where_and_remembers_the_folder(
    qtbot: QtBot,
    memory_traffic: MemoryHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    head = memory_traffic.station("H1", lang="en")
    board = open_board(qtbot, head)
    panel = board.show_page("today")
    assert panel is not None
    shown(qtbot, panel)
    panel.settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    out = tmp_path / "mail"
    out.mkdir()
    offered: list[str] = []

    def save_as(_parent: object, _title: str, suggested: str, _pattern: str) -> tuple[str, str]:
        offered.append(suggested)
        return str(out / "today.html"), "HTML (*.html)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    qtbot.mouseClick(panel.export_html, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.exporting, timeout=15_000)
    day = panel.today().isoformat()
    assert offered == [str(Path.home() / f"lobbylink-{day}.html")]
    assert "<svg" in (out / "today.html").read_text(encoding="utf-8")
    qtbot.mouseClick(panel.export_csv, Qt.MouseButton.LeftButton)  # starts where it saved
    qtbot.waitUntil(lambda: not panel.exporting, timeout=15_000)
    assert offered[1] == str(out / f"lobbylink-{day}.csv")


def test_a_board_given_no_renderer_offers_no_export(qtbot: QtBot, memory_hub: MemoryHub) -> None:
    board = open_board(qtbot, memory_hub.station("H1", lang="en"), renderer=None)
    panel = board.show_page("today")
    assert panel is not None
    assert panel.export_csv.isHidden() and panel.export_html.isHidden()
    assert not panel.export_to(Path("report.csv"), "csv") and not panel.exporting


# The writing itself (QSaveFile) -----------------------------------------------------------------
def test_a_write_cancelled_halfway_leaves_the_old_file_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("yesterday's\n", encoding="utf-8")
    cancelled = threading.Event()
    steps: list[int] = []

    def progress(percent: int) -> None:
        steps.append(percent)
        cancelled.set()  # the person clicks Cancel after the first chunk

    assert write_file(target, "x" * 200_000, cancelled, progress) == ""
    assert steps == [32]  # one 64 KiB chunk of four went out, then it stopped
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]
    assert target.read_text(encoding="utf-8") == "yesterday's\n"


def test_a_complete_write_replaces_the_file_and_a_missing_folder_says_why(
    tmp_path: Path,
) -> None:
    target = tmp_path / "report.csv"
    target.write_text("yesterday's\n", encoding="utf-8")
    steps: list[int] = []
    assert write_file(target, "é" * 100_000, threading.Event(), steps.append) == ""
    assert steps == [32, 65, 98, 100]
    assert target.read_text(encoding="utf-8") == "é" * 100_000
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]
    why = write_file(tmp_path / "gone" / "report.csv", "x", threading.Event(), steps.append)
    assert why and not (tmp_path / "gone").exists()


def test_an_empty_chart_has_a_sensible_integer_axis(qtbot: QtBot) -> None:
    """An empty day's charts read "0 0 0 0 0 1" up the axis (quarters printed as whole
    numbers): every tick is now a whole number, and an empty axis is 0 to 1."""
    from widgets.report_figures import FUNNEL, ReportCharts, integer_axis

    charts = ReportCharts(lambda _by, key: key)
    qtbot.addWidget(charts)
    empty = {"hourly": [0] * 24, "deadlines": [], "handoffs": dict.fromkeys(FUNNEL, 0)}
    charts.show_report(empty)
    for name in ("hourly", "response", "funnel"):
        assert charts.axis_ticks(name) == ["0", "1"], name
    busy = {
        "hourly": [0] * 9 + [3, 7, 12] + [0] * 12,
        "deadlines": [{"code": "assist", "p50_s": 12.5, "p90_s": 41.0, "deadline_s": 30}],
        "handoffs": {**dict.fromkeys(FUNNEL, 0), "offered": 3},
    }
    charts.show_report(busy)
    assert charts.axis_ticks("hourly") == ["0", "2", "4", "6", "8", "10", "12", "14"]
    assert charts.axis_ticks("response") == ["0", "10", "20", "30", "40", "50"]
    assert charts.axis_ticks("funnel") == ["0", "1", "2", "3", "4"]
    for top in (0.3, 1, 5, 7, 99, 1234):
        maximum, step = integer_axis(top)
        assert maximum >= top and maximum % step == 0 and maximum // step <= 7
