"""Per-station counts the hub's caps need, kept as events are applied.

:class:`OpenSignals` follows the branch state through its listeners: the ids of each
station's open signals (raised, not yet resolved or cancelled), so the cap on open
signals (:func:`app.domain.decisions.check_open_cap`) costs a dict look-up per raise,
not a walk over the day's signals.
"""

from __future__ import annotations

from collections import defaultdict

from app.domain.events import Event
from app.domain.state import BranchState, SignalRecord


class OpenSignals:
    """The open signals of each station in ``state``, kept up to date."""

    def __init__(self, state: BranchState) -> None:
        self.state = state
        self._open: defaultdict[str, set[int]] = defaultdict(set)
        self.recount()
        state.listeners.append(self._on_applied)
        state.reset_listeners.append(self.recount)

    def of(self, station: str) -> int:
        """How many signals ``station`` raised that are still open."""
        found = self._open.get(station)
        return len(found) if found else 0

    def recount(self) -> None:
        """From scratch (at start, after a restore or a new day)."""
        self._open.clear()
        for sig in self.state.signals.values():
            if sig.open:
                self._open[sig.station].add(sig.id)

    def _on_applied(self, _seq: int, _event: Event, sig: SignalRecord | None) -> None:
        if sig is None:
            return
        if sig.open:
            self._open[sig.station].add(sig.id)
        else:
            found = self._open.get(sig.station)
            if found:
                found.discard(sig.id)
