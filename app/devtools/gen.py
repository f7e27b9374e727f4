"""A realistic journal, fast: a busy branch's days written straight into the tables.

50 stations (36 counters, 4 lobby desks, 3 supervisors, 6 wealth managers, the head),
about 14,000 events a day: sign-ins, counters opened, paused for a reason and closed,
presence blips, and signals that are claimed, escalated when late, declined and
re-offered (handoffs), arrived at, resolved with an outcome or cancelled. Events go
through the domain state (so the ``signals`` projection is exact) and
``Journal.commit`` (so the chain hashes are the hub's); a day is one transaction.
The result passes ``app.hub.verify.verify`` with the branch of ``bench_branch()``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from app.domain.config import Branch, Staff, Station, Text, load_branch
from app.domain.events import (
    CounterStatusChanged,
    Event,
    PresenceChanged,
    SignalAcknowledged,
    SignalArrived,
    SignalCancelled,
    SignalDeclined,
    SignalEscalated,
    SignalRaised,
    SignalResolved,
    StaffSignedIn,
    StaffSignedOut,
)
from app.domain.roles import ANY_ROLE, CounterStatus, Outcome, Role
from app.hub.journal import Journal
from app.reports.writer import JournalWriter

EVENTS_PER_DAY = 14_000
# (code, weight): what a busy branch raises
MIX = (
    ("assist", 30),
    ("authorize", 25),
    ("refer_wealth", 10),
    ("direct_counter", 10),
    ("cash", 8),
    ("device_fault", 4),
    ("complaint", 3),
    ("queue_alert", 3),
    ("vip", 3),
    ("cover_counter", 2),
    ("duress", 0.2),
)
PAUSE_REASONS = ("meal", "handover", "cash_count", "training", "system_fault", "away")
DECLINE_REASONS = ("busy", "not_my_area", "away")
PRODUCTS = ("wealth", "fund", "insurance", "loan", "deposit")


def bench_branch() -> Branch:
    """The default branch config with 50 stations and one member of staff at each."""
    base = load_branch()
    layout = (
        ("C", Role.TELLER, 36, "high"),
        ("L", Role.LOBBY_MANAGER, 4, "lobby"),
        ("S", Role.SUPERVISOR, 3, "back"),
        ("W", Role.WEALTH_MANAGER, 6, "wealth"),
        ("H", Role.BRANCH_HEAD, 1, "office"),
    )
    stations: list[Station] = []
    staff: list[Staff] = []
    for prefix, role, n, zone in layout:
        for i in range(1, n + 1):
            sid = f"{prefix}{i:02d}"
            stations.append(
                Station(sid, Text(sid, sid), role, zone, (20 + 25 * i, 40 + 100 * len(staff) % 500))
            )
            staff.append(Staff(f"{prefix.lower()}{i:02d}", Text(sid, sid), (role,)))
    config = msgspec.structs.replace(base.config, stations=tuple(stations), staff=tuple(staff))
    return Branch(config)


@dataclass
class Generated:
    events: int
    signals: int
    days: int
    first_day: date
    last_day: date


class _Day:
    """One day's events: ready ones, and those of a signal whose id is known only once
    its raise is sequenced (``key`` names the signal, ``raise_`` marks its raise)."""

    def __init__(self) -> None:
        self.items: list[
            tuple[int, int, Event | None, type[Event] | None, dict[str, Any], int]
        ] = []
        self.n = 0

    def at(self, ts: int, event: Event) -> None:
        self.n += 1
        self.items.append((ts, self.n, event, None, {}, 0))

    def sig(self, ts: int, key: int, cls: type[Event], **fields: Any) -> None:
        self.n += 1
        self.items.append((ts, self.n, None, cls, fields, key))


def _plan_day(rng: random.Random, branch: Branch, open_ms: int, target: int) -> _Day:
    """Events of one working day from ``open_ms`` (08:30 local) to close (17:30)."""
    day = _Day()
    close_ms = open_ms + 9 * 3600_000
    by_role = {r: [s.id for s in branch.stations_of(r)] for r in Role}
    who = {s.id: s.id[0].lower() + s.id[1:] for s in branch.config.stations}
    types = branch.signal_types
    for sid in branch.stations:
        t = open_ms - rng.randint(60_000, 1_200_000)
        day.at(t, PresenceChanged(station=sid, online=True))
        day.at(t + 5_000, StaffSignedIn(station=sid, staff=who[sid]))
        end = close_ms + rng.randint(60_000, 1_200_000)
        day.at(end, StaffSignedOut(station=sid, staff=who[sid]))
        day.at(end + 5_000, PresenceChanged(station=sid, online=False))
        if rng.random() < 0.15:  # a network blip during the day
            b = rng.randint(open_ms, close_ms - 600_000)
            day.at(b, PresenceChanged(station=sid, online=False))
            day.at(
                b + rng.randint(4_000, 300_000),
                PresenceChanged(station=sid, online=True),
            )
    for sid in by_role[Role.TELLER]:
        s = who[sid]
        day.at(
            open_ms + rng.randint(0, 600_000),
            CounterStatusChanged(station=sid, staff=s, status=CounterStatus.OPEN),
        )
        t = open_ms + 1_800_000
        for _ in range(rng.randint(2, 4)):
            t += rng.randint(1_200_000, 6_000_000)
            if t > close_ms - 900_000:
                break
            reason = rng.choice(PAUSE_REASONS)
            day.at(
                t,
                CounterStatusChanged(
                    station=sid, staff=s, status=CounterStatus.PAUSED, reason=reason
                ),
            )
            t += rng.randint(120_000, 2_400_000)
            day.at(
                t,
                CounterStatusChanged(station=sid, staff=s, status=CounterStatus.OPEN),
            )
        day.at(
            close_ms + rng.randint(0, 600_000),
            CounterStatusChanged(station=sid, staff=s, status=CounterStatus.CLOSED),
        )
    codes = [c for c, _w in MIX if c in types]
    weights = [w for c, w in MIX if c in types]
    key = 0
    while day.n < target:
        key += 1
        code = rng.choices(codes, weights)[0]
        kind = types[code]
        raisers = [
            sid
            for r in Role
            if ANY_ROLE in kind.raisers or r.value in kind.raisers
            for sid in by_role[r]
        ]
        raiser = rng.choice(raisers)
        # busier around 10:00 and 14:30
        peak = open_ms + rng.choice((5_400_000, 21_600_000))
        t = int(rng.gauss(peak, 5_400_000))
        t = min(max(t, open_ms + 600_000), close_ms - 1_200_000)
        to = rng.choice(by_role[Role.TELLER]) if kind.to_station else ""
        targets = tuple(r.value for r in kind.targets)
        responders = [to] if to else [sid for r in kind.targets for sid in by_role[r]]
        day.sig(
            t,
            key,
            SignalRaised,
            station=raiser,
            staff=who[raiser],
            code=code,
            targets=targets,
            to=to,
        )
        if rng.random() < 0.02:  # the raiser gives up
            day.sig(
                t + rng.randint(20_000, 300_000),
                key,
                SignalCancelled,
                station=raiser,
                staff=who[raiser],
            )
            continue
        ack = int(rng.lognormvariate(2.4, 0.8) * 1000) + 1_000
        if kind.ack_s and kind.escalate:
            level = 0
            while level < len(kind.escalate) and ack > kind.ack_s * 1000 * (level + 1):
                level += 1
                day.sig(
                    t + kind.ack_s * 1000 * level,
                    key,
                    SignalEscalated,
                    level=level,
                    role=kind.escalate[level - 1].value,
                )
        responder = rng.choice(responders)
        if kind.handoff and len(responders) > 1 and rng.random() < 0.15:
            first = responder
            day.sig(
                t + ack // 2,
                key,
                SignalDeclined,
                station=first,
                staff=who[first],
                reason=rng.choice(DECLINE_REASONS),
            )
            responder = rng.choice([r for r in responders if r != first])
        day.sig(t + ack, key, SignalAcknowledged, station=responder, staff=who[responder])
        done = t + ack + rng.randint(30_000, 400_000)
        if kind.comes_to_raiser:
            day.sig(
                t + ack + rng.randint(10_000, 60_000),
                key,
                SignalArrived,
                station=responder,
                staff=who[responder],
            )
            done += 60_000
        outcome, product = "", ""
        if kind.handoff:
            roll = rng.random()
            outcome = Outcome.SERVED.value if roll < 0.7 else Outcome.NO_SHOW.value
            product = rng.choice(PRODUCTS) if outcome == Outcome.SERVED.value else ""
        day.sig(
            done,
            key,
            SignalResolved,
            station=responder,
            staff=who[responder],
            outcome=outcome,
            product=product,
        )
    day.items.sort(key=lambda item: (item[0], item[1]))
    return day


def generate(
    journal: Journal,
    branch: Branch,
    events: int,
    days: int,
    *,
    last_day: date | None = None,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Generated:
    """Write about ``events`` events spread over ``days`` working days ending ``last_day``
    (default: yesterday, local) into ``journal``; one transaction per day."""
    tz = ZoneInfo(branch.timezone)
    last = last_day or (datetime.now(tz).date() - timedelta(days=1))
    first = last - timedelta(days=days - 1)
    rng = random.Random(seed)
    writer = JournalWriter(journal, branch)
    per_day, extra = divmod(events, days)
    written = signals = 0
    for i in range(days):
        day = first + timedelta(days=i)
        open_ms = int(datetime.combine(day, time(8, 30), tz).timestamp() * 1000)
        plan = _plan_day(rng, branch, open_ms, per_day + (1 if i < extra else 0))
        ids: dict[int, int] = {}
        for ts, _n, event, cls, fields, key in plan.items:
            if event is not None:
                writer.add(ts, event)
            elif cls is SignalRaised:
                ids[key] = writer.add(ts, cls(signal_id=writer.next_seq, **fields))
                signals += 1
            elif cls is not None:
                writer.add(ts, cls(signal_id=ids[key], **fields))  # type: ignore[call-arg]
        written += len(plan.items)
        writer.flush()
        writer.state.prune(open_ms)
        if progress is not None:
            progress(i + 1, days)
    return Generated(written, signals, days, first, last)
