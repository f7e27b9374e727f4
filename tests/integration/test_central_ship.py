"""Head office: branch hubs ship their journals to one central PostgreSQL (issue 13).

Real parts: a throw-away PostgreSQL (app.devtools.pgserver), ``lobbylink central init`` and
``add-branch`` as an administrator runs them, branch hubs as processes on 127.0.0.1, each
connecting with its own branch role (row-level security).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
import zmq
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from app.cli import main
from app.devtools.pgserver import PgServer
from app.domain.config import load_branch
from app.domain.events import RaiseSignal
from tests.helpers import HubProcess, TestStation, free_port_pair, wait_for

ROOT = Path(__file__).resolve().parents[2]
NOTE, TICKET = "王先生 13800138000", "A-0417"


def branch_config(
    folder: Path, code: str, region: str, batch: int = 50, rate: int = 2_000, more: str = ""
) -> str:
    """The demo branch as branch ``code`` of ``region``, retrying head office quickly."""
    source = (ROOT / "resources" / "branch.toml").read_text(encoding="utf-8")
    source = source.replace('id = "demo"', f'id = "{code}"', 1)
    source = source.replace('region = "demo"', f'region = "{region}"', 1)
    source += f"\n[central]\nbatch = {batch}\nrate = {rate}\nretry_max_s = 1.0\n{more}"
    path = folder / f"{code}.toml"
    path.write_text(source, encoding="utf-8")
    return str(path)


def role_url(admin_url: str, code: str) -> str:
    return admin_url.replace("postgres@", f"lobbylink_branch_{code.lower()}@", 1)


def setup_central(admin_url: str, *codes: str) -> None:
    """``central init``, then each code (``CODE`` or ``CODE:REGION``) added."""
    assert main(["central", "init", "--central", admin_url]) == 0
    for item in codes:
        code, _, region = item.partition(":")
        add = ["central", "add-branch", "--central", admin_url, "--code", code]
        assert main([*add, "--region", region]) == 0


def central_rows(admin_url: str, code: str) -> list[tuple]:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text(
                        "SELECT epoch, seq, hub_ts_ms, kind, station, hash, body, prev_hash "
                        "FROM events WHERE branch = :b ORDER BY epoch, seq"
                    ),
                    {"b": code},
                )
            )
    finally:
        engine.dispose()


def journal_of(hub: HubProcess) -> list[tuple]:
    path = hub.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return list(conn.execute("SELECT seq, hub_ts_ms, kind, station, hash FROM events"))


def epoch_of(hub: HubProcess) -> str:
    path = hub.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return str(conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0])


def assert_same(admin_url: str, code: str, hub: HubProcess) -> None:
    """Central rows == the branch journal: every seq once, no gap, the chain equal."""
    mine = journal_of(hub)
    theirs = central_rows(admin_url, code)
    epoch = epoch_of(hub)
    assert [r[0] for r in theirs] == [epoch] * len(theirs)
    assert [r[1] for r in theirs] == [r[0] for r in mine]  # each seq exactly once, in order
    assert [(r[1], r[2], r[3], r[4], bytes(r[5])) for r in theirs] == [
        (r[0], r[1], r[2], r[3], bytes(r[4])) for r in mine
    ]
    assert all(r[7] is None for r in theirs)  # prev_hash only travels


def shipped_up_to(admin_url: str, code: str, hub: HubProcess) -> bool:
    last = max((r[0] for r in journal_of(hub)), default=0)
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT to_regclass('chain_marks')")).scalar() is None:
                return False  # not created yet
            found = conn.execute(
                text("SELECT last_seq FROM chain_marks WHERE branch = :b AND epoch = :e"),
                {"b": code, "e": epoch_of(hub)},
            ).scalar()
    finally:
        engine.dispose()
    return found is not None and found >= last > 0


@pytest.fixture
def own_server() -> Iterator[PgServer]:
    """A server of this test's own: it is stopped and restarted under the hubs."""
    server = PgServer().start()
    yield server
    server.stop()


