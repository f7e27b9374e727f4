"""How the hub keeps, for the branch head's board: journal disk space, the last commit and
the hub clock's offset from its wall clock, sent in every heartbeat (``Health``).

The disk is looked at every ``DISK_EVERY_S`` (a ``statvfs``), not at each heartbeat.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy.engine import make_url

from app.hub.clock import HubClock
from messaging.envelope import Health

DISK_EVERY_S = 10.0


def journal_folder(url: str) -> Path | None:
    """The folder of an SQLite journal file (None for a server database or memory)."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
    return Path(database).expanduser().absolute().parent


class HealthWatch:
    """Keeps the figures a heartbeat's :class:`Health` carries."""

    def __init__(self, url: str, clock: HubClock) -> None:
        self.folder = journal_folder(url)
        self.clock = clock
        self.last_commit_ms = 0
        self._disk_mb = -1
        self._disk_at = -1e9

    def committed(self) -> None:
        self.last_commit_ms = self.clock.now_ms()

    def now(self, mono: float) -> Health:
        if self.folder is not None and mono - self._disk_at >= DISK_EVERY_S:
            self._disk_at = mono
            try:
                self._disk_mb = shutil.disk_usage(self.folder).free // (1024 * 1024)
            except OSError:
                self._disk_mb = -1
        return Health(self._disk_mb, self.last_commit_ms, self.clock.wall_offset_ms())
