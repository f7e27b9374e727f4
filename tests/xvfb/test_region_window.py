"""The region board in a real window (Xvfb), over a real head office: two branch hubs ship
to a throw-away PostgreSQL; a regional manager double-clicks a branch with the mouse
(xdotool) to see its day, and goes back to all branches with the button."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import zmq
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.central.db import make_engine
from app.client.region import CentralRegionModel, RegionWindow
from app.devtools.pgserver import PgServer
from app.domain.config import load_branch
from app.domain.events import RaiseSignal
from app.reports.region import Thresholds
from tests.helpers import TestStation, wait_for
from tests.integration.test_central_ship import role_url, setup_central, shipped_up_to, start_hub
from tests.xvfb.windows import WAIT, xdotool

SHOTS = Path("/tmp/lobbylink-xvfb")


def click_at(widget: QWidget, point: QPoint, double: bool = False) -> None:
    """A real mouse click (or double-click) at ``point`` of ``widget``, by xdotool."""
    where = widget.mapToGlobal(point)
    xdotool("mousemove", "--sync", str(where.x()), str(where.y()))
    xdotool("click", *(["--repeat", "2", "--delay", "80"] if double else []), "1")


def test_a_double_click_opens_a_branchs_day_and_the_button_goes_back(
    qtbot: QtBot, pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B001:east", "B002:east")
    hubs = {c: start_hub(tmp_path, c, "east", role_url(admin, c)) for c in ("B001", "B002")}
    stations: list[TestStation] = []
    engine = make_engine(admin)
    model = None
    try:
        for code, raised in (("B001", 2), ("B002", 3)):
            catalog = load_branch(tmp_path / code / f"{code}.toml")
            station = TestStation(catalog, "C01", hubs[code].endpoint, ctx)
            stations.append(station)
            for _ in range(raised):
                station.accept(RaiseSignal(code="assist"))
        for code, hub in hubs.items():
            wait_for(partial(shipped_up_to, admin, code, hub), 20, what=f"{code} shipped")

        catalog = load_branch(tmp_path / "B001" / "B001.toml")
        model = CentralRegionModel(engine, catalog, "en", Thresholds(), 60)
        window = RegionWindow(model)
        window.setGeometry(0, 0, 1600, 900)
        window.show()
        qtbot.waitExposed(window, timeout=WAIT)
        view = window.view
        model.start()
        qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=WAIT)
        assert view.cell("B002", "signals") == "3" and view.cell("B001", "signals") == "2"
        qtbot.wait(200)  # the rows laid out

        items = [view.table.item(r, 0) for r in range(view.table.rowCount())]
        b002 = next(i for i in items if i is not None and i.text().startswith("B002"))
        rect = view.table.visualItemRect(b002)
        click_at(view.table.viewport(), rect.center(), double=True)
        qtbot.waitUntil(lambda: view.day_branch == "B002", timeout=WAIT)
        qtbot.waitUntil(
            lambda: "B002" in view.day_title.text() and view.back.isVisible(), timeout=WAIT
        )
        # its day, read from head office: B002's three calls, in the report's figures
        qtbot.waitUntil(lambda: view.day_data is not None, timeout=WAIT)
        assert view.day_data is not None and view.day_data["total"]["signals"] == 3
        assert view.day_table.rowCount() >= 1
        qtbot.wait(300)  # the charts drawn
        SHOTS.mkdir(exist_ok=True)
        window.grab().save(str(SHOTS / "region_day.png"))

        click_at(view.back, view.back.rect().center())
        qtbot.waitUntil(lambda: view.day_branch == "" and view.table.isVisible(), timeout=WAIT)
        window.grab().save(str(SHOTS / "region_overview.png"))
        window.close()
    finally:
        if model is not None:
            model.close()
        for station in stations:
            station.close()
        for hub in hubs.values():
            hub.stop()
        engine.dispose()
