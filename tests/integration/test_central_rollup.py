"""Head office's daily rollups (issue 13, item 3): a report by branch, region or type
built from them equals, field by field, the same report built from the signals
projection; they follow each shipped batch (a signal acknowledged after midnight
recomputes the day it was raised), an archive at the branch, and ``lobbylink central
rollup`` rebuilds them. Station and staff groups are each branch's.

Real parts: a throw-away PostgreSQL (app.devtools.pgserver) set up as head office runs
it; branch hubs as processes shipping with their own roles; for the day that turns, a
hub on a thread whose wall clock is moved (as tests/integration/test_clock.py does) and
the real shipper beside it; the CLI.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import zmq
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

import app.hub.clock
from app.central.db import ensure_partitions
from app.central.shipper import Shipper
from app.cli import main
from app.devtools.pgserver import PgServer
from app.domain.config import Branch, load_branch
from app.domain.events import Acknowledge, RaiseSignal, Resolve
from app.domain.timeday import local_time
from app.reports.central import central_report
from tests.helpers import TestStation, journal_rows, wait_for
from tests.integration.test_central_archive import tomorrow
from tests.integration.test_central_report import BRANCHES, activity
from tests.integration.test_central_ship import (
    branch_config,
    central_mark,
    role_url,
    setup_central,
    shipped_up_to,
    start_hub,
)
from tests.integration.test_cli import lobbylink
from tests.integration.test_clock import ThreadHub, Wall

DAY_MS = 86_400_000
NOW_MS = 1_800_000_000_000
"""The "now" of every report compared here (open presence gaps grow with it)."""


def both_ways(engine: Engine, catalog: Branch, first: date, last: date, by: str) -> dict:
    """The report built from the rollups, checked equal to the one from the signals."""
    rolled = central_report(engine, catalog, first, last, by, now_ms=NOW_MS)
    read = central_report(engine, catalog, first, last, by, now_ms=NOW_MS, rollups=False)
    assert rolled.as_dict() == read.as_dict(), by
    return rolled.as_dict()


def daily_rows(url: str, where: str = "true") -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text(
                        "SELECT branch, day, code, signals, ack_ms FROM daily "
                        f"WHERE {where} ORDER BY branch, day, code"
                    )
                )
            )
    finally:
        engine.dispose()


def test_reports_from_rollups_equal_reports_from_signals_and_stations_are_each_branchs(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = pg_server.database()
    setup_central(admin, *(f"{c}:{r}" for c, r in BRANCHES.items()))
    add = ["central", "add-region-role", "--central", admin, "--region", "east"]
    assert main([*add, "--role", "lobbylink_east"]) == 0
    hubs = {c: start_hub(tmp_path, c, r, role_url(admin, c)) for c, r in BRANCHES.items()}
    stations: list[TestStation] = []
    configs = {c: str(tmp_path / c / f"{c}.toml") for c in BRANCHES}
    try:
        for n, (code, hub) in zip((12, 7), hubs.items(), strict=True):
            branch = load_branch(Path(configs[code]))
            teller = TestStation(branch, "C01", hub.endpoint, ctx)
            lobby = TestStation(branch, "L1", hub.endpoint, ctx)
            wealth = (
                TestStation(branch, "W1", hub.endpoint, ctx),
                TestStation(branch, "W2", hub.endpoint, ctx),
            )
            stations += [teller, lobby, *wealth]
            activity(teller, lobby, wealth, n)
        for code, hub in hubs.items():
            wait_for(partial(shipped_up_to, admin, code, hub), 20, what=f"{code} shipped")
    finally:
        for station in stations:
            station.close()
        for hub in hubs.values():
            hub.stop()
    catalog = load_branch(Path(configs["B001"]))
    today = local_time(int(time.time() * 1000), "Asia/Shanghai").date()
    rows = daily_rows(admin)
    assert {(r[0], r[2]) for r in rows} == {
        (c, t) for c in BRANCHES for t in ("assist", "refer_wealth")
    }
    assert sum(r[3] for r in rows) == 21  # every signal once, kept by the shippers

    engine = create_engine(admin)
    east = create_engine(admin.replace("postgres@", "lobbylink_east@", 1))
    try:
        for by in ("branch", "region", "type"):
            both_ways(engine, catalog, today, today, by)
        mine = both_ways(east, catalog, today, today, "type")  # RLS on the rollups too
        assert mine["view"]["branches"] == ["B001"] and mine["total"]["signals"] == 13
        assert mine["handoffs"]["declined_by_reason"] == {"busy": 1}
        with east.connect() as conn:
            seen = conn.execute(text("SELECT DISTINCT branch FROM daily")).scalars()
            assert sorted(seen) == ["B001"]

        # station and staff: each branch's own, never added up across branches
        stations_of = both_ways(engine, catalog, today, today, "station")
        keys = {g["key"]: g["signals"] for g in stations_of["groups"]}
        assert keys == {"B001/C01": 13, "B002/C01": 8}
        staff = both_ways(engine, catalog, today, today, "staff")
        keys = {g["key"]: g["signals"] for g in staff["groups"]}
        assert keys["B001/L1"] == 6 and keys["B002/L1"] == 3, keys
        assert keys["B001/W2"] == 1 and keys["B002/W2"] == 1, keys
        assert all(k.split("/", 1)[0] in BRANCHES for k in keys), keys
        own = dict(main_report(capsys, configs["B001"], hubs["B001"].db_url, today))
        assert {g["key"]: g["signals"] for g in own["groups"]}["L1"] == keys["B001/L1"]

        # a branch's role writes its own rollups only
        b002 = create_engine(role_url(admin, "B002"))
        try:
            with b002.begin() as conn:
                assert conn.execute(text("SELECT count(*) FROM daily")).scalar() == 2
                gone = conn.execute(text("DELETE FROM daily WHERE branch = 'B001'"))
                assert gone.rowcount == 0
                made = conn.execute(
                    text("SELECT lobbylink_daily_refresh('B001', ARRAY[:d])"), {"d": today}
                )
                assert made.scalar() == 0  # B001's time zone is not B002's to read
            with pytest.raises(DBAPIError), b002.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO daily SELECT 'B001', day + 1, code, signals, marks, "
                        "mark_counts, hours, ack_ms, arrive_ms, resolve_ms, declined, "
                        "declined_until, products, updated_ms FROM daily"
                    )
                )
        finally:
            b002.dispose()

        # rollups lost or wrong: `central rollup` rebuilds them from the signals
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM daily WHERE branch = 'B001'"))
            conn.execute(text("UPDATE daily SET mark_counts = mark_counts || 5"))
        capsys.readouterr()
        assert main(["central", "rollup", "--central", admin]) == 0
        out = capsys.readouterr().out
        assert "branch B001: 1 days, 2 rows" in out and "2 branches, 2 days, 4 rows" in out
        assert daily_rows(admin) == rows
        day = today.isoformat()
        assert main(["central", "rollup", "--central", admin, "--from", day, "--to", day]) == 0
        assert f"({day} to {day}): 2 branches, 2 days, 4 rows" in capsys.readouterr().out
        for by in ("branch", "region", "type"):
            both_ways(engine, catalog, today, today, by)
    finally:
        engine.dispose()
        east.dispose()

    # bad input: one line each
    for args, said in (
        (["--from", day], "--from and --to go together"),
        (["--from", day, "--to", "2026-13-01"], "expected YYYY-MM-DD"),
        (["--from", day, "--to", "2020-01-01"], "is before --from"),
    ):
        done = lobbylink("central", "rollup", "--central", admin, *args)
        assert done.returncode != 0 and said in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    done = lobbylink("central", "rollup", "--central", role_url(admin, "B001") + "x")
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def main_report(
    capsys: pytest.CaptureFixture[str], config: str, db: str, day: date
) -> dict[str, Any]:
    """A branch's own report by staff, from its journal."""
    import json

    capsys.readouterr()
    span = ["--from", day.isoformat(), "--to", day.isoformat()]
    assert main(["report", "--db", db, "--config", config, "--by", "staff", *span,
                 "--format", "json"]) == 0  # fmt: skip
    return dict(json.loads(capsys.readouterr().out))


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> Wall:
    shifted = Wall()
    monkeypatch.setattr(app.hub.clock, "time", shifted)
    return shifted


