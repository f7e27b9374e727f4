"""The hub's collaborators on their own: no sockets, no journal, values in and out."""

from __future__ import annotations

from app.domain.config import Branch
from app.domain.events import PresenceChanged, SignalEscalated, SignalRaised
from app.domain.state import BranchState
from app.hub.admission import COMMANDS, HELLOS, Admission, Incoming, Refusal, Refusals, Route
from app.hub.clock import HubClock
from app.hub.snapshots import SnapshotCache
from app.hub.stamp import Stamp
from app.hub.sync import Sync
from app.hub.timers import Timers
from messaging.envelope import (
    PRIVATE,
    T_CMD,
    T_HELLO,
    T_PING,
    T_REPLAY,
    T_SNAPSHOT,
    Hello,
    Replay,
    decode_envelope,
    decode_payload,
    encode_envelope,
    make,
)


class FakeClock(HubClock):
    def __init__(self) -> None:
        self.t = 100.0
        self.ms = 1_700_000_000_000
        super().__init__()

    def mono(self) -> float:
        return self.t

    def now_ms(self) -> int:
        return self.ms


def test_timers_return_the_events_that_fall_due(branch: Branch) -> None:
    state, clock = BranchState(branch), FakeClock()
    timers = Timers(state, clock)
    state.apply(1, clock.ms, PresenceChanged(online=True, station="C01"))
    assert timers.seen("C01", clock.t) is None  # online already
    assert timers.seen("C02", clock.t) == PresenceChanged(online=True, station="C02")
    state.apply(2, clock.ms, SignalRaised(signal_id=2, code="assist", targets=("lobby_manager",)))
    assert timers.due(clock.t) == []
    assert timers.due(clock.t) == ()  # a few times a second, not at every step
    clock.t += 29  # assist: ack_s = 30, counted on the monotonic clock
    clock.ms += 3_600_000  # not on the wall clock, stepped an hour on meanwhile
    assert timers.due(clock.t) == [PresenceChanged(online=False, station="C01")]
    state.apply(3, clock.ms, PresenceChanged(online=False, station="C01"))
    clock.t += 1
    clock.ms -= 7_200_000  # nor held back when it steps back
    due = timers.due(clock.t)
    assert due == [SignalEscalated(signal_id=2, level=1, role="supervisor")]
    assert state.last_seq == 3, "the timers change nothing themselves"


def admission(branch: Branch) -> tuple[Admission, Refusals]:
    clock = FakeClock()
    refusals = Refusals(clock)
    routes = {T_CMD: Route(limit=COMMANDS, command=True), T_HELLO: Route(limit=HELLOS)}
    return Admission(branch, clock, refusals, routes, auth=None), refusals


def test_admission_returns_the_message_or_the_refusal(branch: Branch) -> None:
    admit, refusals = admission(branch)
    cmd = encode_envelope(make("raise", "C01", {"code": "assist"}, msg_id="m1"))
    item = admit.admit([b"peer", T_CMD, cmd])
    assert isinstance(item, Incoming) and item.route is admit.routes[T_CMD]
    assert admit.admit([b"peer", T_CMD]) == Refusal(
        b"peer", "", "bad_frame", "expected [topic, body], got 1 frames"
    )
    unknown = admit.admit([b"peer", T_PING, cmd])  # a topic with no route
    assert isinstance(unknown, Refusal) and unknown.code == "unknown_topic"
    stranger = encode_envelope(make("raise", "ZZ9", {}, msg_id="m2"))
    refused = admit.admit([b"peer", T_CMD, stranger])
    assert isinstance(refused, Refusal) and (refused.code, refused.msg_id) == (
        "unknown_station",
        "m2",
    )
    assert refusals.counts == {"bad_frame": 1, "unknown_topic": 1, "unknown_station": 1}


def test_the_routes_set_the_rate_limits(branch: Branch) -> None:
    admit, _refusals = admission(branch)
    hello = encode_envelope(make("hello", "C01", Hello(0, "")))
    answers = [admit.admit([b"peer", T_HELLO, hello]) for _ in range(int(HELLOS.burst) + 1)]
    assert all(isinstance(a, Incoming) for a in answers[:-1])
    assert answers[-1] is None, "a hello over its limit is dropped without an answer"
    cmd = encode_envelope(make("raise", "C01", {"code": "assist"}))
    answers = [admit.admit([b"peer", T_CMD, cmd]) for _ in range(int(COMMANDS.burst) + 1)]
    over = answers[-1]
    assert isinstance(over, Refusal) and (over.code, over.retry) == ("rate_limited", True)


def test_sync_answers_a_hello_cut_to_the_readers_role(branch: Branch) -> None:
    state = BranchState(branch)
    stamp = Stamp(FakeClock(), "e1")
    sync = Sync(branch, state, stamp, SnapshotCache(state))
    published = []
    for seq, event in enumerate(
        [
            SignalRaised(signal_id=1, code="assist", targets=("lobby_manager",), station="C01"),
            SignalRaised(signal_id=2, code="duress", targets=("branch_head",), station="C01"),
        ],
        start=1,
    ):
        state.apply(seq, 1_000 + seq, event)
        published.append(sync.record(seq, 1_000 + seq, b"body %d" % seq, event))
    assert published[0] == b"body 1"
    assert decode_envelope(published[1]).kind == PRIVATE
    replay = list(sync.answer(Hello(0, "e1"), "h1", "teller"))
    assert [topic for topic, _ in replay] == [T_REPLAY]
    events = decode_payload(decode_envelope(replay[0][1]), Replay).events
    assert events == [b"body 1", published[1]]  # the teller gets the stand-in
    assert sync.fetch(2, "branch_head") == b"body 2"
    assert sync.fetch(2, "teller") == published[1]
    assert sync.fetch(3, "teller") is None
    [(topic, _body)] = sync.answer(Hello(0, "another epoch"), "h2", "teller")
    assert topic == T_SNAPSHOT
