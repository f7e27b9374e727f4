"""A station written from docs/protocol.md alone, run against a real hub.

``ThirdPartyStation`` is what another team would write from the published document: it
uses pyzmq, msgspec's generic msgpack (plain maps and lists) and the standard library,
and no module of this project. Section numbers (§) are those of docs/protocol.md. The
tests use the project's helpers only to start a hub and make its key folder.
"""

from __future__ import annotations

import copy
import random
import re
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
import zmq

from tests.helpers import HubProcess, free_port_pair

# -- the station ------------------------------------------------------------------------

MAX_BODY = 16_384  # §4.4
MAX_FRAME = 262_144  # §2.2, §4.4
DEALER_MAXMSGSIZE = 64 * 1024 * 1024  # §2.2
RESEND_S = 2.0  # §11.1.5, §11.2.5, §7.1
HUB_LOST_S = 3.0  # §11.5
PING_S = 1.0  # §11.5
REQUIRED = ("v", "kind", "msg_id", "station", "ts_ms")  # §4.2

_CERT_LINE = re.compile(r'^\s*(public-key|secret-key)\s*=\s*"([^"]{40})"\s*$')


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def read_cert(path: Path) -> dict[str, bytes]:
    """The Z85 keys of a ZPL certificate file (§2.4, "The key folder")."""
    keys: dict[str, bytes] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _CERT_LINE.match(line)
        if match:
            keys[match.group(1)] = match.group(2).encode("ascii")
    return keys


@dataclass(frozen=True)
class CurveKeys:
    """What a station PC holds (§2.4): hub.key and its own stations/<ID>.key_secret."""

    server_public: bytes
    public: bytes
    secret: bytes

    @classmethod
    def load(cls, folder: Path, station: str) -> CurveKeys:
        hub = read_cert(folder / "hub.key")
        own = read_cert(folder / "stations" / f"{station}.key_secret")
        return cls(hub["public-key"], own["public-key"], own["secret-key"])


@dataclass
class Pending:
    """One command of the outbox (§11.1)."""

    msg_id: str
    kind: str
    payload: dict[str, Any]
    sent_at: float | None = None
    wait: float = RESEND_S


@dataclass
class Saved:
    """What a station keeps between runs: its state, last seq and epoch (§11.2.2)."""

    last_seq: int
    epoch: str
    state: dict[str, Any]


@dataclass
class Trace:
    """What a station saw, for the tests to check."""

    replies: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)
    sent: Counter[str] = field(default_factory=Counter)  # msg_id -> sends that went out
    sent_ts: dict[str, list[int]] = field(default_factory=dict)  # msg_id -> ts_ms of each
    replays: list[dict[str, Any]] = field(default_factory=list)  # replay envelopes received
    sub_events: list[dict[str, Any]] = field(default_factory=list)  # `ev` from SUB, in order
    applied: list[dict[str, Any]] = field(default_factory=list)  # envelopes applied, in order
    heartbeats: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    sync_answers: list[str] = field(default_factory=list)  # "snapshot" / "replay", applied
    states: dict[int, list[str]] = field(default_factory=dict)  # signal id -> states seen
    fetches: int = 0


def decode_envelope(body: bytes) -> dict[str, Any] | None:
    """A hub message's envelope (§4), or None if it is not one (§3: drop it)."""
    try:
        env = msgspec.msgpack.decode(body)
    except msgspec.DecodeError:
        return None
    if not isinstance(env, dict) or any(key not in env for key in REQUIRED):
        return None
    env.setdefault("payload", None)
    env.setdefault("seq", 0)
    env.setdefault("epoch", "")
    env.setdefault("hub_ts_ms", 0)
    return env