def start_hub(tmp_path: Path, code: str, region: str, central: str) -> HubProcess:
    folder = tmp_path / code
    folder.mkdir()
    config = branch_config(folder, code, region)
    db = f"sqlite:///{folder / 'journal.sqlite'}"
    return HubProcess(db, free_port_pair(), config=config, extra=["--central", central]).start()


def test_two_branches_ship_every_event_once_without_personal_text(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B001:east", "B002:south")  # B002's config says west
    hubs = {
        code: start_hub(tmp_path, code, region, role_url(admin, code))
        for code, region in (("B001", "east"), ("B002", "west"))
    }
    stations: list[TestStation] = []
    try:
        for code, hub in hubs.items():
            branch = load_branch(tmp_path / code / f"{code}.toml")
            teller = TestStation(branch, "C01", hub.endpoint, ctx)
            stations.append(teller)
            for _ in range(70 if code == "B001" else 30):  # more than one batch of 50
                teller.accept(RaiseSignal(code="assist", note=NOTE, ticket=TICKET))
        for code, hub in hubs.items():
            wait_for(partial(shipped_up_to, admin, code, hub), 20, what=f"{code} shipped")
            assert_same(admin, code, hub)
        engine = create_engine(admin)
        with engine.connect() as conn:
            projected = conn.execute(
                text("SELECT branch, count(*), max(ticket), max(note) FROM signals GROUP BY 1")
            ).all()
        engine.dispose()
        assert sorted(projected) == [("B001", 70, "", ""), ("B002", 30, "", "")]
        bodies = b"".join(bytes(r[6]) for r in central_rows(admin, "B001"))
        assert NOTE.encode() not in bodies and TICKET.encode() not in bodies  # PIPL
        assert b"assist" in bodies  # the type leaves, the typed text does not
        link = stations[0].session.link

        def connected() -> bool:
            health = link.hub_health
            return (
                health is not None
                and health.central == "connected"
                and health.central_lag_events == 0
                and health.central_last_ms > 0
            )

        wait_for(connected, 10, stations[0].pump, "the board's view of the link")
    finally:
        for station in stations:
            station.close()
        for hub in hubs.values():
            hub.stop()
    engine = create_engine(admin)
    with engine.connect() as conn:
        regions = {b: r for b, r in conn.execute(text("SELECT branch, region FROM branches"))}
        zones = set(conn.execute(text("SELECT timezone FROM branches")).scalars())
    engine.dispose()
    assert regions == {"B001": "east", "B002": "south"}  # head office's word
    assert zones == {"Asia/Shanghai"}  # the branches' own
    assert any("under region 'south', its config says 'west'" in x for x in hubs["B002"].log)
    assert not any("under region" in line for line in hubs["B001"].log)


def test_a_batch_sent_twice_is_stored_once(pg_server: PgServer, tmp_path: Path) -> None:
    from app.central.shipper import Shipper

    admin = pg_server.database()
    setup_central(admin, "B003")
    folder = tmp_path / "B003"
    folder.mkdir()
    config = branch_config(folder, "B003", "east")
    db = f"sqlite:///{folder / 'journal.sqlite'}"
    hub = HubProcess(db, free_port_pair(), config=config).start()  # not shipping
    ctx = zmq.Context()
    branch = load_branch(config)
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    try:
        for _ in range(12):
            teller.accept(RaiseSignal(code="assist"))
    finally:
        teller.close()
        ctx.destroy(linger=0)
        hub.stop()
    shipper = Shipper(db, role_url(admin, "B003"), branch, epoch_of(hub), branch.config.central)
    engine = shipper._engine()
    try:
        seq, digest = shipper._mark(engine)
        rows = shipper._read(seq, 8)
        end = shipper._ship(engine, rows, digest)
        assert shipper._ship(engine, rows, digest) == end  # the same batch again
        more = shipper._read(seq, 100)  # overlapping: 8 stored already, the rest new
        shipper._ship(engine, more, digest)
        first = rows[0]
        with pytest.raises(DBAPIError, match="differs from the row stored"), engine.begin() as c:
            c.execute(  # the same seq with another history: a fork is refused
                text(
                    "INSERT INTO events (branch, epoch, seq, hub_ts_ms, kind, station, staff, "
                    "body, hash, prev_hash) VALUES ('B003', :e, :s, :t, 'x', 'C01', '', '', "
                    ":h, :p)"
                ),
                {
                    "e": epoch_of(hub),
                    "s": first["seq"],
                    "t": first["hub_ts_ms"],
                    "h": hashlib.sha256(b"fork").digest(),
                    "p": digest,
                },
            )
    finally:
        engine.dispose()
    assert_same(admin, "B003", hub)


def test_rls_a_branch_cannot_write_or_read_another_branchs_rows(
    pg_server: PgServer, tmp_path: Path
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B004", "B005")
    engine = create_engine(role_url(admin, "B004"))
    row = {
        "b": "B005",
        "e": "e1",
        "s": 1,
        "t": 1_796_083_200_001,
        "h": hashlib.sha256(b"x").digest(),
        "p": bytes(32),
    }
    insert = text(
        "INSERT INTO events (branch, epoch, seq, hub_ts_ms, kind, station, staff, body, hash, "
        "prev_hash) VALUES (:b, :e, :s, :t, 'x', 'C01', '', '', :h, :p)"
    )
    try:
        with pytest.raises(DBAPIError, match="row-level security"), engine.begin() as conn:
            conn.execute(insert, row)
        with engine.begin() as conn:  # its own row: stored
            conn.execute(insert, dict(row, b="B004"))
        with pytest.raises(DBAPIError, match="row-level security"), engine.begin() as conn:
            conn.execute(text("INSERT INTO branches (branch) VALUES ('B999')"))
        with engine.begin() as conn:  # any branch keeps the months coming, as the owner
            made = conn.execute(text("SELECT lobbylink_ensure_partitions(5)")).scalar()
            assert made == 4  # events and signals, 4 and 5 months ahead (init made 0 to 3)
            assert conn.execute(text("SELECT lobbylink_ensure_partitions(5)")).scalar() == 0
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(text("CREATE TABLE events_209901 PARTITION OF events DEFAULT"))
    finally:
        engine.dispose()
    other = create_engine(role_url(admin, "B005"))
    try:
        with other.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM chain_marks")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM signals")).scalar() == 0
            assert conn.execute(text("SELECT branch FROM branches")).scalars().all() == ["B005"]
    finally:
        other.dispose()


