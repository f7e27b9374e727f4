"""The branch's rules, once: who may do what to a signal, in what order calls are taken,
and what closing a handoff means.

The hub asks :func:`decide` whether a command is allowed and which event it makes; the
views ask :func:`acts` which buttons to enable and :func:`by_urgency` how to sort; the
simulator asks the same. Nothing else re-derives a rule.

The signal lifecycle is the declarative table :data:`LIFECYCLE` (a row per allowed
transition: the act, the states it starts from, who may do it, the state it leaves).
:func:`refusal` checks a request against the table and returns the reason it is refused,
with the stable codes of :mod:`app.domain.errors`; the property tests run the table
against the hub's decisions.

This module reads a branch's state through the small :class:`StateView` protocol, so it
never imports the reducer (app/domain/state.py imports it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

from app.domain import errors as E
from app.domain.config import DEFAULT_PRIORITY, Branch, SignalType, Station
from app.domain.errors import DomainError
from app.domain.events import (
    Acknowledge,
    Arrive,
    Cancel,
    Command,
    CounterStatusChanged,
    Decline,
    Event,
    RaiseSignal,
    Resolve,
    SetStatus,
    SignalAcknowledged,
    SignalArrived,
    SignalCancelled,
    SignalDeclined,
    SignalRaised,
    SignalResolved,
    SignIn,
    SignOut,
    StaffSignedIn,
    StaffSignedOut,
)
from app.domain.roles import ANY_ROLE, CounterStatus, Outcome, Role, SignalState

MAX_NOTE = 500
"""Characters in a note or a reason."""
MAX_TICKET = 20
"""Characters in a customer's ticket number."""

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


class CounterView(Protocol):
    @property
    def status(self) -> CounterStatus: ...
    @property
    def reason(self) -> str: ...


class StateView(Protocol):
    """What the rules read of the branch's state (app.domain.state.BranchState is one)."""

    @property
    def branch(self) -> Branch: ...
    @property
    def staff_at(self) -> Mapping[str, str]: ...
    @property
    def counters(self) -> Mapping[str, CounterView]: ...

    def signal(self, signal_id: int) -> SignalView: ...


# The lifecycle table ------------------------------------------------------------------------
class Act(StrEnum):
    """What a person can do to a signal that is already raised."""

    CLAIM = "claim"
    ARRIVE = "arrive"
    RESOLVE = "resolve"
    DECLINE = "decline"
    CANCEL = "cancel"


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
    Transition(Act.ARRIVE, frozenset({_ACKED}), Actor.CLAIMER, _ARRIVED),
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
                f"({sig.acked_station or 'nobody yet'}) can mark it arrived",
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


# Deciding commands -------------------------------------------------------------------------------
_LIFECYCLE_COMMANDS: dict[type, Act] = {
    Acknowledge: Act.CLAIM,
    Arrive: Act.ARRIVE,
    Resolve: Act.RESOLVE,
    Cancel: Act.CANCEL,
    Decline: Act.DECLINE,
}


def act_of(command: Command) -> Act | None:
    """The lifecycle act a command asks for (None: a raise or a station command)."""
    return _LIFECYCLE_COMMANDS.get(type(command))


def decide(state: StateView, station_id: str, command: Command, new_id: int) -> Event:
    """Check ``command`` from ``station_id`` against the rules; return the event it makes.

    ``new_id`` is the id a raised signal gets (the hub's next sequence number). Raises
    DomainError with a code and a reason when the rules refuse it.
    """
    branch = state.branch
    station = branch.station(station_id)
    if station is None:
        raise DomainError(E.FORBIDDEN, f"{station_id!r} is not a station of this branch")
    staff = _actor(state, station, command)
    act = act_of(command)
    if act is not None:
        assert isinstance(command, Acknowledge | Arrive | Resolve | Cancel | Decline)
        sig = state.signal(command.signal_id)
        problem = refusal(branch, station, act, sig)
        if problem is not None:
            raise problem
        return _lifecycle_event(branch, station, staff, command, sig)
    match command:
        case RaiseSignal():
            return _decide_raise(branch, station, staff, command, new_id)
        case SetStatus():
            return _decide_status(state, station, staff, command)
        case SignIn():
            return _decide_sign_in(branch, station, command)
        case SignOut():
            if not state.staff_at.get(station.id):
                raise DomainError(E.INVALID_TRANSITION, f"nobody is signed in at {station.id}")
            return StaffSignedOut(station=station.id, staff=state.staff_at[station.id])
    raise DomainError(E.BAD_REQUEST, f"unknown command {type(command).__name__}")


def _actor(state: StateView, station: Station, command: Command) -> str:
    """Who acts: the named person (who must work in this station's role) or whoever is
    signed in at the station."""
    if isinstance(command, SignIn):
        return command.staff
    if not command.staff:
        return state.staff_at.get(station.id, "")
    person = state.branch.staff_member(command.staff)
    if person is None:
        raise DomainError(E.FORBIDDEN, f"{command.staff!r} is not on the branch roster")
    if station.role not in person.roles:
        raise DomainError(
            E.FORBIDDEN, f"{command.staff} does not work as {station.role} ({station.id})"
        )
    return command.staff


def _one_of(what: str, value: str, allowed: Sequence[str] | set[str]) -> None:
    """Refuse ``value`` when the config lists ``allowed`` values and it is not one of them."""
    if value and allowed and value not in allowed:
        raise DomainError(
            E.BAD_REQUEST, f"unknown {what} {value!r}; one of: {', '.join(sorted(allowed))}"
        )


def _check_note(note: str, what: str = "note") -> None:
    if len(note) > MAX_NOTE:
        raise DomainError(E.BAD_REQUEST, f"the {what} is longer than {MAX_NOTE} characters")


