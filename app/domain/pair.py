"""A standby pair of hubs, as the branch sees it (docs/reliability.md, "Standby hub").

Built only from ``pair_changed`` events: which hub serves, whether the other keeps in
step, and the pair's term. Stations show a banner while the branch runs on its standby
hub, and the board warns while events are acknowledged by one hub alone.
"""

from __future__ import annotations

import msgspec

from app.domain.events import PairChanged

PRIMARY, BACKUP = "primary", "backup"
IN_SYNC, CATCHING_UP, AWAY = "in_sync", "catching_up", "away"


class PairStatus(msgspec.Struct, omit_defaults=True):
    """The last ``pair_changed`` event ("" everywhere: the hub is not one of a pair)."""

    active: str = ""
    """The configured role of the serving hub: ``primary`` or ``backup``."""
    peer: str = ""
    """The other hub: ``in_sync``, ``catching_up`` or ``away``."""
    term: int = 0
    since_ms: int = 0
    """Hub time of that event."""

    @classmethod
    def of(cls, event: PairChanged, ts_ms: int) -> PairStatus:
        return cls(event.active, event.peer, event.term, ts_ms)

    @property
    def on_standby(self) -> bool:
        """The branch runs on its standby hub (the configured backup serves)."""
        return self.active == BACKUP

    @property
    def alone(self) -> bool:
        """Events are acknowledged by the serving hub alone: a second failure loses them."""
        return bool(self.active) and self.peer != IN_SYNC
