"""The hub's two sockets: the ROUTER (messages in, replies out) and the PUB (events out).

This is the output fast path. It calls the sockets' own (Cython) methods: pyzmq's
Python layer on top (flag enums, multipart loops) cost more than the sends and
receives themselves. Only for small frames: a big reply (a snapshot) goes through
send_multipart, which hands it to ZeroMQ without a copy. Every send is non-blocking:
a peer that is gone or full misses it and asks again.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import zmq

from app import log
from app.hub.clock import HubClock
from messaging.envelope import T_EVENT
from messaging.keys import CurveKeys
from messaging.sockets import Endpoint, hub_sockets

_zsend = zmq.backend.Socket.send
_zrecv = zmq.backend.Socket.recv
_zget = zmq.backend.Socket.get
_NOBLOCK = int(zmq.NOBLOCK)
_MORE = int(zmq.NOBLOCK | zmq.SNDMORE)
_RCVMORE = int(zmq.RCVMORE)
_SMALL = 64 * 1024


class HubPorts:
    """Bound at construction; :meth:`rebind` drops every connection."""

    def __init__(
        self,
        ctx: zmq.Context,
        endpoint: Endpoint,
        clock: HubClock,
        curve: CurveKeys | None,
        pub_hwm: int,
    ) -> None:
        self.ctx, self.endpoint, self.clock = ctx, endpoint, clock
        self._curve, self._pub_hwm = curve, pub_hwm
        self.last_publish = 0.0
        """When the PUB last carried something (monotonic): heartbeats fill the silence."""
        self.poller = zmq.Poller()
        self._bind()

    def _bind(self) -> None:
        self.router, self.pub = hub_sockets(
            self.ctx, self.endpoint, self._curve, pub_hwm=self._pub_hwm
        )
        self.poller.register(self.router, zmq.POLLIN)

    def rebind(self) -> None:
        """Drop every connection; stations reconnect and handshake again.

        ZeroMQ cannot close one peer's connection, so a revoked station is cut off by
        reopening both sockets: the others are back within a second and resync by
        seq, the revoked one is refused by the ZAP handler.
        """
        self.poller.unregister(self.router)
        self.router.close(0)
        self.pub.close(0)
        deadline = time.monotonic() + 5
        while True:
            try:
                self._bind()
                return
            except zmq.ZMQError:  # the old listener may take a moment to go
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        self.router.close(0)
        self.pub.close(0)

    def receive(self, timeout_ms: int, limit: int) -> Iterator[tuple[list[bytes], str | None]]:
        """Up to ``limit`` messages that came within ``timeout_ms``: each one's frames
        (the peer's routing id first) and, under CURVE, its ZAP User-Id (the station id)."""
        router = self.router
        if not self.poller.poll(timeout_ms):
            return
        curve = self._curve is not None
        for _ in range(limit):
            try:
                frames = [_zrecv(router, _NOBLOCK)]  # the peer's routing id
            except zmq.Again:
                return
            user = None
            if _zget(router, _RCVMORE):  # the rest of a message is there at once
                first = _zrecv(router, _NOBLOCK, False)
                if curve:  # the ZAP User-Id rides on the peer's frames, not on the id
                    user = str(first.get("User-Id") or "")
                frames.append(first.bytes)
                while _zget(router, _RCVMORE):
                    frames.append(_zrecv(router, _NOBLOCK))
            yield frames, user

    def reply(self, identity: bytes, topic: bytes, body: bytes) -> None:
        try:
            if len(body) < _SMALL:
                router = self.router
                _zsend(router, identity, _MORE)
                _zsend(router, topic, _MORE)
                _zsend(router, body, _NOBLOCK)
            else:
                self.router.send_multipart([identity, topic, body], zmq.NOBLOCK)
        except zmq.ZMQError as exc:  # peer gone or its queue full: it will ask again
            log.wire.debug("reply dropped: %s", exc)

    def publish(self, topic: bytes, body: bytes) -> None:
        self.last_publish = self.clock.mono()
        # PUB drops at its high-water mark; a slow subscriber sees the gap and resyncs.
        with contextlib.suppress(zmq.Again):
            self.pub.send_multipart([topic, body], zmq.NOBLOCK)

    def publish_events(self, bodies: list[bytes]) -> None:
        """Publish a batch's events, in order."""
        self.last_publish = self.clock.mono()
        pub = self.pub
        for body in bodies:
            if len(body) >= _SMALL:
                self.publish(T_EVENT, body)
                continue
            try:
                _zsend(pub, T_EVENT, _MORE)
                _zsend(pub, body, _NOBLOCK)
            except zmq.Again:  # as above: the subscriber that misses it resyncs
                pass
