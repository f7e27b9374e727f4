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

import msgspec

from app.domain import errors as E
from app.domain.config import Branch, Station
from app.domain.errors import DomainError
from app.domain.events import (
    AckBroadcast,
    Acknowledge,
    Arrive,
    AvailabilityChanged,
    Broadcast,
    BroadcastAcknowledged,
    BroadcastSent,
    Cancel,
    Command,
    CounterStatusChanged,
    Decline,
    Event,
    RaiseSignal,
    Reoffer,
    Resolve,
    SetAvailability,
    SetStatus,
    SignalAcknowledged,
    SignalArrived,
    SignalCancelled,
    SignalDeclined,
    SignalRaised,
    SignalReoffered,
    SignalResolved,
    SignIn,
    SignOut,
    StaffSignedIn,
    StaffSignedOut,
)
from app.domain.policy import (
    MAX_BROADCAST,
    MAX_BROADCASTS_A_DAY,
    MAX_NOTE,
    MAX_OPEN_SIGNALS,
    MAX_PAUSE_MIN,
    MAX_TICKET,
    Act,
    SignalView,
    broadcast_recipients,
    can_broadcast,
    can_raise,
    can_send_to,
    has_availability,
    offer_refusal,
    offer_targets,
    outcomes,
    refusal,
    serving_role,
)
from app.domain.roles import CounterStatus, Outcome, Role


class CounterView(Protocol):
    @property
    def status(self) -> CounterStatus: ...
    @property
    def reason(self) -> str: ...


class BroadcastView(Protocol):
    """What the rules read of a broadcast (app.domain.state.BroadcastRecord is one)."""

    @property
    def recipients(self) -> tuple[str, ...]: ...
    @property
    def acks(self) -> Mapping[str, int]: ...


class StateView(Protocol):
    """What the rules read of the branch's state (app.domain.state.BranchState is one)."""

    @property
    def branch(self) -> Branch: ...
    @property
    def staff_at(self) -> Mapping[str, str]: ...
    @property
    def counters(self) -> Mapping[str, CounterView]: ...
    @property
    def broadcasts(self) -> Mapping[int, BroadcastView]: ...
    @property
    def pause_lengths(self) -> Mapping[str, int]: ...
    @property
    def availability(self) -> Mapping[str, str]: ...

    def signal(self, signal_id: int) -> SignalView: ...


