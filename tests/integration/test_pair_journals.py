"""The pair's journal checker (app.devtools.faults.pairjournals.check_pair_journals) on journals
written by hand with app.hub.journal.Journal: real SQLite files, real hash chains.

A good pair passes; a divergence, a msg_id with two rows, a falling term, two hubs
serving one term, a clock going back at a takeover and a set-aside row still answered
are each found, and said plainly.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from app.devtools.faults.common import free_ports
from app.devtools.faults.pair import last_pair_changed
from app.devtools.faults.pairjournals import Takeover, check_pair_journals
from app.domain.events import Event, PairChanged, SignalRaised
from app.domain.record import ReplyRow, event_row
from app.hub.journal import Batch, Journal

EPOCH = "e0e0e0e0e0e0e0e0"


@dataclass
class Row:
    event: Event
    ts: int
    msg_id: str = ""


def raised(n: int, ts: int, msg_id: str = "") -> Row:
    return Row(SignalRaised(station="C01", signal_id=n, code="cash", targets=()), ts, msg_id)


def pair(active: str, peer: str, term: int, ts: int, fork_seq: int = 0) -> Row:
    return Row(PairChanged(active=active, peer=peer, term=term, fork_seq=fork_seq), ts)


def journal(path: Path, rows: list[Row], epoch: str = EPOCH) -> str:
    """A journal holding ``rows`` as seqs 1…, each command's first reply kept."""
    url = f"sqlite:///{path}"
    j = Journal(url)
    try:
        with j.engine.begin() as conn:  # the pair's journals share one epoch
            conn.exec_driver_sql("UPDATE meta SET value = ? WHERE key = 'epoch'", (epoch,))
        batch, answered = Batch(), set()
        for seq, row in enumerate(rows, start=1):
            batch.events.append(event_row(seq, row.ts, row.event, epoch, row.msg_id))
            if row.msg_id and row.msg_id not in answered:  # one reply per command
                answered.add(row.msg_id)
                batch.replies.append(ReplyRow(row.msg_id, "C01", seq, row.ts, "", b"ok"))
        j.commit(batch)
    finally:
        j.close()
    return url


def story() -> list[Row]:
    """Term 1 on the primary, the backup away a while, a takeover by the backup at 5."""
    return [
        pair("primary", "in_sync", 1, 1_000),
        raised(1, 1_100, "m1"),
        pair("primary", "away", 1, 1_200),
        raised(2, 1_300, "m2"),
        pair("backup", "away", 2, 1_400, fork_seq=4),
        raised(3, 1_500, "m3"),
        pair("backup", "in_sync", 2, 1_600),
    ]


def test_a_good_pair_is_clean_even_with_one_behind(tmp_path: Path) -> None:
    a = journal(tmp_path / "a.sqlite", story())
    b = journal(tmp_path / "b.sqlite", story()[:5])
    report = check_pair_journals(a, b)
    assert report.ok, report.problems
    assert report.heads == (7, 5) and report.common_to == 5
    assert report.first_difference is None
    assert report.takeovers == 1 and [t.term for t in report.terms] == [1, 1, 2, 2]
    assert "clean" in report.summary()


def test_a_divergence_names_the_first_differing_seq(tmp_path: Path) -> None:
    other = story()
    other[3] = raised(2, 1_300, "m2-other")  # the old active wrote seq 4 alone
    report = check_pair_journals(
        journal(tmp_path / "a.sqlite", story()), journal(tmp_path / "b.sqlite", other)
    )
    assert not report.ok
    assert report.first_difference == 4
    assert any("differ at seq 4" in p for p in report.problems), report.problems


def test_a_different_epoch_is_found(tmp_path: Path) -> None:
    report = check_pair_journals(
        journal(tmp_path / "a.sqlite", story()),
        journal(tmp_path / "b.sqlite", story(), epoch="ffffffffffffffff"),
    )
    assert any("epochs differ" in p for p in report.problems), report.problems


def test_a_msg_id_stored_twice_is_a_duplicate(tmp_path: Path) -> None:
    rows = [*story(), raised(4, 1_700, "m3")]  # m3 again, as a second row
    report = check_pair_journals(
        journal(tmp_path / "a.sqlite", rows), journal(tmp_path / "b.sqlite", story())
    )
    assert any("msg_id m3 has 2 event rows" in p for p in report.problems), report.problems


def test_a_falling_term_is_found(tmp_path: Path) -> None:
    rows = [*story(), pair("primary", "away", 1, 1_700)]
    report = check_pair_journals(
        journal(tmp_path / "a.sqlite", rows), journal(tmp_path / "b.sqlite", rows)
    )
    assert any("term falls from 2 to 1" in p for p in report.problems), report.problems


