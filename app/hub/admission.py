"""Admission: the wire checks every message passes before the hub looks at it.

A frame is decoded, its station checked against the connection's key (under CURVE)
and the branch, its hub-only fields checked empty, and it is counted against the
station's rate limits. What passes becomes an :class:`Incoming` carrying its topic's
:class:`Route`; what does not becomes a :class:`Refusal` for the hub to send (or
nothing, for a message that gets no answer).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from typing import NamedTuple

from app import log
from app.domain.config import Branch
from app.hub.auth import UNKNOWN, StationAuthenticator
from app.hub.clock import HubClock
from messaging.envelope import MAX_BODY, T_ENROL, Envelope, WireError, decode_envelope

STATS_S = 300.0
LINES_PER_CODE = 5
"""Refusal log lines a minute for one code, from all peers together."""
KEY_CHECK_S = 1.0


@dataclass(frozen=True, slots=True)
class Limit:
    """A per-station token bucket: messages per second, and the burst allowed."""

    rate: float
    burst: float


# Per-station rate limits. A person clicks a few times a minute; a station that floods
# is refused before it costs the others anything.
MSG_RATE, MSG_BURST = 300.0, 1000.0
CMD_RATE, CMD_BURST = 50.0, 500.0  # an outbox emptied after an outage fits the burst
HELLO_RATE, HELLO_BURST = 2.0, 5.0
COMMANDS = Limit(CMD_RATE, CMD_BURST)
HELLOS = Limit(HELLO_RATE, HELLO_BURST)
ENROL_RATE, ENROL_BURST = 1.0, 5.0
"""Enrolment requests a second, all keys together: any key may ask, so the limit is
the branch's, not a station's (a flood of fresh keys cannot buy more)."""
ENROLLERS = "?enrol"


@dataclass(frozen=True, slots=True)
class Route:
    """What the hub does with the messages of one topic: a row of its dispatch table."""

    limit: Limit | None = None
    """The topic's own per-station rate limit, besides the one on all messages."""
    presence: bool = False
    """The message shows its station alive (a station PC, not a one-shot tool)."""
    command: bool = False
    """Decided and journaled with the step's batch; answered after the commit (and
    answered ``rate_limited`` rather than dropped when over a limit)."""
    answer: Callable[[Incoming], None] | None = None
    """Answers the message after the step's events are published."""


@dataclass(slots=True)
class Incoming:
    """An admitted message."""

    identity: bytes
    topic: bytes
    env: Envelope
    route: Route
    key: bytes = b""
    """The Z85 key the connection handshook with (under CURVE)."""


class Refusal(NamedTuple):
    """A message refused with a reason: the hub answers ``rejected`` to ``identity``."""

    identity: bytes
    msg_id: str
    code: str
    reason: str
    retry: bool = False


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


class Refusals:
    """Every refusal since start, by code: each counted, logged once a minute per peer
    and code but at most :data:`LINES_PER_CODE` lines a minute per code whatever the
    number of peers (a flood from many connections or keys costs a few lines), and
    summed up in the log every few minutes (and at stop)."""

    def __init__(self, clock: HubClock) -> None:
        self.clock = clock
        self.counts: Counter[str] = Counter()
        self._reported: Counter[str] = Counter()
        self._next_report = clock.mono() + STATS_S
        self._complained: dict[tuple[str, str], float] = {}
        self._lines: dict[str, tuple[float, int]] = {}
        """Per code: when its current minute started, and the lines logged in it."""

    def complain(self, code: str, reason: str, who: str) -> None:
        """Count a refusal; log it once per burst (a minute per peer and code, and a few
        lines a minute per code)."""
        self.counts[code] += 1
        now = self.clock.mono()
        key = (who, code)
        if now - self._complained.get(key, -1e9) <= 60:
            return
        start, lines = self._lines.get(code, (-1e9, 0))
        if now - start > 60:
            start, lines = now, 0
        if lines >= LINES_PER_CODE:
            return  # counted; the report every few minutes sums them up
        self._lines[code] = (start, lines + 1)
        self._complained[key] = now
        log.wire.warning(
            "rejected from %s: %s: %s (further ones counted, not logged, for a minute)",
            who,
            code,
            reason,
        )
        if len(self._complained) > 10_000:
            self._complained.clear()

    def report(self, force: bool = False) -> None:
        """Every few minutes (and at stop), the refusals since the last report, by code."""
        mono = self.clock.mono()
        if not force and mono < self._next_report:
            return
        self._next_report = mono + STATS_S
        fresh = self.counts - self._reported
        if fresh:
            summary = ", ".join(f"{code} {n}" for code, n in fresh.most_common())
            log.hub.info("refused since the last report: %s", summary)
            self._reported = Counter(self.counts)


