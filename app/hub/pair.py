"""Which of a pair of hubs serves the branch: the Binary Star state table (issue 14).

A pure table, no sockets and no journal: :func:`decide` maps a hub's state, an event
and the facts the hub knows at that moment to its next state and what it must do. The
hub's pair port (heartbeats, replication) and its loop read it; tests walk every row.

Followed: ZeroMQ's Binary Star (zguide chapter 4, ``examples/Python/bstar.py``): the
states PRIMARY, BACKUP, ACTIVE, PASSIVE; the peer's state as events; a hub that has
lost its peer takes over only when a station asks it (the stations are the witness, so
two PCs never both serve while each sees the stations). Departures, each marked *ours*
in its row's ``why``:

- a message with a higher term demotes an active hub at once (Raft §5.1), instead of
  Binary Star's "dual masters" abort;
- a passive hub takes over only if it was in step with the active when last heard and no
  asking station has seen an event it lacks (Kafka: only an in-sync replica leads, no
  unclean election);
- two passive hubs (both restarted) do not abort: the newer journal leads, the
  configured primary on a tie;
- a planned switch (``lobbylink pair handover``) and a *yield* (the active hears no
  station while its peer does) hand over to an in-step peer; fail-back is never
  automatic (zguide: "automatic recovery is undesirable").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class PairState(StrEnum):
    PRIMARY = "primary"
    """Configured primary, just started: not serving until the table says so."""
    BACKUP = "backup"
    """Configured backup, just started: not serving until it has followed an active."""
    ACTIVE = "active"
    """Serving the stations: the only state that accepts commands."""
    PASSIVE = "passive"
    """Following the active's journal; answers stations ``standby``."""


class PairEvent(StrEnum):
    PEER_PRIMARY = "peer_primary"
    """The peer's heartbeat says it is PRIMARY (it has just started)."""
    PEER_BACKUP = "peer_backup"
    PEER_ACTIVE = "peer_active"
    PEER_PASSIVE = "peer_passive"
    CLIENT_REQUEST = "client_request"
    """A station asks this hub (a command, a hello or a ping)."""
    PEER_SILENT = "peer_silent"
    """No heartbeat from the peer for the expiry, or no acknowledgement of a step."""
    HIGHER_TERM = "higher_term"
    """A message (the peer's, or a station's) carries a term above this hub's."""
    HANDOVER = "handover"
    """``lobbylink pair handover`` asked the active to hand over, or it yields."""
    HANDED = "handed"
    """The active handed over to this passive hub (``pair_handover``)."""


class Action(StrEnum):
    SERVE = "serve"
    """Accept the station's request (ACTIVE only)."""
    REFUSE_STANDBY = "refuse_standby"
    """Refuse with ``standby`` (retry at the other hub)."""
    REFUSE_BEHIND = "refuse_behind"
    """Refuse with ``standby_behind``: this hub lacks what the branch has seen."""
    REFUSE_FENCED = "refuse_fenced"
    """Refuse with ``fenced``: the asking station knows a newer term."""
    PROMOTE = "promote"
    """Take over: a new term and a new epoch, journaled before anything is accepted."""
    JOURNAL_AWAY = "journal_away"
    """Say (journal and publish) that the peer is away, before acknowledging alone."""
    STREAM = "stream"
    """Send the peer the journal from its head on (it catches up, then stays in step)."""
    FOLLOW = "follow"
    """Stop accepting, set aside rows the active lacks, follow the active's journal."""
    HAND_OVER = "hand_over"
    """Stop accepting, wait for the peer's acknowledgement of the head, hand over."""


@dataclass(frozen=True)
class Facts:
    """What a hub knows when an event comes (each False unless said)."""

    peer_expired: bool = False
    """No heartbeat from the peer for the expiry (2 s)."""
    newer_than_peer: bool = False
    """This hub's (term, head seq) is above the peer's."""
    peer_newer: bool = False
    """The peer's (term, head seq) is above this hub's."""
    in_sync: bool = False
    """(Passive) this hub was in step with the active when last heard; (active) the peer
    is in step now."""
    evidence_ok: bool = True
    """No station that asked since the peer went silent has seen an event or a term this
    hub lacks."""
    fenced: bool = False
    """A newer term was seen since this hub last served (``meta.fenced_by``)."""
    vote_term_higher: bool = False
    """The asking station knows a term above this hub's."""
    configured_primary: bool = False
    """This hub is the pair's configured primary (a tie between two passive hubs)."""
    head_matches: bool = False
    """(Handed over) this hub's head is the head the active handed over at."""


