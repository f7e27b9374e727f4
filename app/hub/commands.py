"""Commands: each decided once, by the branch's rules, in the order they came.

A resend of a command the hub already answered (same msg_id, same station) gets the
original answer and nothing else; the answers are remembered in memory and in the
journal's ``commands`` table. The same msg_id from another station is refused.
"""

from __future__ import annotations

from collections import OrderedDict

from app import log
from app.domain.decisions import check_open_cap
from app.domain.errors import DomainError
from app.domain.events import decode_command
from app.domain.record import ReplyRow
from app.domain.state import BranchState
from app.hub.admission import Incoming, Refusals
from app.hub.caps import OpenSignals
from app.hub.clock import HubClock
from app.hub.journal import Journal, JournalUnavailable
from app.hub.sequencer import Sequencer
from app.hub.stamp import Stamp
from messaging.envelope import T_ACCEPTED, T_REJECTED, Envelope

RECENT_REPLIES = 100_000
MSG_ID_REUSED = "msg_id_reused"
"""The refusal of a command whose msg_id another station's command already used."""
_TOPICS = {"accepted": T_ACCEPTED, "rejected": T_REJECTED}

Reply = tuple[bytes, bytes, bytes]
"""(the peer's routing id, topic, body)."""


class Commands:
    """Decides commands; :meth:`remember` keeps their answers once they are stored."""

    def __init__(
        self,
        state: BranchState,
        journal: Journal,
        sequencer: Sequencer,
        stamp: Stamp,
        refusals: Refusals,
        clock: HubClock,
    ) -> None:
        self.state, self.journal, self.sequencer = state, journal, sequencer
        self.stamp, self.refusals, self.clock = stamp, refusals, clock
        self.recent: OrderedDict[str, tuple[str, bytes, bytes]] = OrderedDict()
        """msg_id -> (the station that sent it, reply topic, reply body), newest last."""
        self.open_signals = OpenSignals(state)

    def decide(self, commands: list[Incoming]) -> list[Reply]:
        """Decide a step's commands into the sequencer's batch; the replies to send
        once the batch is stored."""
        replies: list[Reply] = []
        recent = self.recent
        unknown = [c.env.msg_id for c in commands if c.env.msg_id not in recent]
        try:
            stored = self.journal.find_replies(unknown) if unknown else {}
        except JournalUnavailable as exc:
            # Without the journal we cannot tell a resubmission from a new command:
            # answer "later" rather than risk storing one twice.
            for item in commands:
                old = recent.get(item.env.msg_id)
                if old is not None:
                    replies.append(self._resent(item, old))
                else:
                    body = self.stamp.rejected(
                        item.env.msg_id, "journal_unavailable", str(exc), retry=True
                    )
                    replies.append((item.identity, T_REJECTED, body))
            return replies
        in_batch: dict[str, tuple[str, bytes, bytes]] = {}
        batch = self.sequencer.batch
        for item in commands:
            env = item.env
            if not env.msg_id:
                self.refusals.complain("bad_frame", "a command without a msg_id", env.station)
                body = self.stamp.rejected("", "bad_frame", "a command needs a msg_id")
                replies.append((item.identity, T_REJECTED, body))
                continue
            old = recent.get(env.msg_id) or in_batch.get(env.msg_id)
            if old is None and env.msg_id in stored:
                station_s, topic_s, body_b = stored[env.msg_id]
                old = (station_s, topic_s.encode(), body_b)
            if old is not None:  # a resubmission: the original answer, nothing else
                replies.append(self._resent(item, old))
                continue
            topic, body, seq, final = self._decide_one(env)
            replies.append((item.identity, topic, body))
            in_batch[env.msg_id] = (env.station, topic, body)
            if not final:
                continue  # "internal" is not a final answer: a resend may succeed
            # Accepted or refused by the rules, the answer is final: keep it for resends.
            batch.replies.append(
                ReplyRow(env.msg_id, env.station, seq, self.clock.now_ms(), topic.decode(), body)
            )
        return replies

    def _decide_one(self, env: Envelope) -> tuple[bytes, bytes, int | None, bool]:
        """(topic, reply body, seq if accepted, whether the answer is final)."""
        try:
            command = decode_command(env.kind, bytes(env.payload))
        except ValueError as exc:
            code = "unknown_kind" if "unknown command" in str(exc) else "bad_payload"
            self.refusals.complain(code, str(exc), env.station)
            return T_REJECTED, self.stamp.rejected(env.msg_id, code, str(exc)), None, True
        try:
            check_open_cap(env.station, command, self.open_signals.of(env.station))
            event = self.state.decide(env.station, command, self.state.last_seq + 1)
        except DomainError as exc:
            self.refusals.complain(exc.code, f"refused {env.kind}: {exc.reason}", env.station)
            return T_REJECTED, self.stamp.rejected(env.msg_id, exc.code, exc.reason), None, True
        except Exception:  # a bug in a rule must not take the branch down
            log.hub.exception("unexpected failure deciding %s from %s", env.kind, env.station)
            self.refusals.counts["internal"] += 1
            reason = "the hub failed to decide this command; it was logged"
            return T_REJECTED, self.stamp.rejected(env.msg_id, "internal", reason), None, False
        seq = self.sequencer.sequence(event, env)
        return T_ACCEPTED, self.stamp.accepted(env.msg_id, seq), seq, True

    def _resent(self, item: Incoming, old: tuple[str, bytes, bytes]) -> Reply:
        """The reply to a command whose msg_id the hub already answered: the original
        answer to the same station; to another station, a refusal (never its reply)."""
        station, topic, body = old
        if station == item.env.station:
            return item.identity, topic, body
        reason = (
            f"msg_id {item.env.msg_id!r} was already used by another station ({station}); "
            "make a new msg_id for every command"
        )
        self.refusals.complain(MSG_ID_REUSED, reason, item.env.station)
        return (
            item.identity,
            T_REJECTED,
            self.stamp.rejected(item.env.msg_id, MSG_ID_REUSED, reason),
        )

    def answered(self, msg_id: str) -> bool:
        """Whether ``msg_id`` has its final answer already (kept here, or in the journal):
        its resend is answered with it, whatever its stamp says."""
        if msg_id in self.recent:
            return True
        try:
            return msg_id in self.journal.find_replies([msg_id])
        except JournalUnavailable:
            return False

    def remember(self, rows: list[ReplyRow]) -> None:
        """Keep the final answers of a stored batch, for resends."""
        recent = self.recent
        for row in rows:
            recent[row.msg_id] = (row.station, _TOPICS[row.topic], row.reply)
        while len(recent) > RECENT_REPLIES:
            recent.popitem(last=False)
