"""Report measures on a small hand-built journal, figures computed by hand.

The journal is written through app.reports.writer (domain state + Journal.commit, the
hub's bodies and chain). Branch time zone Asia/Shanghai (UTC+8), hub clock UTC ms.
Day D = 2026-03-10 local; T0 = 09:00 local on D = 01:00 UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.domain.config import Branch
from app.domain.events import (
    CounterStatusChanged,
    Event,
    PresenceChanged,
    SignalAcknowledged,
    SignalArrived,
    SignalCancelled,
    SignalDeclined,
    SignalEscalated,
    SignalRaised,
    SignalResolved,
)
from app.domain.roles import CounterStatus
from app.domain.timeday import day_bounds_ms
from app.hub.journal import Journal
from app.hub.verify import verify
from app.reports.body import event_body, read_event
from app.reports.measures import report
from app.reports.writer import JournalWriter

D = date(2026, 3, 10)
T0 = int(datetime(2026, 3, 10, 1, 0, tzinfo=UTC).timestamp() * 1000)
S = 1000
H = 3600 * S
AFTER = T0 + 48 * H  # "now" for the spans: long after the day


def _status(ts: int, station: str, status: CounterStatus, reason: str = "") -> tuple[int, Event]:
    return ts, CounterStatusChanged(station=station, staff="", status=status, reason=reason)


def build(url: str, branch: Branch) -> Journal:
    """The journal of the module docstring; returns it open."""
    journal = Journal(url)
    w = JournalWriter(journal, branch)
    ids: dict[str, int] = {}

    def raise_(name: str, ts: int, code: str, station: str, staff: str, targets: str) -> None:
        ids[name] = w.add(
            ts,
            SignalRaised(
                station=station,
                staff=staff,
                signal_id=w.next_seq,
                code=code,
                targets=(targets,),
            ),
        )

    # D-2: one signal, raised and resolved (archived in the archive test)
    raise_("X", T0 - 48 * H, "assist", "C01", "lina", "lobby_manager")
    w.add(
        T0 - 48 * H + 5 * S, SignalAcknowledged(station="L1", staff="wangfang", signal_id=ids["X"])
    )
    w.add(T0 - 48 * H + 9 * S, SignalResolved(station="L1", staff="wangfang", signal_id=ids["X"]))
    # D-1, 23:00 local: C04 paused for training (until 01:00 on D)
    w.add(*_status(T0 - 10 * H, "C04", CounterStatus.PAUSED, "training"))
    # G: 23:59:30 local on D-1 belongs to D-1
    raise_("G", T0 - 9 * H - 30 * S, "assist", "C03", "liuyang", "lobby_manager")
    w.add(
        T0 - 9 * H - 20 * S, SignalAcknowledged(station="L1", staff="wangfang", signal_id=ids["G"])
    )
    w.add(T0 - 9 * H - 10 * S, SignalResolved(station="L1", staff="wangfang", signal_id=ids["G"]))
    # H: 00:00:10 local on D belongs to D
    raise_("H", T0 - 9 * H + 10 * S, "assist", "C03", "liuyang", "lobby_manager")
    w.add(
        T0 - 9 * H + 15 * S, SignalAcknowledged(station="L1", staff="wangfang", signal_id=ids["H"])
    )
    w.add(T0 - 9 * H + 25 * S, SignalResolved(station="L1", staff="wangfang", signal_id=ids["H"]))
    w.add(*_status(T0 - 8 * H, "C04", CounterStatus.OPEN))  # 01:00
    w.add(*_status(T0 - H, "C01", CounterStatus.OPEN))  # 08:00
    w.add(T0 - H, PresenceChanged(station="C01", online=True))
    # A: assist, escalated at +30, acked +40, arrived +60, resolved +100
    raise_("A", T0, "assist", "C01", "lina", "lobby_manager")
    # B: assist, acked +10 (at T0+20), resolved +60 (at T0+70)
    raise_("B", T0 + 10 * S, "assist", "C02", "zhangwei", "lobby_manager")
    w.add(T0 + 20 * S, SignalAcknowledged(station="L1", staff="wangfang", signal_id=ids["B"]))
    w.add(T0 + 30 * S, SignalEscalated(signal_id=ids["A"], level=1, role="supervisor"))
    w.add(T0 + 40 * S, SignalAcknowledged(station="L1", staff="wangfang", signal_id=ids["A"]))
    w.add(T0 + 60 * S, SignalArrived(station="L1", staff="wangfang", signal_id=ids["A"]))
    w.add(T0 + 70 * S, SignalResolved(station="L1", staff="wangfang", signal_id=ids["B"]))
    w.add(T0 + 100 * S, SignalResolved(station="L1", staff="wangfang", signal_id=ids["A"]))
    # C: authorize at 10:00, never answered; D: cash at 10:00:05, cancelled 30 s later
    raise_("C", T0 + H, "authorize", "C01", "lina", "supervisor")
    raise_("D", T0 + H + 5 * S, "cash", "C02", "zhangwei", "supervisor")
    w.add(T0 + H + 35 * S, SignalCancelled(station="C02", staff="zhangwei", signal_id=ids["D"]))
    # E: refer_wealth at 11:00, declined by W1 (busy) at +10, acked by W2 at +50, served
    raise_("E", T0 + 2 * H, "refer_wealth", "C01", "lina", "wealth_manager")
    w.add(
        T0 + 2 * H + 10 * S,
        SignalDeclined(station="W1", staff="sunli", signal_id=ids["E"], reason="busy"),
    )
    w.add(
        T0 + 2 * H + 50 * S, SignalAcknowledged(station="W2", staff="zhoujie", signal_id=ids["E"])
    )
    # F: vip at 11:01:40, acked by W1 at +20, no-show at +200
    raise_("F", T0 + 2 * H + 100 * S, "vip", "L1", "wangfang", "wealth_manager")
    w.add(T0 + 2 * H + 120 * S, SignalAcknowledged(station="W1", staff="sunli", signal_id=ids["F"]))
    w.add(
        T0 + 2 * H + 300 * S,
        SignalResolved(
            station="W2", staff="zhoujie", signal_id=ids["E"], outcome="served", product="fund"
        ),
    )
    w.add(
        T0 + 2 * H + 300 * S,
        SignalResolved(station="W1", staff="sunli", signal_id=ids["F"], outcome="no_show"),
    )
    # pauses: C01 meal 12:00-12:30; C02 cash_count 13:00-13:10, meal 14:00-14:45
    w.add(*_status(T0 + 3 * H, "C01", CounterStatus.PAUSED, "meal"))
    w.add(*_status(T0 + 3 * H + 1800 * S, "C01", CounterStatus.OPEN))
    w.add(*_status(T0 + 4 * H, "C02", CounterStatus.PAUSED, "cash_count"))
    w.add(*_status(T0 + 4 * H + 600 * S, "C02", CounterStatus.OPEN))
    w.add(*_status(T0 + 5 * H, "C02", CounterStatus.PAUSED, "meal"))
    w.add(*_status(T0 + 5 * H + 2700 * S, "C02", CounterStatus.OPEN))
    # presence: C01 offline 15:00-15:02 while open (a gap); C02 offline after closing
    w.add(T0 + 6 * H, PresenceChanged(station="C01", online=False))
    w.add(T0 + 6 * H + 120 * S, PresenceChanged(station="C01", online=True))
    w.add(*_status(T0 + 8 * H, "C02", CounterStatus.CLOSED))
    w.add(T0 + 8 * H + 300 * S, PresenceChanged(station="C02", online=False))
    w.flush()
    return journal


@pytest.fixture
def journal(tmp_path: Path, branch: Branch) -> Iterator[Journal]:
    j = build(f"sqlite:///{tmp_path / 'j.sqlite'}", branch)
    yield j
    j.close()


def test_the_built_journal_verifies(journal: Journal, branch: Branch) -> None:
    assert verify(journal, branch) == []


def test_bodies_are_the_hubs(journal: Journal) -> None:
    from messaging.envelope import Envelope, decode_envelope, encode_envelope

    for seq, body in journal.bodies():
        env = decode_envelope(body)
        assert isinstance(env, Envelope) and env.seq == seq
        again = event_body(seq, env.hub_ts_ms, read_event(body), env.epoch, env.msg_id)
        assert again == body == encode_envelope(env)


def test_by_type(journal: Journal, branch: Branch) -> None:
    r = report(journal.engine, branch, D, D, "type", now_ms=AFTER)
    groups = {g.key: g for g in r.groups}
    assert sorted(groups) == ["assist", "authorize", "cash", "refer_wealth", "vip"]
    a = groups["assist"]  # A, B, H
    assert (a.signals, a.acknowledged, a.unanswered, a.cancelled) == (3, 3, 0, 0)
    assert (a.ack.n, a.ack.p50_s, a.ack.p90_s, a.ack.max_s) == (3, 10.0, 40.0, 40.0)
    assert (a.arrive.n, a.arrive.p50_s, a.arrive.p90_s, a.arrive.max_s) == (1, 60.0, 60.0, 60.0)
    assert (a.resolve.p50_s, a.resolve.p90_s, a.resolve.max_s) == (60.0, 100.0, 100.0)
    assert (a.escalated, a.levels) == (1, {"1": 1})
    assert groups["authorize"].unanswered == 1 and groups["authorize"].ack.n == 0
    assert groups["authorize"].ack.p50_s is None
    assert groups["cash"].cancelled == 1 and groups["cash"].unanswered == 0
    e = groups["refer_wealth"]
    assert (e.handoffs_offered, e.handoffs_accepted, e.handoffs_declined) == (1, 1, 1)
    assert (e.handoffs_served, e.ack.p50_s, e.resolve.max_s) == (1, 50.0, 300.0)
    assert groups["vip"].handoffs_no_show == 1 and groups["vip"].ack.max_s == 20.0
    t = r.total
    assert (t.signals, t.acknowledged, t.unanswered, t.cancelled, t.escalated) == (7, 5, 1, 1, 1)
    assert (t.ack.p50_s, t.ack.p90_s, t.ack.max_s) == (20.0, 50.0, 50.0)
    assert (t.resolve.p50_s, t.resolve.p90_s) == (100.0, 300.0)


def test_handoffs_pauses_gaps(journal: Journal, branch: Branch) -> None:
    r = report(journal.engine, branch, D, D, "type", now_ms=AFTER)
    h = r.handoffs
    assert (h.offered, h.accepted, h.declined, h.declines) == (2, 2, 1, 1)
    assert (h.served, h.no_show, h.conversion) == (1, 1, 0.5)
    assert h.declined_by_reason == {"busy": 1} and h.products == {"fund": 1}
    pauses = {p.key: (p.count, p.total_s, p.longest_s) for p in r.pauses}
    # C04's training pause began the evening before: only 00:00-01:00 is in D
    assert pauses == {
        "cash_count": (1, 600.0, 600.0),
        "meal": (2, 4500.0, 2700.0),
        "training": (1, 3600.0, 3600.0),
    }
    gaps = {g.key: (g.count, g.total_s, g.longest_s) for g in r.presence_gaps}
    assert gaps == {"C01": (1, 120.0, 120.0)}
    deadlines = {d.code: d for d in r.deadlines}
    assert (deadlines["assist"].late, deadlines["assist"].p90_s) == (1, 40.0)
    assert (deadlines["authorize"].late, deadlines["authorize"].acknowledged) == (1, 0)


def test_other_groupings_and_the_midnight_cut(journal: Journal, branch: Branch) -> None:
    staff = report(journal.engine, branch, D, D, "staff", now_ms=AFTER)
    assert {g.key: g.signals for g in staff.groups} == {
        "-": 2,
        "sunli": 1,
        "wangfang": 3,
        "zhoujie": 1,
    }
    assert {g.key: g.ack.max_s for g in staff.groups}["wangfang"] == 40.0
    station = report(journal.engine, branch, D, D, "station", now_ms=AFTER)
    assert {g.key: g.signals for g in station.groups} == {"C01": 3, "C02": 2, "C03": 1, "L1": 1}
    hour = report(journal.engine, branch, D, D, "hour", now_ms=AFTER)
    assert {g.key: g.signals for g in hour.groups} == {"00": 1, "09": 2, "10": 2, "11": 2}
    assert hour.hourly[0] == 1 and hour.hourly[9] == 2 and sum(hour.hourly) == 7
    before = report(
        journal.engine, branch, D - timedelta(days=1), D - timedelta(days=1), now_ms=AFTER
    )
    assert before.total.signals == 1 and before.groups[0].key == "assist"
    assert before.hourly[23] == 1  # G at 23:59:30 local, 15:59:30 UTC
    both = report(journal.engine, branch, D - timedelta(days=1), D, "type", now_ms=AFTER)
    assert both.total.signals == 8
    # the pause still running at "now" is cut there
    running = report(
        journal.engine,
        branch,
        D - timedelta(days=1),
        D - timedelta(days=1),
        now_ms=T0 - 9 * H - 1800 * S,
    )
    assert {p.key: p.total_s for p in running.pauses} == {"training": 1800.0}


def test_generated_journal_verifies_and_reports(tmp_path: Path) -> None:
    from app.devtools.gen import bench_branch, generate

    big = bench_branch()
    assert len(big.stations) == 50
    journal = Journal(f"sqlite:///{tmp_path / 'gen.sqlite'}")
    try:
        made = generate(journal, big, 6000, 2, last_day=D)
        assert made.events == journal.last_seq() >= 6000 and made.first_day == D - timedelta(1)
        assert verify(journal, big) == []
        r = report(journal.engine, big, D, D, "staff", now_ms=AFTER)
        assert r.total.signals == sum(g.signals for g in r.groups) > 500
        assert r.pauses and r.handoffs.offered > 0 and sum(r.hourly) == r.total.signals
    finally:
        journal.close()


def test_an_empty_range(journal: Journal, branch: Branch) -> None:
    r = report(journal.engine, branch, D + timedelta(days=5), D + timedelta(days=5), "staff")
    assert (r.total.signals, r.groups, r.hourly, r.deadlines) == (0, [], [0] * 24, [])
    assert r.handoffs.offered == 0 and r.handoffs.conversion is None


def test_both_reads_of_the_signals_agree(journal: Journal, branch: Branch) -> None:
    """The one-pass concatenating read and the row-by-row one give the same columns."""
    from app.reports import scan
    from app.reports.measures import GROUPINGS

    handoff = {c for c, t in branch.signal_types.items() if t.handoff}
    first = D - timedelta(days=1)
    with journal.engine.connect() as conn:
        where = scan.id_range(conn, *day_bounds_ms(first, branch.timezone)[:1], AFTER)
        for by in GROUPINGS:
            columns = scan.expressions(by, first, D, branch.timezone, handoff)
            fast = scan.read_columns(conn, where, columns, by)
            slow = scan.read_rows(conn, where, columns, by)
            assert fast == slow and len(fast.codes) == 8 and fast.declined_until > 0


def test_a_late_decline_and_a_product_with_the_separator(
    journal: Journal, branch: Branch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """I: refer_wealth at 23:59 on D, declined by W1 (away) at 00:01 on D+1, acked by W2
    at +150 s, served with a product holding the column separator at +400 s. The
    decline comes after the range: still counted. The product makes the concatenating
    read give up for the row-by-row one."""
    from app.reports import scan

    w = JournalWriter(journal, branch)
    late = T0 + 15 * H - 60 * S  # 23:59 local on D
    sid = w.add(
        late,
        SignalRaised(
            station="C02",
            staff="zhangwei",
            signal_id=w.next_seq,
            code="refer_wealth",
            targets=("wealth_manager",),
        ),
    )
    w.add(late + 120 * S, SignalDeclined(station="W1", staff="sunli", signal_id=sid, reason="away"))
    w.add(late + 150 * S, SignalAcknowledged(station="W2", staff="zhoujie", signal_id=sid))
    odd = "fund\x1eplus"
    w.add(
        late + 400 * S,
        SignalResolved(station="W2", staff="zhoujie", signal_id=sid, outcome="served", product=odd),
    )
    w.flush()
    read_rows, slow = scan.read_rows, []

    def row_by_row(*args: Any) -> Any:
        slow.append(args[-1])
        return read_rows(*args)

    monkeypatch.setattr(scan, "read_rows", row_by_row)
    r = report(journal.engine, branch, D, D, "staff", now_ms=AFTER)
    assert slow == ["staff"]
    h = r.handoffs
    assert (h.offered, h.accepted, h.declined, h.declines) == (3, 3, 2, 2)
    assert h.declined_by_reason == {"away": 1, "busy": 1}
    assert (h.served, h.products, h.conversion) == (2, {"fund": 1, odd: 1}, 0.6667)
    z = {g.key: g for g in r.groups}["zhoujie"]  # E (ack 50 s, resolve 300 s) and I
    assert (z.signals, z.ack.p50_s, z.ack.max_s, z.resolve.p90_s) == (2, 50.0, 150.0, 400.0)
    assert r.hourly[23] == 1 and r.total.signals == 8


def test_html_escapes_what_the_journal_holds(journal: Journal, branch: Branch) -> None:
    """A staff id, a decline reason and a product typed as markup come out as text: the
    page stays one file with no script in it (Jinja2's autoescape, not ours)."""
    from app.reports.render import as_html

    w = JournalWriter(journal, branch)
    ts = T0 + 7 * H
    sid = w.add(
        ts,
        SignalRaised(
            station="C02",
            staff="zhangwei",
            signal_id=w.next_seq,
            code="refer_wealth",
            targets=("wealth_manager",),
        ),
    )
    evil_reason = "<script>alert('reason')</script>"
    evil_staff = '"><script>alert(1)</script>'
    evil_product = "<img src=x onerror=alert(2)>&"
    w.add(
        ts + 5 * S, SignalDeclined(station="W1", staff="sunli", signal_id=sid, reason=evil_reason)
    )
    w.add(ts + 9 * S, SignalAcknowledged(station="W2", staff=evil_staff, signal_id=sid))
    w.add(
        ts + 30 * S,
        SignalResolved(
            station="W2", staff=evil_staff, signal_id=sid, outcome="served", product=evil_product
        ),
    )
    w.flush()
    r = report(journal.engine, branch, D, D, "staff", now_ms=AFTER)
    assert evil_staff in {g.key for g in r.groups}
    for page in (as_html(r), as_html(r.as_dict())):
        assert "<script" not in page and "<img" not in page and "onerror=alert(2)>" not in page
        assert "<td>&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt;</td>" in page
        assert "<td>&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page
        assert "<td>&lt;img src=x onerror=alert(2)&gt;&amp;</td>" in page


def test_a_raise_counted_from_its_click_is_in_the_range_and_measured_from_it(
    tmp_path: Path, branch: Branch
) -> None:
    """The last raise of the day reached the hub after another but was clicked before it:
    it is still counted (ids no longer go up with raise times), from its click."""
    journal = Journal(f"sqlite:///{tmp_path / 'clicked.sqlite'}")
    try:
        w = JournalWriter(journal, branch)
        first = w.add(
            T0,
            SignalRaised(
                signal_id=w.next_seq, station="C01", code="assist", targets=("lobby_manager",)
            ),
        )
        late = w.add(
            T0 + 10 * S,
            SignalRaised(
                signal_id=w.next_seq, station="C02", code="assist", targets=("lobby_manager",)
            ),
        )
        queued = w.add(
            T0 + 20 * S,
            SignalRaised(
                signal_id=w.next_seq,
                station="C03",
                code="assist",
                targets=("lobby_manager",),
                clicked_ms=T0 + 5 * S,
            ),
        )
        for sid in (first, late, queued):
            w.add(T0 + 30 * S, SignalAcknowledged(signal_id=sid, station="L1"))
        w.flush()
        found = report(journal.engine, branch, D, D, now_ms=AFTER)
    finally:
        journal.close()
    assert found.total.signals == 3
    assert found.total.ack.max_s == 30 and found.total.ack.n == 3
    assert found.total.ack.p50_s == 25, "30 s after the first raise, 25 s after the click"
