"""What a report holds: the figures of one group, the handoff funnel, spans, deadlines.

Plain dataclasses, no SQL: ``Report.as_dict()`` is what every format renders and what
the hub answers a station's report query with (app.reports.measures says how each
figure is defined).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from app.domain.stats import median, percentile

NOBODY = "-"
"""The key of a group, reason or product that names nobody (no responder, no reason)."""


@dataclass
class Durations:
    """Seconds from the raise: how many, p50, p90 (nearest rank) and the longest."""

    n: int = 0
    p50_s: float | None = None
    p90_s: float | None = None
    max_s: float | None = None

    @classmethod
    def of(cls, sorted_ms: list[int]) -> Durations:
        """n, p50, p90 (app.domain.stats) and max of sorted milliseconds, in seconds."""
        if not sorted_ms:
            return cls()
        return cls(
            n=len(sorted_ms),
            p50_s=median(sorted_ms) / 1000,
            p90_s=percentile(sorted_ms, 90) / 1000,
            max_s=sorted_ms[-1] / 1000,
        )


@dataclass
class Group:
    key: str
    signals: int = 0
    acknowledged: int = 0
    ack: Durations = field(default_factory=Durations)
    arrive: Durations = field(default_factory=Durations)
    resolve: Durations = field(default_factory=Durations)
    escalated: int = 0
    levels: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0
    cancelled: int = 0
    handoffs_offered: int = 0
    handoffs_accepted: int = 0
    handoffs_declined: int = 0
    handoffs_served: int = 0
    handoffs_no_show: int = 0


@dataclass
class Handoffs:
    offered: int = 0
    accepted: int = 0
    declined: int = 0
    """Handoff signals declined at least once."""
    declines: int = 0
    """Decline events of those signals."""
    declined_by_reason: dict[str, int] = field(default_factory=dict)
    served: int = 0
    no_show: int = 0
    products: dict[str, int] = field(default_factory=dict)
    conversion: float | None = None
    """served / offered, rounded to 4 places; None when nothing was offered."""


@dataclass
class Span:
    """Pauses of one reason, or presence gaps of one station."""

    key: str
    count: int = 0
    total_s: float = 0.0
    longest_s: float = 0.0


@dataclass
class Deadline:
    """Acknowledge times of one signal type against its deadline (``ack_s``)."""

    code: str
    deadline_s: int
    signals: int
    acknowledged: int
    p50_s: float | None
    p90_s: float | None
    max_s: float | None
    late: int
    """Acknowledged after the deadline, or never acknowledged (and not cancelled)."""


@dataclass
class Report:
    branch: str
    timezone: str
    first_day: str
    last_day: str
    by: str
    total: Group
    groups: list[Group]
    handoffs: Handoffs
    pauses: list[Span]
    presence_gaps: list[Span]
    hourly: list[int]
    """Signals raised in each local hour 00..23, summed over the range's days."""
    deadlines: list[Deadline]
    view: dict[str, Any] | None = None
    """Head office's reports (app.reports.central): whose view it is: the connecting
    role, the branches and regions it covers. None for a branch's own report."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
