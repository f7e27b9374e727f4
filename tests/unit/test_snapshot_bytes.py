"""The hub's cached snapshot encoding is the snapshot, byte for byte, whatever happened.

The hub keeps each signal's encoding until the signal changes (app.hub.snapshots) and
looks for escalation deadlines among the open signals only; both must give exactly
what the plain state gives, after any sequence of commands, timers, prunes and restores.
"""

from __future__ import annotations

import gc

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.events import PresenceChanged, RaiseSignal, SignalCancelled, SignalRaised
from app.domain.roles import Role
from app.domain.state import BranchState, decode_snapshot, encode_snapshot
from app.hub.snapshots import SnapshotCache
from tests.unit.test_state_property import BRANCH, actor, command, step

READERS = [None, *(r.value for r in Role)]


def brute_next_deadline(state: BranchState) -> int | None:
    """next_deadline_ms as it was: every signal of the day, looked at one by one."""
    dues = [state._escalation_due_ms(s) for s in state.signals.values()]
    return min((d for d in dues if d is not None), default=None)


def check(hub: BranchState, cache: SnapshotCache, plain: BranchState, now: int) -> None:
    for reader in READERS:
        expected = encode_snapshot(plain.snapshot(reader))
        assert cache.snapshot_bytes(reader) == expected, reader
        assert encode_snapshot(decode_snapshot(expected)) == expected
    assert hub.next_deadline_ms() == brute_next_deadline(plain)
    assert hub.due_escalations(now) == plain.due_escalations(now)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(step, st.just(("prune",)), st.just(("restore",))), max_size=60))
def test_cached_snapshot_is_the_snapshot(steps: list[tuple]) -> None:
    hub = BranchState(BRANCH)
    cache = SnapshotCache(hub)
    plain = BranchState(BRANCH)
    now = 1_000_000
    for s in steps:
        if s[0] == "tick":
            now += s[1]
            for esc in plain.due_escalations(now):
                seq = plain.last_seq + 1
                plain.apply(seq, now, esc)
                hub.apply(seq, now, esc)
        elif s[0] == "prune":
            assert hub.prune(now - 5_000) == plain.prune(now - 5_000)
        elif s[0] == "restore":  # as at a hub start from a checkpoint
            hub.restore(plain.last_seq, decode_snapshot(encode_snapshot(plain.snapshot())))
        else:
            now += 10
            try:
                event = plain.decide(actor(s, plain), command(s, plain), plain.last_seq + 1)
            except DomainError:
                continue
            seq = plain.last_seq + 1
            plain.apply(seq, now, event)
            hub.apply(seq, now, event)
        check(hub, cache, plain, now)


def test_many_signals_use_the_long_array_header() -> None:
    """Past 15 and past 65,535 signals msgpack's array header grows; both are handled."""
    hub = BranchState(BRANCH)
    cache = SnapshotCache(hub)
    plain = BranchState(BRANCH)
    seq = 0
    for i in range(70_000):
        seq += 1
        for state in (hub, plain):
            state.apply(
                seq,
                1_000 + i,
                SignalRaised(signal_id=seq, code="cash", targets=("supervisor",), station="C01"),
            )
        if i % 2:
            seq += 1
            for state in (hub, plain):
                state.apply(seq, 1_000 + i, SignalCancelled(signal_id=seq - 1, station="C01"))
        if i in (10, 20, 70, 40_000):
            assert cache.snapshot_bytes() == encode_snapshot(plain.snapshot())
    seq += 1
    for state in (hub, plain):
        state.apply(seq, 80_000, PresenceChanged(online=True, station="C02"))
    assert cache.snapshot_bytes("teller") == encode_snapshot(plain.snapshot("teller"))


def test_decode_leaves_the_collector_as_it_was() -> None:
    raw = encode_snapshot(BranchState(BRANCH).snapshot())
    assert gc.isenabled()
    decode_snapshot(raw)
    assert gc.isenabled()
    gc.disable()
    try:
        decode_snapshot(raw)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_decided_events_change_the_cached_encoding() -> None:
    """A signal that changes after its encoding was kept is encoded again."""
    hub = BranchState(BRANCH)
    cache = SnapshotCache(hub)
    event = hub.decide("C01", RaiseSignal(code="assist"), 1)
    hub.apply(1, 1_000, event)
    before = cache.snapshot_bytes()
    hub.apply(2, 2_000, hub.decide("L1", command(("ack", "L1", 0), hub), 3))
    after = cache.snapshot_bytes()
    assert before != after
    assert decode_snapshot(after).signals[0].acked_station == "L1"


def test_the_hub_wraps_the_parts_in_the_same_envelope() -> None:
    """The hub joins the snapshot's parts straight into its reply: the same bytes as
    encoding the envelope around the whole snapshot."""
    from msgspec import Raw
    from msgspec.structs import replace

    from app.hub.stamp import encode_with_payload
    from messaging.envelope import Envelope, encode_envelope

    state = BranchState(BRANCH)
    cache = SnapshotCache(state)
    for seq in range(1, 40):
        raised = SignalRaised(signal_id=seq, code="cash", targets=("supervisor",), station="C01")
        state.apply(seq, 1_000 + seq, raised)
    for msg_id in ("m1", "§payload", "payload\u0410"):  # near misses of the marker
        env = Envelope(
            v=1, kind="snapshot", msg_id=msg_id, station="", ts_ms=5, seq=39, epoch="e", hub_ts_ms=5
        )
        parts = cache.parts("teller")
        whole = encode_envelope(replace(env, payload=Raw(b"".join(parts))))
        assert encode_with_payload(env, parts) == whole
