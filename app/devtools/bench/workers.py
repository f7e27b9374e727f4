"""Processes that play many stations at once: the product's and the raw baseline's.

Each worker is a function run in a spawned process, talking to the runner through a
``multiprocessing`` connection: it answers ``"status"`` with how many of its stations
are ready, starts on ``"go"`` and sends its figures back on ``"stop"``. A worker holds
many stations, each with its own keys and sockets, driven from one thread.

Timing: a command's ``msg_id`` starts with ``b<monotonic_ns>-``, stamped at the click;
the hub copies the msg_id into the event, so any receiver knows the click's time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import zmq

from app.domain.config import load_branch
from app.domain.events import Cancel, Command, RaiseSignal, command_kind, encode
from app.station import StationSession
from messaging.envelope import Accepted, Envelope, Rejected, new_msg_id
from messaging.keys import station_keys
from messaging.link import StationLink
from messaging.sockets import Endpoint

TICK_S = 0.2


def stamp() -> str:
    return f"b{time.monotonic_ns()}-{new_msg_id()[:12]}"


def stamped_ns(msg_id: str) -> int | None:
    if not msg_id.startswith("b"):
        return None
    head, _, _ = msg_id.partition("-")
    try:
        return int(head[1:])
    except ValueError:
        return None


@dataclass
class Spec:
    """What a worker is asked to do (picklable)."""

    host: str
    port: int
    keys: str
    config: str
    stations: list[str]
    target: str = ""
    """Receivers: the station whose arrivals count as 'at the target'."""
    interval_s: float = 0.04
    """Senders: one click every interval."""
    count: int = 0
    """Senders: clicks to make."""
    code: str = "cash"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.host, self.port)


def control(conn: Connection, ready: int, total: int) -> str | None:
    if not conn.poll(0):
        return None
    msg = conn.recv()
    if msg == "status":
        conn.send((ready, total))
        return None
    return str(msg)


# Product ------------------------------------------------------------------------------------
def receivers(conn: Connection, spec: Spec) -> None:
    """Subscribed StationSessions; record click → applied for stamped events."""
    ctx = zmq.Context()
    branch = load_branch(spec.config)
    sessions: list[StationSession] = []
    at_target: list[int] = []
    at_all: list[int] = []
    worst: dict[str, int] = {}
    """msg_id -> the latest arrival among this worker's stations."""
    recording = False

    def hook(session: StationSession) -> None:
        original = session.link.on_event
        is_target = session.station == spec.target

        def on_event(env: Envelope) -> None:
            original(env)
            sent = stamped_ns(env.msg_id) if recording else None
            if sent is None:
                return
            now = time.monotonic_ns()
            at_all.append(now - sent)
            if is_target:
                at_target.append(now - sent)
            worst[env.msg_id] = max(worst.get(env.msg_id, 0), now - sent)

        session.link.on_event = on_event

    ordered = sorted(spec.stations, key=lambda s: s != spec.target)  # the target first
    for sid in ordered:
        session = StationSession(branch, sid, spec.endpoint, ctx, keys=station_keys(spec.keys, sid))
        hook(session)
        sessions.append(session)
        session.start()
    poller = zmq.Poller()
    owner: dict[Any, StationSession] = {}
    for session in sessions:
        for sock in session.link.sockets:
            poller.register(sock, zmq.POLLIN)
            owner[sock] = session
    next_tick = 0.0
    try:
        while True:
            ready = sum(1 for s in sessions if s.link.synced)
            msg = control(conn, ready, len(sessions))
            if msg == "go":
                recording = True
            elif msg == "stop":
                conn.send({"at_target": at_target, "at_all": at_all, "worst": worst})
                break
            events = dict(poller.poll(5))
            if events:
                for session in sessions:  # in order: the target first
                    if any(sock in events for sock in session.link.sockets):
                        while session.link.process():
                            pass
            now = time.monotonic()
            if now >= next_tick:
                next_tick = now + TICK_S
                for session in sessions:
                    session.link.tick()
                    session.link.process()
    finally:
        for session in sessions:
            session.close()
        ctx.destroy(linger=0)


def sender(conn: Connection, spec: Spec) -> None:
    """One station clicking ``count`` times, one click every ``interval_s``."""
    ctx = zmq.Context()
    branch = load_branch(spec.config)
    sid = spec.stations[0]
    session = StationSession(branch, sid, spec.endpoint, ctx, keys=station_keys(spec.keys, sid))
    replies: list[int] = []
    rejected: dict[str, int] = {}
    sent_at: dict[str, int] = {}

    def on_reply(msg_id: str, result: Accepted | Rejected) -> None:
        if isinstance(result, Accepted):
            at = sent_at.pop(msg_id, None)
            if at is not None:
                replies.append(time.monotonic_ns() - at)
        else:
            rejected[result.code] = rejected.get(result.code, 0) + 1

    session.on_reply = on_reply
    session.start()
    poller = zmq.Poller()
    for sock in session.link.sockets:
        poller.register(sock, zmq.POLLIN)
    go = False
    made = 0
    next_click = 0.0
    try:
        while True:
            msg = control(conn, int(session.link.synced), 1)
            if msg == "go":
                go, next_click = True, time.monotonic()
            elif msg == "stop":
                conn.send({"replies": replies, "rejected": rejected, "clicks": made})
                break
            now = time.monotonic()
            if go and made < spec.count and now >= next_click:
                next_click += spec.interval_s
                msg_id = stamp()
                sent_at[msg_id] = time.monotonic_ns()
                cmd = RaiseSignal(code=spec.code)
                session.link.submit(command_kind(cmd), encode(cmd), msg_id=msg_id)
                made += 1
            wait_ms = max(0, min(5, int((next_click - time.monotonic()) * 1000))) if go else 5
            poller.poll(wait_ms)
            session.pump()
    finally:
        session.close()
        ctx.destroy(linger=0)


