"""How the hub keeps, for the branch head's board: journal disk space, the last commit,
the hub clock's offset from its wall clock and the link to head office (when the hub
ships its journal: app.central.shipper), sent in every heartbeat (``Health``).

The disk is looked at every ``DISK_EVERY_S`` (a ``statvfs``), not at each heartbeat.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import NamedTuple, Protocol

from sqlalchemy.engine import make_url

from app.hub.clock import HubClock
from messaging.envelope import Health

DISK_EVERY_S = 10.0


class LinkStatus(NamedTuple):
    """A journal shipper's link to head office, as it last set it (replaced whole, so one
    read from another thread sees a consistent status)."""

    state: str = ""
    """"connecting", "connected", "down" or "refused" (shipping stopped for the epoch)."""
    central_seq: int = -1
    """The central high-water mark (-1: not known yet)."""
    since_mono: float = 0.0
    """Since when (time.monotonic) it is in this state."""
    last_mono: float = 0.0
    """When a batch was last stored centrally (0: not since the hub started)."""
    pending_ts_ms: int = 0
    """Hub time of the oldest event not yet stored centrally (0: none known)."""
    reason: str = ""


class Link(Protocol):
    """What the health needs of a journal shipper (app.central.shipper.Shipper)."""

    @property
    def status(self) -> LinkStatus: ...

    def nudge(self) -> None: ...


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
        self.link: Link | None = None
        """The journal's shipper to head office, if the hub ships (set by its owner)."""

    def committed(self) -> None:
        self.last_commit_ms = self.clock.now_ms()
        if self.link is not None:
            self.link.nudge()  # never waits: an Event set

    def now(self, mono: float, last_seq: int = 0) -> Health:
        if self.folder is not None and mono - self._disk_at >= DISK_EVERY_S:
            self._disk_at = mono
            try:
                self._disk_mb = shutil.disk_usage(self.folder).free // (1024 * 1024)
            except OSError:
                self._disk_mb = -1
        health = Health(self._disk_mb, self.last_commit_ms, self.clock.wall_offset_ms())
        if self.link is not None:
            self._central(health, mono, last_seq)
        return health

    def _central(self, health: Health, mono: float, last_seq: int) -> None:
        """The shipper's status (one attribute read: it is replaced whole) in hub time."""
        if self.link is None:
            return
        found = self.link.status
        if not found.state:
            return
        now_ms = self.clock.now_ms()

        def hub_ms(at_mono: float) -> int:
            return now_ms - int((mono - at_mono) * 1000) if at_mono else 0

        health.central = found.state
        health.central_since_ms = hub_ms(found.since_mono)
        health.central_last_ms = hub_ms(found.last_mono)
        if found.central_seq >= 0:
            health.central_lag_events = max(last_seq - found.central_seq, 0)
        if health.central_lag_events and found.pending_ts_ms:
            health.central_lag_ms = max(now_ms - found.pending_ts_ms, 0)
