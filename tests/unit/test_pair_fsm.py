"""The Binary Star table (app.hub.pair): every rule is reachable, the rules that keep two
hubs from serving at once hold for every combination of facts, and the stories of
zguide's chapter 4 (a primary dies, comes back, the hubs' own link is cut) play out."""

from __future__ import annotations

import itertools
from dataclasses import fields

import pytest

from app.hub.pair import TABLE, Action, Decision, Facts, PairEvent, PairState, decide, serves

P, B, A, S = PairState.PRIMARY, PairState.BACKUP, PairState.ACTIVE, PairState.PASSIVE
E = PairEvent
NAMES = [f.name for f in fields(Facts)]
ALL_FACTS = [
    Facts(**dict(zip(NAMES, values, strict=True)))
    for values in itertools.product((False, True), repeat=len(NAMES))
]


def every_decision() -> list[tuple[PairState, PairEvent, Facts, Decision]]:
    return [
        (state, event, facts, decide(state, event, facts))
        for state in PairState
        for event in PairEvent
        for facts in ALL_FACTS
    ]


DECISIONS = every_decision()


def test_every_rule_of_the_table_is_reached_by_some_facts() -> None:
    reached = {(s, e, d.why) for s, e, _f, d in DECISIONS}
    for (state, event), rules in TABLE.items():
        for rule in rules:
            assert (state, event, rule.why) in reached, (state, event, rule.why)


def test_only_an_active_hub_serves_and_a_hub_serves_only_when_it_ends_active() -> None:
    for state, event, facts, d in DECISIONS:
        if Action.SERVE in d.actions:
            assert d.state is A and serves(d.state), (state, event, facts)
    assert [s for s in PairState if serves(s)] == [A]


def test_a_station_is_always_answered_serve_or_refused() -> None:
    refusals = {Action.REFUSE_STANDBY, Action.REFUSE_BEHIND, Action.REFUSE_FENCED}
    for state, event, facts, d in DECISIONS:
        if event is E.CLIENT_REQUEST:
            answers = [a for a in d.actions if a is Action.SERVE or a in refusals]
            assert len(answers) == 1, (state, facts, d)


def test_a_passive_hub_takes_over_only_when_the_active_is_gone_it_was_in_step_and_unfenced() -> (
    None
):
    for state, event, facts, d in DECISIONS:
        if state is S and event is E.CLIENT_REQUEST and d.state is A:
            assert facts.peer_expired and facts.in_sync and facts.evidence_ok, facts
            assert not facts.fenced
            assert Action.PROMOTE in d.actions  # a new term and epoch, before serving


def test_a_station_never_makes_a_backup_serve_nor_a_hub_with_its_peer_alive() -> None:
    for state, event, facts, d in DECISIONS:
        alive_or_backup = state is B or not facts.peer_expired
        if event is E.CLIENT_REQUEST and state is not A and alive_or_backup:
            assert d.state is state and Action.SERVE not in d.actions, (state, facts)


def test_a_newer_term_never_leaves_a_hub_serving() -> None:
    for state, event, facts, d in DECISIONS:
        if event is E.HIGHER_TERM:
            assert d.state is not A and Action.SERVE not in d.actions, (state, facts)
        if event is E.CLIENT_REQUEST and facts.vote_term_higher:
            assert Action.SERVE not in d.actions, (state, facts)
            assert d.state is not A, (state, facts)


def test_an_active_hub_hands_over_only_to_a_peer_in_step() -> None:
    for _state, event, facts, d in DECISIONS:
        if Action.HAND_OVER in d.actions:
            assert event is E.HANDOVER and facts.in_sync and not facts.peer_expired
    assert decide(A, E.HANDOVER, Facts(in_sync=False)).state is A


