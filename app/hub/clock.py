"""The hub's clock, and what it knows of the stations' clocks.

Hub time is the monotonic clock plus an offset that follows the wall clock, as Erlang's
"multi time warp" mode keeps its system time (erts: Time and Time Correction): every
duration (escalations, presence, rate limits) is measured on the monotonic clock alone,
and only the timestamps follow the wall. The wall clock is read at every call:

- a difference of up to ``STEP_MS`` between the wall and the monotonic continuation is
  slewed away at most ``SLEW`` of the time elapsed (Erlang corrects at up to 1 %), so
  the stamps stay increasing while they follow an NTP slew (or a monotonic clock that
  NTP does not slew, as on Windows);
- a larger one is a step (chrony's ``makestep 1.0`` calls a correction over 1 s a step
  rather than slewing it): hub time jumps to the wall, forwards or backwards, and the
  step waits in :meth:`HubClock.take_steps` for the hub to journal it (a
  ``clock_stepped`` event) before any event stamped after it;
- at start, a wall clock behind the journal's last stamp (:meth:`HubClock.start_from`)
  is not believed: hub time goes on from that stamp on the monotonic clock, and stays
  there until the wall catches up with it (or steps past it). It never stands still.
"""

from __future__ import annotations

import time
from collections import deque

from app import log

STEP_MS = 1_000
"""A wall clock further than this from hub time has been stepped (chrony's makestep)."""
SLEW = 0.01
"""Smaller differences are corrected at most this fraction of the elapsed time."""


class HubClock:
    """Hub time in ms since the epoch (:meth:`now_ms`), and the monotonic clock
    (:meth:`mono`, seconds) every duration is measured on."""

    def __init__(self) -> None:
        mono = time.monotonic_ns()
        self._offset_ns = time.time_ns() - mono
        """Hub time = monotonic + this."""
        self._last_mono = mono
        self._behind = False
        """The wall clock is behind the journal: hub time ignores it until it catches up."""
        self._steps: list[tuple[int, int]] = []
        self.started_ms = self.now_ms()
        """Hub time at start (after :meth:`start_from`, the time it goes on from)."""

    def wall_offset_ms(self) -> int:
        """Hub time minus the wall clock now (0 but while it is not believed or slewed)."""
        return self.now_ms() - self._wall_ns() // 1_000_000

    def _wall_ns(self) -> int:
        return time.time_ns()  # looked up at each call: the tests replace ``time``

    def now_ms(self) -> int:
        mono = time.monotonic_ns()
        wall = self._wall_ns()
        elapsed = max(mono - self._last_mono, 0)
        self._last_mono = mono
        hub = mono + self._offset_ns
        diff = wall - hub
        if self._behind:
            if diff < 0:
                return hub // 1_000_000
            self._behind = False
            log.hub.warning("the wall clock caught up with the journal: stamps follow it again")
        if abs(diff) > STEP_MS * 1_000_000:
            self._offset_ns = wall - mono
            step = (hub // 1_000_000, wall // 1_000_000)
            self._steps.append(step)
            log.hub.warning(
                "the wall clock stepped by %+.3f s: hub time follows it", (step[1] - step[0]) / 1000
            )
            return wall // 1_000_000
        limit = int(elapsed * SLEW)
        self._offset_ns += max(-limit, min(limit, diff))
        return (mono + self._offset_ns) // 1_000_000

    def mono(self) -> float:
        return time.monotonic()

    def start_from(self, last_ms: int) -> None:
        """The journal's last stamp is ``last_ms``: a wall clock behind it is not believed
        (hub time goes on from it); one ahead of it is."""
        now = self.now_ms()
        if now >= last_ms:
            return
        log.hub.warning(
            "the wall clock is %.3f s behind the journal's last event: stamping from that "
            "event's time on the monotonic clock until the wall clock catches up",
            (last_ms - now) / 1000,
        )
        self._offset_ns = last_ms * 1_000_000 - time.monotonic_ns()
        self._behind = True
        self.started_ms = last_ms

    @property
    def stepped(self) -> bool:
        """Steps wait to be taken (:meth:`take_steps`)."""
        return bool(self._steps)

    def take_steps(self) -> list[tuple[int, int]]:
        """The steps seen since the last call, as (hub time before, after), in ms."""
        steps, self._steps = self._steps, []
        return steps


OFFSET_SAMPLES = 16
"""Per station, the offset is the best of its last samples (about 16 s of pings)."""
QUEUED_MS = 1_000
"""A command that left its station longer ago than this was queued there."""
STEPPED_BACK = 3
"""This many samples in a row, close together and over QUEUED_MS below the best: the
station's clock went back."""


class StationClocks:
    """Each station's clock against the hub's monotonic clock, measured on its hellos and
    pings.

    A sample is ``station ts_ms − hub monotonic ms at receipt`` = offset − one-way delay,
    so the largest of the recent samples is the best estimate (the one that waited
    least: NTP's minimum-delay filter, one way). On the monotonic clock, a step of the
    hub's wall clock leaves the samples as they are.
    """

    def __init__(self) -> None:
        self._samples: dict[str, deque[int]] = {}

    def sample(self, station: str, sent_ms: int, mono_ms: int) -> None:
        found = self._samples.get(station)
        if found is None:
            found = self._samples[station] = deque(maxlen=OFFSET_SAMPLES)
        found.append(sent_ms - mono_ms)
        if len(found) > STEPPED_BACK:
            # The newest few all far below the best, and close together: the station's
            # clock was stepped back (pings held up on the way differ from each other,
            # and fresher ones follow them).
            newest = list(found)[-STEPPED_BACK:]
            high, low = max(newest), min(newest)
            if high < max(found) - QUEUED_MS and high - low < QUEUED_MS:
                found.clear()
                found.extend(newest)

    def offset_ms(self, station: str) -> int | None:
        """Station clock − hub monotonic ms, or None before the station's first hello or
        ping."""
        found = self._samples.get(station)
        return max(found) if found else None

    def unmeasured(self, station: str, sent_ms: int, now_ms: int) -> bool:
        """Whether a command ``station`` stamped ``sent_ms`` looks queued (over QUEUED_MS
        before ``now_ms``) while that station's clock is not measured yet: when it was
        really clicked cannot be told until its next hello or ping."""
        return now_ms - sent_ms > QUEUED_MS and self.offset_ms(station) is None

    def clicked_ms(
        self, station: str, sent_ms: int, now_ms: int, mono_ms: int, earliest_ms: int
    ) -> int:
        """When a command ``station`` stamped ``sent_ms`` was made, in hub time (``now_ms``
        now, ``mono_ms`` on the monotonic clock), if it waited at the station (queued
        while the hub was unreachable); 0 if it came straight (or the station's clock is
        not known). Never before ``earliest_ms``."""
        offset = self.offset_ms(station)
        if offset is None:
            return 0
        waited = mono_ms - (sent_ms - offset)
        if waited <= QUEUED_MS:
            return 0
        return max(now_ms - waited, earliest_ms)
