"""The branch's rules, once: who may do what to a signal, in what order calls are taken,
and what closing a handoff means.

The hub's decisions (:func:`app.domain.decisions.decide`) check commands against these
rules; the views ask :func:`acts` which buttons to enable and :func:`by_urgency` how to
sort; the simulator asks the same. Nothing else re-derives a rule.

The signal lifecycle is the declarative table :data:`LIFECYCLE` (a row per allowed
transition: the act, the states it starts from, who may do it, the state it leaves).
:func:`refusal` checks a request against the table and returns the reason it is refused,
with the stable codes of :mod:`app.domain.errors`; the property tests run the table
against the hub's decisions.

This module reads a signal through the small :class:`SignalView` protocol, so it never
imports the reducer (app/domain/state.py imports it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from app.domain import errors as E
from app.domain.config import DEFAULT_PRIORITY, Branch, SignalType, Station
from app.domain.errors import DomainError
from app.domain.roles import ANY_ROLE, Availability, Outcome, Role, SignalState

MAX_NOTE = 500
"""Characters in a note or a reason."""
MAX_TICKET = 20
"""Characters in a customer's ticket number."""
MAX_OPEN_SIGNALS = 200
"""Signals one station may have open (not yet resolved or cancelled) at once. A counter
has a handful open on a busy day; the cap keeps one station (a faulty script, a stolen
key within the rate limits) from filling the snapshot every station must load: 200
signals with the longest notes are under 1 MB."""

UNKNOWN_PRIORITY = DEFAULT_PRIORITY
"""The urgency of a signal whose type this process does not know (a newer hub's): the
same as a type that sets no priority, so it is neither buried nor put first."""


S = TypeVar("S", bound="SignalView")


