"""The region board (widgets.region) over a fake model, and its model over a real
head-office database (app.client.region: reads on the pool, never on the UI thread)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.central.db import make_engine
from app.client import i18n
from app.client import region as client_region
from app.client.region import CentralRegionModel
from app.devtools.pgserver import PgServer
from app.domain.config import Branch
from app.reports.figures import Deadline, Durations, Group, Handoffs, Report
from app.reports.region import Alert, BranchRow, RegionOverview, Thresholds
from tests.integration.test_central_ship import setup_central
from widgets.region import RegionView
from widgets.region_model import RegionModel

NOW = 1_765_000_000_000  # server time of the overview
DAY = "2025-12-06"


class FakeRegionModel(RegionModel):
    """Records what the view asks; the test answers by emitting the signals."""

    def __init__(self, catalog: Branch, lang: str = "en") -> None:
        super().__init__(catalog, lang)
        self.refreshes = 0
        self.days: list[tuple[str, str]] = []
        self.clock = NOW

    def refresh(self) -> None:
        self.refreshes += 1

    def request_day(self, branch: str, day: str) -> None:
        self.days.append((branch, day))

    def now_ms(self) -> int:
        return self.clock


def row(code: str, **changes: Any) -> BranchRow:
    base = BranchRow(
        branch=code,
        region="east",
        name="",
        timezone="Asia/Shanghai",
        link="connected",
        last_seen_ms=NOW - 4_000,
        last_shipped_ms=NOW - 4_000,
        lag_events=0,
        lag_ms=0,
        open_signals=1,
        waiting=0,
        oldest_waiting_ms=0,
        overdue=0,
        signals=12,
        answered=10,
        ack_p50_s=8.0,
        ack_p90_s=21.5,
        unanswered=2,
        resolved=9,
        late=1,
    )
    return replace(base, **changes)


def sample() -> dict[str, Any]:
    down = row(
        "B002",
        name="西城支行",
        link="disconnected",
        last_seen_ms=NOW - 12 * 60_000,
        lag_events=7,
        lag_ms=95_000,
    )
    down.alerts = [Alert("B002", "disconnected", 12.0, 0.5)]
    busy = row("B001", name="东城支行", waiting=3, overdue=2, oldest_waiting_ms=NOW - 9 * 60_000)
    busy.alerts = [
        Alert("B001", "waiting", 9.0, 5.0, count=2),
        Alert("B001", "p90_type", 45.0, 30.0, code="assist"),
    ]
    never = row("B003", link="never", last_seen_ms=0, signals=0, answered=0, late=0)
    overview = RegionOverview(
        role="lobbylink_east",
        regions=["east"],
        day=DAY,
        now_ms=NOW,
        thresholds=Thresholds(),
        rows=[busy, down, never],
        alerts=[*down.alerts, *busy.alerts],
    )
    return overview.as_dict()


def day_report() -> dict[str, Any]:
    assist = Group(
        "assist",
        signals=5,
        acknowledged=4,
        ack=Durations(4, 12.0, 40.0, 41.0),
        unanswered=1,
    )
    hourly = [0] * 24
    hourly[9], hourly[10] = 3, 2
    return Report(
        branch="central",
        timezone="Asia/Shanghai",
        first_day=DAY,
        last_day=DAY,
        by="type",
        total=replace(assist, key="(all)"),
        groups=[assist],
        handoffs=Handoffs(),
        pauses=[],
        presence_gaps=[],
        hourly=hourly,
        deadlines=[Deadline("assist", 30, 5, 4, 12.0, 40.0, 41.0, 2)],
        view={"role": "lobbylink_east", "branches": ["B001"], "regions": ["east"]},
    ).as_dict()


def make_view(qtbot: QtBot, model: RegionModel) -> RegionView:
    view = RegionView(model)
    qtbot.addWidget(view)
    view.resize(1600, 900)
    view.show()
    return view


def test_overview_rows_links_and_alerts(qtbot: QtBot, branch: Branch) -> None:
    model = FakeRegionModel(branch)
    view = make_view(qtbot, model)
    assert view.status.text() == "Reading head office…"
    model.overview_ready.emit(sample())
    assert view.cell("B001", "branch") == "B001 东城支行"
    assert view.cell("B001", "link") == "Connected"
    assert view.cell("B001", "lag") == "Up to date"
    assert view.cell("B001", "waiting") == "3"
    assert view.cell("B001", "p90") == "21.5 s"
    assert view.cell("B002", "link").startswith("Disconnected since ")
    assert view.cell("B002", "link").endswith("(12 min)")
    assert view.cell("B002", "lag") == "at least 7 events · 1 min"
    assert view.cell("B003", "link") == "Never connected"
    lines = view.alert_lines()
    assert lines[0] == "B002 西城支行: no word from its hub for 12 min"
    assert lines[1] == "B001 东城支行: 2 unclaimed for over 5 min, the longest 9 min"
    assert "over its 30.0 s deadline" in lines[2]
    assert "lobbylink_east" in view.whose.text() and "3 branches" in view.whose.text()
    assert view.status.text() == "updated 0 s ago"
    view.refresh_button.click()
    assert model.refreshes == 1


def test_head_office_down_keeps_the_last_figures_with_their_age(
    qtbot: QtBot, branch: Branch
) -> None:
    model = FakeRegionModel(branch)
    view = make_view(qtbot, model)
    model.overview_ready.emit(sample())
    model.clock += 125_000
    model.overview_failed.emit("connection refused")
    assert view.banner.isVisible()
    text = view.banner.text()
    assert text == "head office unreachable: connection refused · figures from 2 min ago"
    assert "\n" not in text
    assert view.table.rowCount() == 3 and view.cell("B001", "signals") == "12"
    model.overview_ready.emit(sample())  # back: the line goes
    assert not view.banner.isVisible()
    assert view.status.text() == "updated 0 s ago"


def test_a_double_click_opens_the_branchs_day_with_the_report_figures(
    qtbot: QtBot, branch: Branch
) -> None:
    model = FakeRegionModel(branch)
    view = make_view(qtbot, model)
    model.overview_ready.emit(sample())
    view.table.cellDoubleClicked.emit(0, 0)
    assert model.days == [("B001", DAY)]
    assert view.pages.currentIndex() == 1
    assert view.day_status.text() == "Reading head office…"
    assert "2 unclaimed for over 5 min" in view.day_alerts.text()
    model.day_ready.emit("B002", day_report())  # an answer for another branch: ignored
    assert view.day_data is None
    model.day_ready.emit("B001", day_report())
    assert view.day_data is not None
    values = view.charts.values()
    assert values["hourly"]["Signals"][9 - 8 : 11 - 8] == [3.0, 2.0]
    assert values["response"]["Deadline"] == [30.0]
    assert view.day_table.cell(0, 1) == "5"
    assert "Signals 5" in view.summary.text()
    model.overview_ready.emit(sample())  # a refresh refreshes the day shown too
    assert model.days[-1] == ("B001", DAY)
    view.back.click()
    assert view.pages.currentIndex() == 0
    view.alerts.itemDoubleClicked.emit(view.alerts.item(0))  # B002's alert
    assert model.days[-1] == ("B002", DAY)
    model.day_failed.emit("B002", "timeout")
    assert view.day_status.text() == "This branch's day could not be read: timeout"


@pytest.fixture
def zh_cn(qapp: QApplication) -> Iterator[None]:
    before = QLocale()
    i18n.install(qapp, "zh_CN")
    yield
    for translator in getattr(qapp, "_lobbylink_translators", []):
        qapp.removeTranslator(translator)
    qapp._lobbylink_translators = []  # type: ignore[attr-defined]
    QLocale.setDefault(before)


def test_the_board_reads_chinese(qtbot: QtBot, branch: Branch, zh_cn: None) -> None:
    model = FakeRegionModel(branch, lang="zh_CN")
    view = make_view(qtbot, model)
    model.overview_ready.emit(sample())
    assert view.cell("B001", "link") == "已连接"
    assert view.title.text() == "区域看板"
    for line in view.alert_lines():
        assert not any(c in line for c in ",:;()"), line  # full-width punctuation
    header = [view.table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(13)]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header), header


def test_the_model_reads_head_office_off_the_ui_thread(
    qtbot: QtBot, branch: Branch, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B001:east", "B002:west")
    threads: list[threading.Thread] = []
    real = client_region.overview

    def watched(*args: Any, **kwargs: Any) -> RegionOverview:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(client_region, "overview", watched)
    model = CentralRegionModel(make_engine(admin), branch, "en", Thresholds(), 60)
    try:
        with qtbot.waitSignal(model.overview_ready, timeout=30_000) as got:
            model.refresh()
        assert threads and threads[0] is not threading.main_thread()
        data = got.args[0]
        assert [(r["branch"], r["link"]) for r in data["rows"]] == [
            ("B001", "never"),
            ("B002", "never"),
        ]
        with qtbot.waitSignal(model.day_ready, timeout=30_000) as day:
            model.request_day("B002", data["day"])
        assert day.args[0] == "B002" and day.args[1]["total"]["signals"] == 0
    finally:
        model.close()
        model.engine.dispose()
    down = CentralRegionModel(
        make_engine("postgresql://nobody@127.0.0.1:9/none", timeout_s=2),
        branch,
        "en",
        Thresholds(),
        60,
    )
    try:
        with qtbot.waitSignal(down.overview_failed, timeout=30_000) as failed:
            down.refresh()
        assert failed.args[0] and "\n" not in failed.args[0]
    finally:
        down.close()
        down.engine.dispose()


def test_a_role_that_sees_no_branch_is_told_so(qtbot: QtBot, branch: Branch) -> None:
    model = FakeRegionModel(branch)
    view = make_view(qtbot, model)
    empty = {**sample(), "rows": [], "alerts": [], "regions": [], "role": "lobbylink_nowhere"}
    model.overview_ready.emit(empty)
    assert view.table.rowCount() == 0
    assert view.alert_lines() == [
        "Role lobbylink_nowhere sees no branch: head office files branches under regions."
    ]


def test_item_data_is_the_branch_code(qtbot: QtBot, branch: Branch) -> None:
    model = FakeRegionModel(branch)
    view = make_view(qtbot, model)
    model.overview_ready.emit(sample())
    codes = [
        view.table.model().index(r, 0).data(Qt.ItemDataRole.UserRole)
        for r in range(view.table.rowCount())
    ]
    assert codes == ["B001", "B002", "B003"]
