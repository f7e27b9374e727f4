"""A hub's side of a standby pair (issue 14): who serves, replication, takeover.

The hub (app.hub.service) asks three things of it: :attr:`PairControl.serving` before it
handles a step's messages (a hub that does not serve refuses them: :meth:`refuse`),
:meth:`replicate` after each commit (the active acknowledges nothing its peer has not
stored), and :meth:`tick` every step (the pair port, heartbeats, expiry, catch-up).
The decisions are the state table's (app.hub.pair, Binary Star); this module carries
them out.

Followed:
- Binary Star (zguide ch. 4, bstar.py): heartbeats each second, the peer expires after
  two missed ones, the passive takes over only when a station asks it;
- synchronous replication as PostgreSQL's ``synchronous_commit=on`` and Kafka's
  ``acks=all`` with ``min.insync.replicas=2``: the active replies only after the
  passive's commit; when no acknowledgement comes for 2 s it shrinks to itself (Kafka's
  ISR shrink), journaling ``pair_changed{peer: away}`` before it acknowledges alone;
- Raft (§5.1, §5.3): a higher term demotes at once; rows carry the previous seq and hash
  and a follower refuses rows that do not extend its head; a follower's rows above the
  point where a later term began are replaced (here: set aside, app.hub.pairstore).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app import log
from app.domain.events import Event, PairChanged
from app.domain.pair import AWAY, BACKUP, CATCHING_UP, IN_SYNC, PRIMARY
from app.hub import pairstore, pairwire, replica
from app.hub.admission import Incoming
from app.hub.journal import Batch, JournalUnavailable
from app.hub.leader import Leader
from app.hub.pair import Action, Facts, PairEvent, PairState, decide
from app.hub.pairport import PairPort
from app.hub.replica import Hub
from messaging.envelope import (
    STANDBY,
    STANDBY_BEHIND,
    T_HELLO,
    T_REJECTED,
    TAKEOVER_PENDING,
    Health,
    Hello,
    WireError,
    decode_payload,
)
from messaging.keys import CurveKeys
from messaging.sockets import Endpoint

BEAT_S = 1.0
EXPIRY_S = 2.0
"""The peer is gone after two missed heartbeats (bstar's HEARTBEAT * 2)."""
VOTE_S = 3.0
"""A station's request counts as a vote for this long."""
YIELD_S = 3.0
"""An active that hears no station this long hands over to an in-step peer that does."""
PEER_EVENT = {
    PairState.PRIMARY.value: PairEvent.PEER_PRIMARY,
    PairState.BACKUP.value: PairEvent.PEER_BACKUP,
    PairState.ACTIVE.value: PairEvent.PEER_ACTIVE,
    PairState.PASSIVE.value: PairEvent.PEER_PASSIVE,
}


@dataclass(frozen=True)
class PairSettings:
    role: str
    """``primary`` or ``backup``."""
    peer: Endpoint
    """The peer hub's command endpoint (its pair port is that + 2)."""
    keys: CurveKeys | None


class PairControl:
    """One hub's part in the pair: its state, its peer as last heard, replication."""

    def __init__(self, hub: Hub, settings: PairSettings) -> None:
        self.hub = hub
        self.role = settings.role
        self.port = PairPort(hub.endpoint, settings.peer, settings.keys)
        hub.ports.poller.register(self.port.router)  # one wait for both ports
        self.meta = pairstore.read_meta(hub.journal)
        self.state = PairState.PRIMARY if self.role == PRIMARY else PairState.BACKUP
        now = hub.clock.mono()
        self.peer: pairwire.Beat | None = None
        self.peer_heard = now
        """When the peer was last heard; from the start, as bstar does: a hub that has
        never heard its peer counts it gone only after the expiry."""
        self.peer_clock_ms = 0
        self.leader = Leader(hub, self.port, self.role)
        """(Active) its peer's copy and how it is kept in step (app.hub.leader)."""
        self.was_in_sync = False
        """(Passive) the active said this hub was in step when last heard."""
        self.votes: dict[str, float] = {}
        """Stations that asked this hub while it did not serve, and when."""
        self.pcs: dict[str, float] = {}
        """Of those, station PCs (pings and hellos): a yield counts only them."""
        self.seen_by_stations = 0
        """The highest seq of this journal a station's hello said it has: this hub lacks
        events while its head is below it (kept: a station says so once per resync)."""
        self.last_station = now
        self.last_tick = now
        self.next_beat = 0.0
        self.note_at = 0.0

    # What the hub asks ------------------------------------------------------------------
    @property
    def serving(self) -> bool:
        return self.state is PairState.ACTIVE

    @property
    def term(self) -> int:
        return self.meta.term

    @property
    def mode(self) -> str:
        """(Active) the peer: in_sync, catching_up or away."""
        return self.leader.mode

    def _head(self) -> tuple[int, bytes]:
        return self.hub.state.last_seq, self.hub.journal.last_hash

    def refuse(self, incoming: list[Incoming]) -> None:
        """Answer a step's requests while this hub does not serve; each is a vote."""
        if not incoming:
            return
        mono = self.hub.clock.mono()
        for item in incoming:
            self.votes[item.env.station] = mono
            if item.route.presence:  # a station PC (tools like send do not ping)
                self.pcs[item.env.station] = mono
            if item.topic == T_HELLO:
                self._evidence(item)
        code = self._client_request(mono)
        if self.serving:  # the request made this hub serve: the hub runs the step
            return
        reason = {
            STANDBY: "this hub is the standby; the active hub is alive",
            TAKEOVER_PENDING: "the active hub is silent; this hub takes over shortly",
            STANDBY_BEHIND: "this standby hub lacks events the branch has seen",
        }[code]
        for item in incoming:
            if item.route.command or item.route.answer is not None:
                body = self.hub.stamp.rejected(item.env.msg_id, code, reason, retry=True)
                self.hub.ports.reply(item.identity, T_REJECTED, body)

    def heard(self, incoming: list[Incoming]) -> None:
        """(Active) the station PCs that reach this hub: yielding looks at it."""
        if any(item.route.presence for item in incoming):
            self.last_station = self.hub.clock.mono()

    def _evidence(self, item: Incoming) -> None:
        try:
            hello = decode_payload(item.env, Hello)
        except WireError:
            return
        if hello.epoch == self.hub.journal.epoch:
            self.seen_by_stations = max(self.seen_by_stations, hello.last_seq)

    def _facts(self, mono: float) -> Facts:
        peer = self.peer
        mine = (self.meta.term, self.hub.state.last_seq)
        theirs = (peer.term, peer.head_seq) if peer is not None else (0, 0)
        # two active hubs at the same term and head (which the table's rules should never
        # let happen): the configured primary keeps serving, so that one stops
        tie = (
            peer is not None
            and mine == theirs
            and self.serving
            and peer.state == PairState.ACTIVE.value
            and peer.role == PRIMARY
        )
        # a restarted peer (it serves nothing, so its head stands still) whose journal
        # ends where this one does: nothing acknowledged is missing here, whatever this
        # hub was last told (a kill just after the active went in step left it untold)
        even = (
            peer is not None
            and peer.state in (PairState.PRIMARY.value, PairState.BACKUP.value)
            and (peer.term, peer.head_seq, peer.head_hash) == (self.meta.term, *self._head())
        )
        return Facts(
            peer_expired=mono - self.peer_heard > EXPIRY_S,
            newer_than_peer=peer is not None and mine > theirs,
            peer_newer=peer is not None and (theirs > mine or tie),
            in_sync=self.mode == IN_SYNC if self.serving else self.was_in_sync or even,
            evidence_ok=self.hub.state.last_seq >= self.seen_by_stations,
            configured_primary=self.role == PRIMARY,
        )

    def _client_request(self, mono: float) -> str:
        """Decide on a station's request; the refusal code if this hub still does not serve."""
        facts = self._facts(mono)
        d = decide(self.state, PairEvent.CLIENT_REQUEST, facts)
        self._act(d.state, d.actions, d.why)
        if Action.REFUSE_BEHIND in d.actions:
            if mono >= self.note_at:
                self.note_at = mono + 10
                log.hub.warning(
                    "the active hub is gone but this hub is behind (%s): not taking over",
                    "a station has seen more" if not facts.evidence_ok else "not in step",
                )
            return STANDBY_BEHIND
        if mono - self.peer_heard > BEAT_S * 1.5 and self.state is not PairState.BACKUP:
            return TAKEOVER_PENDING
        return STANDBY

    # The pair port ----------------------------------------------------------------------
    def tick(self) -> None:
        """The pair port's messages, the heartbeat, expiry, catch-up, yielding."""
        hub = self.hub
        mono = hub.clock.mono()
        if mono - self.last_tick > EXPIRY_S and self.was_in_sync:
            # this hub itself did not run (stopped, suspended): the active may have gone
            # on alone meanwhile, so it cannot claim to be in step until it hears it again
            log.hub.warning("this hub did not run for %.1f s: not in step", mono - self.last_tick)
            self.was_in_sync = False
        self.last_tick = mono
        for identity, msg in self.port.receive(0):
            self._on(identity, msg)
        mono = hub.clock.mono()
        expired = mono - self.peer_heard > EXPIRY_S
        if self.state is PairState.ACTIVE:
            if self.mode != AWAY and (expired or self.leader.waiting(mono)):
                self._act(*self._decided(PairEvent.PEER_SILENT, mono))
            self._stream()
            self._maybe_yield(mono)
        elif expired and any(
            t > self.peer_heard + BEAT_S and mono - t <= VOTE_S for t in self.votes.values()
        ):  # a station asked once the active had missed a heartbeat (not one sent on by a
            # refusal while the active was alive: that is no witness of its death)
            self._client_request(mono)
        if mono >= self.next_beat:
            self._beat(mono)

    def _decided(self, event: PairEvent, mono: float) -> tuple[PairState, Sequence[Action], str]:
        d = decide(self.state, event, self._facts(mono))
        return d.state, d.actions, d.why

    def _beat(self, mono: float) -> None:
        self.next_beat = mono + BEAT_S
        seq, digest = self._head()
        voters = sum(1 for t in self.pcs.values() if mono - t <= VOTE_S)
        self.port.send(
            pairwire.Beat(
                term=self.meta.term,
                role=self.role,
                state=self.state.value,
                epoch=self.hub.journal.epoch,
                head_seq=seq,
                head_hash=digest,
                ts_ms=self.hub.clock.now_ms(),
                mode=self.mode if self.serving else "",
                voters=0 if self.serving else voters,
                served=self.meta.served,
            )
        )

    def _on(self, identity: bytes, msg: pairwire.Message) -> None:
        if isinstance(msg, pairwire.Admin):
            self.port.reply(identity, self._admin(msg))
            return
        term = getattr(msg, "term", 0)
        if term > self.meta.term and self.serving:
            log.hub.warning(
                "the peer is in term %d, this hub in %d: stop serving", term, self.meta.term
            )
            self._act(*self._decided(PairEvent.HIGHER_TERM, self.hub.clock.mono()))
        match msg:
            case pairwire.Beat():
                self._on_beat(msg)
            case pairwire.Rows():
                self._on_rows(msg)
            case pairwire.Ack():
                self._on_ack(msg)
            case pairwire.SetAside():
                self._on_set_aside(msg)
            case pairwire.Handover():
                self._on_handover(msg)
            case _:
                pass

    def _on_beat(self, beat: pairwire.Beat) -> None:
        hub = self.hub
        mono = hub.clock.mono()
        if beat.role == self.role:  # a misconfigured pair: neither may serve as if alone
            self.peer_heard = mono
            if mono >= self.note_at:
                self.note_at = mono + 10
                log.hub.error(
                    "both hubs of the pair are configured %s: give one of them --pair %s; "
                    "not pairing",
                    self.role,
                    PRIMARY if self.role == BACKUP else BACKUP,
                )
            return
        if beat.epoch != hub.journal.epoch:
            empty = hub.state.last_seq == 0 and not self.serving
            if empty and (beat.head_seq > 0 or self.role == BACKUP):
                log.journal.info("a new journal: taking the pair's epoch %s", beat.epoch)
                pairstore.set_epoch(hub.journal, beat.epoch)
                hub.set_epoch(beat.epoch)
            else:
                if mono >= self.note_at:
                    self.note_at = mono + 10
                    log.hub.error(
                        "the peer's journal is another (epoch %s, here %s): not pairing",
                        beat.epoch,
                        hub.journal.epoch,
                    )
                return
        self.peer, self.peer_heard = beat, mono
        self.peer_clock_ms = beat.ts_ms - hub.clock.now_ms()
        if beat.state == PairState.ACTIVE.value:
            self.was_in_sync = beat.mode == IN_SYNC
        event = PEER_EVENT.get(beat.state)
        if event is not None:  # a state of a newer version: its next beat says more
            self._act(*self._decided(event, mono))

    # Acting on a decision -----------------------------------------------------------------
    def _act(self, state: PairState, actions: Sequence[Action], why: str) -> None:
        before = self.state
        if before is PairState.ACTIVE and state is not before:
            self._demote(why)
        self.state = state
        if state is PairState.ACTIVE and before is not PairState.ACTIVE:
            try:
                self._promote(why)
            except JournalUnavailable as exc:
                log.hub.error("cannot start serving (the journal: %s); still %s", exc, before)
                self.state, self.meta = before, pairstore.read_meta(self.hub.journal)
                return
        elif Action.JOURNAL_AWAY in actions and self.mode != AWAY:
            self._set_mode(AWAY, "the standby hub stopped answering")
        if state is not before:
            log.hub.info("pair: %s -> %s (%s)", before.value, state.value, why)
            self.next_beat = 0.0  # tell the peer at once

    def _promote(self, why: str) -> None:
        """Serve: a new term, journaled before anything is accepted."""
        hub = self.hub
        seq, digest = self._head()
        term = self.meta.term + 1
        self.meta.term, self.meta.served = term, term
        self.meta.forks[term] = (seq, digest)
        alive = self.peer is not None and self._peer_alive()
        self.leader.start(self.peer.head_seq if alive and self.peer is not None else None)
        hub.restart_timers()
        event = PairChanged(
            active=self.role, peer=self.mode, term=term, fork_seq=seq, reason=why[:200]
        )
        hub.sequencer.batch.meta[pairstore.META_KEY] = self.meta.encode()
        hub.emit(event)
        self.last_station = hub.clock.mono()
        log.hub.warning("serving the branch in term %d (from seq %d): %s", term, seq + 1, why)

    def _demote(self, why: str) -> None:
        self.leader.stop()
        log.hub.warning("no longer serving (%s)", why)

    def _set_mode(self, mode: str, reason: str) -> None:
        """(Active) the peer's mode changed: journaled (and replicated, if in step)."""
        self.leader.set(mode)
        self.next_beat = 0.0  # the peer learns it at once (whether it is in step)
        log.hub.warning("standby hub %s: %s", mode, reason)
        try:
            self.hub.emit(
                PairChanged(active=self.role, peer=mode, term=self.meta.term, reason=reason)
            )
        except JournalUnavailable as exc:  # the journal's own failure is logged by the hub
            log.hub.warning("the standby hub's change is not journaled: %s", exc)

    # Replication: the active (app.hub.leader) ---------------------------------------------
    def replicate(self, batch: Batch) -> list[Event]:
        """After the active's commit of ``batch``: what to journal before acknowledging
        it alone, if anything (Sequencer.replicate). Raises NotServing."""
        notes = self.leader.replicate(batch, self.meta.term, self._pump, self._beat_if_due)
        if notes:
            self.next_beat = 0.0
        return notes

    def _pump(self, seconds: float) -> bool:
        """Read the pair port up to ``seconds``; whether this hub still serves."""
        for identity, msg in self.port.receive(max(1, int(seconds * 1000))):
            self._on(identity, msg)
        return self.serving

    def _beat_if_due(self) -> None:
        mono = self.hub.clock.mono()
        if mono >= self.next_beat:
            self._beat(mono)

    def _hash_at(self, seq: int) -> bytes:
        return replica.hash_at(self.hub, seq)

    def _on_ack(self, ack: pairwire.Ack) -> None:
        if self.serving:
            self.leader.on_ack(ack, self.meta, self.peer.term if self.peer is not None else 0)

    def _stream(self) -> None:
        """(Active) a peer that came back catches up; in step once it has all."""
        peer = self.peer
        if (
            self.mode == AWAY
            and peer is not None
            and self._peer_alive()
            and peer.state != PairState.ACTIVE.value
        ):
            self.leader.mode = CATCHING_UP
            self.leader.realign(peer.head_seq, peer.head_hash, "it came back", self.meta, peer.term)
        if self.leader.stream(self.meta.term):
            self._set_mode(IN_SYNC, "the standby hub has every event")

    def _peer_alive(self) -> bool:
        return self.hub.clock.mono() - self.peer_heard <= EXPIRY_S

    def _maybe_yield(self, mono: float) -> None:
        """Hand over when no station reaches this hub while they ask the peer."""
        peer = self.peer
        if (
            peer is None
            or peer.voters < 1
            or mono - self.last_station < YIELD_S
            or self.mode != IN_SYNC
            or not self._peer_alive()
        ):
            return
        log.hub.warning(
            "no station has reached this hub for %.0f s while they ask the standby: handing over",
            YIELD_S,
        )
        self._handover("no station reaches this hub")

    def _handover(self, reason: str) -> bool:
        facts = self._facts(self.hub.clock.mono())
        d = decide(self.state, PairEvent.HANDOVER, facts)
        if Action.HAND_OVER not in d.actions:
            return False
        seq, digest = self._head()
        self._act(d.state, d.actions, d.why)
        self.port.send(
            pairwire.Handover(term=self.meta.term, head_seq=seq, head_hash=digest, reason=reason)
        )
        return True

    # Replication: the follower ------------------------------------------------------------
    def _on_rows(self, rows: pairwire.Rows) -> None:
        if not self.serving:  # an older active's rows: its next beat brings it the newer term
            self.port.send(replica.apply(self.hub, self.meta, rows))
            if self.hub.checkpoints.due():  # after the ack: a restart here replays little
                self.hub.checkpoints.save()

    def _on_set_aside(self, msg: pairwire.SetAside) -> None:
        if not self.serving:
            ack = replica.set_aside(self.hub, self.meta, msg)
            if ack is not None:
                self.port.send(ack)

    def _on_handover(self, msg: pairwire.Handover) -> None:
        seq, digest = self._head()
        facts = Facts(head_matches=(seq, digest) == (msg.head_seq, msg.head_hash))
        d = decide(self.state, PairEvent.HANDED, facts)
        self._act(d.state, d.actions, f"{d.why}: {msg.reason}")

    # lobbylink pair ----------------------------------------------------------------------------
    def _admin(self, msg: pairwire.Admin) -> pairwire.AdminReply:
        if msg.action == "status":
            return pairwire.AdminReply(ok=True, text=self.status(), term=self.meta.term)
        if msg.action == "handover":
            if not self.serving:
                return pairwire.AdminReply(
                    ok=False, text="this hub does not serve: ask the active one"
                )
            if self.mode != IN_SYNC or not self._peer_alive():
                lag = self.leader.lag()
                return pairwire.AdminReply(
                    ok=False,
                    text=f"the standby hub is not in step ({self.mode}, {lag} events behind)",
                )
            ok = self._handover("lobbylink pair handover")
            return pairwire.AdminReply(ok=ok, text="handed over" if ok else "not handed over")
        if msg.action == "promote":  # Kafka's unclean leader election: by hand, journaled
            if self.serving or self._peer_alive():
                why = "serves already" if self.serving else "hears the other hub: use handover"
                return pairwire.AdminReply(ok=False, text=f"not promoted: this hub {why}")
            why = "promoted by hand, accepting the loss of what only the other hub stored"
            self._act(PairState.ACTIVE, (Action.PROMOTE,), why)
            text = f"serving in term {self.meta.term}" if self.serving else "not promoted"
            return pairwire.AdminReply(ok=self.serving, text=text, term=self.meta.term)
        return pairwire.AdminReply(ok=False, text=f"unknown action {msg.action!r}")

    def status(self) -> str:
        seq, _ = self._head()
        peer = self.peer
        heard = self.hub.clock.mono() - self.peer_heard
        text = f"{self.role} {self.state.value}, term {self.meta.term}, head {seq}"
        if self.serving:
            text += f"; standby {self.mode}, {self.leader.lag()} behind"
        if peer is None:
            return text + "; peer never heard"
        return text + (
            f"; peer {peer.role} {peer.state} term {peer.term} head {peer.head_seq}, "
            f"heard {heard:.1f} s ago"
        )

    def shippable(self) -> int:
        """The last seq head office may have (app.central.shipper reads it)."""
        return self.leader.shippable(self.serving)

    def fill(self, health: Health) -> None:
        """The pair's fields of the active's heartbeat health."""
        health.pair = self.mode
        health.pair_active = self.role
        health.pair_lag_events = self.leader.lag()
        health.pair_since_ms = self.leader.since_ms
        health.pair_clock_ms = self.peer_clock_ms if self._peer_alive() else 0

    def close(self) -> None:
        self.hub.ports.poller.unregister(self.port.router)
        self.port.close()


__all__ = ["BACKUP", "PairControl", "PairSettings"]
