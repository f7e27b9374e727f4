"""A traffic simulator: the demo branch at work, for the demo and the tests.

Qt-free. Each simulated station is a StationSession of its own (the same code a real
station runs), all driven from one thread with its own zmq.Context. Tellers call the
lobby manager, ask for authorization, refer customers, pause for a meal and resume;
the lobby manager claims, walks over, resolves and sends customers to counters;
wealth managers accept, decline and serve handoffs; the supervisor authorizes; a
complaint now and then. Delays are human (seconds), divided by ``speed``.

The simulator may act as stations that also have a window open (the demo does): its
commands go through its own session, and the windows show them like anyone else's.

What a simulated person *may* do is the branch's policy (app.domain.policy, which the
hub applies): the simulator asks it before every claim, arrival, resolution, decline,
cancel and raise, and takes the outcomes of a resolution from it. What it keeps of its
own is the people's habits: which calls each role takes on, how long they take, how
often they decline.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import random
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path

import zmq

from app import log
from app.domain import policy
from app.domain.config import Branch, Station
from app.domain.events import (
    Acknowledge,
    Arrive,
    Cancel,
    Command,
    Decline,
    RaiseSignal,
    Resolve,
    SetStatus,
    SignIn,
    command_kind,
)
from app.domain.policy import Act
from app.domain.roles import CounterStatus, Outcome, Role, SignalState
from app.domain.state import BranchState, SignalRecord
from app.station import StationSession
from messaging.envelope import Accepted, Rejected
from messaging.keys import station_keys
from messaging.sockets import Endpoint

POLL_MS = 50
REACT_S = 0.1
"""Simulated people look at their screens ten times a second, not at every event."""

# Which of the calls a role may claim (the policy says which) its people take on, and
# how long they take (seconds, at speed 1). The branch head leaves VIPs to the wealth
# managers and the queue to the supervisor; nobody answers a silent alarm.
ANSWERS: dict[Role, frozenset[str]] = {
    Role.LOBBY_MANAGER: frozenset({"assist"}),
    Role.SUPERVISOR: frozenset({"authorize", "cash", "device_fault", "queue_alert", "assist"}),
    Role.WEALTH_MANAGER: frozenset({"refer_wealth", "vip", "cover_counter"}),
    Role.BRANCH_HEAD: frozenset({"complaint", "assist", "authorize"}),
    Role.TELLER: frozenset({"direct_counter"}),
}
CLAIM_S: dict[Role, tuple[float, float]] = {
    Role.LOBBY_MANAGER: (2.0, 6.0),
    Role.SUPERVISOR: (2.0, 7.0),
    Role.WEALTH_MANAGER: (2.0, 6.0),
    Role.BRANCH_HEAD: (4.0, 9.0),
    Role.TELLER: (1.0, 3.0),
}
WALKS = frozenset({"assist", "complaint", "refer_wealth", "vip", "cover_counter", "device_fault"})
"""Signals whose claimer goes over (marks arrived) before resolving."""
HANDOFF_RESOLVE_S = (5.0, 10.0)
RESOLVE_S = (3.0, 7.0)
ARRIVE_S = (2.0, 5.0)
TELLER_TURN_S = (8.0, 20.0)
LOBBY_TURN_S = (12.0, 25.0)
HEAD_TURN_S = (40.0, 80.0)
PAUSE_S = (6.0, 14.0)
DECLINE_FIRST_S = (0.5, 1.5)
SLOW_LOBBY = 0.08
"""Share of calls the lobby manager is too busy to claim in time (they escalate)."""

NOTES_FILE = "sim_notes.toml"
"""What simulated staff write in a signal's note, by type and language (in resources/)."""