@pytest.mark.parametrize(
    ("state", "event", "facts", "expected"),
    [
        # the pair starts: the primary serves once the backup is there, the backup follows
        (P, E.PEER_BACKUP, Facts(), (A, (Action.STREAM,))),
        (B, E.PEER_ACTIVE, Facts(), (S, (Action.FOLLOW,))),
        (B, E.CLIENT_REQUEST, Facts(), (B, (Action.REFUSE_STANDBY,))),
        # the primary starts alone: a station's request makes it serve, said first
        (P, E.CLIENT_REQUEST, Facts(peer_expired=True), (A, (Action.JOURNAL_AWAY, Action.SERVE))),
        (P, E.CLIENT_REQUEST, Facts(), (P, (Action.REFUSE_STANDBY,))),
        # the primary dies: the passive backup takes over when a station asks
        (
            S,
            E.CLIENT_REQUEST,
            Facts(peer_expired=True, in_sync=True),
            (A, (Action.PROMOTE, Action.SERVE)),
        ),
        (S, E.CLIENT_REQUEST, Facts(peer_expired=True), (S, (Action.REFUSE_BEHIND,))),
        (
            S,
            E.CLIENT_REQUEST,
            Facts(peer_expired=True, in_sync=True, evidence_ok=False),
            (S, (Action.REFUSE_BEHIND,)),
        ),
        (S, E.CLIENT_REQUEST, Facts(in_sync=True), (S, (Action.REFUSE_STANDBY,))),
        # the old primary comes back: it sees an active peer and follows
        (P, E.PEER_ACTIVE, Facts(), (S, (Action.FOLLOW,))),
        # an active hub that meets a newer term stops
        (A, E.HIGHER_TERM, Facts(), (S, (Action.FOLLOW,))),
        (
            A,
            E.CLIENT_REQUEST,
            Facts(vote_term_higher=True),
            (S, (Action.FOLLOW, Action.REFUSE_FENCED)),
        ),
        (A, E.PEER_SILENT, Facts(), (A, (Action.JOURNAL_AWAY,))),
        # the planned switch
        (A, E.HANDOVER, Facts(in_sync=True), (S, (Action.HAND_OVER,))),
        (S, E.HANDED, Facts(head_matches=True), (A, (Action.PROMOTE,))),
        (S, E.HANDED, Facts(), (S, ())),
        # both restarted passive: the newer journal, else the configured primary, serves
        (S, E.PEER_PASSIVE, Facts(newer_than_peer=True), (A, (Action.PROMOTE, Action.STREAM))),
        (S, E.PEER_PASSIVE, Facts(configured_primary=True), (A, (Action.PROMOTE, Action.STREAM))),
        (S, E.PEER_PASSIVE, Facts(peer_newer=True, configured_primary=True), (S, ())),
        # the active restarts within the expiry: the passive in step serves, the
        # restarted primary waits for it (bstar); never both, whatever the heads say
        (S, E.PEER_PRIMARY, Facts(in_sync=True), (A, (Action.PROMOTE, Action.STREAM))),
        (S, E.PEER_PRIMARY, Facts(in_sync=True, peer_newer=True), (S, ())),
        (P, E.PEER_PASSIVE, Facts(), (P, ())),
        (P, E.PEER_PASSIVE, Facts(newer_than_peer=True), (A, (Action.STREAM,))),
    ],
)
def test_the_rows_of_zguide_and_ours(
    state: PairState, event: PairEvent, facts: Facts, expected: tuple[PairState, tuple[Action, ...]]
) -> None:
    d = decide(state, event, facts)
    assert (d.state, d.actions) == expected, d.why


def test_the_hubs_link_cut_while_the_stations_reach_the_primary_causes_no_takeover() -> None:
    """Each hub loses the other; the stations keep talking to the active primary, so the
    passive backup is never asked and never serves (zguide: the stations are the witness)."""
    primary, backup = A, S
    primary = decide(primary, E.PEER_SILENT, Facts(peer_expired=True)).state
    assert primary is A
    for _ in range(5):  # the stations' traffic, all to the primary
        d = decide(primary, E.CLIENT_REQUEST, Facts(peer_expired=True))
        assert d.actions == (Action.SERVE,)
    # the backup hears nothing from anyone: it stays passive
    assert backup is S and not serves(backup)


def test_the_primary_dies_the_backup_takes_over_and_the_restarted_primary_follows() -> None:
    backup = decide(B, E.PEER_ACTIVE, Facts()).state
    assert backup is S
    took = decide(backup, E.CLIENT_REQUEST, Facts(peer_expired=True, in_sync=True))
    assert took.state is A and Action.PROMOTE in took.actions
    # the old primary restarts: it never serves on its own while its peer is active...
    restarted = decide(P, E.CLIENT_REQUEST, Facts(vote_term_higher=True, peer_expired=True))
    assert restarted.state is P and restarted.actions == (Action.REFUSE_FENCED,)
    # ...and follows once it hears the new active
    assert decide(P, E.PEER_ACTIVE, Facts()).state is S
    # the new active keeps serving and streams to it
    assert decide(took.state, E.PEER_PRIMARY, Facts()).actions == (Action.STREAM,)


def test_a_restarted_primary_and_its_passive_peer_never_both_serve() -> None:
    """Whatever the two heads are, at most one of the two takes the other's state as
    its cue to serve (the facts each sees are the mirror of the other's)."""
    for mine_newer, peer_newer in ((True, False), (False, True), (False, False)):
        for in_sync in (True, False):
            primary = decide(
                P, E.PEER_PASSIVE, Facts(newer_than_peer=mine_newer, peer_newer=peer_newer)
            )
            passive = decide(
                S,
                E.PEER_PRIMARY,
                Facts(newer_than_peer=peer_newer, peer_newer=mine_newer, in_sync=in_sync),
            )
            assert not (serves(primary.state) and serves(passive.state))