# What the rules read ------------------------------------------------------------------------
class SignalView(Protocol):
    """What the rules read of a signal (app.domain.state.SignalRecord is one)."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def station(self) -> str: ...
    @property
    def targets(self) -> tuple[str, ...]: ...
    @property
    def to(self) -> str: ...
    @property
    def state(self) -> SignalState: ...
    @property
    def acked_station(self) -> str: ...
    @property
    def acked_staff(self) -> str: ...
    @property
    def raised_ms(self) -> int: ...

    def declined_by(self, station: str) -> bool: ...


# The lifecycle table ------------------------------------------------------------------------
class Act(StrEnum):
    """What a person can do to a signal that is already raised."""

    CLAIM = "claim"
    ARRIVE = "arrive"
    RESOLVE = "resolve"
    DECLINE = "decline"
    CANCEL = "cancel"
    REOFFER = "reoffer"
    """The raiser offers an open handoff again (to one wealth manager, or to any)."""


class Actor(StrEnum):
    """Who may take a transition."""

    TARGET = "target"
    """A station the signal is sent to (by role, by name or by escalation)."""
    CLAIMER = "claimer"
    """The station that claimed it."""
    RAISER = "raiser"
    """The station that raised it."""
    CLAIMER_OR_RAISER = "claimer_or_raiser"


@dataclass(frozen=True)
class Transition:
    act: Act
    source: frozenset[SignalState]
    actor: Actor
    target: SignalState
    handoff_only: bool = False
    """Only a handoff (a signal type with ``handoff = true``) allows it."""
    not_declined: bool = False
    """Refused to a station that has declined this signal."""


_OPEN, _ACKED, _ARRIVED = SignalState.OPEN, SignalState.ACKNOWLEDGED, SignalState.ARRIVED
_LIVE = frozenset({_OPEN, _ACKED, _ARRIVED})

LIFECYCLE: tuple[Transition, ...] = (
    # The first claim wins; a station that declined a handoff cannot claim it after all.
    Transition(Act.CLAIM, frozenset({_OPEN}), Actor.TARGET, _ACKED, not_declined=True),
    # The claimer marks that they arrived; the raiser may confirm it from its own counter
    # (a nurse-call presence button: the person who called sees who came).
    Transition(Act.ARRIVE, frozenset({_ACKED}), Actor.CLAIMER_OR_RAISER, _ARRIVED),
    # Resolving an unclaimed signal is claiming and resolving it at once.
    Transition(Act.RESOLVE, frozenset({_OPEN}), Actor.TARGET, SignalState.RESOLVED),
    Transition(
        Act.RESOLVE, frozenset({_ACKED, _ARRIVED}), Actor.CLAIMER_OR_RAISER, SignalState.RESOLVED
    ),
    Transition(Act.CANCEL, _LIVE, Actor.RAISER, SignalState.CANCELLED),
    # Declining an open handoff leaves it open for the others; the claimer declining it
    # hands it back. Once the customer is being served it can no longer be declined.
    Transition(
        Act.DECLINE, frozenset({_OPEN}), Actor.TARGET, _OPEN, handoff_only=True, not_declined=True
    ),
    Transition(
        Act.DECLINE, frozenset({_ACKED}), Actor.CLAIMER, _OPEN, handoff_only=True, not_declined=True
    ),
    # The raiser may offer an unclaimed handoff again, to one person or to any: after a
    # decline, or when nobody can take it (issue 12).
    Transition(Act.REOFFER, frozenset({_OPEN}), Actor.RAISER, _OPEN, handoff_only=True),
)
"""Every transition a signal can take, and nothing else (escalation is the hub's timer,
not an act: it raises the level and adds a role while the signal stays open)."""


# Who receives and who may read ----------------------------------------------------------------
def is_target(signal: SignalView, station: Station) -> bool:
    """Whether ``station`` receives ``signal``: by name, by role, or added by escalation."""
    if signal.to:
        return station.id == signal.to or station.role.value in signal.targets
    return station.role.value in signal.targets


def can_read(branch: Branch, role: str, code: str) -> bool:
    """Whether a station of ``role`` may read a ``code`` signal's details (a silent
    signal only its targets and its escalation ladder may read)."""
    audience = branch.audience(code)
    return audience is None or role in audience


def can_raise(branch: Branch, role: Role, code: str) -> bool:
    kind = branch.signal_type(code)
    return kind is not None and (ANY_ROLE in kind.raisers or role.value in kind.raisers)


def raisable(branch: Branch, role: Role) -> list[SignalType]:
    """The signal types a station of ``role`` may raise, in the catalog's order."""
    return branch.raisable_by(role)


def can_send_to(branch: Branch, code: str, station: Station) -> bool:
    """Whether a ``code`` signal that goes to one station may go to ``station``: one of
    the type's target roles, or any station when the type names none."""
    kind = branch.signal_type(code)
    if kind is None or not kind.to_station:
        return False
    return not kind.targets or station.role in kind.targets


def destinations(branch: Branch, code: str) -> list[Station]:
    """The stations a to-station ``code`` signal may be sent to, in the config's order."""
    return [s for s in branch.config.stations if can_send_to(branch, code, s)]


def _fits(row: Transition, signal: SignalView, station: Station, handoff: bool) -> bool:
    if signal.state not in row.source or (row.handoff_only and not handoff):
        return False
    if row.not_declined and signal.declined_by(station.id):
        return False
    me = station.id
    match row.actor:
        case Actor.TARGET:
            return is_target(signal, station)
        case Actor.CLAIMER:
            return signal.acked_station == me
        case Actor.RAISER:
            return signal.station == me
        case Actor.CLAIMER_OR_RAISER:
            return me in (signal.acked_station, signal.station)


def transition(branch: Branch, station: Station, act: Act, signal: SignalView) -> Transition | None:
    """The row of :data:`LIFECYCLE` that lets ``station`` ``act`` on ``signal`` now, or None."""
    kind = branch.signal_type(signal.code)
    handoff = kind is not None and kind.handoff
    for row in LIFECYCLE:
        if row.act is act and _fits(row, signal, station, handoff):
            return row
    return None


def acts(branch: Branch, station: Station, signal: SignalView) -> frozenset[Act]:
    """Everything ``station`` may do to ``signal`` now: what a view enables."""
    kind = branch.signal_type(signal.code)
    handoff = kind is not None and kind.handoff
    return frozenset(row.act for row in LIFECYCLE if _fits(row, signal, station, handoff))


