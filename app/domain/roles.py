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


# Availability (issue 12: loops closed) ------------------------------------------------
class Availability(StrEnum):
    """Whether a wealth manager can take a customer now; offers respect it
    (:func:`app.domain.policy.offer_refusal`)."""

    AVAILABLE = "available"
    BUSY = "busy"
    """With a customer: a named offer still reaches them, for when they are free."""
    AWAY = "away"
    """Not at the desk: an offer naming them is refused."""
