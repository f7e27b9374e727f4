"""A station's first hello leaves as soon as its connection is up, not at the next tick."""

from __future__ import annotations

import time

import zmq

from messaging.envelope import T_HELLO, Hello, decode_envelope, decode_payload
from messaging.link import StationLink
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
