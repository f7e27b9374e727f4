"""Roles of the people who use Lobbylink and the states things can be in."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TELLER = "teller"
    LOBBY_MANAGER = "lobby_manager"
    WEALTH_MANAGER = "wealth_manager"
    SUPERVISOR = "supervisor"
    BRANCH_HEAD = "branch_head"


ENROLLERS = frozenset({Role.BRANCH_HEAD})
"""Who approves a station PC's own key (enrolment), from a station of that role."""


class SignalState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ARRIVED = "arrived"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (SignalState.RESOLVED, SignalState.CANCELLED)


class CounterStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class Outcome(StrEnum):
    """How a handoff (or any signal) ended when it was resolved."""

    DONE = "done"
    SERVED = "served"
    NO_SHOW = "no_show"


ANY_ROLE = "any"