@functools.cache
def notes() -> dict[str, dict[str, list[str]]]:
    text = resources.files("resources").joinpath(NOTES_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def assign_staff(branch: Branch, stations: Iterable[str]) -> dict[str, str]:
    """A roster member for each station, in config order, nobody twice.

    Prefers people with only that role, so a teller who can also run the lobby is kept
    for the lobby when needed; stations nobody can staff are left out.
    """
    wanted = set(stations)
    taken: set[str] = set()
    out: dict[str, str] = {}
    for station in branch.config.stations:
        if station.id not in wanted:
            continue
        fits = [p for p in branch.config.staff if station.role in p.roles and p.id not in taken]
        if not fits:
            continue
        person = min(fits, key=lambda p: (p.roles[0] is not station.role, len(p.roles)))
        taken.add(person.id)
        out[station.id] = person.id
    return out


@dataclass(order=True)
class _Task:
    due: float
    order: int
    action: Callable[[], None]


class Simulator:
    """Simulated staff at ``stations`` (default: every station) of a branch.

    ``start()`` runs it in a thread; ``stop()`` ends it and closes its sockets.
    ``actions`` counts the commands the hub accepted, by kind; ``rejections`` the rest
    (a window's user may claim first: that is normal).
    """

    def __init__(
        self,
        branch: Branch,
        endpoint: Endpoint,
        stations: Iterable[str] | None = None,
        *,
        speed: float = 1.0,
        seed: int | None = None,
        lang: str = "zh_CN",
        clock: Callable[[], float] = time.monotonic,
        keys_dir: Path | None = None,
    ) -> None:
        """``keys_dir``: the branch's key folder (CURVE); None for a hub run --insecure."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.branch = branch
        self.endpoint = endpoint
        ids = list(stations) if stations is not None else list(branch.stations)
        unknown = [s for s in ids if branch.station(s) is None]
        if unknown:
            raise ValueError(f"not stations of this branch: {', '.join(unknown)}")
        self.stations = ids
        self.keys_dir = keys_dir
        self.speed = speed
        self.lang = "zh_CN" if lang.startswith("zh") else "en"
        self.rng = random.Random(seed)
        self._clock = clock
        self.actions: Counter[str] = Counter()
        self.rejections: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sessions: dict[str, StationSession] = {}
        self._sent: dict[str, str] = {}
        self._tasks: list[_Task] = []
        self._order = itertools.count()
        self._planned: set[tuple[str, int, str]] = set()
        self._tickets = itertools.count(1)
        self._declined_one = False
        self._started = False
        self._reacted = 0.0
        self.error: BaseException | None = None

    # Life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="lobbylink-sim", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run(self) -> None:
        """The simulator's loop (blocks until :meth:`stop`)."""
        ctx = zmq.Context()
        try:
            for sid in self.stations:
                keys = station_keys(self.keys_dir, sid) if self.keys_dir else None
                session = StationSession(self.branch, sid, self.endpoint, ctx, keys=keys)
                session.on_reply = self._on_reply
                self._sessions[sid] = session
                session.start()
            poller = zmq.Poller()
            for session in self._sessions.values():
                for sock in session.link.sockets:
                    poller.register(sock, zmq.POLLIN)
            while not self._stop.is_set():
                poller.poll(POLL_MS)
                for session in self._sessions.values():
                    session.pump()
                if not self._started:
                    if all(s.link.synced for s in self._sessions.values()):
                        self._begin()
                    continue
                now = self._clock()
                if now - self._reacted >= REACT_S:
                    self._reacted = now
                    self._react()
                self._run_due()
        except Exception as exc:  # a simulator bug must not take the demo down
            self.error = exc
            log.sim.exception("simulator stopped")
        finally:
            for session in self._sessions.values():
                session.close()
            ctx.destroy(linger=0)

    # Scheduling ----------------------------------------------------------------------------
    def _after(self, span: tuple[float, float] | float, action: Callable[[], None]) -> None:
        seconds = span if isinstance(span, float | int) else self.rng.uniform(*span)
        due = self._clock() + seconds / self.speed
        heapq.heappush(self._tasks, _Task(due, next(self._order), action))

    def _run_due(self) -> None:
        now = self._clock()
        while self._tasks and self._tasks[0].due <= now:
            task = heapq.heappop(self._tasks)
            task.action()

    def _send(self, station: str, command: Command) -> None:
        msg_id = self._sessions[station].send(command)
        self._sent[msg_id] = command_kind(command)

    def _on_reply(self, msg_id: str, result: Accepted | Rejected) -> None:
        kind = self._sent.get(msg_id, "?")
        if isinstance(result, Accepted):
            self._sent.pop(msg_id, None)
            self.actions[kind] += 1
        elif not result.retry:
            self._sent.pop(msg_id, None)
            self.rejections[result.code] += 1
            log.sim.debug("%s refused: %s", kind, result.reason)

    def _state(self, station: str) -> BranchState:
        return self._sessions[station].state

    def _station(self, station: str) -> Station:
        found = self.branch.station(station)
        assert found is not None
        return found

    def _role(self, station: str) -> Role:
        return self._station(station).role

    def _may(self, station: str, act: Act, signal_id: int) -> SignalRecord | None:
        """The signal, if ``station`` may ``act`` on it now (the hub's rule); else None."""
        sig = self._state(station).signals.get(signal_id)
        if sig is None or not policy.may(self.branch, self._station(station), act, sig):
            return None
        return sig

    def _of_role(self, role: Role) -> list[str]:
        return [s for s in self.stations if self._role(s) is role]

    def _note(self, code: str) -> str:
        some = notes().get(code, {}).get(self.lang, [])
        return self.rng.choice(some) if some else ""

    # The day starts --------------------------------------------------------------------------
    def _begin(self) -> None:
        self._started = True
        any_state = next(iter(self._sessions.values())).state
        for station, staff in assign_staff(self.branch, self.stations).items():
            who = any_state.staff_of(station)
            if not who and staff not in any_state.staff_at.values():
                self._send(station, SignIn(staff=staff))
        for station, status in any_state.counters.items():
            if station in self._sessions and status.status is not CounterStatus.OPEN:
                self._send(station, SetStatus(status=CounterStatus.OPEN))
        self._opening()
        for station in self._of_role(Role.TELLER):
            self._after(self.rng.uniform(9.0, 16.0), partial(self._teller_turn, station))
        for station in self._of_role(Role.LOBBY_MANAGER):
            self._after(LOBBY_TURN_S, partial(self._lobby_turn, station))
        for station in self._of_role(Role.BRANCH_HEAD):
            self._after(HEAD_TURN_S, partial(self._head_turn, station))

    def _opening(self) -> None:
        """Every kind of activity once in the first seconds, then chance takes over."""
        tellers = self._of_role(Role.TELLER)
        lobby = self._of_role(Role.LOBBY_MANAGER)
        if not tellers:
            return

        def teller(i: int) -> str:
            return tellers[i % len(tellers)]

        script: list[tuple[float, Callable[[], None]]] = [
            (0.5, lambda: self._raise(teller(0), "assist")),
            (1.0, lambda: self._raise(teller(1), "authorize")),
            (1.5, lambda: self._raise(teller(2), "refer_wealth")),
            (2.0, lambda: self._pause(teller(3))),
            (3.0, lambda: self._raise(teller(4), "cash")),
            (3.5, lambda: self._raise(teller(5), "complaint")),
        ]
        if lobby:
            script += [
                (2.5, lambda: self._direct(lobby[0], teller(4))),
                (4.0, lambda: self._raise(lobby[0], "vip")),
            ]
        for at, action in script:
            self._after(at, action)

    # What people start ------------------------------------------------------------------------
    def _raise(self, station: str, code: str, **fields: str) -> None:
        if not policy.can_raise(self.branch, self._role(station), code):
            return  # a branch whose catalog does not let this role raise it
        state = self._state(station)
        if any(s.station == station and s.code == code and s.open for s in state.signals.values()):
            return  # already waiting for one of those
        if code == "refer_wealth":
            needs = [n.code for n in self.branch.config.needs]
            fields.setdefault("need", self.rng.choice(needs) if needs else "")
        if code in ("refer_wealth", "vip", "direct_counter"):
            fields.setdefault("ticket", f"A{next(self._tickets):03d}")
        self._send(station, RaiseSignal(code=code, note=self._note(code), **fields))
        if code == "assist" and self.rng.random() < 0.1:
            self._after((4.0, 8.0), lambda: self._cancel_if_waiting(station, "assist"))

    def _cancel_if_waiting(self, station: str, code: str) -> None:
        me = self._station(station)
        for sig in list(self._state(station).signals.values()):
            if (
                sig.station == station
                and sig.code == code
                and sig.state is SignalState.OPEN  # nobody came yet: the teller gives up
                and policy.may(self.branch, me, Act.CANCEL, sig)
            ):
                self._send(station, Cancel(signal_id=sig.id))

    def _pause(self, station: str) -> None:
        state = self._state(station)
        if state.counters.get(station) and state.counters[station].status is not CounterStatus.OPEN:
            return
        reasons = [r.code for r in self.branch.config.pause_reasons] or ["meal"]
        reason = (
            "meal" if "meal" in reasons and self.rng.random() < 0.6 else self.rng.choice(reasons)
        )
        self._send(station, SetStatus(status=CounterStatus.PAUSED, reason=reason))
        self._after(PAUSE_S, lambda: self._send(station, SetStatus(status=CounterStatus.OPEN)))

    def _direct(self, lobby: str, teller: str) -> None:
        if policy.can_send_to(self.branch, "direct_counter", self._station(teller)):
            self._raise(lobby, "direct_counter", to=teller)

    def _teller_turn(self, station: str) -> None:
        self._after(TELLER_TURN_S, lambda: self._teller_turn(station))
        counter = self._state(station).counters.get(station)
        if counter is not None and counter.status is not CounterStatus.OPEN:
            return
        roll = self.rng.random()
        if roll < 0.30:
            self._raise(station, "assist")
        elif roll < 0.52:
            self._raise(station, "authorize")
        elif roll < 0.66:
            self._raise(station, "refer_wealth")
        elif roll < 0.74:
            self._raise(station, "cash")
        elif roll < 0.82:
            self._pause(station)
        elif roll < 0.85:
            self._raise(station, "complaint")
        elif roll < 0.87:
            self._raise(station, "device_fault")

    def _lobby_turn(self, station: str) -> None:
        self._after(LOBBY_TURN_S, lambda: self._lobby_turn(station))
        state = self._state(station)
        # Where a customer may be sent is the policy's; the lobby manager prefers an open
        # counter of the ones simulated.
        allowed = [s.id for s in policy.destinations(self.branch, "direct_counter")]
        open_counters = [
            s
            for s in allowed
            if s in self.stations
            and (counter := state.counters.get(s)) is not None
            and counter.status is CounterStatus.OPEN
        ] or allowed
        roll = self.rng.random()
        if roll < 0.40 and open_counters:
            self._direct(station, self.rng.choice(open_counters))
        elif roll < 0.60:
            self._raise(station, "refer_wealth")
        elif roll < 0.72:
            self._raise(station, "vip")
        elif roll < 0.80:
            self._raise(station, "queue_alert")
        elif roll < 0.84:
            self._raise(station, "complaint")

    def _head_turn(self, station: str) -> None:
        self._after(HEAD_TURN_S, lambda: self._head_turn(station))
        if self.rng.random() < 0.3:
            self._raise(station, "cover_counter")

    # How people answer -------------------------------------------------------------------------
    def _react(self) -> None:
        """Plan each simulated person's next step on the signals they may act on."""
        for station in self.stations:
            me, role = self._station(station), self._role(station)
            state = self._state(station)
            for sig in policy.by_urgency(self.branch, state.open_signals()):
                acts = policy.acts(self.branch, me, sig)
                if (
                    Act.CLAIM in acts
                    and sig.station != station  # nobody answers their own call
                    and sig.code in ANSWERS[role]
                ):
                    key = (station, sig.id, f"claim{len(sig.declines)}")
                    if key not in self._planned:
                        self._planned.add(key)
                        self._plan_claim(station, role, sig, Act.DECLINE in acts)
                if sig.acked_station != station:
                    continue  # the rest is for the person who claimed it
                if Act.ARRIVE in acts and sig.code in WALKS:
                    step = "arrive"
                elif Act.RESOLVE in acts:
                    step = "resolve"
                else:
                    continue
                key = (station, sig.id, step)
                if key not in self._planned:
                    self._planned.add(key)
                    self._plan_step(station, sig, step)

    def _plan_claim(self, station: str, role: Role, sig: SignalRecord, may_decline: bool) -> None:
        span = CLAIM_S[role]
        if role is Role.LOBBY_MANAGER and self.rng.random() < SLOW_LOBBY:
            span = (32.0, 40.0)  # busy with a customer: the call escalates
        if role is Role.SUPERVISOR and sig.code == "assist":
            span = (3.0, 8.0)  # only reaches the supervisor once escalated
        # A wealth manager may decline a handoff when a colleague can take it: the first
        # one always (quickly, before the colleague looks), later ones now and then, never
        # one somebody already declined.
        can_decline = (
            may_decline
            and role is Role.WEALTH_MANAGER
            and not sig.declines
            and len(self._of_role(Role.WEALTH_MANAGER)) > 1
        )
        if can_decline and not self._declined_one:
            self._declined_one = True
            self._after(DECLINE_FIRST_S, lambda: self._decline(station, sig.id))
        elif can_decline and self.rng.random() < 0.15:
            self._after(span, lambda: self._decline(station, sig.id))
        else:
            self._after(span, lambda: self._claim(station, sig.id))

    def _claim(self, station: str, signal_id: int) -> None:
        if self._may(station, Act.CLAIM, signal_id) is not None:
            self._send(station, Acknowledge(signal_id=signal_id))

    def _decline(self, station: str, signal_id: int) -> None:
        sig = self._may(station, Act.DECLINE, signal_id)
        if sig is None or sig.state is not SignalState.OPEN:
            return  # taken meanwhile (or the rules changed): nothing left to decline
        reasons = [r.code for r in self.branch.config.decline_reasons] or ["busy"]
        reason = "busy" if "busy" in reasons else reasons[0]
        self._send(station, Decline(signal_id=signal_id, reason=reason))

    def _plan_step(self, station: str, sig: SignalRecord, step: str) -> None:
        if step == "arrive":
            self._after(ARRIVE_S, lambda: self._arrive(station, sig.id))
        else:
            handoff = policy.needs_outcome(self.branch, sig.code)
            self._after(
                HANDOFF_RESOLVE_S if handoff else RESOLVE_S,
                lambda: self._resolve(station, sig.id),
            )

    def _arrive(self, station: str, signal_id: int) -> None:
        if self._may(station, Act.ARRIVE, signal_id) is not None:
            self._send(station, Arrive(signal_id=signal_id))

    def _resolve(self, station: str, signal_id: int) -> None:
        sig = self._may(station, Act.RESOLVE, signal_id)
        if sig is None or sig.acked_station != station:
            return  # cancelled, or no longer this person's
        outcomes = policy.outcomes(self.branch, sig.code)
        if len(outcomes) == 1:
            self._send(station, Resolve(signal_id=signal_id))
            return
        # A handoff: the customer was served (most of the time) or did not come.
        served = Outcome.SERVED in outcomes and self.rng.random() < 0.8
        outcome = Outcome.SERVED if served else next(o for o in outcomes if o is not Outcome.SERVED)
        products = [p.code for p in self.branch.config.products]
        product = (
            self.rng.choice(products) if served and products and self.rng.random() < 0.6 else ""
        )
        self._send(station, Resolve(signal_id=signal_id, outcome=outcome.value, product=product))
