"""Issue 12's rules: broadcasts (who may send one, where, how long; who acknowledges)
and a pause's expected length, decided by the hub's rules and applied to the state."""

from __future__ import annotations

import pytest

from app.domain import policy
from app.domain.config import Branch
from app.domain.errors import DomainError
from app.domain.events import (
    AckBroadcast,
    Broadcast,
    BroadcastSent,
    Command,
    CounterStatusChanged,
    SetStatus,
    decode_command,
    decode_event,
    encode,
)
from app.domain.roles import CounterStatus
from app.domain.state import BranchState, decode_snapshot, encode_snapshot
from app.hub.snapshots import SnapshotCache

T0 = 1_700_000_000_000


@pytest.fixture
def state(branch: Branch) -> BranchState:
    return BranchState(branch)


def do(state: BranchState, station: str, command: Command) -> int:
    seq = state.last_seq + 1
    event = state.decide(station, command, seq)
    state.apply(seq, T0 + seq * 1000, event)
    return seq


def refused(state: BranchState, station: str, command: Command, code: str) -> str:
    with pytest.raises(DomainError) as info:
        state.decide(station, command, state.last_seq + 1)
    assert info.value.code == code, info.value.reason
    return info.value.reason


# Broadcasts -------------------------------------------------------------------------------
def test_lobby_manager_and_branch_head_may_broadcast_others_not(state: BranchState) -> None:
    assert do(state, "L1", Broadcast(text="十分钟后开晨会")) == 1
    assert do(state, "H1", Broadcast(text="Morning meeting in 10 minutes", zone="high")) == 2
    for station in ("C01", "S1", "W1"):
        reason = refused(state, station, Broadcast(text="hello"), "forbidden")
        assert "cannot send a broadcast" in reason
    assert {"lobby_manager", "branch_head"} == policy.BROADCASTERS


def test_recipients_are_the_zone_or_everyone_but_the_sender(
    state: BranchState, branch: Branch
) -> None:
    everyone = do(state, "L1", Broadcast(text="十分钟后开晨会"))
    sent = state.broadcasts[everyone]
    assert "L1" not in sent.recipients
    assert set(sent.recipients) == {s.id for s in branch.config.stations if not s.public} - {"L1"}
    high = do(state, "L1", Broadcast(text="高柜注意", zone="high"))
    assert state.broadcasts[high].recipients == ("C01", "C02", "C03", "C04")
    assert state.broadcasts[high].zone == "high"


def test_a_broadcast_text_is_short_one_line_and_not_empty(state: BranchState) -> None:
    refused(state, "L1", Broadcast(text="   "), "bad_request")
    too_long = "晨" * (policy.MAX_BROADCAST + 1)
    assert "at most" in refused(state, "L1", Broadcast(text=too_long), "bad_request")
    assert "one line" in refused(state, "L1", Broadcast(text="a\nb"), "bad_request")
    sid = do(state, "L1", Broadcast(text="  " + "晨" * policy.MAX_BROADCAST + " "))
    assert state.broadcasts[sid].text == "晨" * policy.MAX_BROADCAST  # trimmed


def test_the_zone_must_exist_and_hold_a_station(state: BranchState) -> None:
    assert "unknown zone" in refused(state, "L1", Broadcast(text="x", zone="roof"), "bad_request")
    # The self-service zone has no station: nobody would acknowledge it.
    assert "no station" in refused(state, "L1", Broadcast(text="x", zone="self"), "bad_request")


def test_each_recipient_acknowledges_once(state: BranchState) -> None:
    bid = do(state, "L1", Broadcast(text="十分钟后开晨会", zone="high"))
    do(state, "C01", AckBroadcast(broadcast_id=bid))
    do(state, "C02", AckBroadcast(broadcast_id=bid))
    sent = state.broadcasts[bid]
    assert set(sent.acks) == {"C01", "C02"}
    assert not sent.waiting_at("C01") and sent.waiting_at("C03")
    refused(state, "C01", AckBroadcast(broadcast_id=bid), "invalid_transition")
    refused(state, "C05", AckBroadcast(broadcast_id=bid), "forbidden")  # low counters
    refused(state, "L1", AckBroadcast(broadcast_id=bid), "forbidden")  # its sender
    refused(state, "C01", AckBroadcast(broadcast_id=999), "not_found")