class ShippingBranch:
    """A hub on a thread (its wall clock movable) and the real shipper beside it."""

    def __init__(self, branch: Branch, db: str, central: str) -> None:
        self.branch, self.db, self.central = branch, db, central
        self.hub: ThreadHub | None = None
        self.shipper: Shipper | None = None

    def start(self) -> ShippingBranch:
        self.hub = ThreadHub(self.branch, self.db).start()
        epoch = str(journal_rows(self.db, "SELECT value FROM meta WHERE key = 'epoch'")[0][0])
        self.shipper = Shipper(
            self.db, self.central, self.branch, epoch, self.branch.config.central
        )
        self.shipper.start()
        return self

    def shipped(self, admin: str) -> None:
        assert self.shipper is not None
        newest = int(journal_rows(self.db, "SELECT max(seq) FROM events")[0][0])
        self.shipper.nudge()
        wait_for(lambda: central_mark(admin, self.branch.config.branch.id) >= newest, 20,
                 what="shipped")  # fmt: skip

    def stop(self) -> None:
        if self.shipper is not None:
            self.shipper.stop()
        if self.hub is not None:
            self.hub.stop()
        self.hub = self.shipper = None


@pytest.fixture
def shipping() -> Iterator[list[ShippingBranch]]:
    started: list[ShippingBranch] = []
    yield started
    for branch in started:
        branch.stop()


