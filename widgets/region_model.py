"""RegionModel: what the region board (widgets.region) knows and may ask of head office.

A view over a model, as the station views over widgets.model.StationModel: the board
never reads the central database itself. app.client.region implements it over head
office's PostgreSQL (its reads on a worker thread); the GUI tests over a fake.

The data are plain dicts: ``overview_ready`` carries app.reports.region's
``RegionOverview.as_dict()`` (``role``, ``regions``, ``day``, ``now_ms``,
``thresholds``, ``rows``, ``alerts``), ``day_ready`` a report exactly as ``lobbylink
report --central URL --format json`` prints it (the branch board's Reports page draws
the same).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal

from app.domain.config import Branch


class RegionModel(QObject):
    """Base of a region board's model; subclasses implement :meth:`refresh` and
    :meth:`request_day`, and emit the signals on the UI thread."""

    overview_ready = Signal(object)
    """A new overview (dict)."""
    overview_failed = Signal(str)
    """Head office could not be read: one line saying why."""
    day_ready = Signal(str, object)
    """(branch code, that branch's day as a report dict)."""
    day_failed = Signal(str, str)
    """(branch code, one line saying why)."""

    def __init__(self, catalog: Branch, lang: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        """The signal types' labels and deadlines (the config the board was started with)."""
        self.lang = lang
        self.where = ""
        """Head office as shown to a person (the URL without its password)."""

    def refresh(self) -> None:
        """Ask for a new overview (answered by ``overview_ready`` or ``overview_failed``)."""
        raise NotImplementedError

    def request_day(self, branch: str, day: str) -> None:
        """Ask for one branch's day (``YYYY-MM-DD``): ``day_ready`` or ``day_failed``."""
        raise NotImplementedError

    def now_ms(self) -> int:
        """This PC's clock (UTC ms): how old the figures on screen are."""
        return int(time.time() * 1000)