def may(branch: Branch, station: Station, act: Act, signal: SignalView) -> bool:
    return transition(branch, station, act, signal) is not None


def refusal(branch: Branch, station: Station, act: Act, signal: SignalView) -> DomainError | None:
    """Why ``station`` may not ``act`` on ``signal`` (None: it may), with the hub's codes.

    The answer is the table's; the checks below only pick the most useful reason, in the
    order a person would want to hear it.
    """
    if transition(branch, station, act, signal) is not None:
        return None
    sig, me = signal, station.id
    if sig.state.terminal:
        return DomainError(E.INVALID_TRANSITION, f"signal {sig.id} is already {sig.state}")
    kind = branch.signal_type(sig.code)
    handoff = kind is not None and kind.handoff
    targeted = is_target(sig, station)

    def not_target(verb: str) -> DomainError:
        return DomainError(
            E.FORBIDDEN,
            f"a {station.role} station ({me}) cannot {verb} {sig.code!r} signal {sig.id}",
        )

    match act:
        case Act.CLAIM:
            if not targeted:
                return not_target("claim")
            if sig.state is not _OPEN:
                who = sig.acked_staff or sig.acked_station
                return DomainError(
                    E.ALREADY_CLAIMED,
                    f"signal {sig.id} was already claimed by {who} ({sig.acked_station})",
                )
            return DomainError(E.FORBIDDEN, f"{me} declined signal {sig.id}")
        case Act.ARRIVE:
            return DomainError(
                E.INVALID_TRANSITION,
                f"signal {sig.id} is {sig.state}; only the station that claimed it "
                f"({sig.acked_station or 'nobody yet'}) or {sig.station}, which raised it, "
                "can mark it arrived",
            )
        case Act.RESOLVE:
            if sig.state is _OPEN:
                return not_target("resolve")
            return DomainError(
                E.FORBIDDEN,
                f"signal {sig.id} is claimed by {sig.acked_station}; only it or "
                f"{sig.station} can resolve it",
            )
        case Act.CANCEL:
            return DomainError(
                E.FORBIDDEN, f"only {sig.station}, which raised signal {sig.id}, can cancel it"
            )
        case Act.DECLINE:
            if not handoff:
                return DomainError(
                    E.BAD_REQUEST, f"{sig.code!r} is not a handoff; it cannot be declined"
                )
            if not targeted:
                return not_target("decline")
            if sig.state is not _OPEN and sig.acked_station != me:
                return DomainError(
                    E.ALREADY_CLAIMED, f"signal {sig.id} is claimed by {sig.acked_station}"
                )
            if sig.state is _ARRIVED:
                return DomainError(E.INVALID_TRANSITION, f"signal {sig.id} is already being served")
            return DomainError(E.INVALID_TRANSITION, f"{me} already declined signal {sig.id}")
        case Act.REOFFER:
            if not handoff:
                return DomainError(
                    E.BAD_REQUEST, f"{sig.code!r} is not a handoff; it cannot be offered again"
                )
            if sig.station != me:
                return DomainError(
                    E.FORBIDDEN,
                    f"only {sig.station}, which raised signal {sig.id}, can re-offer it",
                )
            who = sig.acked_staff or sig.acked_station
            return DomainError(
                E.INVALID_TRANSITION, f"signal {sig.id} was already taken by {who}; not re-offered"
            )
    raise AssertionError(act)  # pragma: no cover - every Act is matched above


# What a resolution means -------------------------------------------------------------------------
def outcomes(branch: Branch, code: str) -> tuple[Outcome, ...]:
    """The outcomes a ``code`` signal may be resolved with.

    A handoff is closed with how it went (served or no-show), which the person closing it
    must choose: nobody's click means "served" without asking. Any other signal is simply
    done. A view asks when this holds more than one outcome.
    """
    kind = branch.signal_type(code)
    if kind is not None and kind.handoff:
        return (Outcome.SERVED, Outcome.NO_SHOW)
    return (Outcome.DONE,)