class Admission:
    """Turns raw frames into :class:`Incoming` messages of the topics in ``routes``."""

    def __init__(
        self,
        branch: Branch,
        clock: HubClock,
        refusals: Refusals,
        routes: Mapping[bytes, Route],
        auth: StationAuthenticator | None,
    ) -> None:
        self.branch, self.clock, self.refusals = branch, clock, refusals
        self.routes = routes
        self.auth = auth
        self._buckets: dict[str, tuple[_Bucket, dict[bytes, _Bucket]]] = {}
        """Per station: all its messages, and each topic with a limit of its own."""
        self._next_key_check = 0.0
        self._key_failures = 0
        """Key folder reads that failed since the last line saying so."""
        self._next_key_complaint = 0.0
        self._key_complained = False

    def admit(self, frames: list[bytes], user: str | None = None) -> Incoming | Refusal | None:
        """Wire checks; ``user`` is the ZAP User-Id (``<station> <Z85 key>``) under CURVE.

        None: the message is dropped without an answer (over a limit, not a command).
        """
        identity = frames[0]
        # Who a refusal is logged against: under CURVE the key's station (however many
        # connections it opens), else the connection.
        who = (user or "").partition(" ")[0] or identity.hex()[:8]
        if len(frames) != 3:
            reason = f"expected [topic, body], got {len(frames) - 1} frames"
            return self._refuse(identity, "", "bad_frame", reason, who)
        topic, body = frames[1], frames[2]
        try:
            env = decode_envelope(body, max_body=MAX_BODY)
        except WireError as exc:
            return self._refuse(identity, exc.msg_id, exc.code, exc.reason, who)
        key = b""
        if self.auth is not None:
            user, _, z85 = (user or "").partition(" ")
            key = z85.encode()
            owner = self.auth.allowed.get(key)
            if topic == T_ENROL:  # any key may ask, at the branch's enrolment rate
                return self._enrolment(identity, topic, env, key)
            if user == UNKNOWN and owner is None:
                reason = "this key is not a station's: ask for enrolment (lobbylink enrol)"
                return self._refuse(identity, env.msg_id, "not_enrolled", reason, who)
            # the key the connection handshook with must still be this station's key now
            # (a key approved since it connected is its station's from now on)
            if owner is None or user not in (owner, UNKNOWN):
                reason = "this station's key is not allowed"
                return self._refuse(identity, env.msg_id, "revoked", reason, who)
            user = owner
            if env.station != user:
                reason = f"this connection belongs to {user}, the message says {env.station!r}"
                return self._refuse(identity, env.msg_id, "station_mismatch", reason, who)
        if self.branch.station(env.station) is None:
            reason = f"{env.station!r} is not a station of this branch"
            return self._refuse(identity, env.msg_id, "unknown_station", reason, who)
        if env.seq or env.epoch or env.hub_ts_ms:
            reason = "seq, epoch and hub_ts_ms are set by the hub only"
            return self._refuse(identity, env.msg_id, "forged_field", reason, who)
        route = self.routes.get(topic)
        limited = self._limited(env.station, topic, route)
        if limited:
            if route is not None and route.command:
                # an answer, so the station backs off instead of resending blind
                return Refusal(identity, env.msg_id, "rate_limited", limited, retry=True)
            return None
        if route is None:
            reason = f"unknown topic {topic[:32]!r}"
            return self._refuse(identity, env.msg_id, "unknown_topic", reason, who)
        return Incoming(identity, topic, env, route, key)

    def _enrolment(
        self, identity: bytes, topic: bytes, env: Envelope, key: bytes
    ) -> Incoming | Refusal:
        if self.branch.station(env.station) is None:
            reason = f"{env.station!r} is not a station of this branch"
            return self._refuse(identity, env.msg_id, "unknown_station", reason, UNKNOWN)
        route = self.routes.get(topic)
        if route is None:
            return self._refuse(identity, env.msg_id, "unknown_topic", "no enrolment here", UNKNOWN)
        limited = self._limited(ENROLLERS, topic, route)
        if limited:
            return Refusal(identity, env.msg_id, "rate_limited", limited, retry=True)
        return Incoming(identity, topic, env, route, key)

    def _refuse(self, identity: bytes, msg_id: str, code: str, reason: str, who: str) -> Refusal:
        self.refusals.complain(code, reason, who)
        return Refusal(identity, msg_id, code, reason)

    def _limited(self, station: str, topic: bytes, route: Route | None) -> str:
        """Per-station rate limits: why this message is over them ('' = it is not)."""
        now = self.clock.mono()
        buckets = self._buckets.get(station)
        if buckets is None:
            buckets = self._buckets[station] = (_Bucket(MSG_RATE, MSG_BURST, MSG_BURST, now), {})
        if not buckets[0].take(now):
            return self._over(station, "all", MSG_RATE)
        limit = route.limit if route is not None else None
        if limit is not None:
            bucket = buckets[1].get(topic)
            if bucket is None:
                bucket = buckets[1][topic] = _Bucket(limit.rate, limit.burst, limit.burst, now)
            if not bucket.take(now):
                return self._over(station, topic.decode(), limit.rate)
        return ""

    def _over(self, station: str, kind: str, rate: float) -> str:
        reason = f"over {rate:g} {kind} messages a second; slow down"
        self.refusals.complain("rate_limited", reason, station)
        return reason

    def revoked(self, mono: float) -> Set[str]:
        """About once a second: the stations whose key was revoked since the last look."""
        if self.auth is None or mono < self._next_key_check:
            return _NOBODY
        self._next_key_check = mono + KEY_CHECK_S
        try:
            changed = self.auth.reload()
        except OSError as exc:
            # One line when it starts, then at most one a minute: out of file
            # descriptors (a flood of connections) it can fail every second for long.
            self._key_failures += 1
            if mono >= self._next_key_complaint:
                self._next_key_complaint = mono + 60
                self._key_complained = True
                log.hub.error(
                    "cannot read the key folder %s: %s (%d failed reads since the last such "
                    "line; retried every second)",
                    self.auth.folder,
                    exc,
                    self._key_failures,
                )
                self._key_failures = 0
            return _NOBODY
        if self._key_complained:
            self._key_complained = False
            log.hub.info("the key folder can be read again")
        return changed


_NOBODY: frozenset[str] = frozenset()
