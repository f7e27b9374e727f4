"""Archiving keeps the figures of the days after the cut: pauses and offline spells
that began before the cut and go on after it (app.reports.carry).

Branch time zone Asia/Shanghai (UTC+8). M = local midnight starting D = 2026-03-10,
the cut of the second archive; the first archive cuts at M - 24 h (start of D-1).
All counters are tellers of the default branch. Figures by hand:

    C01  D-2 08:00 open, 09:00-10:00 paused meal | D-1 23:00 paused training,
         D 01:00 open | D 10:00-10:30 paused meal
    C02  D-1 08:00 open and online, 22:00 offline | D 02:00 online
    C03  D-1 09:00 online | D 03:00-03:10 offline
    C04  D-1 21:00 paused system_fault | D+1 01:00 open
    C05  D-1 19:00-20:00 offline (no status: open)
    C06  D-2 18:00 paused away, never reopened
    signals: one on D-2, one on D-1 (closed before the cut), one on D

D:   pauses away 86,400 s, meal 1,800 s, system_fault 86,400 s, training 3,600 s;
     gaps C02 7,200 s (00:00-02:00), C03 600 s.
D-1: pauses away 86,400 s, system_fault 10,800 s, training 3,600 s;
     gaps C02 7,200 s (22:00-24:00), C05 3,600 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from app.domain.config import Branch
from app.domain.events import (
    CounterStatusChanged,
    PresenceChanged,
    SignalAcknowledged,
    SignalRaised,
    SignalResolved,
)
from app.domain.roles import CounterStatus
from app.hub import schema
from app.hub.journal import Journal
from app.hub.verify import verify
from app.reports import carry
from app.reports.archive import archive
from app.reports.measures import Report, report
from app.reports.writer import JournalWriter

D = date(2026, 3, 10)
M = int(datetime(2026, 3, 9, 16, 0, tzinfo=UTC).timestamp() * 1000)  # D 00:00 local
S = 1000
H = 3600 * S
NOW = M + 96 * H
TZ = "Asia/Shanghai"


def _status(w: JournalWriter, ts: int, station: str, status: CounterStatus, why: str = "") -> None:
    w.add(ts, CounterStatusChanged(station=station, staff="", status=status, reason=why))


def _online(w: JournalWriter, ts: int, station: str, online: bool) -> None:
    w.add(ts, PresenceChanged(station=station, online=online))


def _signal(w: JournalWriter, ts: int) -> None:
    sid = w.add(
        ts,
        SignalRaised(
            station="C01",
            staff="lina",
            signal_id=w.next_seq,
            code="assist",
            targets=("lobby_manager",),
        ),
    )
    w.add(ts + 10 * S, SignalAcknowledged(station="L1", staff="wangfang", signal_id=sid))
    w.add(ts + 70 * S, SignalResolved(station="L1", staff="wangfang", signal_id=sid))


def build(url: str, branch: Branch) -> Journal:
    journal = Journal(url)
    w = JournalWriter(journal, branch)
    # D-2
    _status(w, M - 40 * H, "C01", CounterStatus.OPEN)
    _signal(w, M - 39 * H - 600 * S)
    _status(w, M - 39 * H, "C01", CounterStatus.PAUSED, "meal")
    _status(w, M - 38 * H, "C01", CounterStatus.OPEN)
    _status(w, M - 30 * H, "C06", CounterStatus.PAUSED, "away")
    # D-1
    _status(w, M - 16 * H, "C02", CounterStatus.OPEN)
    _online(w, M - 16 * H, "C02", True)
    _online(w, M - 15 * H, "C03", True)
    _signal(w, M - 10 * H)
    _online(w, M - 5 * H, "C05", False)
    _online(w, M - 4 * H, "C05", True)
    _status(w, M - 3 * H, "C04", CounterStatus.PAUSED, "system_fault")
    _online(w, M - 2 * H, "C02", False)
    _status(w, M - 1 * H, "C01", CounterStatus.PAUSED, "training")
    # D
    _status(w, M + 1 * H, "C01", CounterStatus.OPEN)
    _online(w, M + 2 * H, "C02", True)
    _online(w, M + 3 * H, "C03", False)
    _online(w, M + 3 * H + 600 * S, "C03", True)
    _signal(w, M + 9 * H)
    _status(w, M + 10 * H, "C01", CounterStatus.PAUSED, "meal")
    _status(w, M + 10 * H + 1800 * S, "C01", CounterStatus.OPEN)
    # D+1
    _status(w, M + 25 * H, "C04", CounterStatus.OPEN)
    w.flush()
    return journal


@pytest.fixture
def journal(tmp_path: Path, branch: Branch) -> Iterator[Journal]:
    j = build(f"sqlite:///{tmp_path / 'j.sqlite'}", branch)
    yield j
    j.close()


def _spans(r: Report) -> tuple[dict[str, tuple[int, float, float]], ...]:
    return (
        {p.key: (p.count, p.total_s, p.longest_s) for p in r.pauses},
        {g.key: (g.count, g.total_s, g.longest_s) for g in r.presence_gaps},
    )


DAY_D = (
    {
        "away": (1, 86400.0, 86400.0),
        "meal": (1, 1800.0, 1800.0),
        "system_fault": (1, 86400.0, 86400.0),
        "training": (1, 3600.0, 3600.0),
    },
    {"C02": (1, 7200.0, 7200.0), "C03": (1, 600.0, 600.0)},
)
DAY_D_1 = (
    {
        "away": (1, 86400.0, 86400.0),
        "system_fault": (1, 10800.0, 10800.0),
        "training": (1, 3600.0, 3600.0),
    },
    {"C02": (1, 7200.0, 7200.0), "C05": (1, 3600.0, 3600.0)},
)


def test_the_journal_says_the_hand_figures(journal: Journal, branch: Branch) -> None:
    assert verify(journal, branch) == []
    assert _spans(report(journal.engine, branch, D, D, now_ms=NOW)) == DAY_D
    d1 = D - timedelta(days=1)
    assert _spans(report(journal.engine, branch, d1, d1, now_ms=NOW)) == DAY_D_1


def test_spans_across_the_cut_count_the_same_after_archiving(
    journal: Journal, branch: Branch, tmp_path: Path
) -> None:
    d1 = D - timedelta(days=1)
    ranges = [(D, D), (D, D + timedelta(days=1)), (D + timedelta(days=1), D + timedelta(days=1))]
    before = {
        (first, last, by): report(journal.engine, branch, first, last, by, now_ms=NOW).as_dict()
        for first, last in ranges
        for by in ("type", "staff")
    }
    original_d1 = report(journal.engine, branch, d1, d1, now_ms=NOW).as_dict()

    first = archive(journal, d1, TZ, tmp_path / "a1.sqlite")
    assert (first.first_seq, first.signals) == (1, 1)
    second = archive(journal, D, TZ, tmp_path / "a2.sqlite")
    assert second.first_seq == first.last_seq + 1 and second.signals == 1
    assert verify(journal, branch) == []
    assert journal.chain_start() == (second.last_seq, bytes.fromhex(second.last_hash))

    # nothing of D-1 or before is left, yet D has the same figures
    e = schema.events.c
    with journal.engine.connect() as conn:
        oldest = conn.execute(select(e.hub_ts_ms).order_by(e.seq).limit(1)).scalar()
        carried = carry.load(conn)
    assert oldest is not None and oldest >= M
    assert carried.seq == second.last_seq
    assert sorted(carried.of("counter_status")) == ["C01", "C02", "C04", "C06"]
    assert sorted(carried.of("presence")) == ["C02", "C03", "C05"]
    assert _spans(report(journal.engine, branch, D, D, now_ms=NOW)) == DAY_D
    for (first_day, last_day, by), figures in before.items():
        after = report(journal.engine, branch, first_day, last_day, by, now_ms=NOW)
        assert after.as_dict() == figures, (first_day, last_day, by)

    # the second archive file starts with the state the first one carried over: its
    # own day, D-1, reports as the journal did before any archiving
    archived = create_engine(f"sqlite:///{tmp_path / 'a2.sqlite'}")
    try:
        in_file = report(archived, branch, d1, d1, now_ms=NOW)
    finally:
        archived.dispose()
    assert _spans(in_file) == DAY_D_1
    assert in_file.as_dict() == original_d1


def test_without_the_carry_over_the_spans_lose_their_start(
    journal: Journal, branch: Branch, tmp_path: Path
) -> None:
    """What the carry-over fixes: drop it, and the spans across the cut are gone."""
    archive(journal, D, TZ, tmp_path / "a.sqlite")
    m = schema.meta.c
    with journal.engine.begin() as conn:
        conn.execute(schema.meta.delete().where(m.key == carry.KEY))
    pauses, gaps = _spans(report(journal.engine, branch, D, D, now_ms=NOW))
    assert pauses == {"meal": (1, 1800.0, 1800.0)}
    assert gaps == {"C03": (1, 600.0, 600.0)}


def test_carry_over_round_trip_and_bad_text() -> None:
    state = carry.CarryOver(
        7, {"presence": {"C02": carry.Carried(5, M, b"\x00\xff body")}, "counter_status": {}}
    )
    again = carry.CarryOver.from_json(state.to_json())
    assert again.seq == 7 and again.of("presence") == state.of("presence")
    assert again.of("counter_status") == {}
    with pytest.raises(ValueError, match="carry_over"):
        carry.CarryOver.from_json('{"seq": 1}')