def needs_outcome(branch: Branch, code: str) -> bool:
    """Whether resolving a ``code`` signal needs the person to choose an outcome."""
    return len(outcomes(branch, code)) > 1


# Urgency ---------------------------------------------------------------------------------------
def priority(branch: Branch, code: str) -> int:
    """1 = most urgent … 4; :data:`UNKNOWN_PRIORITY` for a type this branch does not know."""
    kind = branch.signal_type(code)
    return kind.priority if kind is not None else UNKNOWN_PRIORITY


def urgency_key(branch: Branch, signal: SignalView) -> tuple[int, int, int]:
    """The branch's urgency order: priority first, then the oldest, then the first raised."""
    return (priority(branch, signal.code), signal.raised_ms, signal.id)


def by_urgency(branch: Branch, signals: Iterable[S]) -> list[S]:
    """``signals`` most urgent first (see :func:`urgency_key`)."""
    return sorted(signals, key=lambda s: urgency_key(branch, s))


def waiting_first_key(
    branch: Branch, signal: SignalView, me: str = ""
) -> tuple[int, int, int, int]:
    """Unclaimed calls first, then those ``me`` claimed, then others'; each by urgency.

    The order of a responder's list (the lobby desk, the floor map's marks): what still
    needs someone comes before what someone already took.
    """
    if signal.state is _OPEN:
        group = 0
    elif me and signal.acked_station == me:
        group = 1
    else:
        group = 2
    return (group, *urgency_key(branch, signal))


def most_urgent_waiting(branch: Branch, signals: Iterable[S]) -> S | None:
    """The call to take next: the most urgent signal nobody has claimed yet."""
    waiting = [s for s in signals if s.state is _OPEN]
    return min(waiting, key=lambda s: urgency_key(branch, s)) if waiting else None


# Broadcasts and pauses (issue 12) -----------------------------------------------------------
BROADCASTERS = frozenset({Role.LOBBY_MANAGER, Role.BRANCH_HEAD})
"""Who may send a broadcast to the stations (a lobby desk's or the branch head's)."""
MAX_BROADCAST = 60
"""Characters in a broadcast: a line read at a glance (十分钟后开晨会), not a letter."""
MAX_BROADCASTS_A_DAY = 50
"""Broadcasts a branch may send in a day: each stays in every station's state until
midnight, so a faulty script must not fill it."""
PAUSE_LENGTHS_MIN = (5, 10, 15, 30)
"""The expected lengths a pause dialog offers, in minutes."""
MAX_PAUSE_MIN = 240
"""The longest expected pause the hub accepts, in minutes (a half day)."""


def can_broadcast(role: Role) -> bool:
    """Whether a station of ``role`` may send a broadcast."""
    return role in BROADCASTERS


def broadcast_recipients(branch: Branch, sender: Station, zone: str = "") -> tuple[str, ...]:
    """The stations that are to acknowledge ``sender``'s broadcast to ``zone`` ("" = all):
    every station of the zone, in the config's order, except the sender itself and the
    public screens (a staff message is not for the customers' eyes)."""
    return tuple(
        s.id
        for s in branch.config.stations
        if s.id != sender.id and not s.public and (not zone or s.zone == zone)
    )


# Offers: naming a wealth manager, availability, nobody left to take it (issue 12) ------------
# Availability follows contact-centre routing (Twilio TaskRouter's "Activities": each
# state says whether the worker is eligible for new offers, and none is offered to a
# worker who is not), with one difference made for a bank: "with a customer" still
# takes an offer naming them, since a VIP waits for their own manager (专属客户经理).
AVAILABILITY_ROLES = frozenset({Role.WEALTH_MANAGER})
"""The roles whose stations say whether they can take a customer now."""


def has_availability(station: Station) -> bool:
    return station.role in AVAILABILITY_ROLES