def test_a_day_holds_at_most_so_many_broadcasts(state: BranchState) -> None:
    for n in range(policy.MAX_BROADCASTS_A_DAY):
        do(state, "H1", Broadcast(text=f"notice {n}"))
    refused(state, "L1", Broadcast(text="one more"), "too_many_open")


def test_broadcasts_travel_in_the_snapshot_and_end_with_the_day(
    state: BranchState, branch: Branch
) -> None:
    cache = SnapshotCache(state)
    bid = do(state, "L1", Broadcast(text="十分钟后开晨会"))
    do(state, "W1", AckBroadcast(broadcast_id=bid))
    do(state, "C02", SetStatus(status=CounterStatus.PAUSED, reason="meal", expected_min=30))
    raw = encode_snapshot(state.snapshot())
    assert cache.snapshot_bytes() == raw  # the hub's cached encoding, byte for byte
    assert cache.snapshot_bytes("teller") == encode_snapshot(state.snapshot("teller"))
    copy = BranchState(branch)
    copy.restore(state.last_seq, decode_snapshot(raw))
    assert copy.broadcasts[bid].acks == {"W1": T0 + 2000}
    assert copy.pause_lengths == {"C02": 30}
    assert copy.fingerprint() == state.fingerprint()
    # A station's first look at the day (after a start or a restore) keeps today's...
    copy.roll_day(T0 + 5000)
    assert bid in copy.broadcasts
    # ...and the next local day sets them aside.
    state.roll_day(T0 + 5000)
    state.roll_day(T0 + 2 * 86_400_000)
    assert state.broadcasts == {}


def test_broadcast_wire_names_and_round_trip() -> None:
    cmd = decode_command("broadcast", encode(Broadcast(text="晨会", zone="lobby")))
    assert cmd == Broadcast(text="晨会", zone="lobby")
    ack = decode_command("ack_broadcast", encode(AckBroadcast(broadcast_id=7)))
    assert ack == AckBroadcast(broadcast_id=7)
    ev = BroadcastSent(broadcast_id=3, text="晨会", recipients=("C01",), station="L1")
    assert decode_event("broadcast_sent", encode(ev)) == ev
    with pytest.raises(ValueError, match="bad 'broadcast' payload"):
        decode_command("broadcast", encode(AckBroadcast(broadcast_id=1)))


# A pause's expected length ---------------------------------------------------------------
def test_a_pause_may_say_how_long(state: BranchState) -> None:
    do(state, "C01", SetStatus(status=CounterStatus.PAUSED, reason="meal", expected_min=15))
    counter = state.counters["C01"]
    assert (counter.status, counter.reason) == ("paused", "meal")
    assert state.pause_lengths == {"C01": 15}
    # The same pause with another length is a change; the same one again is not.
    do(state, "C01", SetStatus(status=CounterStatus.PAUSED, reason="meal", expected_min=30))
    refused(
        state,
        "C01",
        SetStatus(status=CounterStatus.PAUSED, reason="meal", expected_min=30),
        "invalid_transition",
    )
    do(state, "C01", SetStatus(status=CounterStatus.OPEN))
    assert state.pause_lengths == {}


def test_a_pause_length_is_bounded_and_only_for_a_pause(state: BranchState) -> None:
    for minutes in (-5, policy.MAX_PAUSE_MIN + 1):
        refused(
            state,
            "C01",
            SetStatus(status=CounterStatus.PAUSED, reason="meal", expected_min=minutes),
            "bad_request",
        )
    reason = refused(
        state, "C01", SetStatus(status=CounterStatus.CLOSED, expected_min=10), "bad_request"
    )
    assert "only a pause" in reason
    assert set(policy.PAUSE_LENGTHS_MIN) <= set(range(1, policy.MAX_PAUSE_MIN + 1))


def test_a_pause_without_length_keeps_the_old_payload() -> None:
    """An older hub or station never sees the new field unless it is used."""
    old = encode(SetStatus(status=CounterStatus.PAUSED, reason="meal"))
    assert b"expected_min" not in old
    assert b"expected_min" in encode(
        SetStatus(status=CounterStatus.PAUSED, reason="meal", expected_min=5)
    )
    ev = CounterStatusChanged(status=CounterStatus.PAUSED, reason="meal", station="C01")
    assert b"expected_min" not in encode(ev)
    assert decode_event("counter_status", encode(ev)) == ev
