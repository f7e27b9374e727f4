"""The hub's timers: presence, escalations and the day boundary.

They return the events that fall due (the hub sequences them like any other) rather
than sequencing them themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from app import log
from app.domain.events import Event, PresenceChanged
from app.domain.state import BranchState, SignalRecord
from app.hub.clock import HubClock

PRESENCE_TIMEOUT_S = 3.0
TIMER_S = 0.1


class Timers:
    """Presence from pings, escalation deadlines, and closed signals of earlier days.

    Every deadline is kept on the monotonic clock: a signal's raise is placed on it once
    (when the timers first see the signal: ``elapsed = hub time now − raised_ms``, so a
    signal raised before the hub started, or clicked while its command waited at the
    station, has been waiting that long already), and the wall clock plays no further
    part. A step of the wall clock can then neither fire an escalation early nor hold
    one back; one that fell due while the hub was down fires at the first run.
    """

    def __init__(self, state: BranchState, clock: HubClock) -> None:
        self.state, self.clock = state, clock
        self.started = clock.mono()
        self._last_seen: dict[str, float] = {}
        self._next_run = 0.0
        self._next_deadline: float | None = None
        self._deadline_dirty = True
        self._raised: dict[int, tuple[int, float]] = {}
        """Signal id -> (its raised_ms, the monotonic time of that raise)."""

    def deadlines_changed(self) -> None:
        """Signals changed (or the state was rebuilt): look for the next deadline again."""
        self._deadline_dirty = True

    def seen(self, station: str, mono: float) -> PresenceChanged | None:
        """A ping or hello from ``station``: the event that brings it online, if it was not."""
        self._last_seen[station] = mono
        if self.state.presence.get(station):
            return None
        return PresenceChanged(online=True, station=station)

    def _deadlines(self, mono: float) -> list[tuple[float, SignalRecord]]:
        """(monotonic deadline, signal) of every open signal that escalates again."""
        state = self.state
        known, now_ms = self._raised, None
        out: list[tuple[float, SignalRecord]] = []
        kept: dict[int, tuple[int, float]] = {}
        for sig in state.open_records():
            after = state.escalation_after_ms(sig)
            if after is None:
                continue
            raised = known.get(sig.id)
            if raised is None or raised[0] != sig.raised_ms:
                if now_ms is None:
                    now_ms = self.clock.now_ms()
                raised = (sig.raised_ms, mono - max(now_ms - sig.raised_ms, 0) / 1000)
            kept[sig.id] = raised
            out.append((raised[1] + after / 1000, sig))
        self._raised = kept
        return out

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
            if online and mono - self._last_seen.get(station, self.started) > PRESENCE_TIMEOUT_S
        ]
        if self._deadline_dirty:
            deadlines = self._deadlines(mono)
            self._next_deadline = min((d for d, _ in deadlines), default=None)
            self._deadline_dirty = False
        if self._next_deadline is not None and mono >= self._next_deadline:
            for at, sig in sorted(self._deadlines(mono), key=lambda d: d[1].id):
                if at > mono:
                    continue
                esc = state.escalation(sig)
                log.hub.info(
                    "signal %d (%s) not acknowledged in time: escalated to %s",
                    sig.id,
                    sig.code,
                    esc.role,
                )
                due.append(esc)
            self._deadline_dirty = True
        dropped = state.roll_day(self.clock.now_ms())
        if dropped:
            log.hub.info("closed signals of earlier days set aside: %d", dropped)
        return due
