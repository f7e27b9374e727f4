"""The hub: the branch's only sequencer.

For every command: validate (wire) → authorize and decide (domain) → commit to the
journal (group commit) → publish → reply. It also journals presence and escalations,
answers resync requests, and publishes a heartbeat each idle second. No Qt here.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import time
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import zmq

from app import log
from app.domain.config import Branch
from app.domain.errors import DomainError
from app.domain.events import (
    Event,
    JournalNote,
    PresenceChanged,
    SignalRaised,
    decode_command,
    decode_event,
)
from app.domain.record import ReplyRow, event_row
from app.domain.state import BranchState, decode_snapshot
from app.hub import queries as hubq
from app.hub.auth import StationAuthenticator
from app.hub.chain import link
from app.hub.journal import Batch, Journal, JournalUnavailable
from app.hub.queries import QueryRunner
from app.hub.snapshots import SnapshotCache
from app.hub.verify import BrokenJournal, Finding
from messaging import keys as keyfiles
from messaging.envelope import (
    MAX_BODY,
    PRIVATE,
    PROTOCOL_VERSION,
    T_ACCEPTED,
    T_ANSWER,
    T_CMD,
    T_EVENT,
    T_FETCH,
    T_HEARTBEAT,
    T_HELLO,
    T_PING,
    T_QUERY,
    T_REJECTED,
    T_REPLAY,
    T_SNAPSHOT,
    Accepted,
    Answer,
    Envelope,
    Fetch,
    Heartbeat,
    Hello,
    Query,
    Rejected,
    Replay,
    WireError,
    decode_envelope,
    decode_payload,
    encode_envelope,
    raw,
)
from messaging.sockets import DEFAULT_HWM, Endpoint, hub_sockets

PRESENCE_TIMEOUT_S = 3.0
HEARTBEAT_S = 1.0
RING = 50_000
REPLAY_CHUNK = 5_000
BATCH_MAX = 1_000
RECENT_REPLIES = 100_000
KEY_CHECK_S = 1.0
STATS_S = 300.0
TIMER_S = 0.1
CHECKPOINT_EVERY = 20_000
"""Events between two state checkpoints (and one at every clean stop)."""
# Per-station rate limits (messages per second, burst). A person clicks a few times a
# minute; a station that floods is refused before it costs the others anything.
MSG_RATE, MSG_BURST = 300.0, 1000.0
CMD_RATE, CMD_BURST = 50.0, 500.0  # an outbox emptied after an outage fits the burst
HELLO_RATE, HELLO_BURST = 2.0, 5.0
MSG_ID_REUSED = "msg_id_reused"
"""The refusal of a command whose msg_id another station's command already used."""

# The hub's hot path calls the sockets' own (Cython) methods: pyzmq's Python layer on
# top (flag enums, multipart loops) cost more than the sends and receives themselves.
# Only for small frames: a big reply (a snapshot) goes through send_multipart, which
# hands it to ZeroMQ without a copy.
_zsend = zmq.backend.Socket.send
_zrecv = zmq.backend.Socket.recv
_zget = zmq.backend.Socket.get
_NOBLOCK = int(zmq.NOBLOCK)
_MORE = int(zmq.NOBLOCK | zmq.SNDMORE)
_RCVMORE = int(zmq.RCVMORE)
_SMALL = 64 * 1024


_HOLE = b"\x90"
"""A stand-in payload (an empty array; not the default, so it is encoded)..."""
_HOLE_AT = b"\xa7payload" + _HOLE
"""...and how it shows in an encoded envelope: the ``payload`` key, then the stand-in."""


def _encode_with_payload(env: Envelope, payload: list[bytes | memoryview]) -> bytes:
    """``env`` encoded with ``payload``'s pieces as its payload, copied once (a snapshot
    is megabytes: joining it, then encoding the envelope around it, copied it twice)."""
    envelope = encode_envelope(msgspec.structs.replace(env, payload=msgspec.Raw(_HOLE)))
    at = envelope.find(_HOLE_AT)
    if at < 0 or envelope.find(_HOLE_AT, at + 1) >= 0:  # not found just once: never guess
        return encode_envelope(msgspec.structs.replace(env, payload=msgspec.Raw(b"".join(payload))))
    cut = at + len(_HOLE_AT) - len(_HOLE)
    view = memoryview(envelope)
    return b"".join([view[:cut], *payload, view[cut + len(_HOLE) :]])


