"""The region board's figures (issue 13, item 5): app.reports.region over a real central
database that two branch hubs ship to.

Real parts: a throw-away PostgreSQL (app.devtools.pgserver), ``lobbylink central init``,
``add-branch`` and ``add-region-role`` as an administrator runs them, two branch hubs as
processes on 127.0.0.1 shipping with their own roles (their shippers report the
journal's head, migration c0006), and a regional manager's role (row-level security).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

import pytest
import zmq
from alembic import command as alembic_command
from sqlalchemy import create_engine, text

from app.central import db as central_db
from app.central.db import make_engine
from app.cli import main
from app.devtools.pgserver import PgServer
from app.domain.config import load_branch
from app.domain.events import Acknowledge, RaiseSignal, Resolve
from app.reports.central import central_report
from app.reports.day import ReportError
from app.reports.region import RegionOverview, Thresholds, branch_day, overview
from tests.helpers import HubProcess, TestStation, wait_for
from tests.integration.test_central_ship import (
    role_url,
    setup_central,
    shipped_up_to,
    start_hub,
)

BRANCHES = {"B001": "east", "B002": "west"}


def journal_head(hub: HubProcess) -> tuple[int, int]:
    with sqlite3.connect(hub.db_url.removeprefix("sqlite:///")) as conn:
        row = conn.execute("SELECT seq, hub_ts_ms FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return int(row[0]), int(row[1])


def heads(admin: str) -> dict[str, tuple[int, int]]:
    engine = create_engine(admin)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT branch, head_seq, head_ts_ms FROM branches"))
            return {r[0]: (int(r[1]), int(r[2])) for r in rows}
    finally:
        engine.dispose()


def admin_sql(admin: str, sql: str) -> None:
    engine = create_engine(admin)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def test_region_overview_links_kpis_alerts_drill_down_and_a_region_sees_its_own(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B001:east", "B002:west", "B003:east")  # B003 never ships
    add = ["central", "add-region-role", "--central", admin, "--region", "east"]
    assert main([*add, "--role", "lobbylink_east"]) == 0
    hubs = {c: start_hub(tmp_path, c, r, role_url(admin, c)) for c, r in BRANCHES.items()}
    catalog = load_branch(tmp_path / "B001" / "B001.toml")
    stations: list[TestStation] = []
    engine = make_engine(admin)
    try:
        b1 = TestStation(catalog, "C01", hubs["B001"].endpoint, ctx)
        lobby = TestStation(catalog, "L1", hubs["B001"].endpoint, ctx)
        b2 = TestStation(
            load_branch(tmp_path / "B002" / "B002.toml"), "C01", hubs["B002"].endpoint, ctx
        )
        stations += [b1, lobby, b2]
        ids = [b1.accept(RaiseSignal(code="assist")) for _ in range(4)]
        lobby.sync_to(ids[-1])
        lobby.accept(Acknowledge(signal_id=ids[0]))
        lobby.accept(Acknowledge(signal_id=ids[1]))
        lobby.accept(Resolve(signal_id=ids[0]))
        for _ in range(2):
            b2.accept(RaiseSignal(code="assist"))
        for code, hub in hubs.items():
            wait_for(partial(shipped_up_to, admin, code, hub), 20, what=f"{code} shipped")
        # the shippers report their journal's head with the batch (or within 10 s idle)
        wait_for(
            lambda: all(heads(admin)[c] == journal_head(h) for c, h in hubs.items()),
            20,
            what="heads reported",
        )

        limits = Thresholds(waiting_min=0.0, ack_p90_s=0.0)
        seen = overview(engine, catalog, limits)
        rows = {r.branch: r for r in seen.rows}
        assert sorted(rows) == ["B001", "B002", "B003"]
        assert seen.role == "postgres" and seen.regions == ["east", "west"]
        for code in BRANCHES:
            assert rows[code].link == "connected", code
            assert (rows[code].lag_events, rows[code].lag_ms) == (0, 0), code
            assert rows[code].last_shipped_ms > 0
        assert rows["B003"].link == "never"
        # added without a name, a branch is named by its shipper (its config's name)
        assert rows["B001"].name == catalog.config.branch.name.zh_CN != ""
        assert rows["B003"].signals == 0 and not rows["B003"].alerts
        one = rows["B001"]
        assert (one.signals, one.answered, one.resolved, one.unanswered) == (4, 2, 1, 2)
        assert (one.open_signals, one.waiting, one.overdue) == (3, 2, 2)
        assert one.ack_p50_s is not None and one.ack_p90_s is not None
        assert one.late == sum(  # the branch reports' own "late", per branch
            d.late for d in branch_day(engine, catalog, "B001", one_day(seen)).deadlines
        )
        assert one.late >= 2  # two never acknowledged
        assert (rows["B002"].signals, rows["B002"].waiting) == (2, 2)
        # today's KPIs are head office's cross-branch report's, one implementation
        report = central_report(engine, catalog, one_day(seen), one_day(seen), "branch")
        for g in report.groups:
            assert (rows[g.key].signals, rows[g.key].answered) == (g.signals, g.acknowledged)
            assert rows[g.key].ack_p90_s == g.ack.p90_s
        kinds = {(a.branch, a.kind) for a in seen.alerts}
        assert {("B001", "waiting"), ("B002", "waiting"), ("B001", "p90")} <= kinds
        waiting = next(a for a in seen.alerts if a.branch == "B001" and a.kind == "waiting")
        assert waiting.count == 2 and waiting.limit == 0.0
        # nothing over the default thresholds yet (raised just now, nothing late enough)
        calm = overview(engine, catalog)
        assert not [a for a in calm.alerts if a.kind in ("waiting", "p90", "disconnected")]

        # the drill-down: one branch's day by type, as its own board's Reports page
        day = branch_day(engine, catalog, "B001", one_day(seen))
        assert day.view is not None and day.view["branches"] == ["B001"]
        assert day.by == "type" and day.total.signals == 4
        assert [g.key for g in day.groups] == ["assist"]

        # a branch's role may update its own row only (the head), never another's
        b2_engine = create_engine(role_url(admin, "B002"))
        try:
            with b2_engine.begin() as conn:
                hit = conn.execute(text("UPDATE branches SET head_seq = 999 WHERE branch='B001'"))
                assert hit.rowcount == 0
        finally:
            b2_engine.dispose()
    finally:
        for station in stations:
            station.close()
        for hub in hubs.values():
            hub.stop()

    # B002's link goes quiet a minute ago, its journal 5 events ahead of head office
    admin_sql(
        admin,
        "UPDATE branches SET last_seen_ms = last_seen_ms - 60000, head_seq = head_seq + 5, "
        "head_ts_ms = head_ts_ms + 90000 WHERE branch = 'B002'",
    )
    later = {r.branch: r for r in overview(engine, catalog).rows}
    assert later["B002"].link == "disconnected"
    assert (later["B002"].lag_events, later["B002"].lag_ms) == (5, 90_000)
    assert any(a.kind == "disconnected" for a in later["B002"].alerts)

    # a regional manager sees the region's branches only, and cannot drill into another
    east = make_engine(admin.replace("postgres@", "lobbylink_east@", 1))
    try:
        mine = overview(east, catalog)
        assert mine.role == "lobbylink_east" and mine.regions == ["east"]
        assert [r.branch for r in mine.rows] == ["B001", "B003"]
        assert {r.branch: r.signals for r in mine.rows} == {"B001": 4, "B003": 0}
        with pytest.raises(ReportError, match="sees no branch B002"):
            branch_day(east, catalog, "B002", one_day(mine))
        # a region with no branch filed under it: an empty board, not an error
        add = ["central", "add-region-role", "--central", admin, "--region", "nowhere"]
        assert main([*add, "--role", "lobbylink_nowhere"]) == 0
        nowhere = make_engine(admin.replace("postgres@", "lobbylink_nowhere@", 1))
        try:
            assert overview(nowhere, catalog).rows == []
        finally:
            nowhere.dispose()
    finally:
        east.dispose()
        engine.dispose()


def one_day(seen: RegionOverview) -> date:
    return date.fromisoformat(seen.day)


def test_region_overview_says_the_server_is_unreachable_in_one_line() -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:9/none", timeout_s=2)
    catalog = load_branch(None)
    with pytest.raises(ReportError) as caught:
        overview(engine, catalog)
    assert "\n" not in str(caught.value) and str(caught.value)


@pytest.fixture
def halting_server() -> Iterator[PgServer]:
    """A server of this test's own (the session's is shared): it is halted under the hubs."""
    server = PgServer().start()
    yield server
    server.stop()


def test_done_when_two_branches_ship_through_a_server_outage_report_and_board(
    halting_server: PgServer,
    tmp_path: Path,
    ctx: zmq.Context,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 13's "Done when", as a new user would try it: two branch hubs with different
    codes ship to a server the project's scripts started; with the server stopped both
    keep working; once it is back, `lobbylink report --central URL --by branch` shows
    every signal of both exactly once, and the region board lists both connected."""
    admin = halting_server.database()
    codes = {"B010": 7, "B011": 4}  # signals raised before the outage, per branch
    setup_central(admin, *(f"{c}:north" for c in codes))
    hubs = {c: start_hub(tmp_path, c, "north", role_url(admin, c)) for c in codes}
    tellers = {
        c: TestStation(load_branch(tmp_path / c / f"{c}.toml"), "C01", h.endpoint, ctx)
        for c, h in hubs.items()
    }
    raised = dict.fromkeys(codes, 0)
    try:
        for code, n in codes.items():
            for _ in range(n):
                tellers[code].accept(RaiseSignal(code="assist"))
                raised[code] += 1
        for code, hub in hubs.items():
            wait_for(partial(shipped_up_to, admin, code, hub), 20, what=f"{code} shipped")
        halting_server.halt()  # pg_ctl stop -m immediate
        for code, teller in tellers.items():  # both branches work on: every command taken
            for _ in range(codes[code] * 3):
                teller.accept(RaiseSignal(code="assist"))
                raised[code] += 1
        halting_server.resume()
        for code, hub in hubs.items():
            wait_for(partial(shipped_up_to, admin, code, hub), 30, what=f"{code} caught up")
        engine = make_engine(admin)
        catalog = load_branch(tmp_path / "B010" / "B010.toml")

        def both_connected_and_current() -> bool:
            rows = overview(engine, catalog).rows
            return [(r.branch, r.link, r.lag_events) for r in rows] == [
                ("B010", "connected", 0),
                ("B011", "connected", 0),
            ]

        try:
            wait_for(both_connected_and_current, 30, what="the board lists both connected")
        finally:
            engine.dispose()
    finally:
        for teller in tellers.values():
            teller.close()
        for hub in hubs.values():
            hub.stop()
    capsys.readouterr()
    config = str(tmp_path / "B010" / "B010.toml")
    assert main(["report", "--central", admin, "--config", config, "--format", "json"]) == 0
    central = json.loads(capsys.readouterr().out)
    assert central["by"] == "branch"
    assert {g["key"]: g["signals"] for g in central["groups"]} == raised  # each exactly once
    assert central["total"]["signals"] == sum(raised.values()) == 44
    for hub in hubs.values():
        assert any("head office unreachable" in line for line in hub.log)


