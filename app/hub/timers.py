"""The hub's timers: presence, escalations and the day boundary.

They return the events that fall due (the hub sequences them like any other) rather
than sequencing them themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from app import log
from app.domain.events import Event, PresenceChanged
from app.domain.state import BranchState
from app.hub.clock import HubClock

PRESENCE_TIMEOUT_S = 3.0
TIMER_S = 0.1


class Timers:
    """Presence from pings, escalation deadlines, and closed signals of earlier days."""

    def __init__(self, state: BranchState, clock: HubClock) -> None:
        self.state, self.clock = state, clock
        self._started = clock.mono()
        self._last_seen: dict[str, float] = {}
        self._next_run = 0.0
        self._next_deadline: int | None = None
        self._deadline_dirty = True

    def deadlines_changed(self) -> None:
        """Signals changed (or the state was rebuilt): look for the next deadline again."""
        self._deadline_dirty = True

    def seen(self, station: str, mono: float) -> PresenceChanged | None:
        """A ping or hello from ``station``: the event that brings it online, if it was not."""
        self._last_seen[station] = mono
        if self.state.presence.get(station):
            return None
        return PresenceChanged(online=True, station=station)

    def due(self, mono: float) -> Sequence[Event]:
        """The events that fell due: stations gone silent, escalations. Also sets closed
        signals of earlier days aside at the branch's local midnight."""
        # Timers run a few times a second, not once per message: a busy hub handles
        # thousands of steps a second and a branch may have hundreds of stations.
        if mono < self._next_run:
            return ()
        self._next_run = mono + TIMER_S
        state = self.state
        due: list[Event] = [
            PresenceChanged(online=False, station=station)
            for station, online in state.presence.items()
            if online and mono - self._last_seen.get(station, self._started) > PRESENCE_TIMEOUT_S
        ]
        now = self.clock.now_ms()
        if self._deadline_dirty:
            self._next_deadline = state.next_deadline_ms()
            self._deadline_dirty = False
        if self._next_deadline is not None and now >= self._next_deadline:
            for esc in state.due_escalations(now):
                sig = state.signals[esc.signal_id]
                log.hub.info(
                    "signal %d (%s) not acknowledged in time: escalated to %s",
                    sig.id,
                    sig.code,
                    esc.role,
                )
                due.append(esc)
            self._deadline_dirty = True
        dropped = state.roll_day(now)
        if dropped:
            log.hub.info("closed signals of earlier days set aside: %d", dropped)
        return due