def loaders(conn: Connection, spec: Spec) -> None:
    """Stations sending as fast as the link lets them (one command in flight each).

    Each raises a signal and cancels it once accepted, over and over, so the number of
    open signals stays small. Without SUB sockets: this measures the hub, not the
    loaders' decoding of 20,000 events a second. ``extra['rate']`` (commands per
    station per second) paces instead of flooding; ``extra['quota']`` stops a station
    after that many accepted commands.
    """
    ctx = zmq.Context()
    rate = float(spec.extra.get("rate", 0.0))
    quota = int(spec.extra.get("quota", 0))
    links: dict[str, StationLink] = {}
    sent_at: dict[str, int] = {}
    in_flight: dict[str, Command] = {}
    planned: dict[str, Command] = {}
    due: dict[str, float] = {}
    done: dict[str, int] = {}
    replies: list[int] = []
    rejected: dict[str, int] = {}
    warmed: set[str] = set()
    flags = {"go": False, "stop": False}
    window = {"accepted": 0}

    def submit(sid: str, command: Command) -> None:
        msg_id = stamp()
        sent_at[msg_id] = time.monotonic_ns()
        in_flight[sid] = command
        links[sid].submit(command_kind(command), encode(command), msg_id=msg_id)

    def plan(sid: str, command: Command) -> None:
        if flags["stop"] or (quota and done.get(sid, 0) >= quota):
            return
        if rate:
            planned[sid] = command
            due[sid] = max(due.get(sid, 0.0) + 1.0 / rate, time.monotonic())
        else:
            submit(sid, command)

    def make_reply(sid: str) -> Any:
        def on_reply(msg_id: str, result: Accepted | Rejected) -> None:
            at = sent_at.pop(msg_id, None)
            if isinstance(result, Rejected):
                rejected[result.code] = rejected.get(result.code, 0) + 1
                if result.retry:
                    return  # the link sends it again
            sent = in_flight.pop(sid, None)
            if sid not in warmed:
                warmed.add(sid)
                return  # warmed up: wait for "go"
            if flags["go"] and not flags["stop"] and isinstance(result, Accepted):
                if at is not None:
                    replies.append(time.monotonic_ns() - at)
                window["accepted"] += 1
                done[sid] = done.get(sid, 0) + 1
            if isinstance(result, Accepted) and isinstance(sent, RaiseSignal):
                plan(sid, Cancel(signal_id=result.seq))
            else:
                plan(sid, RaiseSignal(code=spec.code))

        return on_reply

    for sid in spec.stations:
        link = StationLink(
            ctx, spec.endpoint, sid, keys=station_keys(spec.keys, sid), subscribe=False
        )
        link.on_reply = make_reply(sid)
        links[sid] = link
    for sid in links:  # warm-up: one command each, so every handshake is done before "go"
        submit(sid, RaiseSignal(code=spec.code))
    poller = zmq.Poller()
    for link in links.values():
        poller.register(link.dealer, zmq.POLLIN)
    next_tick = 0.0
    started = 0
    try:
        while True:
            msg = control(conn, len(warmed), len(links))
            if msg == "go":
                flags["go"] = True
                started = time.monotonic_ns()
                for i, sid in enumerate(links):
                    if sid in in_flight:
                        continue
                    if rate:
                        planned[sid] = RaiseSignal(code=spec.code)
                        due[sid] = time.monotonic() + (i % 97) / (97 * rate)
                    else:
                        submit(sid, RaiseSignal(code=spec.code))
            elif msg == "stop":
                flags["stop"] = True
                conn.send(
                    {
                        "accepted": window["accepted"],
                        "seconds": (time.monotonic_ns() - started) / 1e9 if started else 0.0,
                        "replies": replies,
                        "rejected": rejected,
                    }
                )
                break
            events = dict(poller.poll(1 if rate else 2))
            for link in links.values():
                if link.dealer in events:
                    link.process()
            now = time.monotonic()
            if due:
                for sid, when in list(due.items()):
                    if now >= when and sid not in in_flight and sid in planned:
                        submit(sid, planned.pop(sid))
            if now >= next_tick:
                next_tick = now + TICK_S
                for link in links.values():
                    link.tick()
    finally:
        for link in links.values():
            link.close()
        ctx.destroy(linger=0)