def test_server_stopped_and_restarted_the_branches_go_on_and_catch_up(
    own_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    admin = own_server.database()
    setup_central(admin, "B006", "B007")
    codes = ("B006", "B007")
    hubs = {code: start_hub(tmp_path, code, "north", role_url(admin, code)) for code in codes}
    tellers = {
        code: TestStation(load_branch(tmp_path / code / f"{code}.toml"), "C01", hub.endpoint, ctx)
        for code, hub in hubs.items()
    }
    try:
        for teller in tellers.values():
            for _ in range(10):
                teller.accept(RaiseSignal(code="assist"))
        for code, hub in hubs.items():
            wait_for(partial(shipped_up_to, admin, code, hub), 20, what=f"{code} shipped")
        own_server.halt()  # as a crash would: pg_ctl stop -m immediate
        for teller in tellers.values():  # the branches keep working, every command accepted
            for _ in range(40):
                teller.accept(RaiseSignal(code="assist", note=NOTE))
        link = tellers["B006"].session.link

        def down() -> bool:
            health = link.hub_health
            return (
                health is not None
                and health.central == "down"
                and health.central_lag_events >= 40
                and health.central_lag_ms > 0
            )

        wait_for(down, 15, tellers["B006"].pump, "the board shows the link down, with its lag")
        own_server.resume()
        for code, hub in hubs.items():
            wait_for(partial(shipped_up_to, admin, code, hub), 30, what=f"{code} caught up")
            assert_same(admin, code, hub)
        wait_for(
            lambda: link.hub_health is not None and link.hub_health.central == "connected",
            15,
            tellers["B006"].pump,
            "the link back",
        )
    finally:
        for teller in tellers.values():
            teller.close()
        for hub in hubs.values():
            hub.stop()
    for hub in hubs.values():
        assert any("head office unreachable" in line for line in hub.log)


def test_a_tampered_central_chain_is_refused_at_both_ends(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B008")
    hub = start_hub(tmp_path, "B008", "south", role_url(admin, "B008"))
    teller = TestStation(load_branch(tmp_path / "B008" / "B008.toml"), "C01", hub.endpoint, ctx)
    try:
        for _ in range(5):
            teller.accept(RaiseSignal(code="assist"))
        wait_for(partial(shipped_up_to, admin, "B008", hub), 20, what="shipped")
        engine = create_engine(admin)
        with engine.begin() as conn:  # someone edits head office's copy of the last row
            last = conn.execute(text("SELECT last_seq FROM chain_marks")).scalar()
            conn.execute(
                text("UPDATE events SET hash = :h WHERE branch = 'B008' AND seq = :s"),
                {"h": hashlib.sha256(b"edited").digest(), "s": last},
            )
        engine.dispose()
        teller.accept(RaiseSignal(code="assist"))
        link = teller.session.link
        wait_for(
            lambda: link.hub_health is not None and link.hub_health.central == "refused",
            15,
            teller.pump,
            "the board shows head office refused the chain",
        )
        teller.accept(RaiseSignal(code="assist"))  # the branch itself goes on
    finally:
        teller.close()
        hub.stop()
    assert any("head office refused the journal" in line for line in hub.log)
    assert f"the stored row at seq {last} was altered" in pg_server.server_log()
    assert max(r[1] for r in central_rows(admin, "B008")) == last  # nothing after the break


def central_mark(admin_url: str, code: str) -> int:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT last_seq FROM chain_marks WHERE branch = :b"), {"b": code}
            ).scalar()
    finally:
        engine.dispose()
    return int(found or 0)


def stored_at_least(admin_url: str, code: str, seq: int) -> bool:
    return central_mark(admin_url, code) >= seq


def test_a_shipper_killed_mid_catch_up_resumes_from_the_central_mark(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    """SIGKILL between central commits (and whatever the hub kept): the restarted hub
    ships from the central mark, nothing lost, nothing twice."""
    admin = pg_server.database()
    setup_central(admin, "B009")
    folder = tmp_path / "B009"
    folder.mkdir()
    config = branch_config(folder, "B009", "east", batch=10, rate=40)  # a slow catch-up
    db = f"sqlite:///{folder / 'journal.sqlite'}"
    port = free_port_pair()
    hub = HubProcess(db, port, config=config).start()  # the WAN is not there yet
    teller = TestStation(load_branch(config), "C01", hub.endpoint, ctx)
    try:
        for _ in range(120):
            teller.accept(RaiseSignal(code="assist"))
    finally:
        teller.close()
        hub.stop()
    central = ["--central", role_url(admin, "B009")]
    for _ in range(2):  # killed twice, each time after some batches are stored
        hub = HubProcess(db, port, config=config, extra=central).start()
        goal = central_mark(admin, "B009") + 20
        wait_for(partial(stored_at_least, admin, "B009", goal), 20, what="some batches")
        hub.kill()
    assert central_mark(admin, "B009") < 120  # it was still catching up
    hub = HubProcess(db, port, config=config, extra=central).start()
    try:
        wait_for(partial(shipped_up_to, admin, "B009", hub), 30, what="caught up")
    finally:
        hub.stop()
    assert_same(admin, "B009", hub)


def test_ship_personal_sends_whole_bodies_and_head_office_recomputes_each_hash(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B010:east")
    folder = tmp_path / "B010"
    folder.mkdir()
    config = branch_config(folder, "B010", "east", more="ship_personal = true\n")
    db = f"sqlite:///{folder / 'journal.sqlite'}"
    extra = ["--central", role_url(admin, "B010")]
    hub = HubProcess(db, free_port_pair(), config=config, extra=extra).start()
    teller = TestStation(load_branch(config), "C01", hub.endpoint, ctx)
    try:
        for _ in range(5):
            teller.accept(RaiseSignal(code="assist", note=NOTE, ticket=TICKET))
        wait_for(partial(shipped_up_to, admin, "B010", hub), 20, what="shipped")
    finally:
        teller.close()
        hub.stop()
    assert_same(admin, "B010", hub)
    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        journal = [bytes(b) for (b,) in conn.execute("SELECT body FROM events ORDER BY seq")]
    assert [bytes(r[6]) for r in central_rows(admin, "B010")] == journal  # whole, as journaled
    engine = create_engine(admin)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT bool_and(personal) FROM events")).scalar()
        assert conn.execute(text("SELECT max(ticket) FROM signals")).scalar() == TICKET
    engine.dispose()


def test_a_branch_pointed_at_an_empty_database_waits_for_head_office_then_ships(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    """As a new user would: the branch is set up first, head office's server later."""
    admin = pg_server.database()
    engine = create_engine(admin)
    with engine.begin() as conn:
        conn.execute(text("DROP ROLE IF EXISTS lobbylink_branch_b011"))
        conn.execute(text("CREATE ROLE lobbylink_branch_b011 LOGIN"))  # no rights yet
    engine.dispose()
    hub = start_hub(tmp_path, "B011", "east", role_url(admin, "B011"))
    teller = TestStation(load_branch(tmp_path / "B011" / "B011.toml"), "C01", hub.endpoint, ctx)
    try:
        for _ in range(5):
            teller.accept(RaiseSignal(code="assist"))  # the branch works meanwhile
        wait_for(
            lambda: any("run `lobbylink central init` there" in x for x in hub.log),
            15,
            what="the hub saying what head office must do",
        )
        setup_central(admin, "B011:east")  # add-branch adopts the existing role
        wait_for(partial(shipped_up_to, admin, "B011", hub), 20, what="shipped")
    finally:
        teller.close()
        hub.stop()
    assert_same(admin, "B011", hub)


def test_an_administrators_url_on_an_empty_database_creates_the_schema(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    """A development set-up: the shipper meets an empty database with a role that may
    create, and creates the schema as ``central init`` would."""
    admin = pg_server.database()
    hub = start_hub(tmp_path, "B012", "east", admin)
    teller = TestStation(load_branch(tmp_path / "B012" / "B012.toml"), "C01", hub.endpoint, ctx)
    try:
        for _ in range(3):
            teller.accept(RaiseSignal(code="assist"))
        wait_for(partial(shipped_up_to, admin, "B012", hub), 20, what="shipped")
    finally:
        teller.close()
        hub.stop()
    assert_same(admin, "B012", hub)
    assert any("created the central schema" in line for line in hub.log)


def test_a_shipper_session_asks_the_server_to_give_up_on_it(pg_server: PgServer) -> None:
    """A branch gone unseen in the middle of a batch (its WAN down) must not hold the
    chain mark's row for hours: the shipper's sessions set the server's idle-in-
    transaction timeout and its TCP keepalive for themselves (found by the fault test,
    tests/integration/test_fault_central.py); other central engines leave them alone."""
    from app.central.db import make_engine
    from app.central.shipper import IDLE_IN_TRANSACTION_S

    admin = pg_server.database()
    names = (
        "idle_in_transaction_session_timeout",
        "tcp_keepalives_idle",
        "tcp_keepalives_interval",
        "tcp_keepalives_count",
        "tcp_user_timeout",
    )
    query = text("SELECT " + ", ".join(f"current_setting('{n}')" for n in names))
    shipper = make_engine(admin, timeout_s=5, idle_in_transaction_s=IDLE_IN_TRANSACTION_S)
    plain = make_engine(admin)
    try:
        with shipper.connect() as conn:
            assert tuple(conn.execute(query).one()) == ("1min", "30", "10", "3", "30000")
        with plain.connect() as conn:
            assert conn.execute(query).one()[0] == "0"
    finally:
        shipper.dispose()
        plain.dispose()