def test_a_signal_acknowledged_after_midnight_and_an_archive_keep_the_rollups_equal(
    pg_server: PgServer,
    tmp_path: Path,
    ctx: zmq.Context,
    wall: Wall,
    shipping: list[ShippingBranch],
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B010:east")
    folder = tmp_path / "B010"
    folder.mkdir()
    config = branch_config(folder, "B010", "east", batch=5)
    branch = load_branch(config)
    db = f"sqlite:///{folder / 'journal.sqlite'}"
    engine = create_engine(admin)

    def compare(first: date, last: date) -> dict[str, Any]:
        for by in ("region", "type"):
            both_ways(engine, branch, first, last, by)
        return both_ways(engine, branch, first, last, "branch")

    try:
        wall.shift_ns = -DAY_MS * 10**6  # the hub PC's clock a day behind: "yesterday"
        site = ShippingBranch(branch, db, role_url(admin, "B010")).start()
        shipping.append(site)
        assert site.hub is not None
        teller = TestStation(branch, "C01", site.hub.endpoint, ctx)
        lobby = TestStation(branch, "L1", site.hub.endpoint, ctx)
        try:
            late = teller.accept(RaiseSignal(code="assist"))
            early = teller.accept(RaiseSignal(code="assist"))
            lobby.sync_to(early)
            lobby.accept(Acknowledge(signal_id=early))
            site.shipped(admin)
            raised = int(journal_rows(db, f"SELECT hub_ts_ms FROM events WHERE seq = {late}")[0][0])
            yesterday = local_time(raised, branch.timezone).date()
            today = yesterday + timedelta(days=1)
            assert yesterday < local_time(int(time.time() * 1000), branch.timezone).date()
            report = compare(yesterday, today)
            assert report["total"]["signals"] == 2 and report["total"]["acknowledged"] == 1
            [assist] = daily_rows(admin)
            assert assist[1:4] == (yesterday, "assist", 2) and len(assist[4]) == 1

            # the clock put right: the signal of yesterday is acknowledged today
            wall.shift_ns = 0
            lobby.accept(Acknowledge(signal_id=late))
            lobby.accept(Resolve(signal_id=late))
            teller.accept(RaiseSignal(code="assist"))
            site.shipped(admin)
        finally:
            teller.close()
            lobby.close()
        report = compare(yesterday, today)
        assert report["total"]["signals"] == 3 and report["total"]["acknowledged"] == 2
        assert {(r[1], r[2], r[3]) for r in daily_rows(admin)} == {
            (yesterday, "assist", 2),
            (today, "assist", 1),
        }
        [assist] = daily_rows(admin, f"code = 'assist' AND day = '{yesterday}'")
        assert len(assist[4]) == 2 and assist[4][1] > DAY_MS - 60_000  # acked a day later
        only_yesterday = compare(yesterday, yesterday)
        assert only_yesterday["total"]["ack"]["n"] == 2

        # the branch archives what head office holds; the rollups keep every signal
        site.stop()
        out = lobbylink("archive", "--db", db, "--config", config, "--before",
                        tomorrow(config), "--to", str(tmp_path / "old.sqlite"),
                        "--central", role_url(admin, "B010"))  # fmt: skip
        assert out.returncode == 0, out.stderr
        site = ShippingBranch(branch, db, role_url(admin, "B010")).start()
        shipping.append(site)
        assert site.hub is not None
        teller = TestStation(branch, "C01", site.hub.endpoint, ctx)
        try:
            teller.accept(RaiseSignal(code="assist"))
            site.shipped(admin)
        finally:
            teller.close()
        report = compare(yesterday, today)
        assert report["total"]["signals"] == 4
        assert sum(r[3] for r in daily_rows(admin)) == 4
    finally:
        engine.dispose()


def generate(url: str, branches: int, per_day: int) -> None:
    """``branches`` branches (one in seven in London, whose clocks go back on 25 October)
    with ``per_day`` signals a day, written straight into head office's ``signals``
    around October 2026: every mark, durations missing or zero, declines, products."""
    engine = create_engine(url)
    start = int(datetime(2026, 9, 30).timestamp() * 1000) // DAY_MS * DAY_MS
    try:
        with engine.begin() as conn:
            ensure_partitions(conn, now=datetime(2026, 9, 1), ahead=3)
            conn.execute(
                text(
                    "INSERT INTO branches (branch, region, timezone) "
                    "SELECT 'G' || lpad(i::text, 4, '0'), 'r' || (i % 5), "
                    "CASE WHEN i % 7 = 0 THEN 'Europe/London' ELSE 'Asia/Shanghai' END "
                    "FROM generate_series(1, :n) i"
                ),
                {"n": branches},
            )
            conn.execute(text("SELECT setseed(0.13)"))
            conn.execute(
                text(
                    """
INSERT INTO signals (branch, epoch, signal_id, code, station, staff, to_station, ticket,
    need, note, state, level, raised_ms, acked_ms, acked_station, acked_staff, arrived_ms,
    resolved_ms, resolved_station, resolved_staff, cancelled_ms, outcome, product,
    declines, updated_ms, seq)
SELECT branch, 'e1', n, code, 'C0' || (n % 8), '', '', '', '', '', 'done', level, raised,
    acked, 'L1', CASE WHEN n % 3 = 0 THEN '' ELSE 'S' || (n % 5) END,
    CASE WHEN acked IS NOT NULL AND r2 < 0.6 THEN acked + (r3 * 90000)::bigint END,
    CASE WHEN acked IS NOT NULL AND r2 < 0.4 THEN acked + (r3 * 900000)::bigint END,
    '', '', CASE WHEN acked IS NULL AND r2 < 0.3 THEN raised + 5000 END,
    CASE WHEN r2 < 0.2 THEN 'served' WHEN r2 < 0.25 THEN 'no_show'
         WHEN r2 < 0.4 THEN 'done' ELSE '' END,
    CASE WHEN r2 < 0.1 THEN 'fund' WHEN r2 < 0.15 THEN 'insurance' ELSE '' END,
    CASE WHEN r3 < 0.3 THEN 1 ELSE 0 END, raised + 600000, n
FROM (
    SELECT branch, n, code, level, raised, r1, r2, r3,
        CASE WHEN r1 < 0.75 THEN raised + (r3 * r3 * 300000)::bigint END AS acked
    FROM (
        SELECT 'G' || lpad(b::text, 4, '0') AS branch, n,
            (ARRAY['assist', 'cash', 'refer_wealth', 'vip', 'complaint'])[1 + n % 5] AS code,
            (n % 11) / 5 AS level,
            :start + (random() * 33 * 86400000)::bigint AS raised,
            random() AS r1, random() AS r2, random() AS r3
        FROM generate_series(1, :n) b, generate_series(1, :k) n
    ) g
) a
"""
                ),
                {"n": branches, "k": per_day * 33, "start": start},
            )
    finally:
        engine.dispose()


def test_month_report_on_generated_branches_equal_both_ways_and_timed(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Equal on a month of generated signals (mixed time zones, a DST change); the time
    each way is printed (no assertion on it: the machine is shared)."""
    admin = pg_server.database()
    assert main(["central", "init", "--central", admin]) == 0
    branches, per_day = 60, 50
    generate(admin, branches, per_day)
    started = time.perf_counter()
    assert main(["central", "rollup", "--central", admin]) == 0
    rebuilt = time.perf_counter() - started
    catalog = load_branch(None)
    engine = create_engine(admin)
    first, last = date(2026, 10, 1), date(2026, 10, 31)
    timings = {}
    try:
        for by in ("branch", "region", "type"):
            for rollups in (True, False):
                began = time.perf_counter()
                report = central_report(
                    engine, catalog, first, last, by, now_ms=NOW_MS, rollups=rollups
                )
                timings[by, rollups] = time.perf_counter() - began
                if rollups:
                    rolled = report.as_dict()
                else:
                    assert rolled == report.as_dict(), by
        assert rolled["total"]["signals"] > branches * per_day * 28
        assert rolled["total"]["handoffs_declined"] > 0 and rolled["handoffs"]["products"]
    finally:
        engine.dispose()
    with capsys.disabled():
        print(
            f"\nmonth report, {branches} branches, {rolled['total']['signals']} signals: "
            f"rollups rebuilt in {rebuilt:.2f} s; "
            + "; ".join(
                f"by {by}: {timings[by, True]:.2f} s from rollups, "
                f"{timings[by, False]:.2f} s from signals"
                for by in ("branch", "region", "type")
            )
        )


def test_the_migration_rolls_up_the_signals_already_stored(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A head office at the schema before the rollups, with a month of signals: ``central
    init`` upgrades it and the rollups hold them all at once."""
    from alembic import command

    from app.central.db import _config

    admin = pg_server.database()
    engine = create_engine(admin)
    try:
        with engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "c0005")
        generate(admin, 6, 20)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT to_regclass('daily')")).scalar() is None
        assert main(["central", "init", "--central", admin]) == 0
        assert "upgraded" in capsys.readouterr().out
        catalog = load_branch(None)
        for by in ("branch", "type"):
            report = both_ways(engine, catalog, date(2026, 10, 1), date(2026, 10, 31), by)
            assert report["total"]["signals"] > 6 * 20 * 28
        with engine.connect() as conn:
            rolled = conn.execute(text("SELECT sum(signals) FROM daily")).scalar()
            stored = conn.execute(text("SELECT count(*) FROM signals")).scalar()
        assert rolled == stored
    finally:
        engine.dispose()


def test_a_head_office_without_rollups_still_receives_every_batch(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    """A branch upgraded before head office: its shipper says once that the schema has no
    rollups, and ships on; ``central init`` then adds them, holding every signal."""
    from alembic import command

    from app.central.db import _config, add_branch

    admin = pg_server.database()
    engine = create_engine(admin)
    try:
        with engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "c0005")
            ensure_partitions(conn)
            add_branch(conn, "B030", "east", "", "lobbylink_branch_b030")
        hub = start_hub(tmp_path, "B030", "east", role_url(admin, "B030"))
        teller = TestStation(load_branch(tmp_path / "B030" / "B030.toml"), "C01",
                             hub.endpoint, ctx)  # fmt: skip
        try:
            for _ in range(3):
                teller.accept(RaiseSignal(code="assist"))
            wait_for(partial(shipped_up_to, admin, "B030", hub), 20, what="shipped")
        finally:
            teller.close()
            hub.stop()
        warned = [line for line in hub.log if "no daily rollups" in line]
        assert len(warned) == 1, hub.log
        assert main(["central", "init", "--central", admin]) == 0
        with engine.connect() as conn:
            assert conn.execute(text("SELECT sum(signals) FROM daily")).scalar() == 3
    finally:
        engine.dispose()