class ThirdPartyStation:
    """A Lobbylink station from docs/protocol.md: CURVE DEALER + SUB (§2), hello and
    resync (§11.2-11.3), events in seq order with gap detection (§11.4), private events
    fetched when ``reads_private`` (§7.1), an outbox with one command in flight (§11.1),
    pings (§11.5) and queries (§5.9). Call ``pump`` often; it never blocks for long."""

    def __init__(
        self,
        station: str,
        host: str,
        port: int,
        ctx: zmq.Context,
        keys: CurveKeys | None,
        *,
        reads_private: bool = False,
        saved: Saved | None = None,
    ) -> None:
        self.station = station
        self.reads_private = reads_private
        # the branch state (§8), built from events only
        self.signals: dict[int, dict[str, Any]] = {}
        self.counters: dict[str, dict[str, Any]] = {}
        self.presence: dict[str, bool] = {}
        self.staff_at: dict[str, str] = {}
        self.last_ts_ms = 0
        self.last_seq = 0
        self.epoch = ""
        if saved is not None:
            self._replace_state(copy.deepcopy(saved.state))
            self.last_seq, self.epoch = saved.last_seq, saved.epoch
        # the link
        self.held: dict[tuple[str, int], dict[str, Any]] = {}
        self.hello_id: str | None = None
        self.hello_sent_at = 0.0
        self.want_hello = True
        self.fetching: int | None = None
        self.fetch_sent_at = 0.0
        self.outbox: deque[Pending] = deque()
        self.pause_until = 0.0
        self.results: dict[str, tuple[str, dict[str, Any]]] = {}
        self.queries: set[str] = set()
        self.answers: dict[str, dict[str, Any]] = {}
        self.lose_replies = 0  # fault injection: drop this many command replies
        self.lose_events = 0  # fault injection: drop this many `ev` from SUB
        self.last_frame_at = time.monotonic()
        self.hub_lost = False
        self.next_ping = 0.0
        self.offset_ms = 0
        self.trace = Trace()
        # the sockets (§2.1, §2.2, §2.4, §2.3): options before connect
        self.dealer = ctx.socket(zmq.DEALER)
        self.sub = ctx.socket(zmq.SUB)
        for sock in (self.dealer, self.sub):
            sock.setsockopt(zmq.LINGER, 0)
            sock.setsockopt(zmq.RECONNECT_IVL, 100)
            sock.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
            if keys is not None:
                sock.setsockopt(zmq.CURVE_SERVERKEY, keys.server_public)
                sock.setsockopt(zmq.CURVE_PUBLICKEY, keys.public)
                sock.setsockopt(zmq.CURVE_SECRETKEY, keys.secret)
        self.dealer.setsockopt(zmq.MAXMSGSIZE, DEALER_MAXMSGSIZE)
        self.dealer.setsockopt(zmq.IMMEDIATE, 1)
        self.sub.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME)
        self.sub.setsockopt(zmq.RCVHWM, 100_000)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"ev")
        self.sub.setsockopt(zmq.SUBSCRIBE, b"hb")
        self.dealer.connect(f"tcp://{host}:{port}")
        self.sub.connect(f"tcp://{host}:{port + 1}")
        self.poller = zmq.Poller()
        self.poller.register(self.dealer, zmq.POLLIN)
        self.poller.register(self.sub, zmq.POLLIN)

    # -- public API ------------------------------------------------------------------

    @property
    def synced(self) -> bool:
        return self.epoch != "" and self.hello_id is None and not self.want_hello

    def submit(self, kind: str, payload: dict[str, Any], msg_id: str | None = None) -> str:
        """Queue a command (§11.1); ``msg_id`` given only to resend one on purpose."""
        msg_id = msg_id or uuid.uuid4().hex
        if len(self._envelope(kind, msg_id, payload)) > MAX_BODY:
            raise ValueError(f"too_large: the command is over {MAX_BODY} bytes")
        self.outbox.append(Pending(msg_id, kind, payload))
        self._drain_outbox()
        return msg_id

    def query(self, name: str, args: Any) -> str:
        """Ask once (§5.9: not resent); the answer lands in ``answers``."""
        msg_id = uuid.uuid4().hex
        self.queries.add(msg_id)
        payload = {"name": name, "args": msgspec.msgpack.encode(args)}
        if not self._send(b"query", self._envelope("query", msg_id, payload)):
            self.answers[msg_id] = {"kind": "not_sent", "payload": None}
        return msg_id

    def state(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "signals": self.signals,
                "counters": self.counters,
                "presence": self.presence,
                "staff_at": self.staff_at,
                "last_ts_ms": self.last_ts_ms,
            }
        )

    def save(self) -> Saved:
        """Kept in the shape of a snapshot's payload (§8): signals as a list."""
        state = self.state()
        state["signals"] = [state["signals"][i] for i in sorted(state["signals"])]
        return Saved(self.last_seq, self.epoch, state)

    def pump(self, timeout_s: float = 0.01) -> None:
        for sock, _ in self.poller.poll(int(timeout_s * 1000)):
            self._drain(sock)
        self._tick()

    def close(self) -> None:
        self.dealer.close(linger=0)
        self.sub.close(linger=0)

    # -- sending -----------------------------------------------------------------------

    def _envelope(self, kind: str, msg_id: str, payload: Any) -> bytes:
        # §4.1/§4.3: six keys; seq, epoch and hub_ts_ms are the hub's (absent here)
        return msgspec.msgpack.encode(
            {
                "v": 1,
                "kind": kind,
                "msg_id": msg_id,
                "station": self.station,
                "ts_ms": now_ms(),
                "payload": payload,
            }
        )

    def _send(self, topic: bytes, body: bytes) -> bool:
        try:  # §2.2: every send non-blocking; EAGAIN means "not now"
            self.dealer.send_multipart([topic, body], flags=zmq.NOBLOCK)
        except zmq.Again:
            return False
        return True

    def _drain_outbox(self) -> None:
        now = time.monotonic()
        if not self.outbox or now < self.pause_until:
            return
        head = self.outbox[0]
        if head.sent_at is not None and now - head.sent_at < head.wait:
            return
        # a new envelope per attempt, same msg_id (§11.1.5, §15 point 12)
        body = self._envelope(head.kind, head.msg_id, head.payload)
        if self._send(b"cmd", body):
            head.sent_at = now
            head.wait = 1.0 + random.random()  # "within 2 s", jittered as §11.1.5 says
            self.trace.sent[head.msg_id] += 1
            ts_ms = msgspec.msgpack.decode(body)["ts_ms"]
            self.trace.sent_ts.setdefault(head.msg_id, []).append(ts_ms)

    def _request_hello(self) -> None:
        if self.hello_id is None:
            self.want_hello = True

    def _send_hello(self) -> None:
        msg_id = uuid.uuid4().hex
        payload = {"last_seq": self.last_seq, "epoch": self.epoch}
        if self._send(b"hello", self._envelope("hello", msg_id, payload)):
            self.hello_id, self.hello_sent_at, self.want_hello = msg_id, time.monotonic(), False

    def _send_fetch(self, seq: int) -> None:
        body = self._envelope("fetch", uuid.uuid4().hex, {"seq": seq})
        self.fetching, self.fetch_sent_at = seq, time.monotonic()
        if self._send(b"fetch", body):
            self.trace.fetches += 1

    def _tick(self) -> None:
        now = time.monotonic()
        if now >= self.next_ping:
            self.next_ping = now + PING_S
            self._send(b"ping", self._envelope("ping", uuid.uuid4().hex, None))
        if self.want_hello or (self.hello_id is not None and now - self.hello_sent_at >= RESEND_S):
            self._send_hello()
        if self.fetching is not None and now - self.fetch_sent_at >= RESEND_S:
            self._send_fetch(self.fetching)
        self._drain_outbox()
        if now - self.last_frame_at > HUB_LOST_S:
            self.hub_lost = True

    # -- receiving ---------------------------------------------------------------------

    def _drain(self, sock: zmq.Socket) -> None:
        while True:
            try:
                frames = sock.recv_multipart(flags=zmq.NOBLOCK)
            except zmq.Again:
                return
            self.last_frame_at = time.monotonic()
            if self.hub_lost:  # §11.5: the first frame after silence
                self.hub_lost = False
                self._request_hello()
            if len(frames) != 2:
                continue  # §3: not two frames: drop
            env = decode_envelope(frames[1])
            if env is None:
                continue
            topic = frames[0].decode("ascii", "replace")
            if sock is self.sub:
                self._on_sub(topic, env)
            else:
                self._on_dealer(topic, frames[1], env)

    def _on_sub(self, topic: str, env: dict[str, Any]) -> None:
        if topic not in ("ev", "hb"):
            return
        if env["hub_ts_ms"]:
            self.offset_ms = env["hub_ts_ms"] - now_ms()  # §11.6
        if topic == "ev":
            if self.lose_events > 0:
                self.lose_events -= 1
                return
            self.trace.sub_events.append(env)
            self._offer(env)
            return
        self.trace.heartbeats.append((time.monotonic(), env))
        if (
            self.hello_id is None
            and not self.want_hello
            and self.fetching is None
            and (env["epoch"] != self.epoch or env["payload"]["last_seq"] > self.last_seq)
        ):
            self._request_hello()  # §11.4: the tail was lost

    def _on_dealer(self, topic: str, body: bytes, env: dict[str, Any]) -> None:
        msg_id = env["msg_id"]
        if topic in ("accepted", "rejected", "answer"):
            self.trace.replies.setdefault(msg_id, []).append((topic, body))
        if topic == "answer" or (topic == "rejected" and msg_id in self.queries):
            self.answers[msg_id] = env
        elif topic in ("accepted", "rejected"):
            self._on_reply(topic, env)
        elif topic == "replay":
            self._on_replay(env)
        elif topic == "snapshot":
            self._on_snapshot(env)
        elif topic == "ev":
            self._on_fetched(env)

    def _on_reply(self, topic: str, env: dict[str, Any]) -> None:
        msg_id = env["msg_id"]
        if msg_id == self.hello_id:  # a refused hello (bad_payload): ask again later
            self.hello_id = None
            self._request_hello()
            return
        if not self.outbox or self.outbox[0].msg_id != msg_id:
            return  # §11.1.7: a late answer to an earlier resend
        if self.lose_replies > 0:
            self.lose_replies -= 1
            return
        head = self.outbox[0]
        if topic == "rejected" and env["payload"].get("retry"):
            head.sent_at = None  # §11.1.6: keep it, same msg_id, after a pause
            self.pause_until = time.monotonic() + 0.5 + 0.5 * random.random()
            return
        self.outbox.popleft()
        self.results[msg_id] = (topic, env)
        self._drain_outbox()

    def _on_replay(self, env: dict[str, Any]) -> None:
        self.trace.replays.append(env)
        if env["epoch"] != self.epoch:
            return  # §11.3: answers an older hello
        self.trace.sync_answers.append("replay")
        for raw in env["payload"]["events"]:
            event = decode_envelope(raw)
            if event is not None:
                self._offer(event)
        if self.last_seq >= env["payload"]["upto"]:
            self.hello_id = None

    def _on_snapshot(self, env: dict[str, Any]) -> None:
        if self.hello_id is None:
            return  # §11.3: answers a hello already answered
        self.trace.sync_answers.append("snapshot")
        self._replace_state(env["payload"])
        self.last_seq, self.epoch = env["seq"], env["epoch"]
        self.hello_id, self.fetching = None, None
        self._deliver_held()

    def _on_fetched(self, env: dict[str, Any]) -> None:
        seq = env["seq"]
        if self.fetching is not None and seq == self.fetching == self.last_seq + 1:
            self.fetching = None
            self._apply(env)
            self._deliver_held()

    # -- events (§11.4) ----------------------------------------------------------------

    def _offer(self, env: dict[str, Any]) -> None:
        seq = env["seq"]
        if self.epoch == "" or env["epoch"] != self.epoch:
            self.held[(env["epoch"], seq)] = env
            if self.epoch != "":
                self._request_hello()  # the journal was replaced
            return
        if seq <= self.last_seq:
            return
        if seq > self.last_seq + 1:
            self.held[(env["epoch"], seq)] = env
            if self.fetching is None:
                self._request_hello()  # a gap
            return
        if env["kind"] == "private" and self.reads_private:
            self.held[(env["epoch"], seq)] = env
            if self.fetching != seq:
                self._send_fetch(seq)
            return
        self._apply(env)
        self._deliver_held()

    def _deliver_held(self) -> None:
        while True:
            for key in [k for k in self.held if k[0] != self.epoch or k[1] <= self.last_seq]:
                del self.held[key]
            nxt = self.held.pop((self.epoch, self.last_seq + 1), None)
            if nxt is None:
                return
            before = self.last_seq
            self._offer(nxt)
            if self.last_seq == before:
                return  # held again (a private event being fetched)

    def _apply(self, env: dict[str, Any]) -> None:
        if self.fetching is not None and env["seq"] >= self.fetching:
            self.fetching = None
        self.last_seq = env["seq"]
        self.last_ts_ms = max(self.last_ts_ms, env["hub_ts_ms"])
        self.trace.applied.append(env)
        handler = getattr(self, "_ev_" + env["kind"], None)
        if handler is None:
            return  # §7: an unknown kind still advances last_seq; "private" applies nothing
        payload = env["payload"]
        handler(payload, env["station"], payload.get("staff", ""), self.last_ts_ms)
        sig = self.signals.get(payload.get("signal_id", -1))
        if sig is not None:
            sig["updated_ms"] = self.last_ts_ms
            self.trace.states.setdefault(sig["id"], []).append(sig["state"])

    def _replace_state(self, snap: dict[str, Any]) -> None:
        self.signals = {sig["id"]: sig for sig in snap["signals"]}
        self.counters = dict(snap["counters"])
        self.presence = dict(snap["presence"])
        self.staff_at = dict(snap["staff_at"])
        self.last_ts_ms = snap["last_ts_ms"]

    # one handler per event kind, as the table of §7 lists them

    def _ev_signal_raised(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        self.signals[p["signal_id"]] = {
            "id": p["signal_id"],
            "code": p["code"],
            "station": station,
            "staff": staff,
            "targets": list(p["targets"]),
            "to": p["to"],
            "note": p["note"],
            "ticket": p["ticket"],
            "need": p["need"],
            "state": "open",
            "level": 0,
            "raised_ms": ts,
            "acked_ms": None,
            "acked_station": "",
            "acked_staff": "",
            "arrived_ms": None,
            "resolved_ms": None,
            "resolved_station": "",
            "resolved_staff": "",
            "cancelled_ms": None,
            "outcome": "",
            "product": "",
            "result_note": "",
            "escalations": [],
            "declines": [],
            "updated_ms": ts,
            "declines_before": 0,
        }

    def _ev_signal_acknowledged(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        if sig := self.signals.get(p["signal_id"]):
            sig.update(state="acknowledged", acked_ms=ts, acked_station=station, acked_staff=staff)

    def _ev_signal_arrived(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        if sig := self.signals.get(p["signal_id"]):
            sig.update(state="arrived", arrived_ms=ts)

    def _ev_signal_resolved(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        if sig := self.signals.get(p["signal_id"]):
            if sig["acked_ms"] is None:  # never claimed: the resolver claims it too
                sig.update(acked_ms=ts, acked_station=station, acked_staff=staff)
            sig.update(state="resolved", resolved_ms=ts, resolved_station=station)
            sig.update(resolved_staff=staff, outcome=p["outcome"], product=p["product"])
            sig["result_note"] = p["note"]

    def _ev_signal_cancelled(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        if sig := self.signals.get(p["signal_id"]):
            sig.update(state="cancelled", cancelled_ms=ts)

    def _ev_signal_declined(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        if sig := self.signals.get(p["signal_id"]):
            decline = {"station": station, "staff": staff, "reason": p["reason"], "ts_ms": ts}
            sig["declines"].append(decline)
            if station == sig["acked_station"]:
                sig.update(state="open", acked_ms=None, acked_station="", acked_staff="")

    def _ev_signal_escalated(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        if sig := self.signals.get(p["signal_id"]):
            sig["level"] = p["level"]
            sig["escalations"].append([p["level"], p["role"], ts])
            if p["role"] not in sig["targets"]:
                sig["targets"].append(p["role"])

    def _ev_counter_status(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        self.counters[station] = {
            "status": p["status"],
            "reason": p["reason"],
            "since_ms": ts,
            "staff": staff,
        }

    def _ev_presence(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        self.presence[station] = p["online"]

    def _ev_signed_in(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        for other in [s for s, who in self.staff_at.items() if who == staff]:
            del self.staff_at[other]
        self.staff_at[station] = staff

    def _ev_signed_out(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        self.staff_at.pop(station, None)

    def _ev_signal_reoffered(self, p: dict[str, Any], station: str, staff: str, ts: int) -> None:
        if sig := self.signals.get(p["signal_id"]):
            sig.update(to=p["to"], targets=list(p["targets"]))
            sig["declines_before"] = len(sig["declines"])


# -- test harness -----------------------------------------------------------------------

Make = Callable[..., ThirdPartyStation]


def run_until(
    predicate: Callable[[], bool],
    *stations: ThirdPartyStation,
    timeout: float = 5.0,
    what: str = "condition",
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for station in stations:
            station.pump(0.005)
        if predicate():
            return
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def sync(*stations: ThirdPartyStation) -> None:
    run_until(lambda: all(s.synced for s in stations), *stations, what="hello answered")


def send(
    station: ThirdPartyStation,
    kind: str,
    payload: dict[str, Any],
    *others: ThirdPartyStation,
    msg_id: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """Submit a command and pump until its reply; returns (topic, envelope)."""
    mid = station.submit(kind, payload, msg_id)
    run_until(lambda: mid in station.results, station, *others, what=f"reply to {kind}")
    return station.results.pop(mid)


def accept(station: ThirdPartyStation, kind: str, payload: dict[str, Any], *others) -> int:
    topic, env = send(station, kind, payload, *others)
    assert topic == "accepted", (kind, env["payload"])
    assert env["kind"] == "accepted" and env["station"] == ""
    assert env["payload"]["seq"] == env["seq"] > 0  # §4.3, §5.2
    raw = msgspec.msgpack.decode(station.trace.replies[env["msg_id"]][-1][1])
    assert set(raw) == {*REQUIRED, "payload", "seq", "epoch", "hub_ts_ms"}  # §4.2: 9 keys
    assert env["epoch"] == station.epoch
    return int(env["seq"])


def refuse(station: ThirdPartyStation, kind: str, payload: dict[str, Any], *others) -> str:
    """Submit a command that must be refused; returns its code after the common checks."""
    mid = station.submit(kind, payload)
    run_until(lambda: mid in station.results, station, *others, what=f"reply to {kind}")
    topic, env = station.results.pop(mid)
    assert topic == "rejected" and env["kind"] == "rejected", env
    assert env["msg_id"] == mid  # §10: echoed
    raw = msgspec.msgpack.decode(station.trace.replies[mid][0][1])
    assert set(raw) == {*REQUIRED, "payload", "epoch", "hub_ts_ms"}  # §4.2: no seq, 8 keys
    assert set(env["payload"]) >= {"code", "reason", "retry"}  # §5.3
    assert env["payload"]["retry"] is False  # §10: only two codes retry
    assert isinstance(env["payload"]["reason"], str) and env["payload"]["reason"]
    return str(env["payload"]["code"])


def caught_up(*stations: ThirdPartyStation) -> None:
    """Pump until each station has heard a heartbeat at its own last seq, all the same."""

    def done() -> bool:
        seqs = {s.last_seq for s in stations}
        return len(seqs) == 1 and all(
            s.trace.heartbeats and s.trace.heartbeats[-1][1]["seq"] == s.last_seq for s in stations
        )

    run_until(done, *stations, timeout=8.0, what="all stations at the hub's last seq")


def contiguous(seqs: list[int]) -> bool:
    return seqs == list(range(seqs[0], seqs[0] + len(seqs)))


@pytest.fixture
def make(hub: HubProcess, ctx: zmq.Context) -> Iterator[Make]:
    made: list[ThirdPartyStation] = []
    folder = hub.keys_dir
    assert folder is not None

    def factory(station: str, **kwargs: Any) -> ThirdPartyStation:
        keys = CurveKeys.load(folder, station)
        made.append(ThirdPartyStation(station, "127.0.0.1", hub.port, ctx, keys, **kwargs))
        return made[-1]

    yield factory
    for station in made:
        station.close()


# -- the tests --------------------------------------------------------------------------


def test_assist_lifecycle_raise_claim_resolve(make: Make) -> None:
    c01, l1 = make("C01"), make("L1")
    sync(c01, l1)
    assert c01.trace.sync_answers == ["snapshot"]  # §11.3: a fresh station

    sid = accept(c01, "raise", {"code": "assist", "staff": "lina"}, l1)
    run_until(lambda: sid in c01.signals and sid in l1.signals, c01, l1, what="raised")
    for view in (c01, l1):
        sig = view.signals[sid]
        assert (sig["id"], sig["code"], sig["state"], sig["level"]) == (sid, "assist", "open", 0)
        assert (sig["station"], sig["staff"], sig["targets"]) == ("C01", "lina", ["lobby_manager"])
        assert sig["acked_ms"] is None and sig["acked_station"] == ""

    ack = accept(l1, "ack", {"signal_id": sid, "staff": "wangfang"}, c01)
    run_until(lambda: c01.last_seq >= ack and l1.last_seq >= ack, c01, l1, what="ack seen")
    for view in (c01, l1):
        sig = view.signals[sid]
        assert sig["state"] == "acknowledged"
        assert (sig["acked_station"], sig["acked_staff"]) == ("L1", "wangfang")
        assert sig["acked_ms"] >= sig["raised_ms"]

    res = accept(l1, "resolve", {"signal_id": sid, "note": "done at the desk"}, c01)
    run_until(lambda: c01.last_seq >= res and l1.last_seq >= res, c01, l1, what="resolve seen")
    assert sid < ack < res
    for view in (c01, l1):
        sig = view.signals[sid]
        assert sig["state"] == "resolved"
        assert (sig["resolved_station"], sig["outcome"]) == ("L1", "done")  # §12.3: done
        assert sig["result_note"] == "done at the desk"
        assert sig["acked_station"] == "L1"  # resolving does not move the claim
        assert sig["resolved_ms"] >= sig["acked_ms"] >= sig["raised_ms"]
        assert sig["updated_ms"] == sig["resolved_ms"]
        # §12.1: open -> acknowledged -> resolved, each state from one event
        assert view.trace.states[sid] == ["open", "acknowledged", "resolved"]
        # the events arrived on SUB, in order and without gaps, at the accepted seqs
        seqs = [e["seq"] for e in view.trace.sub_events]
        assert contiguous(seqs), seqs
        mine = [
            (e["seq"], e["kind"])
            for e in view.trace.sub_events
            if (e["payload"] or {}).get("signal_id") == sid
        ]
        assert mine == [
            (sid, "signal_raised"),
            (ack, "signal_acknowledged"),
            (res, "signal_resolved"),
        ]
        assert contiguous([e["seq"] for e in view.trace.applied])
        # §4.3: an event caused by a command carries its msg_id, station and ts_ms
        for e in view.trace.sub_events:
            if e["msg_id"] in c01.trace.sent_ts:
                assert (e["station"], [e["ts_ms"]]) == ("C01", c01.trace.sent_ts[e["msg_id"]])
            if e["msg_id"] in l1.trace.sent_ts:
                assert (e["station"], [e["ts_ms"]]) == ("L1", l1.trace.sent_ts[e["msg_id"]])
            assert e["hub_ts_ms"] >= e["ts_ms"] - 5_000 and e["payload"]["station"] == e["station"]


def test_resent_msg_id_gets_the_same_reply_and_no_second_event(make: Make) -> None:
    c01, l1 = make("C01"), make("L1")
    sync(c01, l1)
    payload = {"code": "assist", "note": "first"}
    mid = c01.submit("raise", payload)
    run_until(lambda: mid in c01.results, c01, l1, what="the raise")
    first = c01.trace.replies[mid][0]
    assert first[0] == "accepted"
    sid = c01.results.pop(mid)[1]["seq"]

    # the same station resends the same msg_id: the same bytes, no new event (§9.3)
    c01.submit("raise", payload, msg_id=mid)
    run_until(lambda: mid in c01.results, c01, l1, what="the resend's reply")
    assert c01.trace.replies[mid] == [first, first]

    # another station using that msg_id is refused, never given C01's reply (§9.3, §10)
    l1.submit("ack", {"signal_id": sid}, msg_id=mid)
    run_until(lambda: mid in l1.results, c01, l1, what="L1's reply")
    topic, env = l1.results.pop(mid)
    assert (topic, env["msg_id"]) == ("rejected", mid)
    assert env["payload"]["code"] == "msg_id_reused" and env["payload"]["retry"] is False
    assert "C01" in env["payload"]["reason"]  # "the reason names that station"
    # not remembered: asked again, judged again the same way; C01 still gets its own reply
    l1.submit("ack", {"signal_id": sid}, msg_id=mid)
    c01.submit("raise", payload, msg_id=mid)
    run_until(lambda: mid in l1.results and mid in c01.results, c01, l1, what="replies")
    assert l1.results.pop(mid)[1]["payload"]["code"] == "msg_id_reused"
    assert c01.trace.replies[mid][-1] == first

    # a reply lost on the way: the outbox resends the same msg_id after ~2 s (§11.1.5)
    c01.lose_replies = 1
    lost = c01.submit("raise", {"code": "assist", "note": "second"})
    run_until(lambda: lost in c01.results, c01, l1, what="the resent raise")
    assert c01.trace.sent[lost] == 2
    replies = c01.trace.replies[lost]
    assert len(replies) == 2 and replies[0] == replies[1] and replies[0][0] == "accepted"

    caught_up(c01, l1)  # a heartbeat at our last seq: the hub has published nothing more
    for view in (c01, l1):
        assert view.signals[sid]["state"] == "open"  # L1's refused ack changed nothing
        assert [e["msg_id"] for e in view.trace.sub_events].count(mid) == 1
        assert [e["msg_id"] for e in view.trace.sub_events].count(lost) == 1
        assert sorted(i for i, s in view.signals.items() if s["code"] == "assist") == [
            sid,
            c01.results[lost][1]["seq"],
        ]
    # and the journal agrees: a replay from before the raise holds it once
    late = make("W1", saved=Saved(sid - 1, c01.epoch, {**c01.state(), "signals": []}))
    sync(late)
    assert late.trace.sync_answers == ["replay"]
    assert [e["msg_id"] for e in late.trace.applied].count(mid) == 1


def test_lost_events_are_found_by_gap_and_by_heartbeat(make: Make) -> None:
    c01, l1 = make("C01"), make("L1")
    sync(c01, l1)
    # a lost event followed by another: the gap asks for a replay (§11.4 offer)
    l1.lose_events = 1
    a = accept(c01, "raise", {"code": "assist", "note": "a"}, l1)
    run_until(lambda: l1.lose_events == 0, c01, l1, what="the event dropped")
    b = accept(c01, "raise", {"code": "assist", "note": "b"}, l1)
    run_until(lambda: l1.last_seq >= b, c01, l1, what="the gap filled")
    assert l1.trace.sync_answers == ["snapshot", "replay"]
    assert a not in [e["seq"] for e in l1.trace.sub_events]
    # a lost last event: the next heartbeat is ahead, which asks for a replay too
    l1.lose_events = 1
    c = accept(c01, "raise", {"code": "assist", "note": "c"}, l1)
    caught_up(c01, l1)
    assert l1.trace.sync_answers == ["snapshot", "replay", "replay"]
    assert c not in [e["seq"] for e in l1.trace.sub_events]
    assert contiguous([e["seq"] for e in l1.trace.applied])
    assert l1.state()["signals"] == c01.state()["signals"]
    assert [l1.signals[i]["note"] for i in (a, b, c)] == ["a", "b", "c"]


def test_replies_survive_a_hub_restart_and_the_station_resyncs(make: Make, hub: HubProcess) -> None:
    c01 = make("C01")
    sync(c01)
    mid = c01.submit("raise", {"code": "assist"})
    run_until(lambda: mid in c01.results, c01, what="the raise")
    first = c01.trace.replies[mid][0]
    sid = c01.results.pop(mid)[1]["seq"]
    epoch = c01.epoch

    hub.stop()
    run_until(lambda: c01.hub_lost, c01, timeout=5.0, what="the hub reported lost")  # §11.5
    c01.submit("raise", {"code": "assist"}, msg_id=mid)  # queued while the hub is away
    hub.start()
    run_until(lambda: mid in c01.results, c01, timeout=8.0, what="the resend answered")
    assert c01.trace.replies[mid] == [first, first]  # §9.3: also after a restart

    again = accept(c01, "raise", {"code": "assist"})
    assert again > sid
    sync(c01)
    run_until(lambda: c01.last_seq >= again, c01, what="the new raise applied")
    assert c01.epoch == epoch and "replay" in c01.trace.sync_answers  # §11.3: same journal
    assert contiguous([e["seq"] for e in c01.trace.applied])
    assert [e["msg_id"] for e in c01.trace.applied].count(mid) == 1
    assert sorted(c01.signals) == [sid, again]


def test_refused_commands_get_the_documented_codes(make: Make) -> None:
    c01, c02, l1, w1, s1 = make("C01"), make("C02"), make("L1"), make("W1"), make("S1")
    everyone = (c01, c02, l1, w1, s1)
    sync(*everyone)
    sid = accept(c01, "raise", {"code": "assist"}, *everyone)

    # §12.3 ack: "the station is a target" else forbidden
    assert refuse(c01, "ack", {"signal_id": sid}, *everyone) == "forbidden"  # its own call
    assert refuse(w1, "ack", {"signal_id": sid}, *everyone) == "forbidden"
    assert refuse(s1, "ack", {"signal_id": sid}, *everyone) == "forbidden"  # not escalated
    # arrive before a claim; a signal that does not exist; a non-handoff "served"
    assert refuse(l1, "arrive", {"signal_id": sid}, *everyone) == "invalid_transition"
    assert refuse(c01, "ack", {"signal_id": 999_999}, *everyone) == "not_found"
    assert refuse(l1, "resolve", {"signal_id": sid, "outcome": "served"}) == "bad_request"
    assert refuse(c01, "raise", {"code": "no_such_type"}) == "bad_request"
    # §6 decline is for handoffs only
    decline = {"signal_id": sid, "reason": "busy"}
    assert refuse(l1, "decline", decline, *everyone) == "bad_request"

    accept(l1, "ack", {"signal_id": sid}, *everyone)
    # §10: already_claimed, "also returned to the claimer itself if it sends a new ack"
    assert refuse(l1, "ack", {"signal_id": sid}, *everyone) == "already_claimed"
    # §12.3 cancel: only the raiser
    assert refuse(l1, "cancel", {"signal_id": sid}, *everyone) == "forbidden"
    accept(l1, "resolve", {"signal_id": sid}, *everyone)
    # §12.1: resolved is terminal
    assert refuse(c01, "cancel", {"signal_id": sid}, *everyone) == "invalid_transition"
    assert refuse(l1, "arrive", {"signal_id": sid}, *everyone) == "invalid_transition"

    # §12.3 status
    assert refuse(c02, "status", {"status": "paused"}) == "bad_request"  # no reason
    assert refuse(c02, "status", {"status": "open"}) == "invalid_transition"  # unchanged
    assert refuse(s1, "status", {"status": "closed"}) == "forbidden"  # not a counter
    # §12.2: a person who does not work in this role
    assert refuse(c01, "raise", {"code": "assist", "staff": "wangfang"}) == "forbidden"
    # §6: a payload missing a required field; an unknown kind
    assert refuse(l1, "ack", {}) == "bad_payload"
    assert refuse(l1, "teleport", {"signal_id": sid}) == "unknown_kind"

    # a domain rejection is remembered: the same msg_id gets the same bytes (§9.3)
    mid = w1.submit("ack", {"signal_id": sid})
    run_until(lambda: mid in w1.results, w1)
    w1.submit("ack", {"signal_id": sid}, msg_id=mid)
    run_until(lambda: len(w1.trace.replies[mid]) == 2, w1)
    assert w1.trace.replies[mid][0] == w1.trace.replies[mid][1]
    assert w1.results[mid][1]["payload"]["code"] == "invalid_transition"

    # none of the refusals became an event
    caught_up(*everyone)
    kinds = [e["kind"] for e in c01.trace.applied if e["kind"] != "presence"]
    assert kinds == ["signal_raised", "signal_acknowledged", "signal_resolved"]
    assert c01.signals[sid]["state"] == "resolved"


def test_a_late_station_resyncs_by_snapshot_and_by_replay(make: Make) -> None:
    live, early = make("L1"), make("W1")
    sync(live, early)
    c01, c02, w2 = make("C01"), make("C02"), make("W2")
    sync(c01, c02, w2)
    everyone = [live, early, c01, c02, w2]

    # some history: a sign-in, a claimed call, a pause, a declined handoff
    accept(c01, "sign_in", {"staff": "lina"}, *everyone)
    a = accept(c01, "raise", {"code": "assist", "note": "a"}, *everyone)
    accept(live, "ack", {"signal_id": a}, *everyone)
    accept(c02, "status", {"status": "paused", "reason": "meal"}, *everyone)
    h = accept(live, "raise", {"code": "refer_wealth", "need": "fund", "ticket": "A1"}, *everyone)
    accept(early, "ack", {"signal_id": h}, *everyone)
    accept(early, "decline", {"signal_id": h, "reason": "busy"}, *everyone)
    caught_up(live, early)
    saved = early.save()
    early.close()
    everyone.remove(early)

    # more history while W1 is away
    accept(live, "arrive", {"signal_id": a}, *everyone)
    accept(live, "resolve", {"signal_id": a}, *everyone)
    b = accept(c01, "raise", {"code": "authorize"}, *everyone)
    accept(c01, "cancel", {"signal_id": b}, *everyone)
    accept(c02, "status", {"status": "open"}, *everyone)
    accept(c01, "sign_out", {}, *everyone)
    c = accept(c01, "raise", {"code": "assist", "note": "c"}, *everyone)
    assert saved.last_seq < c
    # §7/§15.8: resolved straight from open (the resolver claims it), and by the raiser
    d = accept(c01, "raise", {"code": "assist", "note": "d"}, *everyone)
    accept(live, "resolve", {"signal_id": d, "note": "on the spot"}, *everyone)
    e = accept(c02, "raise", {"code": "assist", "note": "e"}, *everyone)
    accept(live, "ack", {"signal_id": e}, *everyone)
    accept(c02, "resolve", {"signal_id": e}, *everyone)
    # §7: a target declining an open handoff leaves its state as it is
    accept(w2, "decline", {"signal_id": h, "reason": "away"}, *everyone)
    # §7 signed_in: signing in elsewhere moves the person
    accept(c02, "sign_in", {"staff": "lina"}, *everyone)
    accept(c01, "sign_in", {"staff": "lina"}, *everyone)

    fresh = make("S1")  # hello{0, ""}: a snapshot
    back = make("W1", saved=saved)  # hello{last_seq, epoch} of a recent seq: a replay
    sync(fresh, back, *everyone)
    assert fresh.trace.sync_answers == ["snapshot"]
    assert back.trace.sync_answers == ["replay"]
    assert back.trace.applied[0]["seq"] == saved.last_seq + 1
    for replay in back.trace.replays:  # §5.4
        assert replay["payload"]["upto"] == replay["seq"] and replay["msg_id"]
        assert all(isinstance(raw, bytes) for raw in replay["payload"]["events"])
    assert contiguous([e["seq"] for e in back.trace.applied])

    caught_up(live, fresh, back)
    ref = live.state()
    assert set(ref["signals"]) == {a, h, b, c, d, e}
    assert ref["signals"][d]["acked_station"] == ref["signals"][d]["resolved_station"] == "L1"
    assert ref["signals"][d]["acked_ms"] == ref["signals"][d]["resolved_ms"]
    assert ref["signals"][e]["acked_station"] == "L1"
    assert ref["signals"][e]["resolved_station"] == "C02"
    assert ref["staff_at"] == {"C01": "lina"}
    assert [x["station"] for x in ref["signals"][h]["declines"]] == ["W1", "W2"]
    assert ref["counters"]["C02"]["status"] == "open" and ref["counters"]["C02"]["since_ms"] > 0
    assert ref["signals"][a]["state"] == "resolved" and ref["signals"][b]["state"] == "cancelled"
    assert ref["signals"][h]["state"] == "open"  # the claimer handed it back
    for other in (fresh, back):
        got = other.state()
        for key in ("signals", "counters", "staff_at", "presence"):
            assert got[key] == ref[key], key
    assert back.last_seq == fresh.last_seq == live.last_seq


def test_report_query_answer_shape(make: Make) -> None:
    c01, c02, l1, w1, h1 = make("C01"), make("C02"), make("L1"), make("W1"), make("H1")
    everyone = (c01, c02, l1, w1, h1)
    sync(*everyone)
    a = accept(c01, "raise", {"code": "assist"}, *everyone)
    accept(l1, "ack", {"signal_id": a}, *everyone)
    accept(l1, "resolve", {"signal_id": a}, *everyone)
    accept(c02, "status", {"status": "paused", "reason": "meal"}, *everyone)
    accept(c02, "status", {"status": "open"}, *everyone)
    h = accept(l1, "raise", {"code": "refer_wealth", "need": "fund"}, *everyone)
    accept(w1, "ack", {"signal_id": h}, *everyone)
    accept(w1, "resolve", {"signal_id": h, "outcome": "served"}, *everyone)

    # local days of the branch: a window around today's UTC date holds them whatever the zone
    today = datetime.now(UTC).date()
    first, last = str(today - timedelta(days=1)), str(today + timedelta(days=1))

    def ask(station: ThirdPartyStation, args: Any) -> dict[str, Any]:
        mid = station.query("report", args)
        run_until(lambda: mid in station.answers, *everyone, what="the answer")
        env = station.answers[mid]
        assert env["kind"] == "answer" and env["msg_id"] == mid
        assert env["epoch"] == station.epoch and env["seq"] >= h
        return dict(env["payload"])

    ans = ask(h1, {"first": first, "last": last, "by": "type"})
    assert ans["ok"] is True and isinstance(ans["body"], bytes)  # bin
    body = msgspec.msgpack.decode(ans["body"])
    top = {"branch", "timezone", "first_day", "last_day", "by", "total", "groups"}
    top |= {"handoffs", "pauses", "presence_gaps", "hourly", "deadlines"}
    assert top <= set(body), top - set(body)
    assert isinstance(body["branch"], str) and isinstance(body["timezone"], str)
    assert (body["first_day"], body["last_day"], body["by"]) == (first, last, "type")

    def check_group(group: dict[str, Any]) -> None:
        ints = {"signals", "acknowledged", "escalated", "unanswered", "cancelled"}
        ints |= {f"handoffs_{k}" for k in ("offered", "accepted", "declined", "served")}
        ints |= {"handoffs_no_show"}
        assert all(type(group[k]) is int for k in ints), group
        assert isinstance(group["key"], str) and isinstance(group["levels"], dict)
        for measure in ("ack", "arrive", "resolve"):
            m = group[measure]
            assert {"n", "p50_s", "p90_s", "max_s"} <= set(m) and type(m["n"]) is int
            for k in ("p50_s", "p90_s", "max_s"):
                assert m[k] is None or isinstance(m[k], float), (measure, m)

    check_group(body["total"])
    assert body["total"]["key"] == "(all)"
    assert (body["total"]["signals"], body["total"]["acknowledged"]) == (2, 2)
    assert body["total"]["ack"]["n"] == 2 and body["total"]["arrive"]["n"] == 0
    for group in body["groups"]:
        check_group(group)
    assert sorted(g["key"] for g in body["groups"]) == ["assist", "refer_wealth"]

    ho = body["handoffs"]
    assert (ho["offered"], ho["accepted"], ho["served"], ho["no_show"]) == (1, 1, 1, 0)
    assert (ho["declined"], ho["declines"], ho["declined_by_reason"]) == (0, 0, {})
    assert ho["conversion"] == 1.0 and isinstance(ho["products"], dict)
    assert all(type(n) is int for n in ho["products"].values())

    assert [p["key"] for p in body["pauses"]] == ["meal"]
    for span in body["pauses"] + body["presence_gaps"]:
        assert isinstance(span["key"], str) and type(span["count"]) is int
        assert isinstance(span["total_s"], float) and isinstance(span["longest_s"], float)
    assert body["pauses"][0]["count"] == 1

    assert len(body["hourly"]) == 24 and all(type(n) is int for n in body["hourly"])
    assert sum(body["hourly"]) == 2
    deadline = {d["code"]: d for d in body["deadlines"]}["assist"]
    assert (deadline["deadline_s"], deadline["signals"], deadline["acknowledged"]) == (30, 1, 1)
    assert deadline["late"] == 0 and {"p50_s", "p90_s", "max_s"} <= set(deadline)
    assert ans.keys() == {"ok", "body"}  # an ok answer: no code, reason or retry

    # refusals come as answers with a code (§5.9)
    no = ask(c01, {"first": first, "last": last})
    # §5.9 lists `retry` and §5 says every field is written, but the hub leaves out the
    # fields at their defaults (`retry` false, `code`/`reason` on ok): read absent as false
    assert (no["ok"], no["code"], no.get("retry", False)) == (False, "forbidden", False)
    assert set(no) <= {"ok", "code", "reason", "retry"} and isinstance(no["reason"], str)
    assert ask(h1, {"first": first, "last": last, "by": "weekday"})["code"] == "bad_args"
    assert ask(h1, {"first": last, "last": first})["code"] == "bad_args"


def test_private_events_reach_only_their_audience(make: Make) -> None:
    s1, l1, c01 = make("S1", reads_private=True), make("L1"), make("C01")
    sync(s1, l1, c01)
    sid = accept(c01, "raise", {"code": "duress", "note": "knife"}, s1, l1)
    caught_up(s1, l1, c01)
    assert s1.signals[sid]["note"] == "knife" and s1.trace.fetches >= 1
    assert sid not in l1.signals and sid not in c01.signals  # §7.1: the raiser too
    for view in (s1, l1, c01):
        live = [e for e in view.trace.sub_events if e["seq"] == sid]
        assert [(e["kind"], e["msg_id"], e["station"]) for e in live] == [("private", "", "")]
        assert live[0]["payload"] is None  # no payload (decoded as nil, §4.2)


def test_sends_never_block_and_the_outbox_waits_for_the_hub(
    tmp_path: Path, ctx: zmq.Context
) -> None:
    hub = HubProcess(f"sqlite:///{tmp_path / 'late.sqlite'}", free_port_pair())
    assert hub.keys_dir is not None
    c01 = ThirdPartyStation("C01", "127.0.0.1", hub.port, ctx, CurveKeys.load(hub.keys_dir, "C01"))
    try:
        started = time.monotonic()
        mid = c01.submit("raise", {"code": "assist"})
        for _ in range(20):
            c01.pump(0.01)
        assert time.monotonic() - started < 2.0  # nothing blocked (§2.2)
        assert c01.trace.sent[mid] == 0 and len(c01.outbox) == 1  # EAGAIN: kept
        hub.start()
        run_until(lambda: mid in c01.results, c01, timeout=8.0, what="the queued raise")
        assert c01.results[mid][0] == "accepted"
        sync(c01)
        assert c01.signals[c01.results[mid][1]["seq"]]["state"] == "open"
    finally:
        c01.close()
        hub.stop()
