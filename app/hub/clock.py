"""The hub's clock."""

from __future__ import annotations

import time


class HubClock:
    """Hub time: wall-clock ms read once at start, advanced by the monotonic clock.

    Every duration in the branch is measured on it, so a wall-clock step on the hub PC
    can neither reorder events nor fire a timer early.
    """

    def __init__(self) -> None:
        self._wall0 = time.time_ns() // 1_000_000
        self._mono0 = time.monotonic_ns()

    def now_ms(self) -> int:
        return self._wall0 + (time.monotonic_ns() - self._mono0) // 1_000_000

    def mono(self) -> float:
        return time.monotonic()
