"""A one-line progress bar for long exports, drawn only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Bar:
    """``bar(done, total)`` redraws ``label [#####.....]  45%`` at most 10 times a second.

    Silent unless ``stream`` is a terminal, so pipes and files get clean output.
    """

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.label = label
        self.width = width
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        frac = 1.0 if total <= 0 else min(1.0, done / total)
        filled = int(frac * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {frac * 100:3.0f}%")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
