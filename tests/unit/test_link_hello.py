"""The link's resync: the first hello leaves as soon as the connection is up, late
answers to earlier hellos do not move the state back, and retries are jittered."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator

import pytest
import zmq

from messaging.envelope import (
    PRIVATE,
    T_ANSWER,
    T_EVENT,
    T_FETCH,
    T_HELLO,
    T_REPLAY,
    T_SNAPSHOT,
    Answer,
    Envelope,
    Fetch,
    Hello,
    Replay,
    decode_envelope,
    decode_payload,
    encode_envelope,
    raw,
)
from messaging.link import DEFERRED, RESEND, StationLink
from messaging.sockets import Endpoint
from tests.helpers import free_port_pair


def test_hello_waits_for_the_connection_not_for_a_tick(ctx: zmq.Context) -> None:
    endpoint = Endpoint("127.0.0.1", free_port_pair())
    link = StationLink(ctx, endpoint, "C01")  # plain text: nothing listens yet
    router = ctx.socket(zmq.ROUTER)
    router.setsockopt(zmq.LINGER, 0)
    try:
        link.start()
        assert not link.synced
        router.bind(endpoint.commands)  # the hub comes up after the station
        deadline = time.monotonic() + 10
        frames: list[bytes] = []
        while not frames and time.monotonic() < deadline:
            link.process()  # what the owner does when a socket wakes up; never tick()
            if router.poll(5):
                frames = router.recv_multipart()
        assert frames, "the hello never left"
        _identity, topic, body = frames
        assert topic == T_HELLO
        hello = decode_payload(decode_envelope(body), Hello)
        assert (hello.last_seq, hello.epoch) == (0, "")
        link.process()
        assert not router.poll(50), "one hello, not one per process()"
    finally:
        router.close(0)
        link.close()


class FakeHub:
    """A bare ROUTER the link talks to; the test plays the hub's part by hand."""

    def __init__(self, ctx: zmq.Context, link: StationLink, endpoint: Endpoint) -> None:
        self.link = link
        self.router = ctx.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.LINGER, 0)
        self.router.bind(endpoint.commands)
        self.identity = b""

    def receive(self, topic: bytes) -> Envelope:
        """The next message of ``topic`` from the link (others are skipped)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self.link.tick()
            self.link.process()
            if self.router.poll(5):
                self.identity, got, body = self.router.recv_multipart()
                if got == topic:
                    return decode_envelope(body)
        raise AssertionError(f"no {topic!r} from the link")

    def send(self, topic: bytes, kind: str, msg_id: str, payload: object, seq: int) -> None:
        env = Envelope(
            v=1,
            kind=kind,
            msg_id=msg_id,
            station="",
            ts_ms=1,
            payload=raw(payload),
            seq=seq,
            epoch="e1",
            hub_ts_ms=1,
        )
        self.router.send_multipart([self.identity, topic, encode_envelope(env)])

    def until(self, predicate: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 10
        while not predicate():
            assert time.monotonic() < deadline, "the link never got there"
            self.link.process()
            time.sleep(0.002)


def event(seq: int, kind: str = "presence") -> bytes:
    payload = {"online": True, "station": "C02"} if kind == "presence" else None
    env = Envelope(
        v=1,
        kind=kind,
        msg_id="",
        station="",
        ts_ms=1,
        payload=raw(payload),
        seq=seq,
        epoch="e1",
        hub_ts_ms=1,
    )
    return encode_envelope(env)


@pytest.fixture
def hub_and_link(ctx: zmq.Context) -> Iterator[tuple[FakeHub, StationLink]]:
    endpoint = Endpoint("127.0.0.1", free_port_pair())
    link = StationLink(ctx, endpoint, "C01", fetch_private=True)
    hub = FakeHub(ctx, link, endpoint)
    try:
        yield hub, link
    finally:
        hub.router.close(0)
        link.close()


def test_a_snapshot_answering_an_earlier_hello_is_not_applied(
    hub_and_link: tuple[FakeHub, StationLink],
) -> None:
    hub, link = hub_and_link
    snapshots: list[int] = []
    link.on_snapshot = lambda env: snapshots.append(env.seq)
    link.start()
    first = hub.receive(T_HELLO)
    hub.send(T_SNAPSHOT, "snapshot", first.msg_id, None, 5)
    hub.until(lambda: link.synced)
    link._handle(True, [T_EVENT, event(6)])  # a live event after the snapshot
    assert (link.last_seq, snapshots) == (6, [5])
    answers: list[str] = []
    link.on_answer = lambda msg_id, answer: answers.append(msg_id)
    asked = link.query("report")  # its answer comes after the late ones: a marker
    hub.send(T_SNAPSHOT, "snapshot", "an-earlier-hello", None, 5)  # a late, older answer
    hub.send(T_REPLAY, "replay", "an-earlier-hello", Replay([event(6)], 6), 6)
    hub.send(T_ANSWER, "answer", asked, Answer(True), 6)
    hub.until(lambda: answers == [asked])
    assert (link.last_seq, snapshots) == (6, [5]), "the state went back to an older seq"


def test_a_replay_past_an_outstanding_fetch_forgets_it(
    hub_and_link: tuple[FakeHub, StationLink],
) -> None:
    """docs/protocol.md §11.4: the link does not keep a fetch a resync made pointless."""
    hub, link = hub_and_link
    link.start()
    hello = hub.receive(T_HELLO)
    hub.send(T_SNAPSHOT, "snapshot", hello.msg_id, None, 0)
    hub.until(lambda: link.synced)
    link._handle(True, [T_EVENT, event(1, kind=PRIVATE)])  # a stand-in this role may read
    fetch = hub.receive(T_FETCH)
    assert decode_payload(fetch, Fetch).seq == 1
    link.request_resync()
    hello = hub.receive(T_HELLO)
    hub.send(T_REPLAY, "replay", hello.msg_id, Replay([event(1), event(2)], 2), 2)
    hub.until(lambda: link.last_seq == 2)
    assert link.synced and link._fetching is None


def test_retries_are_jittered_within_their_bounds() -> None:
    rng = random.Random(7)
    for backoff, low, high in ((RESEND, 1.0, 2.0), (DEFERRED, 0.5, 1.0)):
        first = [backoff.wait(rng, 0) for _ in range(200)]
        later = [backoff.wait(rng, n) for n in range(2, 5000)]  # an hour of retries
        assert all(low <= w <= low + backoff.base for w in first)
        assert all(low <= w <= high for w in later)
        assert max(later) - min(later) > (high - low) / 2, "no jitter"
    a, b = random.Random(1), random.Random(2)
    assert [RESEND.wait(a, 3) for _ in range(5)] != [RESEND.wait(b, 3) for _ in range(5)]
