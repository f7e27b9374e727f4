"""A hub journal on a branch's own PostgreSQL, as docs/operations.md sets it up: the hub
runs as a role that owns its database (no superuser), started with the bare
``postgresql://`` URL; an auditor's role with SELECT only can verify and report it, and
cannot archive (which deletes) — one line, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

import zmq
from sqlalchemy import create_engine, text

from app.domain.config import Branch
from app.domain.events import Acknowledge, RaiseSignal, Resolve
from app.domain.timeday import local_time
from tests.helpers import HubProcess, TestStation, free_port_pair, journal_exec, journal_rows
from tests.integration.test_cli import lobbylink
from tests.pgserver import PgServer


def as_superuser(pg_server: PgServer, *statements: str, database: str = "postgres") -> None:
    engine = create_engine(f"{pg_server.url}/{database}", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def test_hub_as_owner_role_and_an_auditor_that_only_reads(
    pg_server: PgServer, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> None:
    as_superuser(
        pg_server,
        "CREATE ROLE lobbylink_hub LOGIN",
        "CREATE ROLE lobbylink_audit LOGIN",
        "CREATE DATABASE lobbylink_journal OWNER lobbylink_hub",
    )
    host = f"127.0.0.1:{pg_server.port}"
    hub_url = f"postgresql://lobbylink_hub@{host}/lobbylink_journal"
    audit_url = f"postgresql://lobbylink_audit@{host}/lobbylink_journal"
    hub = HubProcess(hub_url, free_port_pair(), keys_dir=tmp_path / "keys").start()
    try:
        teller = TestStation(branch, "C01", hub.endpoint, ctx)
        lobby = TestStation(branch, "L1", hub.endpoint, ctx)
        try:
            sid = teller.accept(RaiseSignal(code="assist", note="打印机卡纸"))
            lobby.accept(Acknowledge(signal_id=sid))
            lobby.accept(Resolve(signal_id=sid))
        finally:
            teller.close()
            lobby.close()
    finally:
        assert hub.stop() == 0
    owner = journal_rows(
        f"{pg_server.url}/lobbylink_journal",
        "SELECT tableowner FROM pg_tables WHERE tablename = 'events'",
    )
    assert owner == [("lobbylink_hub",)], "the hub made its tables as its own role"
    # the owner grants the auditor reading, as docs/operations.md says
    journal_exec(hub_url, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO lobbylink_audit")
    ((events, first_ms),) = journal_rows(audit_url, "SELECT count(*), min(hub_ts_ms) FROM events")
    ok = lobbylink("verify", "--db", audit_url)
    assert ok.returncode == 0 and "journal OK:" in ok.stdout, ok.stderr
    local = local_time(first_ms, branch.timezone).date().isoformat()
    out = lobbylink("report", "--db", audit_url, "--day", local, "--by", "type", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["total"]["signals"] == 1

    refused = lobbylink(
        "archive", "--db", audit_url, "--before", "2999-01-01", "--to", str(tmp_path / "a.sqlite")
    )
    assert refused.returncode == 2, refused.stderr
    assert "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "permission denied" in refused.stderr or "read-only" in refused.stderr
    assert "was removed" in refused.stderr, refused.stderr
    assert not (tmp_path / "a.sqlite").exists(), "no copy of rows the journal still holds"
    assert journal_rows(audit_url, "SELECT count(*) FROM events") == [(events,)]
