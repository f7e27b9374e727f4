"""StationLink: a station's reliable connection to the hub, without Qt.

It keeps three promises the application relies on and ZeroMQ does not make:
commands leave through a durable outbox one at a time, in order, until the hub
answers; events reach the application exactly once and in sequence order (gaps are
detected and resynced by ``hello``); and the hub's silence is noticed within 3 s.

It may be given two hubs, a standby pair (issue 14), and then follows whichever
serves, as the Binary Star client of the zguide (chapter 4, ``bstarcli.py``): when the
hub it uses has sent nothing for FAILOVER_S it closes its sockets and opens them on the
other hub. A hub that does not serve says so (``standby``, ``standby_behind``: ask the
other one, at once; ``takeover_pending``: ask this one again shortly). Across a switch
the station keeps its ``last_seq`` and epoch (the pair's journals are one), sends the
outbox head again with the same msg_id (the hub drops a duplicate), and says hello.

The owner drives it: call :meth:`process` when a socket is readable (and after every
send, ZeroMQ's FD being edge-triggered) and :meth:`tick` a few times a second.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import zmq

from messaging.envelope import (
    MAX_BODY,
    NOT_SERVING,
    PRIVATE,
    T_ACCEPTED,
    T_ANSWER,
    T_CMD,
    T_CONFIG,
    T_EVENT,
    T_FETCH,
    T_HEARTBEAT,
    T_HELLO,
    T_PING,
    T_QUERY,
    T_REJECTED,
    T_REPLAY,
    T_SNAPSHOT,
    TAKEOVER_PENDING,
    Accepted,
    Answer,
    BranchSettings,
    Envelope,
    Fetch,
    Health,
    Heartbeat,
    Hello,
    Query,
    Rejected,
    Replay,
    WireError,
    decode_envelope,
    decode_payload,
    encode_envelope,
    make,
    new_msg_id,
    now_ms,
)
from messaging.keys import StationKeys
from messaging.outbox import Outbox, Pending
from messaging.sockets import STATION_MAX_FRAME, Endpoint, Hubs, station_sockets
from messaging.witness import HeadWitness

wire_log = logging.getLogger("lobbylink.wire")
"""The ``wire`` category of app/log.py, by its name: messaging imports no app code."""

PING_S = 1.0
HUB_SILENCE_S = 3.0
MAX_PENDING = 200_000
QUERY_TIMEOUT_S = 30.0
"""A query the hub has not answered by then is answered here with ``timeout``."""
FAILOVER_S = 2.0
"""With two hubs: the one in use has sent nothing this long: open the other one."""
MOVE_MIN_S, MOVE_MAX_S = 0.25, 0.5
"""With two hubs: a hub that says it does not serve is left after a wait drawn in this
range since the last switch (none before the first), so that 200 stations told at
once do not move in lockstep."""


@dataclass(frozen=True)
class Backoff:
    """A retry's wait: ``fixed``, plus full jitter as in the AWS architecture note
    "Exponential Backoff And Jitter" (uniform in [0, min(cap, base * 2**attempt)]).

    Stations that lost the hub together thus come back spread out rather than at the
    same instant, and never later than ``fixed + cap``, the bound docs/protocol.md gives.
    """

    fixed: float
    base: float
    cap: float

    def wait(self, rng: random.Random, attempt: int) -> float:
        """The wait before retry ``attempt`` (0: the first) of the same thing."""
        window = self.cap if attempt > 30 else min(self.cap, self.base * 2.0**attempt)
        return self.fixed + rng.uniform(0.0, window)


RESEND = Backoff(fixed=1.0, base=0.25, cap=1.0)
"""A command, hello or fetch without an answer is sent again after 1 to 2 s."""
DEFERRED = Backoff(fixed=0.5, base=0.125, cap=0.5)
"""A command refused with ``retry`` is sent again after 0.5 to 1 s."""


class StationLink:
    """DEALER + SUB to the hub, with outbox, resync and presence.

    Callbacks (plain attributes, set by the owner):
      ``on_event(env)``: a journaled event, once, in seq order.
      ``on_snapshot(env)``: replace all state with the snapshot in ``env.payload`` at ``env.seq``.
      ``on_reply(msg_id, result)``: the hub's answer to a command (Accepted or Rejected).
      ``on_connection(up)``: the hub became reachable (True) or silent for 3 s (False).
      ``on_answer(msg_id, answer)``: the answer to a :meth:`query` (or a local
      ``timeout`` / ``not_sent`` one), exactly once per query.
      ``on_switch(endpoint)``: with two hubs, the link moved to ``endpoint``. Its sockets
      are new: an owner that watches them watches ``sockets`` again (``switches`` counts).

    ``endpoint`` is one hub, or a standby pair's two (primary first): see the module.
    A refusal by a hub that does not serve (messaging.envelope.NOT_SERVING) never
    reaches ``on_reply``: the command stays pending and goes to the hub that serves.
    """

    def __init__(
        self,
        ctx: zmq.Context,
        endpoint: Hubs,
        station: str,
        outbox: Outbox | None = None,
        *,
        keys: StationKeys | None = None,
        subscribe: bool = True,
        fetch_private: bool = False,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.station = station
        self.endpoints: tuple[Endpoint, ...] = (
            (endpoint,) if isinstance(endpoint, Endpoint) else tuple(endpoint)
        )
        if not self.endpoints:
            raise ValueError("StationLink needs at least one hub endpoint")
        self._at = 0
        """Index in ``endpoints`` of the hub in use."""
        self._ctx, self._keys, self._subscribe = ctx, keys, subscribe
        self.outbox = outbox if outbox is not None else Outbox()
        self.dealer, self.sub = station_sockets(ctx, self.endpoint, keys, subscribe=subscribe)
        self._clock = clock
        self._rng = rng or random.Random()
        self.switches = 0
        """How many times the link moved to the other hub (its sockets are new each time)."""
        self.on_switch: Callable[[Endpoint], None] = lambda endpoint: None
        self._heard_at = clock()
        """When the hub in use last sent anything (a refusal too), or was opened."""
        self._move_at: float | None = None
        """A hub that does not serve sent us on: when to move."""
        self._moved_at = -1e9
        self._serving_ts = 0
        """Hub time of the newest message the hub in use sent as the serving hub: a
        refusal stamped before it is stale (it was refused before the hub took over)."""
        self.not_serving: Rejected | None = None
        """The last refusal of a hub that does not serve, until a hub serves again."""
        self._moves_told = False
        """A move was logged since a serving hub last spoke: log further ones quietly
        (both hubs down, the link tries each in turn every 2 s)."""
        self._hello_id = ""
        """The msg_id of the last hello sent (a hub that does not serve refuses it)."""
        self.last_seq = 0
        self.epoch = ""
        self.connected = False
        self.synced = False
        self._pending: dict[int, Envelope] = {}
        self.fetch_private = fetch_private
        """This station may read some private events: fetch their full body, in order."""
        self._fetching: tuple[int, float] | None = None
        """The private event whose body was asked for, and when to ask again."""
        self._fetches = 0
        self._inflight: tuple[str, float] | None = None
        """The command sent and not answered yet, and when to send it again."""
        self._resends = 0
        self._retry_after = 0.0
        self._deferrals = 0
        """Answers with ``retry`` in a row: each one backs off longer."""
        self._hello_at: float | None = None
        """A hello is outstanding (not answered in full) since then."""
        self._hello_retry_at = 0.0
        self._hellos = 0
        self._hello_unsent = False
        """A hello could not leave yet (no connection): send it as soon as one is up."""
        self._last_rx = -1e9
        self._last_ping = -1e9
        self.hub_offset_ms = 0
        """Hub clock minus this PC's clock, from the last heartbeat: ages use hub time."""
        self.on_event: Callable[[Envelope], None] = lambda env: None
        self.on_snapshot: Callable[[Envelope], None] = lambda env: None
        self.on_reply: Callable[[str, Accepted | Rejected], None] = lambda mid, res: None
        self.on_connection: Callable[[bool], None] = lambda up: None
        self.on_answer: Callable[[str, Answer], None] = lambda mid, answer: None
        self.hub_health: Health | None = None
        """How the hub keeps, from its last heartbeat (None: an older hub, or none yet)."""
        self.config_hash = ""
        """The hash of the branch configuration this station holds from the hub, named in
        every hello; "" = it runs on a file of its own and wants none."""
        self.on_config: Callable[[BranchSettings], None] = lambda settings: None
        """The hub's configuration, sent when ``config_hash`` is not the hub's."""
        self._head_witness = HeadWitness(self.outbox)
        """The chain heads of the hub's journal seen here, kept in the outbox."""
        self._queries: dict[str, float] = {}
        """msg_id -> when each unanswered query was sent."""
        # One handler per topic, per socket (as qtconsole's frontends dispatch by message
        # type): the hub's answers to this station on the DEALER, the branch's on the SUB.
        self._from_dealer: dict[bytes, Callable[[Envelope], None]] = {
            T_ACCEPTED: self._on_accepted,
            T_REJECTED: self._on_rejected,
            T_ANSWER: self._on_answer,
            T_EVENT: self._on_fetched,
            T_REPLAY: self._on_replay,
            T_SNAPSHOT: self._on_snapshot,
            T_CONFIG: self._on_config,
        }
        self._from_sub: dict[bytes, Callable[[Envelope], None]] = {
            T_EVENT: self._offer,
            T_HEARTBEAT: self._on_heartbeat,
        }

    # Public API -----------------------------------------------------------------
    @property
    def endpoint(self) -> Endpoint:
        """The hub in use (with two hubs: the one the link believes serves, or tries)."""
        return self.endpoints[self._at]

    @property
    def sockets(self) -> list[zmq.Socket]:
        return [s for s in (self.dealer, self.sub) if s is not None]

    def start(self) -> None:
        """Ask the hub for the state (subscribe first, then hello) and send the outbox."""
        if self.sub is not None:
            self.request_resync()
        self._pump()

    def submit(self, kind: str, payload: bytes, msg_id: str | None = None) -> str:
        """Put a command in the outbox (durably) and send it when its turn comes.

        Raises WireError("too_large") for a command the hub would never accept, rather
        than let it block the outbox.
        """
        item = Pending(msg_id or new_msg_id(), kind, payload, now_ms())
        size = len(encode_envelope(make(kind, self.station, payload, msg_id=item.msg_id)))
        if size > MAX_BODY:
            raise WireError("too_large", f"the command is {size} bytes; the limit is {MAX_BODY}")
        self.outbox.add(item)
        self._pump()
        return item.msg_id

    def query(self, name: str, args: bytes = b"", msg_id: str | None = None) -> str:
        """Ask the hub a read-only question; the answer comes to ``on_answer``.

        Not durable and not resent: without a connection it is answered ``not_sent``
        at once, and after QUERY_TIMEOUT_S without an answer, ``timeout``.
        """
        env = make("query", self.station, Query(name, args), msg_id=msg_id)
        if not self.connected or not self._send(T_QUERY, env):
            self.on_answer(
                env.msg_id, Answer(False, code="not_sent", reason="the hub is not reachable")
            )
            return env.msg_id
        self._queries[env.msg_id] = self._clock()
        return env.msg_id

    @property
    def witness(self) -> tuple[int, bytes] | None:
        """The newest chain head of the hub's journal seen here, (seq, hash); of the
        current epoch once known. Kept in the outbox: it survives restarts."""
        head = self._head_witness.head(self.epoch)
        return None if head is None else (head.seq, head.hash)

    def hub_now_ms(self) -> int:
        """The hub's clock as best known here: every age on screen is measured on it."""
        return now_ms() + self.hub_offset_ms

    def request_resync(self) -> None:
        hello = make("hello", self.station, Hello(self.last_seq, self.epoch, self.config_hash))
        now = self._clock()
        if self._hello_at is None:
            self._hello_at, self._hellos = now, 0
        self._hello_id = hello.msg_id
        self._hello_unsent = not self._send(T_HELLO, hello)
        if self._hello_unsent:
            # Not connected yet (IMMEDIATE): try again at the next process() (the socket
            # becomes readable when its connection is up) or tick, not in 2 s.
            self._hello_retry_at = now
        else:
            self._hello_retry_at = now + RESEND.wait(self._rng, self._hellos)
            self._hellos += 1

    def process(self, budget: int = 5000) -> bool:
        """Handle what the sockets hold; return True if the budget ran out first."""
        if self._hello_unsent:  # the connection may be up now: a start does not wait a tick
            self.request_resync()
        handled = 0
        progress = True
        while progress and handled < budget:
            progress = False
            for sock in self.sockets:
                try:
                    frames = sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    continue
                progress = True
                handled += 1
                self._handle(sock is self.sub, frames)
        return handled >= budget

    def tick(self) -> None:
        """Timers: ping, resend, resync retries, the hub's silence, the other hub."""
        now = self._clock()
        if len(self.endpoints) > 1:
            if self._move_at is not None and now >= self._move_at:
                self._switch(f"hub {self.endpoint} does not serve")
            elif now - self._heard_at > FAILOVER_S and self._expecting():
                self._switch(f"hub {self.endpoint} silent for {FAILOVER_S:.0f} s")
        if self.connected and now - self._last_rx > HUB_SILENCE_S:
            self.connected = False
            self.synced = False
            wire_log.warning("hub %s silent for %.0f s", self.endpoint, HUB_SILENCE_S)
            self.on_connection(False)
        if (
            self.sub is not None and now - self._last_ping >= PING_S
        ):  # a one-shot tool is no station
            self._last_ping = now
            self._send(T_PING, make("ping", self.station))
        if self._hello_at is not None and now >= self._hello_retry_at:
            self.request_resync()
        if self._fetching is not None and now >= self._fetching[1]:
            self._fetch(self._fetching[0])
        if self._inflight is not None and now >= self._inflight[1]:
            self._inflight = None  # _pump sends it again
        for msg_id, sent in list(self._queries.items()):
            if now - sent > QUERY_TIMEOUT_S:
                del self._queries[msg_id]
                reason = f"the hub did not answer within {QUERY_TIMEOUT_S:.0f} s"
                self.on_answer(msg_id, Answer(False, code="timeout", reason=reason))
        self._pump()

    def close(self) -> None:
        for sock in self.sockets:
            sock.close(0)
        self.outbox.close()

    # Two hubs ---------------------------------------------------------------------------
    def _expecting(self) -> bool:
        """Whether the hub in use owes this link something: heartbeats (a subscriber),
        or an answer. A one-shot tool with nothing to send does not move."""
        return self.sub is not None or bool(self._queries) or self.outbox.head() is not None

    def _switch(self, why: str) -> None:
        """Close the sockets and open them on the next hub (bstarcli.py's failover):
        the outbox head goes again with its msg_id, a pending fetch is asked again,
        queries in flight are answered ``not_sent`` (retry), and a hello resyncs."""
        self._at = (self._at + 1) % len(self.endpoints)
        for sock in self.sockets:
            sock.close(0)
        self.dealer, self.sub = station_sockets(
            self._ctx, self.endpoint, self._keys, subscribe=self._subscribe
        )
        now = self._clock()
        self._heard_at = self._moved_at = now
        self._serving_ts = 0
        self._move_at = None
        self._inflight = None
        self._retry_after = 0.0
        self._resends = self._deferrals = 0
        self._head_witness.new_stretch()
        self.switches += 1
        wire_log.log(
            logging.DEBUG if self._moves_told else logging.WARNING,
            "%s: trying %s",
            why,
            self.endpoint,
        )
        self._moves_told = True
        for msg_id in list(self._queries):
            del self._queries[msg_id]
            reason = "the link moved to the other hub"
            self.on_answer(msg_id, Answer(False, code="not_sent", reason=reason, retry=True))
        if self._fetching is not None:
            self._fetching = (self._fetching[0], now)  # asked again at the next tick
        if self.sub is not None:
            self._hello_at = None
            self.request_resync()
        self.on_switch(self.endpoint)
        self._pump()

    def _not_serving(self, env: Envelope, why: Rejected) -> None:
        """A hub that does not serve refused ``env.msg_id``: ask it again shortly
        (``takeover_pending``, or it is the only hub) or move to the other one. The
        request stays pending either way: nothing is shown as failed."""
        if env.hub_ts_ms and env.hub_ts_ms <= self._serving_ts:
            # sent before this hub's last word as the serving hub (it has taken over
            # since): stale, the request goes again as any unanswered one does
            return
        now = self._clock()
        self.not_serving = why
        stay = why.code == TAKEOVER_PENDING or len(self.endpoints) == 1
        if not stay and self._move_at is None:
            gap = self._rng.uniform(MOVE_MIN_S, MOVE_MAX_S)
            self._move_at = max(now, self._moved_at + gap)
        again = now + DEFERRED.wait(self._rng, 0) if stay else (self._move_at or now)
        if self._queries.pop(env.msg_id, None) is not None:
            answer = Answer(False, code=why.code, reason=why.reason, retry=True)
            self.on_answer(env.msg_id, answer)
        elif self._is_head(env.msg_id):
            self._inflight = None
            self._retry_after = again
        elif env.msg_id == self._hello_id and self._hello_at is not None:
            self._hello_retry_at = again
        elif self._fetching is not None:
            self._fetching = (self._fetching[0], again)

    # Sending ------------------------------------------------------------------------
    def _send(self, topic: bytes, env: Envelope) -> bool:
        try:
            self.dealer.send_multipart([topic, encode_envelope(env)], zmq.NOBLOCK)
        except zmq.Again:
            return False
        return True

    def _pump(self) -> None:
        if self._inflight is not None or self._clock() < self._retry_after:
            return
        head = self.outbox.head()
        if head is None:
            return
        env = make(head.kind, self.station, head.payload, msg_id=head.msg_id)
        env.ts_ms = head.ts_ms  # when the person clicked: a queued click counts from then
        if self._send(T_CMD, env):
            wait = RESEND.wait(self._rng, self._resends)
            self._resends += 1
            self._inflight = (head.msg_id, self._clock() + wait)

    def _fetch(self, seq: int) -> None:
        """Ask for the body of private event ``seq`` (again, if it was asked for)."""
        if self._fetching is None or self._fetching[0] != seq:
            self._fetches = 0
        wait = RESEND.wait(self._rng, self._fetches)
        self._fetches += 1
        self._fetching = (seq, self._clock() + wait)
        self._send(T_FETCH, make("fetch", self.station, Fetch(seq)))

    # Receiving -----------------------------------------------------------------------
    def _handle(self, from_sub: bool, frames: list[bytes]) -> None:
        if len(frames) != 2:
            wire_log.warning("dropped a %d-frame message from the hub", len(frames))
            return
        topic, body = frames
        try:
            env = decode_envelope(body, max_body=STATION_MAX_FRAME)
        except WireError as exc:
            wire_log.warning("dropped a frame from the hub: %s", exc.reason)
            return
        self._heard_at = self._clock()
        if not from_sub and topic == T_REJECTED:
            try:
                why = decode_payload(env, Rejected)
            except WireError as exc:
                wire_log.warning("dropped a %r from the hub: %s", topic, exc.reason)
                return
            if why.code in NOT_SERVING:  # not a serving hub: not "connected" either
                self._not_serving(env, why)
                return
        self._alive()
        self._serving_ts = max(self._serving_ts, env.hub_ts_ms)
        if from_sub and env.hub_ts_ms:  # live heartbeats and events: the hub's clock now
            self.hub_offset_ms = env.hub_ts_ms - now_ms()
        handler = (self._from_sub if from_sub else self._from_dealer).get(topic)
        if handler is None:
            return  # a topic of a newer hub: not for this station
        try:
            handler(env)
        except WireError as exc:
            wire_log.warning("dropped a %r from the hub: %s", topic, exc.reason)

    def _alive(self) -> None:
        self._last_rx = self._clock()
        self._moves_told = False
        if not self.connected:
            self.connected = True
            self._head_witness.new_stretch()
            # a hub that serves now (a standby that has just taken over): what waits for
            # a retry goes at once, not after the wait its refusal asked for
            self.not_serving = None
            self._retry_after = 0.0
            if self._hello_at is not None:
                self._hello_retry_at = self._last_rx
            wire_log.info("hub %s reachable", self.endpoint)
            if self.sub is not None and self._hello_at is None:
                self.request_resync()
            self.on_connection(True)

    def _on_accepted(self, env: Envelope) -> None:
        if self._queries.pop(env.msg_id, None) is not None:
            answer = Answer(False, code="bad_answer", reason="the hub answered as to a command")
            self.on_answer(env.msg_id, answer)
        elif self._is_head(env.msg_id):
            self._answered(env.msg_id, decode_payload(env, Accepted))

    def _on_rejected(self, env: Envelope) -> None:
        if self._queries.pop(env.msg_id, None) is not None:
            # a wire-level refusal of a query (rate limit, revoked key...): its answer
            why = decode_payload(env, Rejected)
            answer = Answer(False, code=why.code, reason=why.reason, retry=why.retry)
            self.on_answer(env.msg_id, answer)
        elif self._is_head(env.msg_id):
            self._answered(env.msg_id, decode_payload(env, Rejected))

    def _is_head(self, msg_id: str) -> bool:
        """Whether ``msg_id`` is the outbox's head (else: an answer to an earlier resend)."""
        head = self.outbox.head()
        return head is not None and head.msg_id == msg_id

    def _answered(self, msg_id: str, result: Accepted | Rejected) -> None:
        """The hub's answer to the head command: done with it, or (retry) later."""
        self._inflight = None
        self._resends = 0
        if isinstance(result, Rejected) and result.retry:
            self._retry_after = self._clock() + DEFERRED.wait(self._rng, self._deferrals)
            self._deferrals += 1
            wire_log.warning("hub deferred %s: %s", msg_id, result.reason)
            self.on_reply(msg_id, result)
            return
        self._deferrals = 0
        self.outbox.remove(msg_id)
        self.on_reply(msg_id, result)
        self._pump()

    def _on_answer(self, env: Envelope) -> None:
        if self._queries.pop(env.msg_id, None) is not None:
            self.on_answer(env.msg_id, decode_payload(env, Answer))

    def _on_config(self, env: Envelope) -> None:
        settings = decode_payload(env, BranchSettings)
        if settings.hash != self.config_hash:
            self.on_config(settings)

    def _on_heartbeat(self, env: Envelope) -> None:
        beat = decode_payload(env, Heartbeat)
        if beat.health is not None:
            self.hub_health = beat.health
        if beat.head_hash and env.epoch:
            self._head_witness.seen(env.epoch, beat.head_seq, beat.head_hash)
        if self._hello_at is not None or self._fetching is not None:
            return
        if env.epoch != self.epoch or beat.last_seq > self.last_seq:
            wire_log.info(
                "heartbeat at %d/%s, here %d: resync", beat.last_seq, env.epoch, self.last_seq
            )
            self.request_resync()

    def _offer(self, env: Envelope) -> None:
        """Deliver an event if it is the next one; hold it if it is ahead of a gap."""
        if not self.epoch or env.epoch != self.epoch:
            if self.epoch and self._hello_at is None:
                wire_log.info("hub journal changed (epoch %s): full resync", env.epoch)
                self.request_resync()
            self._hold(env)
            return
        if env.seq <= self.last_seq:
            return
        if env.seq > self.last_seq + 1:
            self._hold(env)
            if self._fetching is not None:
                return  # waiting for a private event's body: not a gap
            if self._hello_at is None:
                wire_log.info("gap: have %d, got %d: resync", self.last_seq, env.seq)
                self.request_resync()
            return
        if self._must_fetch(env):
            return
        self._deliver(env)
        self._drain_pending()

    def _must_fetch(self, env: Envelope) -> bool:
        """Hold a private stand-in and ask for its body, if this station may read it."""
        if env.kind != PRIVATE or not self.fetch_private:
            return False
        self._hold(env)
        if self._fetching is None or self._fetching[0] != env.seq:
            self._fetch(env.seq)
        return True

    def _on_fetched(self, env: Envelope) -> None:
        """The answer to a fetch: the full event (or the stand-in, if not for us)."""
        if self._fetching is None or env.seq != self._fetching[0] or env.seq != self.last_seq + 1:
            return
        self._fetching = None
        self._pending.pop(env.seq, None)
        self._deliver(env)
        self._drain_pending()

    def _hold(self, env: Envelope) -> None:
        if len(self._pending) >= MAX_PENDING:
            self._pending.clear()
        self._pending[env.seq] = env

    def _deliver(self, env: Envelope) -> None:
        self.last_seq = env.seq
        if self._fetching is not None and env.seq >= self._fetching[0]:
            self._fetching = None  # a resync brought it (or skipped past it)
        self.on_event(env)

    def _drain_pending(self) -> None:
        if not self._pending:
            return
        for seq in sorted(self._pending):
            env = self._pending[seq]
            if env.epoch != self.epoch or seq <= self.last_seq:
                del self._pending[seq]
            elif seq == self.last_seq + 1:
                if self._must_fetch(env):
                    break
                del self._pending[seq]
                self._deliver(env)
            else:
                break

    def _on_replay(self, env: Envelope) -> None:
        replay = decode_payload(env, Replay)
        if env.epoch != self.epoch:
            return  # answer to a hello from before a snapshot; a newer answer follows
        # Offered like live events even when no hello is outstanding (an answer to an
        # earlier hello): the seq check drops what was applied already.
        for body in replay.events:
            self._offer(decode_envelope(body, max_body=STATION_MAX_FRAME))
        self._drain_pending()
        if self.last_seq >= replay.upto:
            self._synced()

    def _on_snapshot(self, env: Envelope) -> None:
        if self._hello_at is None:
            # The answer to an earlier hello, after another answer synced this station:
            # it may be older than the events applied since. A gap brings a new hello.
            wire_log.debug("ignored a snapshot at %d answering an earlier hello", env.seq)
            return
        self.epoch = env.epoch
        self.last_seq = env.seq
        self._fetching = None
        self.on_snapshot(env)
        self._drain_pending()
        self._synced()

    def _synced(self) -> None:
        self._hello_at = None
        self._hello_unsent = False
        self.synced = True
