"""The hub: the branch's only sequencer.

For every command: validate (wire) → authorize and decide (domain) → commit to the
journal (group commit) → publish → reply. It also journals presence and escalations,
answers resync requests, and publishes a heartbeat each idle second. No Qt here.

The work is done by collaborators with one job each, built and wired in
:meth:`Hub.__init__`:

- admission (app.hub.admission): wire checks, identities, rate limits, refusals;
- commands (app.hub.commands): each command decided once, by the branch's rules;
- the sequencer (app.hub.sequencer): seq, state, journal rows, one commit per step;
- sync (app.hub.sync): the ring of recent events, redaction, replays and snapshots,
  from the snapshot cache (app.hub.snapshots);
- timers (app.hub.timers): the presence and escalation events that fall due;
- stamp (app.hub.stamp) and ports (app.hub.ports): the hub's own messages, and the
  sockets' fast path;
- checkpoints (app.hub.recovery): where a rebuild starts from.

The hub itself holds the dispatch table (one route per topic) and runs the step.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import msgspec
import zmq

from app import log
from app.domain.config import Branch, config_hash, shared_config
from app.domain.events import (
    Event,
    JournalNote,
    KeyShared,
    RaiseSignal,
    decode_command,
    decode_event,
)
from app.domain.state import BranchState
from app.hub import queries as hubq
from app.hub import recovery
from app.hub.admission import (
    COMMANDS,
    ENROL_BURST,
    ENROL_RATE,
    HELLOS,
    Admission,
    Incoming,
    Limit,
    Refusal,
    Refusals,
    Route,
)
from app.hub.auth import StationAuthenticator
from app.hub.clock import HubClock
from app.hub.commands import Commands
from app.hub.enrolment import Enrolments
from app.hub.health import HealthWatch
from app.hub.journal import Journal, JournalUnavailable
from app.hub.leader import NotServing
from app.hub.pairing import PairControl, PairSettings
from app.hub.ports import HubPorts
from app.hub.queries import QueryRunner
from app.hub.sequencer import Sequencer
from app.hub.snapshots import SnapshotCache
from app.hub.stamp import Stamp
from app.hub.sync import Sync
from app.hub.timers import PRESENCE_TIMEOUT_S, Timers
from app.hub.verify import BrokenJournal, Finding
from messaging import keys as keyfiles
from messaging.envelope import (
    ENROLMENTS,
    STANDBY,
    T_ANSWER,
    T_CMD,
    T_CONFIG,
    T_ENROL,
    T_EVENT,
    T_FETCH,
    T_HEARTBEAT,
    T_HELLO,
    T_PING,
    T_QUERY,
    T_REJECTED,
    Answer,
    BranchSettings,
    Fetch,
    Hello,
    Query,
    WireError,
    decode_envelope,
    decode_payload,
    encode_envelope,
)
from messaging.sockets import DEFAULT_HWM, Endpoint

HEARTBEAT_S = 1.0
WATCH_S = 5.0
"""How often :attr:`Hub.watch` runs (the composition root's checks, e.g. the journal lock)."""
RAISE = str(RaiseSignal.__struct_config__.tag)
BATCH_MAX = 1_000

__all__ = ["Hub", "HubClock"]


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
        self.branch, self.journal, self.endpoint = branch, journal, endpoint
        self.clock = clock = clock or HubClock()
        self.ctx = ctx or zmq.Context.instance()
        self.epoch = journal.epoch
        self.queries = queries or QueryRunner({})
        self.accept_broken = accept_broken
        self.broken: Finding | None = None

        # The collaborators, wired here and nowhere else.
        self.state = state = BranchState(branch)
        self.snapshots = SnapshotCache(state)  # listens to the state
        self.stamp = stamp = Stamp(clock, self.epoch)
        self.sync = Sync(branch, state, stamp, self.snapshots)
        self.sequencer = Sequencer(state, journal, clock, self.sync)
        self.refusals = Refusals(clock)
        self.commands = Commands(state, journal, self.sequencer, stamp, self.refusals, clock)
        self.timers = Timers(state, clock)
        self.health = HealthWatch(journal.url, clock)
        self.checkpoints = recovery.Checkpoints(journal, state, self.snapshots)
        # One route per topic: the only place the hub looks at a message's topic.
        self.routes: dict[bytes, Route] = {
            T_CMD: Route(limit=COMMANDS, command=True),
            T_PING: Route(presence=True),  # presence is the station PC's, not a CLI's
            T_HELLO: Route(limit=HELLOS, presence=True, answer=self._answer_hello),
            T_FETCH: Route(answer=self._answer_fetch),
            T_QUERY: Route(answer=self._answer_query),
            T_ENROL: Route(limit=Limit(ENROL_RATE, ENROL_BURST), answer=self._answer_enrol),
        }
        shared = shared_config(branch.config)
        self.settings = BranchSettings(config_hash(shared), msgspec.Raw(shared))
        """The configuration stations take from the hub, and its hash (in their hello)."""

        self._running = False
        self.watch: Callable[[], None] | None = None
        """Called from the serving loop every WATCH_S (never from step)."""
        self._journal_ok = True
        self._retry_journal_at = 0.0
        self._stale = False
        """The state holds unstored events: serve nothing until a rebuild works."""
        self.pair: PairControl | None = None
        """One of a standby pair (:meth:`pair_with`); None: the branch's only hub."""
        self._rebuild(check_chain=True)

        self.keys_dir = Path(keys_dir) if keys_dir is not None else None
        self.auth: StationAuthenticator | None = None
        curve = None
        if self.keys_dir is not None:
            curve = keyfiles.hub_keys(self.keys_dir)
            self.auth = StationAuthenticator(self.ctx, self.keys_dir)
            self.auth.complain = self.refusals.complain  # ZAP refusals: the same throttle
            self.auth.start()  # before bind: no connection is ever accepted unchecked
        else:
            log.hub.warning(
                "RUNNING WITHOUT ENCRYPTION (--insecure): anyone on the network can read "
                "and send signals; for development only"
            )
        self.admission = Admission(branch, clock, self.refusals, self.routes, self.auth)
        self.enrolments = Enrolments(self.keys_dir, self.auth, self.settings)
        try:
            self.ports = HubPorts(self.ctx, endpoint, clock, curve, pub_hwm)
        except zmq.ZMQError:
            if self.auth is not None:
                self.auth.stop()
            raise
        if self.broken is not None:  # the decision itself goes into the journal
            self.emit(
                JournalNote(
                    text=f"hub started on a broken journal ({self.broken}), "
                    "accepted with --accept-broken-journal"
                )
            )

    # Life cycle ----------------------------------------------------------------------
    def pair_with(self, settings: PairSettings) -> None:
        """Be one of a standby pair (app.hub.pairing): serve only when the pair says so."""
        self.pair = PairControl(self, settings)
        self.sequencer.replicate = self.pair.replicate

    def set_epoch(self, epoch: str) -> None:
        """The journal took its pair's epoch (an empty backup's first follow)."""
        self.epoch = self.stamp.epoch = self.sequencer.epoch = epoch

    def restart_timers(self) -> None:
        """Start serving a state built elsewhere (a standby's takeover): presence counts
        from now, escalations are placed again from the signals' raise times."""
        self.clock.start_from(self.state.last_ts_ms)
        self.timers = Timers(self.state, self.clock)
        self.timers.deadlines_changed()

    def rebuild(self) -> None:
        """The state from the journal again (after rows were set aside or refused)."""
        self._rebuild()

    def _rebuild(self, check_chain: bool = False) -> None:
        """Build the state from the journal (at start, and after a failed commit).

        It starts from the latest state checkpoint that matches the journal and replays
        what came after. With ``check_chain`` the whole integrity chain is checked
        first: the first break raises BrokenJournal unless the hub was told to accept it.
        """
        broken = recovery.check_chain(self.journal) if check_chain else None
        if broken is not None:
            if not self.accept_broken:
                raise BrokenJournal(broken)
            log.journal.warning("serving a journal with a broken chain: %s", broken)
            self.broken = broken
        state, sync = self.state, self.sync
        sync.clear()
        from_checkpoint = self.checkpoints.restore()
        replayed = 0
        for seq, body, _stored in self.journal.rows(after_seq=state.last_seq):
            replayed += 1
            env = decode_envelope(body)
            event = decode_event(env.kind, env.payload)
            state.apply(seq, env.hub_ts_ms, event)
            sync.record(seq, env.hub_ts_ms, body, event)
        if check_chain:
            log.journal.info(
                "state from %s, %d events replayed",
                f"the checkpoint at seq {self.checkpoints.seq}" if from_checkpoint else "the start",
                replayed,
            )
        if check_chain:  # at start: a wall clock behind the journal is not believed
            self.clock.start_from(state.last_ts_ms)
        self.timers.deadlines_changed()
        dropped = state.roll_day(self.clock.now_ms())
        if dropped:
            log.hub.info("closed signals of earlier days set aside: %d", dropped)
        # Encode every signal now (one by one: about twice a whole-snapshot encode), so
        # that the first station to ask for a snapshot does not wait for it.
        self.snapshots.parts()

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
        next_watch = 0.0
        while self._running:
            self.step(100)
            if self.watch is not None and self.clock.mono() >= next_watch:
                next_watch = self.clock.mono() + WATCH_S
                self.watch()
        self.close()

    def close(self) -> None:
        if self._journal_ok and not self._stale:
            self.checkpoints.save()
        if self.pair is not None:
            self.pair.close()
        self.refusals.report(force=True)
        self.queries.close()
        self.ports.close()
        if self.auth is not None:
            self.auth.stop()

    def step(self, timeout_ms: int = 100) -> None:
        """Wait up to ``timeout_ms`` for messages, handle a batch, run the timers."""
        if self.queries.running:  # answers come from the worker: look often
            timeout_ms = min(timeout_ms, 10)
        incoming: list[Incoming] = []
        admit, reply = self.admission.admit, self.ports.reply
        for frames, user in self.ports.receive(timeout_ms, BATCH_MAX):
            try:
                item = admit(frames, user)
            except Exception:  # a frame may cost a log line, never the hub
                log.wire.exception("unexpected failure admitting a frame; dropped")
                self.refusals.counts["internal"] += 1
                continue
            if isinstance(item, Incoming):
                incoming.append(item)
            elif item is not None:
                reply(item.identity, T_REJECTED, self._refusal(item))
        pair = self.pair
        if pair is not None:
            pair.tick()
            if not pair.serving:
                pair.refuse(incoming)  # each a vote: it may make this hub serve
            if not pair.serving:
                return
            pair.heard(incoming)
        self._run(incoming)
        for done in self.queries.finished():
            self._answer(done.identity, done.msg_id, done.answer)

    # The pipeline -----------------------------------------------------------------------------
    def _run(self, incoming: list[Incoming]) -> None:
        if self._stale and not self._recover():
            for item in incoming:
                if item.route.command:
                    body = self.stamp.rejected(
                        item.env.msg_id,
                        "journal_unavailable",
                        "the journal cannot be read",
                        retry=True,
                    )
                    self.ports.reply(item.identity, T_REJECTED, body)
            return
        sequencer = self.sequencer
        commands: list[Incoming] = []
        requests: list[Incoming] = []
        mono = self.clock.mono()
        mono_ms = int(mono * 1000)
        stations = sequencer.stations
        for item in incoming:
            route = item.route
            if route.presence:
                stations.sample(item.env.station, item.env.ts_ms, mono_ms)
                online = self.timers.seen(item.env.station, mono)
                if online is not None and self._journal_ok:
                    sequencer.sequence(online)
            if route.command:
                if self._unmeasured(item, mono):
                    continue  # unanswered: sent again in 1-2 s, after the station's ping
                commands.append(item)
            elif route.answer is not None:
                requests.append(item)
        replies = self.commands.decide(commands) if commands else []
        batch = sequencer.batch
        if batch.new_signals or batch.changed_signals:
            self.timers.deadlines_changed()
        if self._journal_ok or mono >= self._retry_journal_at:
            sequencer.note_steps()
            due = self.timers.due(mono)
            for event in due:
                sequencer.sequence(event)
        gone = self.admission.revoked(mono)
        if gone:
            log.hub.warning("cutting off %s: reopening the hub's sockets", ", ".join(sorted(gone)))
            self.ports.rebind()
        if self.auth is not None and self._journal_ok:
            for text in self.auth.changes:  # every change of the allow-list, journaled
                sequencer.sequence(JournalNote(text=text))
            self.auth.changes.clear()
            shared = self.auth.shared
            while shared:  # one key on two PCs: journaled, and shown on the board
                station, first, second = shared.popleft()
                sequencer.sequence(KeyShared(station=station, addresses=[first, second]))
        self.refusals.report()
        published: list[bytes] = []
        if sequencer.batch:
            try:
                stored, published = sequencer.commit()
            except NotServing as exc:  # replaced while it waited for its peer
                self._rebuild()
                self._refuse_all(commands, STANDBY, str(exc))
                return
            except JournalUnavailable as exc:
                self._journal_failed(str(exc), commands)
                return
            self.health.committed()
            if not self._journal_ok:
                self._journal_ok = True
                log.journal.warning("the journal is writable again")
            self.commands.remember(stored.replies)
            if self.checkpoints.due():
                self.checkpoints.save()
        if published:
            self.ports.publish_events(published)
        reply = self.ports.reply
        for identity, topic, body in replies:
            reply(identity, topic, body)
        for item in requests:  # after the publish: answers include this batch's events
            answer = item.route.answer
            if answer is not None:
                answer(item)
        if mono - self.ports.last_publish >= HEARTBEAT_S:
            # with the chain head: what the journal has stored (the batch is committed)
            health = self.health.now(mono, self.state.last_seq)
            if self.pair is not None:
                self.pair.fill(health)
            beat = self.stamp.heartbeat(self.state.last_seq, self.journal.last_hash, health)
            self.ports.publish(T_HEARTBEAT, beat)

    def _unmeasured(self, item: Incoming, mono: float) -> bool:
        """Whether to leave a raise unanswered for now: in the hub's first seconds, a
        valid raise that looks queued (stamped over a second ago) from a station whose
        clock the hub has not measured yet (no hello or ping since the start). Its resend
        comes after the station's next ping, which tells when it was really clicked. A
        resend of a raise answered before the restart gets that answer at once."""
        env = item.env
        if (
            env.kind != RAISE
            or mono - self.timers.started >= PRESENCE_TIMEOUT_S
            or not self.sequencer.stations.unmeasured(env.station, env.ts_ms, self.clock.now_ms())
            or self.commands.answered(env.msg_id)
        ):
            return False
        try:  # anything else is answered at once, as always
            decode_command(env.kind, bytes(env.payload))
        except ValueError:
            return False
        return True

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

    def _journal_failed(self, reason: str, commands: list[Incoming]) -> None:
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
        self._refuse_all(commands, "journal_unavailable", reason)

    def _refuse_all(self, commands: list[Incoming], code: str, reason: str) -> None:
        """Refuse a step's commands, to be sent again (``retry``)."""
        for item in commands:
            body = self.stamp.rejected(item.env.msg_id, code, reason, retry=True)
            self.ports.reply(item.identity, T_REJECTED, body)
        self.refusals.counts[code] += len(commands)

    def emit(self, event: Event) -> int:
        """Journal and publish an event the hub itself makes (outside a command)."""
        seq = self.sequencer.sequence(event)
        try:
            _stored, published = self.sequencer.commit()
        except JournalUnavailable:
            self._rebuild()
            raise
        for body in published:
            self.ports.publish(T_EVENT, body)
        return seq

    # Answers (the routes' handlers) -------------------------------------------------------
    def _refusal(self, refusal: Refusal) -> bytes:
        return self.stamp.rejected(refusal.msg_id, refusal.code, refusal.reason, refusal.retry)

    def _refuse(self, item: Incoming, code: str, reason: str) -> None:
        """Refuse a request (hello, fetch, query) that passed admission."""
        self.refusals.complain(code, reason, item.identity.hex()[:8])
        self.ports.reply(
            item.identity, T_REJECTED, self.stamp.rejected(item.env.msg_id, code, reason)
        )

    def _answer_hello(self, item: Incoming) -> None:
        """A replay of the events the station missed, or a snapshot."""
        try:
            hello = decode_payload(item.env, Hello)
        except WireError as exc:
            self._refuse(item, exc.code, exc.reason)
            return
        if hello.config and hello.config != self.settings.hash:  # first what it runs on
            env = self.stamp.envelope("config", item.env.msg_id, self.settings, self.state.last_seq)
            self.ports.reply(item.identity, T_CONFIG, encode_envelope(env))
        role = self.sync.role(item.env.station)
        for topic, body in self.sync.answer(hello, item.env.msg_id, role):
            self.ports.reply(item.identity, topic, body)

    def _answer_fetch(self, item: Incoming) -> None:
        """The full body of a private event, for a station whose role may read it."""
        try:
            seq = decode_payload(item.env, Fetch).seq
        except WireError as exc:
            self._refuse(item, exc.code, exc.reason)
            return
        body = self.sync.fetch(seq, self.sync.role(item.env.station))
        if body is None:
            self._refuse(item, "not_found", f"no event {seq} here")
            return
        self.ports.reply(item.identity, T_EVENT, body)

    def _answer_query(self, item: Incoming) -> None:
        """Hand a read-only question to the query worker (or refuse it at once)."""
        try:
            query = decode_payload(item.env, Query)
        except WireError as exc:
            self._refuse(item, exc.code, exc.reason)
            return
        station = item.env.station
        if query.name == ENROLMENTS:  # the key folder is the hub's: answered here
            answer, note = self.enrolments.query(station, self.sync.role(station), query.args)
            if note:
                try:
                    self.emit(JournalNote(text=note))
                except JournalUnavailable:
                    log.journal.error("not journaled (the key change stands): %s", note)
            self._answer(item.identity, item.env.msg_id, answer)
            return
        refused = self.queries.submit(
            item.identity, item.env.msg_id, station, self.sync.role(station), query.name, query.args
        )
        if refused is not None:
            self.refusals.complain(refused.code, refused.reason, station)
            self._answer(item.identity, item.env.msg_id, refused)

    def _answer_enrol(self, item: Incoming) -> None:
        """A station PC asks to be enrolled with its own key (app.hub.enrolment)."""
        found = self.enrolments.answer(item.env.station, item.key)
        if not found.ok:
            self.refusals.complain(found.code, found.reason, item.env.station)
        self._answer(item.identity, item.env.msg_id, found)

    def _answer(self, identity: bytes, msg_id: str, found: hubq.Answer) -> None:
        answer = Answer(found.ok, found.body, found.code, found.reason, found.retry)
        self.ports.reply(identity, T_ANSWER, self.stamp.answer(msg_id, answer, self.state.last_seq))
