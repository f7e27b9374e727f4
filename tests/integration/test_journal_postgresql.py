"""A hub journal on a branch's own PostgreSQL, as docs/operations.md sets it up: the hub
runs as a role that owns its database (no superuser), started with the bare
``postgresql://`` URL; an auditor's role with SELECT only can verify and report it, and
cannot archive (which deletes) — one line, nothing lost."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
import zmq
from sqlalchemy import create_engine, text

from app.devtools.pgserver import PgServer, _bin
from app.domain.config import Branch
from app.domain.events import Acknowledge, RaiseSignal, Resolve
from app.domain.timeday import local_time
from app.hub.service import WATCH_S
from app.hub.writer_lock import JournalTaken, WriterLock
from messaging.envelope import Accepted
from tests.helpers import (
    HubProcess,
    TestStation,
    free_port_pair,
    journal_exec,
    journal_rows,
    wait_for,
)
from tests.integration.test_cli import lobbylink


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
    journal_exec(
        hub_url,
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO lobbylink_audit",
    )
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


def _pg_ctl(server: PgServer, *argv: str) -> None:
    server._run(_bin("pg_ctl"), "-D", str(server.data), *argv)


def test_server_stopped_under_the_hub_loses_nothing_acknowledged(
    branch: Branch, ctx: zmq.Context, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``pg_ctl stop -m immediate`` (a crash of the server) while the hub runs: commands
    are refused (journal_unavailable; the station keeps them), never acknowledged
    unstored; once the server is back they are stored once each and the hub goes on."""
    server = PgServer().start()  # its own server: this one is stopped
    try:
        url = server.database()
        hub = HubProcess(url, free_port_pair()).start()
        teller = TestStation(branch, "C01", hub.endpoint, ctx)
        try:
            teller.accept(RaiseSignal(code="assist", note="before"))
            _pg_ctl(server, "-m", "immediate", "stop")
            during = teller.session.send(RaiseSignal(code="cash", note="during"))
            end = time.monotonic() + 3
            while time.monotonic() < end:
                teller.pump()
                time.sleep(0.01)
            assert during not in teller.replies, "nothing acknowledged while the server is down"
            said = [r.getMessage() for r in caplog.records if "deferred" in r.getMessage()]
            assert any("database server cannot be reached" in m for m in said), said
            options = f"-p {server.port} -k {server.root} -c listen_addresses=127.0.0.1"
            _pg_ctl(server, "-o", options, "-l", str(server.root / "log"), "-w", "start")
            wait_for(lambda: during in teller.replies, 30, teller.pump, "stored after the restart")
            assert isinstance(teller.replies[during], Accepted)
            teller.accept(RaiseSignal(code="assist", note="after"))
        finally:
            teller.close()
            assert hub.stop() == 0
        notes = journal_rows(url, "SELECT note FROM signals ORDER BY signal_id")
        assert notes == [("before",), ("during",), ("after",)]
        assert lobbylink("verify", "--db", url).returncode == 0
    finally:
        server.stop()


def test_a_server_out_of_reach_at_start_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://lobbylink_hub@127.0.0.1:{port}/lobbylink_journal"
    out = lobbylink("hub", "--db", url, "--listen", f"127.0.0.1:{free_port_pair()}", "--insecure")
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "database server cannot be reached" in out.stderr


def test_the_writer_lock_is_taken_again_after_a_server_restart() -> None:
    """A restart of PostgreSQL ends the session holding the advisory lock; the hub's
    check() takes it again (a second hub is then refused), says while the server is
    down, and says when another hub got it first."""
    server = PgServer().start()
    options = f"-p {server.port} -k {server.root} -c listen_addresses=127.0.0.1"

    def restart() -> None:
        _pg_ctl(server, "-m", "immediate", "stop")
        _pg_ctl(server, "-o", options, "-l", str(server.root / "log"), "-w", "start")

    try:
        url = server.database()
        mine = WriterLock(url)
        mine.acquire()
        mine.check()  # held: nothing to do
        restart()
        probe = WriterLock(url)
        probe.acquire()  # the gap: the restart dropped the lock, nobody holds it
        probe.release()
        mine.check()  # taken again on a new session
        with pytest.raises(JournalTaken):
            WriterLock(url).acquire()

        _pg_ctl(server, "-m", "immediate", "stop")
        with pytest.raises(OSError, match="cannot be reached"):
            mine.check()
        _pg_ctl(server, "-o", options, "-l", str(server.root / "log"), "-w", "start")
        mine.check()
        with pytest.raises(JournalTaken):
            WriterLock(url).acquire()

        restart()
        other = WriterLock(url)
        other.acquire()  # another hub got there first
        with pytest.raises(JournalTaken, match="in use by another hub"):
            mine.check()
        other.release()
        mine.release()
    finally:
        server.stop()


def test_a_running_hub_takes_its_lock_again_after_a_server_restart() -> None:
    """The hub checks its lock every few seconds: after a restart of the server, a second
    hub on the same journal is refused again (never two writers for long)."""
    server = PgServer().start()
    options = f"-p {server.port} -k {server.root} -c listen_addresses=127.0.0.1"
    try:
        url = server.database()
        hub = HubProcess(url, free_port_pair()).start()
        try:
            _pg_ctl(server, "-m", "immediate", "stop")
            _pg_ctl(server, "-o", options, "-l", str(server.root / "log"), "-w", "start")

            time.sleep(WATCH_S + 1.5)  # the hub's next look at its lock, the server back
            other = HubProcess(url, free_port_pair(), insecure=True)
            out = lobbylink(*other.command()[3:], timeout=30)  # a hub that got in never ends
            assert out.returncode == 2 and "in use by another hub" in out.stderr, out.stderr
            assert hub.proc is not None and hub.proc.poll() is None  # still serving
        finally:
            hub.stop()
    finally:
        server.stop()