def test_two_hubs_serving_one_term_are_found(tmp_path: Path) -> None:
    # The backup journals term 2 after a fork at 2; the primary, which did not follow,
    # also wrote itself a term 2: two writers in one term, each journal alone consistent.
    a_rows = [*story()[:2], pair("backup", "away", 2, 1_400, fork_seq=2)]
    b_rows = [*story()[:2], pair("primary", "away", 2, 1_400, fork_seq=2)]
    report = check_pair_journals(
        journal(tmp_path / "a.sqlite", a_rows), journal(tmp_path / "b.sqlite", b_rows)
    )
    assert "term 2 was served by backup and primary" in report.problems, report.problems
    assert report.first_difference == 3


def test_a_term_served_by_two_within_one_journal(tmp_path: Path) -> None:
    rows = [*story(), pair("primary", "in_sync", 2, 1_700)]
    report = check_pair_journals(
        journal(tmp_path / "a.sqlite", rows), journal(tmp_path / "b.sqlite", rows)
    )
    assert any("served by 'backup' and then by 'primary'" in p for p in report.problems)


def test_the_hub_clock_going_back_at_a_takeover(tmp_path: Path) -> None:
    rows = story()
    rows[4] = pair("backup", "away", 2, 1_250, fork_seq=4)  # before seq 4's 1 300
    report = check_pair_journals(
        journal(tmp_path / "a.sqlite", rows), journal(tmp_path / "b.sqlite", rows)
    )
    assert any("hub_ts_ms goes back 50 ms" in p for p in report.problems), report.problems


def test_a_takeover_not_right_after_its_fork(tmp_path: Path) -> None:
    rows = story()
    rows[4] = pair("backup", "away", 2, 1_400, fork_seq=3)
    report = check_pair_journals(
        journal(tmp_path / "a.sqlite", rows), journal(tmp_path / "b.sqlite", rows)
    )
    assert any("1 rows after its fork_seq 3" in p for p in report.problems), report.problems


def set_aside(url: str, rows: list[tuple[int, str | None]], ts: int = 1_350) -> None:
    """Rows in the journal's ``events_set_aside`` (migration 0004), as a following hub
    keeps them (only the columns the checker reads matter)."""
    path = url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO events_set_aside (seq, hub_ts_ms, kind, station, staff, msg_id, body,"
            " set_aside_ms, term, reason) VALUES (?, ?, 'signal_raised', 'C01', '', ?, x'', 0,"
            " 1, 'test')",
            [(seq, ts, msg_id) for seq, msg_id in rows],
        )


def test_set_aside_rows_above_the_fork_and_unanswered(tmp_path: Path) -> None:
    a = journal(tmp_path / "a.sqlite", story())
    b = journal(tmp_path / "b.sqlite", story())
    # B (the old active) had written seq 5 = "m9" before the fork at 4, never acknowledged;
    # m2's copy at 6 was resent and decided again (its reply names seq 4): both fine.
    set_aside(b, [(5, "m9"), (6, "m2")])
    report = check_pair_journals(a, b)
    assert report.ok, report.problems
    assert report.set_aside == (0, 2)
    # A row below every fork, and one whose reply still names it: both wrong.
    set_aside(a, [(2, None), (6, "m3")])
    report = check_pair_journals(a, b)
    assert any("set-aside row 2 is not above any term's fork_seq" in p for p in report.problems)
    assert any("set-aside row 6 (m3) still has its reply" in p for p in report.problems)


def test_the_fault_runs_read_the_newest_pair_changed(tmp_path: Path) -> None:
    journal(tmp_path / "a.sqlite", story())
    assert last_pair_changed(tmp_path / "a.sqlite") == Takeover(7, 1_600, "backup", "in_sync", 2, 0)
    journal(tmp_path / "none.sqlite", [raised(1, 1_000, "m1")])
    assert last_pair_changed(tmp_path / "none.sqlite") is None
    assert last_pair_changed(tmp_path / "missing.sqlite") is None
    port = free_ports(3)  # a paired hub's three ports
    assert 1024 <= port <= 65533


def test_a_command_accepted_by_the_old_hub_after_the_takeover(tmp_path: Path) -> None:
    # B took over at 1 400 (term 2, fork 4); A, cut off, still accepted m9 at 1 450 as
    # seq 5 before it heard of term 2: for 50 ms two hubs accepted commands.
    a = journal(tmp_path / "a.sqlite", story())
    set_aside(a, [(5, "m9")], ts=1_450)
    report = check_pair_journals(a, journal(tmp_path / "b.sqlite", story()))
    assert any(
        "set-aside row 5 (m9) was accepted 50 ms after term 2 began" in p for p in report.problems
    ), report.problems
