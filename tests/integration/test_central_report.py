"""Head office's cross-branch reports (issue 13, item 4): the branch reports' measures
over the central database, and a regional manager's role that sees its region only.

Real parts: a throw-away PostgreSQL (app.devtools.pgserver), ``lobbylink central init``,
``add-branch`` and ``add-region-role`` as an administrator runs them, two branch hubs as
processes on 127.0.0.1 shipping with their own roles, and ``lobbylink report`` run on
both sources: each branch's journal (``--db``) and head office's (``--central``).
"""

from __future__ import annotations

import json
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import zmq
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from app.cli import main
from app.devtools.pgserver import PgServer
from app.domain.config import load_branch
from app.domain.events import (
    Acknowledge,
    Cancel,
    Decline,
    RaiseSignal,
    Resolve,
    SetStatus,
)
from app.domain.roles import CounterStatus
from app.domain.timeday import local_time
from tests.helpers import TestStation, wait_for
from tests.integration.test_central_ship import (
    role_url,
    setup_central,
    shipped_up_to,
    start_hub,
)

BRANCHES = {"B001": "east", "B002": "west"}


def report(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["report", *args, "--format", "json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def figures(group: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in group.items() if k != "key"}


def activity(
    teller: TestStation, lobby: TestStation, wealth: tuple[TestStation, TestStation], n: int
) -> None:
    """``n`` signals: some acknowledged and resolved, one cancelled, the rest open; a
    pause; a handoff declined once then served."""
    ids = [teller.accept(RaiseSignal(code="assist")) for _ in range(n)]
    teller.sync_to(ids[-1])
    lobby.sync_to(ids[-1])
    for i in ids[: n // 2]:
        lobby.accept(Acknowledge(signal_id=i))
    for i in ids[: n // 4]:
        lobby.accept(Resolve(signal_id=i))
    teller.accept(Cancel(signal_id=ids[-1]))
    teller.accept(SetStatus(status=CounterStatus.PAUSED, reason="meal"))
    teller.accept(SetStatus(status=CounterStatus.OPEN))
    offer = teller.accept(RaiseSignal(code="refer_wealth"))
    w1, w2 = wealth
    w1.sync_to(offer)
    w1.accept(Acknowledge(signal_id=offer))
    w1.accept(Decline(signal_id=offer, reason="busy"))
    w2.sync_to(offer)
    w2.accept(Acknowledge(signal_id=offer))
    w2.accept(Resolve(signal_id=offer, outcome="served", product="fund"))


def presence(watcher: TestStation, station: str, online: bool, pump: TestStation) -> bool:
    pump.pump()
    return watcher.state.presence.get(station) is online


def gone_silent(station: TestStation, watcher: TestStation) -> None:
    """``station`` online, then closed until the hub marks it offline."""
    name = station.session.station
    wait_for(partial(presence, watcher, name, True, station), 10, watcher.pump, "online")
    station.close()
    wait_for(partial(presence, watcher, name, False, watcher), 10, watcher.pump, "offline")


def test_head_office_report_equals_each_branch_report_and_a_region_sees_its_own(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = pg_server.database()
    setup_central(admin, *(f"{c}:{r}" for c, r in BRANCHES.items()))
    east = admin.replace("postgres@", "lobbylink_east@", 1)
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
            if code == "B001":  # a counter that comes and goes silent: a presence gap
                gone_silent(TestStation(branch, "C02", hub.endpoint, ctx), teller)
        for code, hub in hubs.items():
            wait_for(partial(shipped_up_to, admin, code, hub), 20, what=f"{code} shipped")
    finally:
        for station in stations:
            station.close()
        for hub in hubs.values():
            hub.stop()
    day = local_time(int(time.time() * 1000), "Asia/Shanghai").date().isoformat()
    span = ["--from", day, "--to", day]
    own = {
        c: report(capsys, "--db", h.db_url, "--config", configs[c], "--by", "type", *span)
        for c, h in hubs.items()
    }
    assert [own[c]["total"]["signals"] for c in BRANCHES] == [13, 8]
    assert own["B001"]["handoffs"]["declined_by_reason"] == {"busy": 1}

    central = report(capsys, "--central", admin, "--config", configs["B001"], *span)
    assert central["by"] == "branch"
    assert central["view"] == {
        "role": "postgres",
        "branches": ["B001", "B002"],
        "regions": ["east", "west"],
    }
    by_branch = {g["key"]: g for g in central["groups"]}
    assert sorted(by_branch) == ["B001", "B002"]
    for code in BRANCHES:  # every signal exactly once, the branch's own figures
        assert figures(by_branch[code]) == figures(own[code]["total"]), code
    assert central["total"]["signals"] == 21
    assert central["total"]["acknowledged"] == 6 + 3 + 2
    assert central["handoffs"]["declined_by_reason"] == {"busy": 2}
    assert central["handoffs"]["products"] == {"fund": 2}

    by_region = report(
        capsys, "--central", admin, "--config", configs["B001"], "--by", "region", *span
    )
    assert {g["key"]: g["signals"] for g in by_region["groups"]} == {"east": 13, "west": 8}

    # the regional manager: B001 alone, by type the same as B001's own report
    mine = report(capsys, "--central", east, "--config", configs["B001"], "--by", "type", *span)
    assert mine["view"] == {"role": "lobbylink_east", "branches": ["B001"], "regions": ["east"]}
    assert mine["groups"] == own["B001"]["groups"]
    assert figures(mine["total"]) == figures(own["B001"]["total"])
    assert mine["deadlines"] == own["B001"]["deadlines"]
    assert mine["handoffs"] == own["B001"]["handoffs"]
    assert mine["hourly"] == own["B001"]["hourly"]
    assert mine["pauses"] == own["B001"]["pauses"] and mine["pauses"][0]["key"] == "meal"
    assert mine["pauses"][0]["count"] == 1
    # presence gaps: the same counter's (still open: it grows with the time of the report)
    assert [(g["key"], g["count"]) for g in mine["presence_gaps"]] == [
        (f"B001/{g['key']}", g["count"]) for g in own["B001"]["presence_gaps"]
    ]
    assert [g["key"] for g in mine["presence_gaps"]] == ["B001/C02"]
    assert [p["count"] for p in central["pauses"]] == [2]  # meal, in both branches

    # the region role's rows, straight from the tables: its region's, and no writing
    engine = create_engine(east)
    try:
        with engine.connect() as conn:
            for table in ("branches", "events", "signals", "chain_marks"):
                seen = conn.execute(text(f"SELECT DISTINCT branch FROM {table}")).scalars()
                assert sorted(seen) == ["B001"], table
            with pytest.raises(DBAPIError):
                conn.execute(text("UPDATE branches SET region = 'east'"))
    finally:
        engine.dispose()

    # a branch's role sees its own branch only, too (the same RLS)
    theirs = report(
        capsys, "--central", role_url(admin, "B002"), "--config", configs["B002"], *span
    )
    assert [g["key"] for g in theirs["groups"]] == ["B002"]


def test_central_report_bad_inputs_are_one_line(
    pg_server: PgServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B001:east")
    nobody = admin.replace("postgres@", "lobbylink_nobody@", 1)
    assert (
        main(
            [
                "central",
                "add-region-role",
                "--central",
                admin,
                "--region",
                "north",
                "--role",
                "lobbylink_nobody",
            ]
        )
        == 0
    )
    capsys.readouterr()
    day = ["--from", "2026-12-01", "--to", "2026-12-01"]
    assert main(["report", "--central", nobody, *day, "--format", "json"]) != 0
    err = capsys.readouterr().err
    assert "sees no branch" in err and "Traceback" not in err
    assert main(["report", "--by", "region", *day]) != 0
    assert "needs --central" in capsys.readouterr().err
    assert (
        main(
            [
                "central",
                "add-region-role",
                "--central",
                admin,
                "--region",
                "x",
                "--role",
                "Bad Name",
            ]
        )
        != 0
    )
    assert "not a role name" in capsys.readouterr().err


def test_central_report_table_and_html_say_whose_view(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B001:east", "B002:west")
    day = ["--from", "2026-12-01", "--to", "2026-12-01"]
    capsys.readouterr()
    assert main(["report", "--central", admin, *day]) == 0
    table = capsys.readouterr().out
    assert "Role postgres: B001, B002 (east, west)" in table
    out = tmp_path / "r.html"
    assert main(["report", "--central", admin, *day, "--format", "html", "-o", str(out)]) == 0
    assert "role postgres: branches\nB001, B002 (regions east, west)" in out.read_text("utf-8")