def _lifecycle_event(
    branch: Branch, station: Station, staff: str, command: Command, sig: SignalView
) -> Event:
    match command:
        case Acknowledge():
            return SignalAcknowledged(signal_id=sig.id, station=station.id, staff=staff)
        case Arrive():
            return SignalArrived(signal_id=sig.id, station=station.id, staff=staff)
        case Cancel():
            return SignalCancelled(signal_id=sig.id, station=station.id, staff=staff)
        case Resolve():
            outcome = _resolution_outcome(branch, sig, command)
            _check_note(command.note)
            return SignalResolved(
                signal_id=sig.id,
                outcome=outcome,
                product=command.product,
                note=command.note,
                station=station.id,
                staff=staff,
            )
        case Decline():
            if not command.reason:
                raise DomainError(E.BAD_REQUEST, "a decline needs a reason")
            _one_of(
                "decline reason", command.reason, {r.code for r in branch.config.decline_reasons}
            )
            return SignalDeclined(
                signal_id=sig.id, reason=command.reason, station=station.id, staff=staff
            )
    raise AssertionError(command)  # pragma: no cover - act_of matched one of the five


def _resolution_outcome(branch: Branch, sig: SignalView, cmd: Resolve) -> str:
    allowed = outcomes(branch, sig.code)
    if len(allowed) > 1:  # a handoff: how it went, and what was sold
        if cmd.outcome not in allowed:
            names = " or ".join(sorted(o.value for o in allowed))
            raise DomainError(E.BAD_REQUEST, f"handoff {sig.id} needs an outcome: {names}")
        _one_of("product", cmd.product, {p.code for p in branch.config.products})
        return cmd.outcome
    if cmd.outcome not in ("", Outcome.DONE.value):
        raise DomainError(E.BAD_REQUEST, f"{sig.code!r} takes no outcome, not {cmd.outcome!r}")
    if cmd.product:
        raise DomainError(E.BAD_REQUEST, f"{sig.code!r} is not a handoff: no product")
    return Outcome.DONE.value


def _decide_raise(
    branch: Branch, station: Station, staff: str, cmd: RaiseSignal, new_id: int
) -> SignalRaised:
    kind = branch.signal_type(cmd.code)
    if kind is None:
        raise DomainError(E.BAD_REQUEST, f"unknown signal type {cmd.code!r}")
    if not can_raise(branch, station.role, cmd.code):
        raise DomainError(E.FORBIDDEN, f"a {station.role} station cannot raise {cmd.code!r}")
    _check_note(cmd.note)
    if len(cmd.ticket) > MAX_TICKET:
        raise DomainError(E.BAD_REQUEST, f"the ticket is longer than {MAX_TICKET} characters")
    _one_of("need", cmd.need, {n.code for n in branch.config.needs})
    to = ""
    if kind.to_station:
        target = branch.station(cmd.to) if cmd.to else None
        if target is None:
            raise DomainError(E.BAD_REQUEST, f"{cmd.code!r} needs a target station (--to)")
        if not can_send_to(branch, kind.code, target):
            raise DomainError(
                E.BAD_REQUEST, f"{cmd.code!r} cannot be sent to {target.id} ({target.role})"
            )
        to = target.id
    elif cmd.to:
        raise DomainError(E.BAD_REQUEST, f"{cmd.code!r} goes to roles, not to one station")
    targets = () if kind.to_station else tuple(r.value for r in kind.targets)
    return SignalRaised(
        signal_id=new_id,
        code=kind.code,
        targets=targets,
        to=to,
        note=cmd.note,
        ticket=cmd.ticket,
        need=cmd.need,
        station=station.id,
        staff=staff,
    )


def _decide_status(state: StateView, station: Station, staff: str, cmd: SetStatus) -> Event:
    if station.role is not Role.TELLER:
        raise DomainError(E.FORBIDDEN, f"{station.id} is not a counter; it has no status")
    if cmd.status is CounterStatus.PAUSED:
        if not cmd.reason:
            raise DomainError(E.BAD_REQUEST, "pausing a counter needs a reason")
        _one_of("pause reason", cmd.reason, {r.code for r in state.branch.config.pause_reasons})
    _check_note(cmd.reason, "reason")
    current = state.counters.get(station.id)
    status = current.status if current is not None else CounterStatus.OPEN
    reason = current.reason if current is not None else ""
    if status is cmd.status and reason == cmd.reason:
        raise DomainError(E.INVALID_TRANSITION, f"{station.id} is already {cmd.status}")
    return CounterStatusChanged(
        status=cmd.status, reason=cmd.reason, station=station.id, staff=staff
    )


def _decide_sign_in(branch: Branch, station: Station, cmd: SignIn) -> Event:
    person = branch.staff_member(cmd.staff)
    if person is None:
        raise DomainError(E.FORBIDDEN, f"{cmd.staff!r} is not on the branch roster")
    if station.role not in person.roles:
        raise DomainError(
            E.FORBIDDEN, f"{person.id} does not work as {station.role} ({station.id})"
        )
    if person.pin and cmd.pin != person.pin:
        raise DomainError(E.FORBIDDEN, f"wrong PIN for {person.id}")
    return StaffSignedIn(station=station.id, staff=person.id)


__all__ = [
    "LIFECYCLE",
    "MAX_NOTE",
    "MAX_TICKET",
    "UNKNOWN_PRIORITY",
    "Act",
    "Actor",
    "StateView",
    "Transition",
    "act_of",
    "acts",
    "by_urgency",
    "can_raise",
    "can_read",
    "can_send_to",
    "decide",
    "destinations",
    "is_target",
    "may",
    "most_urgent_waiting",
    "needs_outcome",
    "outcomes",
    "priority",
    "raisable",
    "refusal",
    "urgency_key",
    "waiting_first_key",
]
