"""The branch's one percentile (app.domain.stats), and the board and the reports using it.

Every expected figure is worked out by hand: rank = ceil(p / 100 * n), at least 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.domain.config import Branch
from app.domain.events import Acknowledge, Event, RaiseSignal
from app.domain.kpi import today_kpis
from app.domain.state import BranchState, SignalRecord
from app.domain.stats import median, percentile
from app.hub.journal import Journal
from app.reports.measures import report
from app.reports.writer import JournalWriter
from tests.unit.test_kpi import DAY_START, T0, S, build_day, do


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([7], 7),  # one value: it is the median
        ([5, 10, 40], 10),  # odd: the middle one, rank ceil(1.5) = 2
        ([5, 10, 20, 40, 50], 20),  # rank ceil(2.5) = 3
        ([2, 4, 10, 20], 4),  # even: rank 2 (an interpolating median would say 7)
        ([4.0, 10.0, 20.0, 25.0, 30.0, 40.0], 20.0),  # rank 3, not (20 + 25) / 2
    ],
)
def test_median_is_one_of_the_values(values: list[float], expected: float) -> None:
    assert median(values) == expected


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [
        ([5.0], 90, 5.0),
        ([7], 90, 7),
        ([5, 10, 40], 50, 10),
        ([5, 10, 40], 90, 40),  # rank ceil(2.7) = 3
        ([1.0, 2.0], 90, 2.0),  # rank ceil(1.8) = 2
        ([1.0, 2.0], 50, 1.0),  # rank ceil(1.0) = 1
        ([float(v) for v in range(1, 11)], 90, 9.0),  # rank 9
        ([float(v) for v in range(1, 12)], 90, 10.0),  # ceil(9.9) = 10
        ([1.0, 2.0, 3.0], 50, 2.0),
        ([1.0, 2.0, 3.0], 0, 1.0),  # rank at least 1
        ([1.0, 2.0, 3.0], 100, 3.0),
        (list(range(1, 101)), 7, 7),  # exact: 0.07 * 100 is 7.000000000000001 in floats
        (list(range(1, 1001)), 29, 290),
    ],
)
def test_percentile_by_nearest_rank(values: list[float], pct: float, expected: float) -> None:
    assert percentile(values, pct) == expected


def test_no_values_no_figure() -> None:
    with pytest.raises(ValueError, match="no values"):
        median([])
    with pytest.raises(ValueError, match="no values"):
        percentile([], 90)
    with pytest.raises(ValueError, match="outside"):
        percentile([1, 2], 101)
    with pytest.raises(ValueError, match="outside"):
        percentile([1, 2], -1)


class _Recording(BranchState):
    """A branch state that keeps every event it applies, to write them to a journal."""

    def __init__(self, branch: Branch) -> None:
        super().__init__(branch)
        self.log: list[tuple[int, Event]] = []

    def apply(self, seq: int, ts_ms: int, event: Event) -> SignalRecord | None:
        self.log.append((ts_ms, event))
        return super().apply(seq, ts_ms, event)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(f"sqlite:///{tmp_path / 'j.sqlite'}")
    yield j
    j.close()


@pytest.mark.parametrize("extra_claim", [False, True], ids=["7 claims", "8 claims"])
def test_the_board_and_the_report_give_the_same_median(
    branch: Branch, journal: Journal, extra_claim: bool
) -> None:
    """The board's day (tests/unit/test_kpi.py) as live state and as a journal.

    Claim times 2, 4, 10, 20, 25, 30, 40 s: median 20 (rank 4), p90 40 (rank 7). With
    one more claimed after 6 s, eight: median 10 (rank 4), where an interpolating
    median says 15; p90 40 (rank ceil(7.2) = 8).
    """
    state = _Recording(branch)
    build_day(state)
    if extra_claim:
        sid = do(state, "C04", RaiseSignal(code="assist"), T0 + 1200 * S)
        do(state, "L1", Acknowledge(signal_id=sid), T0 + 1206 * S)
    writer = JournalWriter(journal, branch)
    for ts, event in state.log:
        writer.add(ts, event)
    writer.flush()

    now = T0 + 2000 * S
    board = today_kpis(state, now)
    day = report(journal.engine, branch, date(2024, 3, 15), date(2024, 3, 15), now_ms=now)
    assert board.day_start_ms == DAY_START
    assert (board.acknowledged, board.ack_median_s, board.ack_p90_s) == (
        (8, 10.0, 40.0) if extra_claim else (7, 20.0, 40.0)
    )
    assert (day.total.ack.n, day.total.ack.p50_s, day.total.ack.p90_s) == (
        board.acknowledged,
        board.ack_median_s,
        board.ack_p90_s,
    )