_LIFECYCLE_COMMANDS: dict[type, Act] = {
    Acknowledge: Act.CLAIM,
    Arrive: Act.ARRIVE,
    Resolve: Act.RESOLVE,
    Cancel: Act.CANCEL,
    Decline: Act.DECLINE,
    Reoffer: Act.REOFFER,
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
        assert isinstance(command, Acknowledge | Arrive | Resolve | Cancel | Decline | Reoffer)
        sig = state.signal(command.signal_id)
        problem = refusal(branch, station, act, sig)
        if problem is not None:
            raise problem
        if isinstance(command, Reoffer):
            return _decide_reoffer(state, station, staff, command, sig)
        return _lifecycle_event(branch, station, staff, command, sig)
    match command:
        case RaiseSignal():
            if command.to and serving_role(branch, command.code) is not None:
                return _decide_named_raise(state, station, staff, command, new_id)
            return _decide_raise(branch, station, staff, command, new_id)
        case SetAvailability():
            return _decide_availability(state, station, staff, command)
        case SetStatus():
            return _decide_status(state, station, staff, command)
        case SignIn():
            return _decide_sign_in(branch, station, command)
        case SignOut():
            if not state.staff_at.get(station.id):
                raise DomainError(E.INVALID_TRANSITION, f"nobody is signed in at {station.id}")
            return StaffSignedOut(station=station.id, staff=state.staff_at[station.id])
        case Broadcast():
            return _decide_broadcast(state, station, staff, command, new_id)
        case AckBroadcast():
            return _decide_ack_broadcast(state, station, staff, command)
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
    _check_pause_length(cmd)
    current = state.counters.get(station.id)
    status = current.status if current is not None else CounterStatus.OPEN
    reason = current.reason if current is not None else ""
    expected = state.pause_lengths.get(station.id, 0)
    if status is cmd.status and reason == cmd.reason and expected == cmd.expected_min:
        raise DomainError(E.INVALID_TRANSITION, f"{station.id} is already {cmd.status}")
    return CounterStatusChanged(
        status=cmd.status,
        reason=cmd.reason,
        expected_min=cmd.expected_min,
        station=station.id,
        staff=staff,
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


# Broadcasts and pause lengths (issue 12) ------------------------------------------------------
def _check_pause_length(cmd: SetStatus) -> None:
    """A pause may say how long it is expected to last: whole minutes, up to
    :data:`MAX_PAUSE_MIN`; only a pause has a length."""
    if not cmd.expected_min:
        return
    if cmd.status is not CounterStatus.PAUSED:
        raise DomainError(E.BAD_REQUEST, "only a pause has an expected length")
    if not 0 < cmd.expected_min <= MAX_PAUSE_MIN:
        raise DomainError(
            E.BAD_REQUEST,
            f"a pause's expected length is 1 to {MAX_PAUSE_MIN} minutes, not {cmd.expected_min}",
        )


def _decide_broadcast(
    state: StateView, station: Station, staff: str, cmd: Broadcast, new_id: int
) -> BroadcastSent:
    branch = state.branch
    if not can_broadcast(station.role):
        raise DomainError(E.FORBIDDEN, f"a {station.role} station cannot send a broadcast")
    text = cmd.text.strip()
    if not text:
        raise DomainError(E.BAD_REQUEST, "a broadcast needs a text")
    if len(text) > MAX_BROADCAST:
        raise DomainError(
            E.BAD_REQUEST, f"a broadcast is at most {MAX_BROADCAST} characters, not {len(text)}"
        )
    if any(ch < " " or ch == "\x7f" for ch in text):
        raise DomainError(E.BAD_REQUEST, "a broadcast is one line, without control characters")
    if cmd.zone and cmd.zone not in branch.zones:
        raise DomainError(
            E.BAD_REQUEST, f"unknown zone {cmd.zone!r}; one of: {', '.join(sorted(branch.zones))}"
        )
    if len(state.broadcasts) >= MAX_BROADCASTS_A_DAY:
        raise DomainError(
            E.TOO_MANY_OPEN, f"{MAX_BROADCASTS_A_DAY} broadcasts were sent today, the most a day"
        )
    recipients = broadcast_recipients(branch, station, cmd.zone)
    if not recipients:
        raise DomainError(E.BAD_REQUEST, f"no station in zone {cmd.zone!r} would receive it")
    return BroadcastSent(
        broadcast_id=new_id,
        text=text,
        zone=cmd.zone,
        recipients=recipients,
        station=station.id,
        staff=staff,
    )


# Loops closed (issue 12): offers named to one wealth manager, availability -------------
def offered_station(state: StateView, code: str, to: str) -> Station:
    """The station an offer of a ``code`` handoff names: ``to`` is a station id, or the
    id of a person signed in at a station of the serving role. Raises DomainError when
    it names nobody who could take it (:func:`app.domain.policy.offer_refusal`)."""
    branch = state.branch
    station = branch.station(to)
    if station is None:
        person = branch.staff_member(to)
        if person is None:
            raise DomainError(E.BAD_REQUEST, f"{to[:40]!r} is neither a station nor a staff member")
        role = serving_role(branch, code)
        where = [s for s, who in state.staff_at.items() if who == person.id]
        station = next(
            (st for s in where if (st := branch.station(s)) is not None and st.role is role),
            None,
        )
        if station is None:
            raise DomainError(
                E.UNAVAILABLE, f"{person.id} is not signed in at a {role} station; offer to any"
            )
    problem = offer_refusal(branch, code, station, state.availability)
    if problem is not None:
        raise problem
    return station


def _decide_named_raise(
    state: StateView, station: Station, staff: str, cmd: RaiseSignal, new_id: int
) -> SignalRaised:
    """A handoff raised for one wealth manager: checked as any raise, then sent to them."""
    named = offered_station(state, cmd.code, cmd.to)
    any_offer = msgspec.structs.replace(cmd, to="")
    event = _decide_raise(state.branch, station, staff, any_offer, new_id)
    event.to = named.id
    event.targets = offer_targets(state.branch, cmd.code, named.id)
    return event


def _decide_reoffer(
    state: StateView, station: Station, staff: str, cmd: Reoffer, sig: SignalView
) -> SignalReoffered:
    branch = state.branch
    to = offered_station(state, sig.code, cmd.to).id if cmd.to else ""
    kind = branch.signal_type(sig.code)
    kind_roles = {r.value for r in kind.targets} if kind is not None else set()
    escalated = [r for r in sig.targets if r not in kind_roles]
    return SignalReoffered(
        signal_id=sig.id,
        to=to,
        targets=offer_targets(branch, sig.code, to, escalated),
        station=station.id,
        staff=staff,
    )


def _decide_ack_broadcast(
    state: StateView, station: Station, staff: str, cmd: AckBroadcast
) -> BroadcastAcknowledged:
    found = state.broadcasts.get(cmd.broadcast_id)
    if found is None:
        raise DomainError(E.NOT_FOUND, f"there is no broadcast {cmd.broadcast_id} today")
    if station.id not in found.recipients:
        raise DomainError(E.FORBIDDEN, f"broadcast {cmd.broadcast_id} was not sent to {station.id}")
    if station.id in found.acks:
        raise DomainError(
            E.INVALID_TRANSITION, f"{station.id} already acknowledged broadcast {cmd.broadcast_id}"
        )
    return BroadcastAcknowledged(broadcast_id=cmd.broadcast_id, station=station.id, staff=staff)


def _decide_availability(
    state: StateView, station: Station, staff: str, cmd: SetAvailability
) -> AvailabilityChanged:
    if not has_availability(station):
        raise DomainError(
            E.FORBIDDEN, f"{station.id} is a {station.role} station; it sets no availability"
        )
    if state.availability.get(station.id) == cmd.availability.value:
        raise DomainError(E.INVALID_TRANSITION, f"{station.id} is already {cmd.availability}")
    return AvailabilityChanged(availability=cmd.availability, station=station.id, staff=staff)


__all__ = ["BroadcastView", "CounterView", "StateView", "act_of", "decide", "offered_station"]