@dataclass(slots=True)
class _Bucket:
    """A token bucket: ``take`` says whether one more message fits now."""

    rate: float
    burst: float
    tokens: float
    at: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class HubClock:
    """Hub time: wall-clock ms read once at start, advanced by the monotonic clock.

    Every duration in the branch is measured on it, so a wall-clock step on the hub PC
    can neither reorder events nor fire a timer early.
    """

    def __init__(self) -> None:
        self._wall0 = time.time_ns() // 1_000_000
        self._mono0 = time.monotonic_ns()

    def now_ms(self) -> int:
        return self._wall0 + (time.monotonic_ns() - self._mono0) // 1_000_000

    def mono(self) -> float:
        return time.monotonic()


@dataclass
class _Incoming:
    identity: bytes
    topic: bytes
    env: Envelope


class Hub:
    """One branch's hub. Call :meth:`serve` (blocks) or :meth:`step` (tests)."""

    def __init__(
        self,
        branch: Branch,
        journal: Journal,
        endpoint: Endpoint,
        ctx: zmq.Context | None = None,
        clock: HubClock | None = None,
        accept_broken: bool = False,
        keys_dir: str | Path | None = None,
        queries: QueryRunner | None = None,
        pub_hwm: int = DEFAULT_HWM,
    ) -> None:
        """``keys_dir`` switches CURVE on (the default of ``lobbylink hub``); ``None`` is
        the development-only plain-text mode, which the hub announces loudly.
        ``queries`` answers read-only questions (reports); without it every query is
        refused with ``unknown_query``."""
        self.branch = branch
        self.journal = journal
        self.endpoint = endpoint
        self.clock = clock or HubClock()
        self.ctx = ctx or zmq.Context.instance()
        self.pub_hwm = pub_hwm  # the PUB's high-water mark (see messaging.sockets)
        self.epoch = journal.epoch
        self.state = BranchState(branch)
        self.snapshots = SnapshotCache(self.state)
        self.queries = queries or QueryRunner({})
        self.ring: deque[tuple[int, bytes]] = deque(maxlen=RING)
        self.private: dict[int, tuple[frozenset[str], bytes]] = {}
        """seq -> (roles that may read it, the stand-in everyone else gets)."""
        self.recent: OrderedDict[str, tuple[str, bytes, bytes]] = OrderedDict()
        """msg_id -> (the station that sent it, reply topic, reply body), newest last."""
        self.rejections: Counter[str] = Counter()
        """Every refusal since start, by reason (logged every STATS_S and at stop)."""
        self._reported: Counter[str] = Counter()
        self._next_stats = self.clock.mono() + STATS_S
        self._complained: dict[tuple[str, str], float] = {}
        self._last_seen: dict[str, float] = {}
        self._last_publish = 0.0
        self._journal_ok = True
        self._retry_journal_at = 0.0
        self._next_deadline: int | None = None
        self._deadline_dirty = True
        self._running = False
        self._batch_replies: list[tuple[str, str, bytes, bytes]] = []
        self._checkpoint_seq = 0
        self._next_timers = 0.0
        self._stale = False
        """The state holds unstored events: serve nothing until a rebuild works."""
        self.accept_broken = accept_broken
        self.broken: Finding | None = None
        self._rebuild(check_chain=True)

        self.keys_dir = Path(keys_dir) if keys_dir is not None else None
        self.auth: StationAuthenticator | None = None
        self._curve = None
        if self.keys_dir is not None:
            self._curve = keyfiles.hub_keys(self.keys_dir)
            self.auth = StationAuthenticator(self.ctx, self.keys_dir)
            self.auth.start()  # before bind: no connection is ever accepted unchecked
        else:
            log.hub.warning(
                "RUNNING WITHOUT ENCRYPTION (--insecure): anyone on the network can read "
                "and send signals; for development only"
            )
        self._buckets: dict[str, tuple[_Bucket, _Bucket, _Bucket]] = {}
        """Per station: all messages, commands, hellos."""
        self._allowed_from: dict[bytes, str] | None = None
        self._allowed_ids: frozenset[str] = frozenset()
        self._next_key_check = 0.0
        self.poller = zmq.Poller()
        try:
            self._bind()
        except zmq.ZMQError:
            if self.auth is not None:
                self.auth.stop()
            raise
        self._started = self.clock.mono()
        if self.broken is not None:  # the decision itself goes into the journal
            self.emit(
                JournalNote(
                    text=f"hub started on a broken journal ({self.broken}), "
                    "accepted with --accept-broken-journal"
                )
            )

    # Life cycle ----------------------------------------------------------------------
    def _rebuild(self, check_chain: bool = False) -> None:
        """Build the state from the journal (at start, and after a failed commit).

        It starts from the latest state checkpoint that matches the journal and replays
        what came after. With ``check_chain`` the whole integrity chain is checked
        first: the first break raises BrokenJournal unless the hub was told to accept it.
        """
        broken = self._check_chain() if check_chain else None
        if broken is not None:
            if not self.accept_broken:
                raise BrokenJournal(broken)
            log.journal.warning("serving a journal with a broken chain: %s", broken)
            self.broken = broken
        state = BranchState(self.branch)
        snapshots = SnapshotCache(state)
        self.ring.clear()
        self.private.clear()
        after = 0
        checkpoint = self.journal.load_checkpoint()
        if checkpoint is not None:
            after, _digest, snapshot = checkpoint
            state.restore(after, decode_snapshot(snapshot))
        self._checkpoint_seq = after
        replayed = 0
        for seq, body, _stored in self.journal.rows(after_seq=after):
            replayed += 1
            env = decode_envelope(body)
            event = decode_event(env.kind, env.payload)
            state.apply(seq, env.hub_ts_ms, event)
            audience = state.audience_of(event)
            if audience is not None:
                self.private[seq] = (audience, self._redacted(seq, env.hub_ts_ms))
            self.ring.append((seq, body))
        if check_chain:
            log.journal.info(
                "state from %s, %d events replayed",
                f"the checkpoint at seq {after}" if checkpoint else "the start",
                replayed,
            )
        self.state, self.snapshots = state, snapshots
        self._deadline_dirty = True
        self._prune()
        # Encode every signal now (one by one: about twice a whole-snapshot encode), so
        # that the first station to ask for a snapshot does not wait for it.
        snapshots.parts()

    def _check_chain(self) -> Finding | None:
        """The first break of the journal's integrity chain, or None."""
        expected, prev = self.journal.chain_start()
        for seq, body, stored in self.journal.rows(after_seq=expected):
            if seq != expected + 1:
                return Finding(seq, f"rows {expected + 1} to {seq - 1} are missing")
            if stored != link(prev, seq, body):
                return Finding(seq, "was edited: its hash does not match its content")
            expected, prev = seq, stored
        return None

    def _prune(self) -> None:
        dropped = self.state.roll_day(self.clock.now_ms())
        if dropped:
            log.hub.info("closed signals of earlier days set aside: %d", dropped)

    def stop(self) -> None:
        self._running = False

    def serve(self) -> None:
        # What start-up built (modules, the journal's engine, the day's state) lives as
        # long as the hub: keep it out of the collector's full passes, which otherwise
        # walked it all every few thousand events (a 60 ms pause in the capacity run).
        gc.freeze()
        self._running = True
        log.hub.info(
            "listening on %s (events on %s), epoch %s, last seq %d",
            self.endpoint.commands,
            self.endpoint.events,
            self.epoch,
            self.state.last_seq,
        )
        while self._running:
            self.step(100)
        self.close()

    def _bind(self) -> None:
        self.router, self.pub = hub_sockets(
            self.ctx, self.endpoint, self._curve, pub_hwm=self.pub_hwm
        )
        self.poller.register(self.router, zmq.POLLIN)

    def _rebind(self) -> None:
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

    def _check_keys(self, mono: float) -> None:
        if self.auth is None or mono < self._next_key_check:
            return
        self._next_key_check = mono + KEY_CHECK_S
        try:
            gone = self.auth.reload()
        except OSError as exc:
            log.hub.error("cannot read the key folder %s: %s", self.keys_dir, exc)
            return
        if gone:
            log.hub.warning("cutting off %s: reopening the hub's sockets", ", ".join(sorted(gone)))
            self._rebind()

    def _checkpoint(self) -> None:
        """Best effort: a failure only means a longer replay at the next start."""
        if self._stale or self.state.last_seq == self._checkpoint_seq:
            return
        try:
            self.journal.save_checkpoint(
                self.state.last_seq, self.journal.last_hash, self.snapshots.snapshot_bytes()
            )
        except JournalUnavailable as exc:
            log.journal.warning("no state checkpoint this time: %s", exc)
            return
        self._checkpoint_seq = self.state.last_seq

    def close(self) -> None:
        if self._journal_ok:
            self._checkpoint()
        self._report_rejections(force=True)
        self.queries.close()
        self.router.close(0)
        self.pub.close(0)
        if self.auth is not None:
            self.auth.stop()

    def _report_rejections(self, force: bool = False) -> None:
        """Every few minutes (and at stop), the refusals since the last report, by reason."""
        mono = self.clock.mono()
        if not force and mono < self._next_stats:
            return
        self._next_stats = mono + STATS_S
        fresh = self.rejections - self._reported
        if fresh:
            summary = ", ".join(f"{code} {n}" for code, n in fresh.most_common())
            log.hub.info("refused since the last report: %s", summary)
            self._reported = Counter(self.rejections)

    def step(self, timeout_ms: int = 100) -> None:
        """Wait up to ``timeout_ms`` for commands, handle a batch, run the timers."""
        if self.queries.running:  # answers come from the worker: look often
            timeout_ms = min(timeout_ms, 10)
        ready = dict(self.poller.poll(timeout_ms))
        incoming: list[_Incoming] = []
        if self.router in ready:
            router, curve = self.router, self.auth is not None
            for _ in range(BATCH_MAX):
                try:
                    frames = [_zrecv(router, _NOBLOCK)]  # the peer's routing id
                except zmq.Again:
                    break
                user = None
                if _zget(router, _RCVMORE):  # the rest of a message is there at once
                    first = _zrecv(router, _NOBLOCK, False)
                    if curve:  # the ZAP User-Id rides on the peer's frames, not on the id
                        user = str(first.get("User-Id") or "")
                    frames.append(first.bytes)
                    while _zget(router, _RCVMORE):
                        frames.append(_zrecv(router, _NOBLOCK))
                try:
                    item = self._admit(frames, user)
                except Exception:  # a frame may cost a log line, never the hub
                    log.wire.exception("unexpected failure admitting a frame; dropped")
                    self.rejections["internal"] += 1
                    continue
                if item is not None:
                    incoming.append(item)
        self._run(incoming)
        for done in self.queries.finished():
            self._answer(done.identity, done.msg_id, done.answer)

    # Admission (wire checks) -------------------------------------------------------------
    def _admit(self, frames: list[bytes], user: str | None = None) -> _Incoming | None:
        """Wire checks; ``user`` is the ZAP User-Id (the station id) under CURVE."""
        identity = frames[0]
        if len(frames) != 3:
            self._reject_raw(
                identity, "", "bad_frame", f"expected [topic, body], got {len(frames) - 1} frames"
            )
            return None
        topic, body = frames[1], frames[2]
        try:
            env = decode_envelope(body, max_body=MAX_BODY)
        except WireError as exc:
            self._reject_raw(identity, exc.msg_id, exc.code, exc.reason)
            return None
        if self.auth is not None:
            if not user or user not in self._allowed():
                self._reject_raw(
                    identity, env.msg_id, "revoked", "this station's key is not allowed"
                )
                return None
            if env.station != user:
                self._reject_raw(
                    identity,
                    env.msg_id,
                    "station_mismatch",
                    f"this connection belongs to {user}, the message says {env.station!r}",
                )
                return None
        station = self.branch.station(env.station)
        if station is None:
            self._reject_raw(
                identity,
                env.msg_id,
                "unknown_station",
                f"{env.station!r} is not a station of this branch",
            )
            return None
        if env.seq or env.epoch or env.hub_ts_ms:
            self._reject_raw(
                identity,
                env.msg_id,
                "forged_field",
                "seq, epoch and hub_ts_ms are set by the hub only",
            )
            return None
        limited = self._limited(env.station, topic)
        if limited:
            if topic == T_CMD:  # an answer, so the station backs off instead of resending blind
                body = self._reply_body(env.msg_id, Rejected("rate_limited", limited, retry=True))
                self._send_reply(identity, T_REJECTED, body)
            return None
        if topic not in (T_CMD, T_HELLO, T_PING, T_FETCH, T_QUERY):
            self._reject_raw(identity, env.msg_id, "unknown_topic", f"unknown topic {topic[:32]!r}")
            return None
        return _Incoming(identity, topic, env)

    def _allowed(self) -> frozenset[str]:
        """The station ids with a key now (re-made only when the allow-list is re-read)."""
        assert self.auth is not None
        allowed = self.auth.allowed  # replaced, never changed in place, by a reload
        if allowed is not self._allowed_from:
            self._allowed_from, self._allowed_ids = allowed, frozenset(allowed.values())
        return self._allowed_ids

    def _limited(self, station: str, topic: bytes) -> str:
        """Per-station rate limits: why this message is over them ('' = it is not)."""
        now = self.clock.mono()
        buckets = self._buckets.get(station)
        if buckets is None:
            buckets = self._buckets[station] = (
                _Bucket(MSG_RATE, MSG_BURST, MSG_BURST, now),
                _Bucket(CMD_RATE, CMD_BURST, CMD_BURST, now),
                _Bucket(HELLO_RATE, HELLO_BURST, HELLO_BURST, now),
            )
        if not buckets[0].take(now):
            return self._over(station, "all", MSG_RATE)
        if topic == T_CMD and not buckets[1].take(now):
            return self._over(station, "cmd", CMD_RATE)
        if topic == T_HELLO and not buckets[2].take(now):
            return self._over(station, "hello", HELLO_RATE)
        return ""

    def _over(self, station: str, kind: str, rate: float) -> str:
        reason = f"over {rate:g} {kind} messages a second; slow down"
        self._complain("rate_limited", reason, station)
        return reason

    def _reject_raw(self, identity: bytes, msg_id: str, code: str, reason: str) -> None:
        self._complain(code, reason, identity.hex()[:8])
        body = self._reply_body(msg_id, Rejected(code, reason))
        self._send_reply(identity, T_REJECTED, body)

    def _complain(self, code: str, reason: str, who: str) -> None:
        """Count every rejection; log it once per burst (a minute per peer and code)."""
        self.rejections[code] += 1
        now = self.clock.mono()
        key = (who, code)
        if now - self._complained.get(key, -1e9) > 60:
            self._complained[key] = now
            log.wire.warning(
                "rejected from %s: %s: %s (further ones counted, not logged, for a minute)",
                who,
                code,
                reason,
            )
            if len(self._complained) > 10_000:
                self._complained.clear()

    # The pipeline -----------------------------------------------------------------------------
    def _run(self, incoming: list[_Incoming]) -> None:
        if self._stale and not self._recover():
            for item in incoming:
                if item.topic == T_CMD:
                    reply = Rejected(
                        "journal_unavailable", "the journal cannot be read", retry=True
                    )
                    self._send_reply(
                        item.identity, T_REJECTED, self._reply_body(item.env.msg_id, reply)
                    )
            return
        batch = Batch()
        self._batch_replies = []
        published: list[bytes] = []
        replies: list[tuple[bytes, bytes, bytes]] = []
        hellos: list[_Incoming] = []
        commands: list[_Incoming] = []
        mono = self.clock.mono()
        for item in incoming:
            if item.topic in (T_PING, T_HELLO):  # presence is the station PC's, not a CLI's
                self._seen(item.env.station, mono, batch, published)
            if item.topic in (T_HELLO, T_FETCH, T_QUERY):
                hellos.append(item)
            elif item.topic == T_CMD:
                commands.append(item)
        if commands:
            self._decide_all(commands, batch, published, replies)
        if self._journal_ok or mono >= self._retry_journal_at:
            self._timers(mono, batch, published)
        self._check_keys(mono)
        self._report_rejections()
        if batch:
            try:
                self.journal.commit(batch)
            except JournalUnavailable as exc:
                self._journal_failed(str(exc), commands)
                return
            if not self._journal_ok:
                self._journal_ok = True
                log.journal.warning("the journal is writable again")
            for mid, station, topic, body in self._batch_replies:
                self._remember(mid, station, topic, body)
            if self.state.last_seq - self._checkpoint_seq >= CHECKPOINT_EVERY:
                self._checkpoint()
        if published:
            self._publish_all(published)
        for identity, topic, body in replies:
            self._send_reply(identity, topic, body)
        for item in hellos:  # after the publish: answers include this batch's events
            if item.topic == T_FETCH:
                self._fetch(item)
            elif item.topic == T_QUERY:
                self._query(item)
            else:
                self._hello(item)
        if mono - self._last_publish >= HEARTBEAT_S:
            beat = self._control("heartbeat", "", Heartbeat(self.state.last_seq))
            self._publish(T_HEARTBEAT, encode_envelope(beat))

    def _recover(self) -> bool:
        """Try to reread the journal after a failure; True once the state is clean."""
        mono = self.clock.mono()
        if mono < self._retry_journal_at:
            return False
        self._retry_journal_at = mono + 1.0
        try:
            self._rebuild()
        except Exception as exc:
            log.journal.debug("journal still unreadable: %s", exc)
            return False
        self._stale = False
        log.journal.warning("the journal is readable again")
        return True

    def _journal_failed(self, reason: str, commands: list[_Incoming]) -> None:
        if self._journal_ok:
            log.journal.error("cannot write: %s; refusing commands until it can", reason)
        self._journal_ok = False
        self._retry_journal_at = self.clock.mono() + 1.0
        try:
            self._rebuild()  # forget what was decided but not stored
            self._stale = False
        except Exception as exc:  # the journal may not even be readable now
            log.journal.error("cannot reread the journal either: %s", exc)
            self._stale = True  # memory holds events that were never stored
        for item in commands:
            body = self._reply_body(
                item.env.msg_id, Rejected("journal_unavailable", reason, retry=True)
            )
            self._send_reply(item.identity, T_REJECTED, body)
        self.rejections["journal_unavailable"] += len(commands)

    def _decide_all(
        self,
        commands: list[_Incoming],
        batch: Batch,
        published: list[bytes],
        replies: list[tuple[bytes, bytes, bytes]],
    ) -> None:
        unknown = [c.env.msg_id for c in commands if c.env.msg_id not in self.recent]
        try:
            stored = self.journal.find_replies(unknown) if unknown else {}
        except JournalUnavailable as exc:
            # Without the journal we cannot tell a resubmission from a new command:
            # answer "later" rather than risk storing one twice.
            for item in commands:
                old = self.recent.get(item.env.msg_id)
                if old is not None:
                    replies.append(self._resent(item, old))
                else:
                    body = self._reply_body(
                        item.env.msg_id, Rejected("journal_unavailable", str(exc), retry=True)
                    )
                    replies.append((item.identity, T_REJECTED, body))
            return
        in_batch: dict[str, tuple[str, bytes, bytes]] = {}
        for item in commands:
            env = item.env
            if not env.msg_id:
                self._complain("bad_frame", "a command without a msg_id", env.station)
                body = self._reply_body("", Rejected("bad_frame", "a command needs a msg_id"))
                replies.append((item.identity, T_REJECTED, body))
                continue
            old = self.recent.get(env.msg_id) or in_batch.get(env.msg_id)
            if old is None and env.msg_id in stored:
                station_s, topic_s, body_b = stored[env.msg_id]
                old = (station_s, topic_s.encode(), body_b)
            if old is not None:  # a resubmission: the original answer, nothing else
                replies.append(self._resent(item, old))
                continue
            topic, body, seq, final = self._decide_one(env, batch, published)
            replies.append((item.identity, topic, body))
            in_batch[env.msg_id] = (env.station, topic, body)
            if not final:
                continue  # "internal" is not a final answer: a resend may succeed
            # Accepted or refused by the rules, the answer is final: keep it for resends.
            batch.replies.append(
                ReplyRow(env.msg_id, env.station, seq, self.clock.now_ms(), topic.decode(), body)
            )
            self._batch_replies.append((env.msg_id, env.station, topic, body))

    def _resent(self, item: _Incoming, old: tuple[str, bytes, bytes]) -> tuple[bytes, bytes, bytes]:
        """The reply to a command whose msg_id the hub already answered: the original
        answer to the same station; to another station, a refusal (never its reply)."""
        station, topic, body = old
        if station == item.env.station:
            return item.identity, topic, body
        reason = (
            f"msg_id {item.env.msg_id!r} was already used by another station ({station}); "
            "make a new msg_id for every command"
        )
        self._complain(MSG_ID_REUSED, reason, item.env.station)
        return (
            item.identity,
            T_REJECTED,
            self._reply_body(item.env.msg_id, Rejected(MSG_ID_REUSED, reason)),
        )

    def _decide_one(
        self, env: Envelope, batch: Batch, published: list[bytes]
    ) -> tuple[bytes, bytes, int | None, bool]:
        """(topic, reply body, seq if accepted, whether the answer is final)."""
        try:
            command = decode_command(env.kind, bytes(env.payload))
        except ValueError as exc:
            code = "unknown_kind" if "unknown command" in str(exc) else "bad_payload"
            self._complain(code, str(exc), env.station)
            return T_REJECTED, self._reply_body(env.msg_id, Rejected(code, str(exc))), None, True
        try:
            event = self.state.decide(env.station, command, self.state.last_seq + 1)
        except DomainError as exc:
            self._complain(exc.code, f"refused {env.kind}: {exc.reason}", env.station)
            return (
                T_REJECTED,
                self._reply_body(env.msg_id, Rejected(exc.code, exc.reason)),
                None,
                True,
            )
        except Exception:  # a bug in a rule must not take the branch down
            log.hub.exception("unexpected failure deciding %s from %s", env.kind, env.station)
            self.rejections["internal"] += 1
            reply = Rejected("internal", "the hub failed to decide this command; it was logged")
            return T_REJECTED, self._reply_body(env.msg_id, reply), None, False
        seq = self._sequence(event, batch, published, env)
        return T_ACCEPTED, self._reply_body(env.msg_id, Accepted(seq)), seq, True

    def _sequence(
        self, event: Event, batch: Batch, published: list[bytes], origin: Envelope | None = None
    ) -> int:
        """Give an event its seq, apply it, and queue it for the journal and the PUB."""
        seq = self.state.last_seq + 1
        ts = max(self.clock.now_ms(), self.state.last_ts_ms)
        if origin is None:
            row = event_row(seq, ts, event, self.epoch)
        else:
            row = event_row(seq, ts, event, self.epoch, origin.msg_id, origin.ts_ms)
        body = row.body
        sig = self.state.apply(seq, ts, event)
        if sig is not None:
            batch.touch(sig, new=isinstance(event, SignalRaised))
            self._deadline_dirty = True
        batch.events.append(row)
        audience = self.state.audience_of(event)
        if audience is not None:  # a silent signal: the PUB carries only a stand-in
            self.private[seq] = (audience, self._redacted(seq, ts))
            published.append(self.private[seq][1])
        else:
            published.append(body)
        if len(self.ring) == self.ring.maxlen:
            self.private.pop(self.ring[0][0], None)  # about to leave the ring
        self.ring.append((seq, body))
        return seq

    def _redacted(self, seq: int, ts: int) -> bytes:
        """What everyone sees of an event only some may read: that seq was used."""
        env = Envelope(
            v=PROTOCOL_VERSION,
            kind=PRIVATE,
            msg_id="",
            station="",
            ts_ms=ts,
            seq=seq,
            epoch=self.epoch,
            hub_ts_ms=ts,
        )
        return encode_envelope(env)

    def _body_for(self, seq: int, body: bytes, role: str) -> bytes:
        """The body of event ``seq`` as a station of ``role`` may see it."""
        found = self.private.get(seq)
        if found is None or role in found[0]:
            return body
        return found[1]

    def emit(self, event: Event) -> int:
        """Journal and publish an event the hub itself makes (outside a command)."""
        batch, published = Batch(), list[bytes]()
        seq = self._sequence(event, batch, published)
        try:
            self.journal.commit(batch)
        except JournalUnavailable:
            self._rebuild()
            raise
        for body in published:
            self._publish(T_EVENT, body)
        return seq

    # Timers --------------------------------------------------------------------------------
    def _seen(self, station: str, mono: float, batch: Batch, published: list[bytes]) -> None:
        self._last_seen[station] = mono
        if not self.state.presence.get(station) and self._journal_ok:
            self._sequence(PresenceChanged(online=True, station=station), batch, published)

    def _timers(self, mono: float, batch: Batch, published: list[bytes]) -> None:
        # Timers run a few times a second, not once per message: a busy hub handles
        # thousands of steps a second and a branch may have hundreds of stations.
        if mono < self._next_timers:
            return
        self._next_timers = mono + TIMER_S
        for station, online in list(self.state.presence.items()):
            if online and mono - self._last_seen.get(station, self._started) > PRESENCE_TIMEOUT_S:
                self._sequence(PresenceChanged(online=False, station=station), batch, published)
        now = self.clock.now_ms()
        if self._deadline_dirty:
            self._next_deadline = self.state.next_deadline_ms()
            self._deadline_dirty = False
        if self._next_deadline is not None and now >= self._next_deadline:
            for esc in self.state.due_escalations(now):
                sig = self.state.signals[esc.signal_id]
                log.hub.info(
                    "signal %d (%s) not acknowledged in time: escalated to %s",
                    sig.id,
                    sig.code,
                    esc.role,
                )
                self._sequence(esc, batch, published)
            self._deadline_dirty = True
        self._prune()

    # Output ----------------------------------------------------------------------------------
    def _control(
        self, kind: str, msg_id: str, payload: object = None, seq: int | None = None
    ) -> Envelope:
        """A message of the hub's own (reply, answer, replay, snapshot, heartbeat), stamped
        with its clock and epoch; ``seq`` defaults to the hub's last seq."""
        now = self.clock.now_ms()
        return Envelope(
            v=PROTOCOL_VERSION,
            kind=kind,
            msg_id=msg_id,
            station="",
            ts_ms=now,
            payload=raw(payload),
            seq=self.state.last_seq if seq is None else seq,
            epoch=self.epoch,
            hub_ts_ms=now,
        )

    def _reply_body(self, msg_id: str, payload: Any) -> bytes:
        if isinstance(payload, Accepted):
            return encode_envelope(self._control("accepted", msg_id, payload, payload.seq))
        return encode_envelope(self._control("rejected", msg_id, payload, 0))

    def _remember(self, msg_id: str, station: str, topic: bytes, body: bytes) -> None:
        self.recent[msg_id] = (station, topic, body)
        if len(self.recent) > RECENT_REPLIES:
            self.recent.popitem(last=False)

    def _send_reply(self, identity: bytes, topic: bytes, body: bytes) -> None:
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

    def _publish(self, topic: bytes, body: bytes) -> None:
        self._last_publish = self.clock.mono()
        # PUB drops at its high-water mark; a slow subscriber sees the gap and resyncs.
        with contextlib.suppress(zmq.Again):
            self.pub.send_multipart([topic, body], zmq.NOBLOCK)

    def _publish_all(self, bodies: list[bytes]) -> None:
        """Publish a batch's events, in order."""
        self._last_publish = self.clock.mono()
        pub = self.pub
        for body in bodies:
            if len(body) >= _SMALL:
                self._publish(T_EVENT, body)
                continue
            try:
                _zsend(pub, T_EVENT, _MORE)
                _zsend(pub, body, _NOBLOCK)
            except zmq.Again:  # as above: the subscriber that misses it resyncs
                pass

    def _role(self, station: str) -> str:
        found = self.branch.station(station)
        return found.role.value if found is not None else ""

    def _fetch(self, item: _Incoming) -> None:
        """The full body of a private event, for a station whose role may read it."""
        try:
            seq = decode_payload(item.env, Fetch).seq
        except WireError as exc:
            self._reject_raw(item.identity, item.env.msg_id, exc.code, exc.reason)
            return
        first = self.ring[0][0] if self.ring else self.state.last_seq + 1
        if not first <= seq <= self.state.last_seq:
            self._reject_raw(item.identity, item.env.msg_id, "not_found", f"no event {seq} here")
            return
        body = self._body_for(seq, self.ring[seq - first][1], self._role(item.env.station))
        self._send_reply(item.identity, T_EVENT, body)

    def _query(self, item: _Incoming) -> None:
        """Hand a read-only question to the query worker (or refuse it at once)."""
        try:
            query = decode_payload(item.env, Query)
        except WireError as exc:
            self._reject_raw(item.identity, item.env.msg_id, exc.code, exc.reason)
            return
        station = item.env.station
        refused = self.queries.submit(
            item.identity, item.env.msg_id, station, self._role(station), query.name, query.args
        )
        if refused is not None:
            self._complain(refused.code, refused.reason, station)
            self._answer(item.identity, item.env.msg_id, refused)

    def _answer(self, identity: bytes, msg_id: str, found: hubq.Answer) -> None:
        answer = Answer(found.ok, found.body, found.code, found.reason, found.retry)
        self._send_reply(
            identity, T_ANSWER, encode_envelope(self._control("answer", msg_id, answer))
        )

    def _hello(self, item: _Incoming) -> None:
        try:
            hello = decode_payload(item.env, Hello)
        except WireError as exc:
            self._reject_raw(item.identity, item.env.msg_id, exc.code, exc.reason)
            return
        last = self.state.last_seq
        role = self._role(item.env.station)
        first = self.ring[0][0] if self.ring else last + 1
        if hello.epoch == self.epoch and first - 1 <= hello.last_seq <= last:
            start = hello.last_seq + 1 - first
            bodies = [
                self._body_for(seq, body, role)
                for seq, body in itertools.islice(self.ring, start, None)
            ]
            for i in range(0, max(len(bodies), 1), REPLAY_CHUNK):
                env = self._control(
                    "replay", item.env.msg_id, Replay(bodies[i : i + REPLAY_CHUNK], last), last
                )
                self._send_reply(item.identity, T_REPLAY, encode_envelope(env))
            return
        env = self._control("snapshot", item.env.msg_id, seq=last)
        body = _encode_with_payload(env, self.snapshots.parts(reader=role))
        self._send_reply(item.identity, T_SNAPSHOT, body)
