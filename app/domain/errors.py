"""Errors raised by the branch's rules; each carries a stable code and a reason."""

from __future__ import annotations


class DomainError(Exception):
    """A command the branch's rules refuse.

    ``code`` is stable and machine-readable (clients translate it); ``reason`` says
    what and why in plain English for logs and the command line.
    """

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


class ConfigError(Exception):
    """A branch configuration that does not decode or does not make sense."""


# Stable rejection codes shared by the hub, the command line and the clients.
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
INVALID_TRANSITION = "invalid_transition"
ALREADY_CLAIMED = "already_claimed"
BAD_REQUEST = "bad_request"
TOO_MANY_OPEN = "too_many_open"
UNAVAILABLE = "unavailable"
"""The person an offer names is away (a wealth manager's availability)."""
