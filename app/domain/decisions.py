"""Deciding a command: the hub's one question, answered by the branch's rules.

:func:`decide` checks a command from a station against :mod:`app.domain.policy` (the
lifecycle table, who may raise what and send it where, what a resolution carries) and
the values the branch's config allows, and returns the one event it makes, or raises
DomainError with a stable code and a reason. ``BranchState.decide`` asks it with the
state; the simulator and the tests ask it too.

It reads the state through the small :class:`StateView` protocol, so it never imports
the reducer (app/domain/state.py imports it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from app.domain import errors as E
from app.domain.config import Branch, Station
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
from app.domain.policy import (
    MAX_NOTE,
    MAX_OPEN_SIGNALS,
    MAX_TICKET,
    Act,
    SignalView,
    can_raise,
    can_send_to,
    outcomes,
    refusal,
)
from app.domain.roles import CounterStatus, Outcome, Role


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


def check_open_cap(station_id: str, command: Command, open_now: int) -> None:
    """Refuse a raise from a station that already has :data:`MAX_OPEN_SIGNALS` open
    (``open_now``: its signals not yet resolved or cancelled). The hub asks this before
    :func:`decide`, with the count it keeps per station."""
    if isinstance(command, RaiseSignal) and open_now >= MAX_OPEN_SIGNALS:
        raise DomainError(
            E.TOO_MANY_OPEN,
            f"{station_id} already has {open_now} open signals, the most a station may "
            "have; resolve or cancel some first",
        )


def _actor(state: StateView, station: Station, command: Command) -> str:
    """Who acts: whoever is signed in at the station, or the person the command names.

    A command may name only the person signed in at its station: naming anyone else would
    let one person act (and be journaled) as another. Commands carry no PIN (only
    ``sign_in`` does), so naming someone else is refused outright; with nobody signed in,
    a person with a PIN must sign in first, one without a PIN (the branch chose none) may
    be named.
    """
    if isinstance(command, SignIn):
        return command.staff
    signed_in = state.staff_at.get(station.id, "")
    if not command.staff:
        return signed_in
    person = state.branch.staff_member(command.staff)
    if person is None:
        raise DomainError(E.FORBIDDEN, f"{command.staff!r} is not on the branch roster")
    if station.role not in person.roles:
        raise DomainError(
            E.FORBIDDEN, f"{command.staff} does not work as {station.role} ({station.id})"
        )
    if command.staff != signed_in and (signed_in or person.pin):
        raise DomainError(
            E.FORBIDDEN, f"{command.staff} is not signed in at {station.id}; sign in first"
        )
    return command.staff


def _one_of(what: str, value: str, allowed: Sequence[str] | set[str]) -> None:
    """Refuse ``value`` when the config lists ``allowed`` values and it is not one of them,
    and a free text (the config lists none) longer than a note."""
    _check_note(value, what)
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


__all__ = ["CounterView", "StateView", "act_of", "decide"]
