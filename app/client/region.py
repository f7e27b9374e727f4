"""The region board's composition root: head office's database, read off the UI thread.

``run_region`` is what ``lobbylink region`` runs. :class:`CentralRegionModel` implements
widgets.region_model.RegionModel over head office's PostgreSQL: every read
(app.reports.region) runs on a QThreadPool of its own, never on the UI thread; the
answers come back as queued signals. It refreshes every ``refresh_s`` seconds, never two
overviews at once; a failed read is one line (the view keeps the last figures with their
age).

Followed: Qt's "QThreadPool and QRunnable" pattern with a QObject relay living on the UI
thread (queued connections carry the result back), as widgets.report_export does.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QMainWindow
from sqlalchemy import Engine

from app.client import i18n
from app.client.main import ensure_app, quit_on_signals
from app.domain.config import Branch
from app.reports.day import ReportError
from app.reports.region import Thresholds, branch_day, overview
from widgets.region import RegionView
from widgets.region_model import RegionModel

log = logging.getLogger("lobbylink.region")
POOL_NAME = "region-read"
DONE_WAIT_MS = 8_000
"""How long closing waits for a read under way (the connect timeout is 5 s)."""


class _Relay(QObject):
    """Carries a read's outcome from the pool thread to the UI thread (queued)."""

    done = Signal(str, str, object, str)
    """(what: "overview" or "day", branch, data, why it failed or "")."""


class _Read(QRunnable):
    def __init__(self, relay: _Relay, what: str, branch: str, job: Any) -> None:
        super().__init__()
        self.relay, self.what, self.branch, self.job = relay, what, branch, job

    def run(self) -> None:
        try:
            data = self.job()
        except ReportError as exc:
            self.relay.done.emit(self.what, self.branch, None, str(exc) or "?")
            return
        except Exception as exc:  # a bug must not leave the board waiting forever
            log.exception("reading head office failed")
            self.relay.done.emit(self.what, self.branch, None, f"{type(exc).__name__}: {exc}")
            return
        self.relay.done.emit(self.what, self.branch, data, "")


class CentralRegionModel(RegionModel):
    """The region board's model over head office's database (``engine``)."""

    def __init__(
        self,
        engine: Engine,
        catalog: Branch,
        lang: str,
        thresholds: Thresholds,
        refresh_s: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(catalog, lang, parent)
        self.engine = engine
        self.thresholds = thresholds
        self.where = engine.url.render_as_string(hide_password=True)
        self.pool = QThreadPool(self)
        self.pool.setObjectName(POOL_NAME)
        self.pool.setMaxThreadCount(2)  # an overview and a branch's day side by side
        self._relay = _Relay(self)
        self._relay.done.connect(self._finished)
        self._busy = False
        self._down = False
        self.timer = QTimer(self)
        self.timer.setInterval(max(1_000, int(refresh_s * 1000)))
        self.timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        if self._busy:  # the last read is still under way (a slow or cut WAN)
            return
        self._busy = True
        engine, catalog, limits = self.engine, self.catalog, self.thresholds
        self.pool.start(
            _Read(self._relay, "overview", "", lambda: overview(engine, catalog, limits).as_dict())
        )

    def request_day(self, branch: str, day: str) -> None:
        engine, catalog, when = self.engine, self.catalog, date.fromisoformat(day)
        self.pool.start(
            _Read(
                self._relay,
                "day",
                branch,
                lambda: branch_day(engine, catalog, branch, when).as_dict(),
            )
        )

    @Slot(str, str, object, str)
    def _finished(self, what: str, branch: str, data: object, why: str) -> None:
        if what == "overview":
            self._busy = False
            if why:
                if not self._down:  # once per outage, not every refresh
                    log.warning("head office unreachable: %s", why)
                self._down = True
                self.overview_failed.emit(why)
            else:
                if self._down:
                    log.info("head office reached again")
                self._down = False
                self.overview_ready.emit(data)
        elif why:
            self.day_failed.emit(branch, why)
        else:
            self.day_ready.emit(branch, data)

    def close(self) -> None:
        self.timer.stop()
        self.pool.clear()
        self.pool.waitForDone(DONE_WAIT_MS)


class RegionWindow(QMainWindow):
    def __init__(self, model: RegionModel) -> None:
        super().__init__()
        self.view = RegionView(model, self)
        self.setCentralWidget(self.view)
        self.setWindowTitle(QCoreApplication.translate("RegionWindow", "Lobbylink · region board"))
        self.resize(1600, 900)


def run_region(
    engine: Engine,
    catalog: Branch,
    lang: str | None,
    thresholds: Thresholds,
    refresh_s: float,
    fullscreen: bool = False,
) -> int:
    """Run the region board until its window closes; the exit code."""
    app = ensure_app()
    keeper = quit_on_signals(app)
    lang = i18n.install(app, lang)
    model = CentralRegionModel(engine, catalog, lang, thresholds, refresh_s)
    window = RegionWindow(model)
    try:
        if fullscreen:
            window.showFullScreen()
        else:
            window.show()
        model.start()
        return app.exec()
    finally:
        keeper.stop()
        model.close()
        window.close()
        engine.dispose()