def serving_role(branch: Branch, code: str) -> Role | None:
    """The role that serves a ``code`` handoff: its type's first target role (a VIP goes
    to the wealth managers and the branch head; the wealth manager serves, the branch
    head is told). An offer may name one station (one person) of it. None: not a
    handoff that goes to roles."""
    kind = branch.signal_type(code)
    if kind is None or not kind.handoff or kind.to_station or not kind.targets:
        return None
    return kind.targets[0]


def offer_choices(branch: Branch, code: str) -> list[Station]:
    """The stations a ``code`` handoff may be offered to by name, in the config's order."""
    role = serving_role(branch, code)
    return [] if role is None else branch.stations_of(role)


def offer_targets(branch: Branch, code: str, to: str, keep: Iterable[str] = ()) -> tuple[str, ...]:
    """The target roles of a ``code`` handoff offered to station ``to`` ('' = any): to
    any, the type's roles; to one station, the type's roles but the serving one (the
    others are still told). ``keep``: roles added since (by escalation), kept."""
    kind = branch.signal_type(code)
    roles = [r.value for r in kind.targets] if kind is not None else []
    role = serving_role(branch, code)
    if to and role is not None:
        roles = [r for r in roles if r != role.value]
    return tuple(dict.fromkeys([*roles, *keep]))


def offer_refusal(
    branch: Branch, code: str, station: Station, availability: Mapping[str, str]
) -> DomainError | None:
    """Why a ``code`` handoff may not be offered to ``station`` by name (None: it may).

    The rule: an offer may name a station of the serving role
    (:func:`serving_role`) whose person is available or with a customer (they take it
    when they are free; the raiser sees that they are busy). A person who is away is
    refused, by name, so the raiser picks another or "any" at once instead of waiting
    on an empty desk.
    """
    role = serving_role(branch, code)
    if role is None:
        return DomainError(E.BAD_REQUEST, f"{code!r} goes to roles, not to one station")
    if station.role is not role:
        return DomainError(
            E.BAD_REQUEST, f"{code!r} cannot be offered to {station.id} ({station.role})"
        )
    if availability.get(station.id) == Availability.AWAY.value:
        return DomainError(
            E.UNAVAILABLE, f"{station.id} is away; offer it to someone else or to any"
        )
    return None


def takers(branch: Branch, signal: SignalView) -> list[Station]:
    """Who the current offer of a handoff is for: the named station, or every station
    of the serving role."""
    if signal.to:
        named = branch.station(signal.to)
        return [named] if named is not None else []
    return offer_choices(branch, signal.code)


def nobody_can_take(branch: Branch, signal: SignalView, availability: Mapping[str, str]) -> bool:
    """Whether an unclaimed handoff has nobody left to take it: every station it is
    offered to (:func:`takers`) declined this offer or is away. The raiser and the lobby
    manager are then told, so the handoff is offered again or closed, never left open
    unseen."""
    if signal.state is not _OPEN or serving_role(branch, signal.code) is None:
        return False
    return all(
        signal.declined_by(s.id) or availability.get(s.id) == Availability.AWAY.value
        for s in takers(branch, signal)
    )


__all__ = [
    "AVAILABILITY_ROLES",
    "BROADCASTERS",
    "LIFECYCLE",
    "MAX_BROADCAST",
    "MAX_BROADCASTS_A_DAY",
    "MAX_NOTE",
    "MAX_PAUSE_MIN",
    "MAX_TICKET",
    "PAUSE_LENGTHS_MIN",
    "UNKNOWN_PRIORITY",
    "Act",
    "Actor",
    "Transition",
    "acts",
    "broadcast_recipients",
    "by_urgency",
    "can_broadcast",
    "can_raise",
    "can_read",
    "can_send_to",
    "destinations",
    "has_availability",
    "is_target",
    "may",
    "most_urgent_waiting",
    "needs_outcome",
    "nobody_can_take",
    "offer_choices",
    "offer_refusal",
    "offer_targets",
    "outcomes",
    "priority",
    "raisable",
    "refusal",
    "serving_role",
    "takers",
    "urgency_key",
    "waiting_first_key",
]
