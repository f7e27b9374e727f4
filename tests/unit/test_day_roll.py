"""One day boundary for the hub and the stations: BranchState.roll_day.

Closed signals of earlier days are set aside at the branch's local midnight, not 24
hours after the last one (a daylight-saving day has 23 or 25 hours).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec
import pytest

from app.domain.config import Branch, load_branch
from app.domain.events import KeyShared, SignalCancelled, SignalRaised
from app.domain.state import BranchState, StateSnapshot


def branch_in(tz: str) -> Branch:
    config = load_branch().config
    return Branch(
        msgspec.structs.replace(config, branch=msgspec.structs.replace(config.branch, timezone=tz))
    )


def at(
    tz: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> int:
    """Milliseconds of a local wall-clock time in ``tz``."""
    local = datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(tz))
    return int(local.timestamp() * 1000)


def raise_signal(state: BranchState, ts: int, closed: bool) -> int:
    seq = state.last_seq + 1
    state.apply(
        seq, ts, SignalRaised(signal_id=seq, code="cash", targets=("supervisor",), station="C01")
    )
    if closed:
        state.apply(seq + 1, ts, SignalCancelled(signal_id=seq, station="C01"))
    return seq


def test_local_midnight_in_shanghai() -> None:
    tz = "Asia/Shanghai"
    state = BranchState(branch_in(tz))
    resets: list[None] = []
    state.reset_listeners.append(lambda: resets.append(None))
    late = at(tz, 2026, 6, 1, 23, 59, 59) + 999
    closed = raise_signal(state, late, closed=True)
    still_open = raise_signal(state, late, closed=False)
    assert state.roll_day(late) == 0
    midnight = at(tz, 2026, 6, 2, 0, 0)
    assert state.roll_day(midnight - 1) == 0
    assert closed in state.signals
    closed_today = raise_signal(state, midnight, closed=True)
    assert state.roll_day(midnight) == 1  # the first instant of the new day
    assert set(state.signals) == {still_open, closed_today}
    assert len(resets) == 1
    assert state.roll_day(at(tz, 2026, 6, 2, 12, 0)) == 0  # once a day
    assert len(resets) == 1, "no reset when nothing was set aside"


@pytest.mark.parametrize(
    ("tz", "closed_on", "next_day", "soon_after"),
    [
        # Spring forward: 29 March 2026 has 23 hours in Berlin; 24 hours after its
        # midnight is 01:00 on the 30th, and a signal closed on the 29th was still kept
        # at 00:30.
        ("Europe/Berlin", (2026, 3, 29, 12, 0), (2026, 3, 30), (2026, 3, 30, 0, 30)),
        # Fall back: 1 November 2026 has 25 hours in New York.
        ("America/New_York", (2026, 11, 1, 23, 30), (2026, 11, 2), (2026, 11, 2, 0, 0)),
    ],
)
def test_local_midnight_across_daylight_saving(
    tz: str,
    closed_on: tuple[int, ...],
    next_day: tuple[int, ...],
    soon_after: tuple[int, ...],
) -> None:
    state = BranchState(branch_in(tz))
    ts = at(tz, *closed_on)
    raise_signal(state, ts, closed=True)
    assert state.roll_day(ts) == 0
    assert state.roll_day(at(tz, *next_day) - 1) == 0
    assert state.roll_day(at(tz, *soon_after)) == 1
    assert state.signals == {}


def test_a_restore_looks_at_the_day_again() -> None:
    tz = "Asia/Shanghai"
    state = BranchState(branch_in(tz))
    today = at(tz, 2026, 6, 2, 9, 0)
    assert state.roll_day(today) == 0
    older = BranchState(state.branch)
    raise_signal(older, at(tz, 2026, 6, 1, 9, 0), closed=True)
    state.restore(older.last_seq, older.snapshot())  # e.g. a checkpoint of yesterday
    assert state.roll_day(today) == 1


def test_key_warnings_last_until_their_day_ends_even_across_a_restart() -> None:
    tz = "Asia/Shanghai"
    state = BranchState(branch_in(tz))
    noon = at(tz, 2026, 6, 1, 12, 0)
    state.apply(1, noon, KeyShared(station="C05", addresses=["10.0.0.7", "10.0.0.9"]))
    assert state.roll_day(noon + 1000) == 0 and "C05" in state.shared_keys  # a hub start
    again = BranchState(branch_in(tz))  # a station that joins: from the snapshot
    again.restore(1, msgspec.convert(msgspec.to_builtins(state.snapshot()), StateSnapshot))
    again.roll_day(noon + 2000)
    assert again.shared_keys == {"C05": ["10.0.0.7", "10.0.0.9"]}
    state.roll_day(at(tz, 2026, 6, 2, 0, 0))  # midnight: seen to
    assert state.shared_keys == {}