Guard = Callable[[Facts], bool]


def _always(_f: Facts) -> bool:
    return True


@dataclass(frozen=True)
class Rule:
    when: Guard
    next: PairState
    actions: tuple[Action, ...]
    why: str


@dataclass(frozen=True)
class Decision:
    state: PairState
    actions: tuple[Action, ...]
    why: str


P, B, A, S = PairState.PRIMARY, PairState.BACKUP, PairState.ACTIVE, PairState.PASSIVE
E = PairEvent


def _can_take_over(f: Facts) -> bool:
    return f.peer_expired and f.in_sync and f.evidence_ok and not (f.fenced or f.vote_term_higher)


def _refusal(f: Facts) -> tuple[Action, ...]:
    return (Action.REFUSE_FENCED,) if f.vote_term_higher else (Action.REFUSE_STANDBY,)


TABLE: dict[tuple[PairState, PairEvent], tuple[Rule, ...]] = {
    # PRIMARY: just started as the configured primary
    (P, E.PEER_BACKUP): (
        Rule(lambda f: f.peer_newer, P, (), "the peer's journal is newer: it leads (ours)"),
        Rule(_always, A, (Action.STREAM,), "the backup is there: serve, it catches up (bstar)"),
    ),
    (P, E.PEER_PASSIVE): (
        Rule(
            lambda f: f.newer_than_peer,
            A,
            (Action.STREAM,),
            "the passive peer lacks rows of mine: serve, it catches up (ours)",
        ),
        Rule(
            _always,
            P,
            (),
            "the passive peer takes over from a restarted primary (bstar); never both",
        ),
    ),
    (P, E.PEER_ACTIVE): (Rule(_always, S, (Action.FOLLOW,), "the peer serves: follow it (bstar)"),),
    (P, E.CLIENT_REQUEST): (
        Rule(
            lambda f: f.peer_expired and f.evidence_ok and not f.fenced and not f.vote_term_higher,
            A,
            (Action.JOURNAL_AWAY, Action.SERVE),
            "no peer, a station asks: serve alone, said first (bstar; the fence: ours)",
        ),
        Rule(
            lambda f: f.peer_expired and not f.evidence_ok,
            P,
            (Action.REFUSE_BEHIND,),
            "a station has seen what this hub lacks (ours)",
        ),
        Rule(
            lambda f: f.vote_term_higher,
            P,
            (Action.REFUSE_FENCED,),
            "the station knows a newer term (ours)",
        ),
        Rule(_always, P, (Action.REFUSE_STANDBY,), "the peer is alive: wait for its word (bstar)"),
    ),
    (P, E.HIGHER_TERM): (
        Rule(_always, P, (), "a newer term exists: wait for its hub (Raft §5.1)"),
    ),
    # BACKUP: just started as the configured backup
    (B, E.PEER_ACTIVE): (
        Rule(_always, S, (Action.FOLLOW,), "the primary serves: follow it (bstar)"),
    ),
    (B, E.PEER_PRIMARY): (
        Rule(
            lambda f: f.newer_than_peer,
            A,
            (Action.STREAM,),
            "cold start after a takeover: the newer journal leads (ours)",
        ),
        Rule(_always, B, (), "the primary leads (bstar)"),
    ),
    (B, E.PEER_PASSIVE): (
        Rule(
            lambda f: f.newer_than_peer,
            A,
            (Action.STREAM,),
            "cold start after a takeover: the newer journal leads (ours)",
        ),
        Rule(_always, B, (), "wait for the peer to serve (bstar)"),
    ),
    (B, E.CLIENT_REQUEST): (
        Rule(
            lambda f: f.vote_term_higher,
            B,
            (Action.REFUSE_FENCED,),
            "the station knows a newer term (ours)",
        ),
        Rule(
            _always,
            B,
            (Action.REFUSE_STANDBY,),
            "a backup serves only after it has followed (bstar)",
        ),
    ),
    (B, E.HIGHER_TERM): (
        Rule(_always, B, (), "a newer term exists: wait for its hub (Raft §5.1)"),
    ),
    # ACTIVE: serving
    (A, E.HIGHER_TERM): (
        Rule(
            _always,
            S,
            (Action.FOLLOW,),
            "a newer term: stop accepting before the next step, follow (Raft §5.1; ours)",
        ),
    ),
    (A, E.PEER_ACTIVE): (
        Rule(
            lambda f: f.peer_newer,
            S,
            (Action.FOLLOW,),
            "two active hubs: the newer term keeps serving (ours; bstar aborts)",
        ),
        Rule(_always, A, (Action.STREAM,), "the peer is older: it follows (ours)"),
    ),
    (A, E.PEER_PRIMARY): (
        Rule(_always, A, (Action.STREAM,), "the peer restarted: it catches up (bstar)"),
    ),
    (A, E.PEER_BACKUP): (
        Rule(_always, A, (Action.STREAM,), "the peer restarted: it catches up (bstar)"),
    ),
    (A, E.PEER_PASSIVE): (Rule(_always, A, (Action.STREAM,), "the peer follows (bstar)"),),
    (A, E.PEER_SILENT): (
        Rule(
            _always,
            A,
            (Action.JOURNAL_AWAY,),
            "the peer is away: said first, then serve alone (Kafka ISR shrink)",
        ),
    ),
    (A, E.CLIENT_REQUEST): (
        Rule(
            lambda f: f.vote_term_higher,
            S,
            (Action.FOLLOW, Action.REFUSE_FENCED),
            "a station knows a newer term: this hub was replaced (Raft §5.1; ours)",
        ),
        Rule(_always, A, (Action.SERVE,), "serve (bstar)"),
    ),
    (A, E.HANDOVER): (
        Rule(
            lambda f: f.in_sync and not f.peer_expired,
            S,
            (Action.HAND_OVER,),
            "planned switch to an in-step peer (ours)",
        ),
        Rule(_always, A, (), "the peer is not in step: keep serving (ours)"),
    ),
    # PASSIVE: following the active
    (S, E.PEER_PRIMARY): (
        Rule(
            lambda f: f.in_sync and not f.peer_newer,
            A,
            (Action.PROMOTE, Action.STREAM),
            "the active restarted: serve, it catches up (bstar; in step: Kafka)",
        ),
        Rule(_always, S, (), "behind the restarted peer: wait (ours)"),
    ),
    (S, E.PEER_BACKUP): (
        Rule(
            lambda f: f.in_sync and not f.peer_newer,
            A,
            (Action.PROMOTE, Action.STREAM),
            "the active restarted: serve, it catches up (bstar; in step: Kafka)",
        ),
        Rule(_always, S, (), "behind the restarted peer: wait (ours)"),
    ),
    (S, E.PEER_PASSIVE): (
        Rule(
            lambda f: f.newer_than_peer or (not f.peer_newer and f.configured_primary),
            A,
            (Action.PROMOTE, Action.STREAM),
            "two passive hubs: the newer journal serves, the primary on a tie (ours)",
        ),
        Rule(_always, S, (), "two passive hubs: the peer serves (ours)"),
    ),
    (S, E.PEER_ACTIVE): (Rule(_always, S, (), "follow (bstar)"),),
    (S, E.CLIENT_REQUEST): (
        Rule(
            _can_take_over,
            A,
            (Action.PROMOTE, Action.SERVE),
            "the active is gone and a station asks: take over (bstar failover)",
        ),
        Rule(
            lambda f: (
                f.peer_expired
                and not (f.in_sync and f.evidence_ok)
                and not f.fenced
                and not f.vote_term_higher
            ),
            S,
            (Action.REFUSE_BEHIND,),
            "the active is gone but this hub is behind: no unclean takeover (Kafka)",
        ),
        Rule(
            lambda f: f.vote_term_higher,
            S,
            (Action.REFUSE_FENCED,),
            "the station knows a newer term (ours)",
        ),
        Rule(_always, S, (Action.REFUSE_STANDBY,), "the active is alive: standby (bstar)"),
    ),
    (S, E.HANDED): (
        Rule(lambda f: f.head_matches, A, (Action.PROMOTE,), "the planned switch (ours)"),
        Rule(_always, S, (), "handed over at another head: not taken (ours)"),
    ),
    (S, E.HIGHER_TERM): (
        Rule(_always, S, (Action.FOLLOW,), "a newer term: follow its hub (Raft §5.1)"),
    ),
}


def decide(state: PairState, event: PairEvent, facts: Facts) -> Decision:
    """The next state and what to do: the first rule of (state, event) whose guard holds.
    An event a state does not expect changes nothing; a station's request there is
    refused (only an active hub serves)."""
    for rule in TABLE.get((state, event), ()):
        if rule.when(facts):
            return Decision(rule.next, rule.actions, rule.why)
    if event is E.CLIENT_REQUEST:
        return Decision(state, _refusal(facts), "only an active hub serves")
    return Decision(state, (), "not expected in this state: nothing changes")


def serves(state: PairState) -> bool:
    """Whether a hub in ``state`` accepts commands."""
    return state is PairState.ACTIVE