def test_a_server_not_yet_upgraded_to_c0006_still_takes_the_journal(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    """A branch upgraded before head office: the shipper finds no head columns, ships
    all the same; ``central init`` then adds them and the next beat fills them."""
    admin = pg_server.database()
    setup_central(admin, "B020:south")
    engine = make_engine(admin)
    cfg = central_db._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        alembic_command.downgrade(cfg, "c0005")
    hub = start_hub(tmp_path, "B020", "south", role_url(admin, "B020"))
    teller = TestStation(load_branch(tmp_path / "B020" / "B020.toml"), "C01", hub.endpoint, ctx)
    try:
        for _ in range(3):
            teller.accept(RaiseSignal(code="assist"))
        wait_for(partial(shipped_up_to, admin, "B020", hub), 20, what="shipped to c0005")
        assert not any("unexpected failure" in line for line in hub.log)
        assert main(["central", "init", "--central", admin]) == 0
        # reconnecting (or the 10 s beat) reports the head into the new columns
        wait_for(
            lambda: (
                overview(engine, load_branch(None)).rows[0].link == "connected"
                and heads(admin)["B020"] == journal_head(hub)
            ),
            40,
            what="the head reported after the upgrade",
        )
    finally:
        teller.close()
        hub.stop()
        engine.dispose()
