"""Archiving a branch that ships: ``lobbylink archive`` never deletes a row head office
has not received, so the shipper always finds what it has still to send.

Real parts: a throw-away PostgreSQL (app.devtools.pgserver) set up as head office runs it, a
branch hub process shipping with its own branch role, the SQLite journal, the CLI.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

import zmq

from app.devtools.pgserver import PgServer
from app.domain.config import load_branch
from app.domain.events import Cancel, RaiseSignal
from app.domain.timeday import local_time
from tests.helpers import HubProcess, TestStation, free_port_pair, wait_for
from tests.integration.test_central_ship import (
    branch_config,
    central_mark,
    epoch_of,
    role_url,
    setup_central,
    shipped_up_to,
)
from tests.integration.test_cli import lobbylink


def tomorrow(config: str) -> str:
    """The day after the branch's today: every row so far is before it."""
    branch = load_branch(config)
    today = local_time(int(time.time() * 1000), branch.timezone).date()
    return str(today + timedelta(days=1))


def busy_branch(tmp_path: Path, code: str, ctx: zmq.Context, signals: int, more: str = ""):
    """A branch whose hub journaled ``signals`` signals raised and cancelled, not shipped."""
    folder = tmp_path / code
    folder.mkdir()
    config = branch_config(folder, code, "east", batch=10, more=more)
    db = f"sqlite:///{folder / 'journal.sqlite'}"
    port = free_port_pair()
    hub = HubProcess(db, port, config=config).start()  # not shipping yet
    teller = TestStation(load_branch(config), "C01", hub.endpoint, ctx)
    try:
        for _ in range(signals):
            teller.accept(Cancel(signal_id=teller.accept(RaiseSignal(code="assist"))))
    finally:
        teller.close()
        hub.stop()
    return config, db, port, hub


def ship_some(db: str, admin: str, code: str, config: str, epoch: str, rows: int) -> int:
    """Head office receives the journal's first ``rows`` rows (the shipper's own batch)."""
    from app.central.shipper import Shipper

    branch = load_branch(config)
    shipper = Shipper(db, role_url(admin, code), branch, epoch, branch.config.central)
    engine = shipper._engine()
    try:
        seq, digest = shipper._mark(engine)
        return shipper._ship(engine, shipper._read(seq, rows), digest)[0]
    finally:
        engine.dispose()


def journal_seqs(db: str) -> list[int]:
    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        return [s for (s,) in conn.execute("SELECT seq FROM events ORDER BY seq")]


def test_archive_keeps_what_head_office_lacks_and_takes_it_once_shipped(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B020:east")
    config, db, port, hub = busy_branch(tmp_path, "B020", ctx, signals=20)
    epoch = epoch_of(hub)
    newest = journal_seqs(db)[-1]
    assert ship_some(db, admin, "B020", config, epoch, 15) == central_mark(admin, "B020") == 15
    before = tomorrow(config)
    central = ["--central", role_url(admin, "B020")]
    first = tmp_path / "first.sqlite"
    out = lobbylink("archive", "--db", db, "--config", config, "--before", before, "--to",
                    str(first), *central)  # fmt: skip
    assert out.returncode == 2, out.stderr
    assert "archived rows 1 to 15 " in out.stdout, out.stdout
    # the cut-off alone would take every row but the last signal's two (the newest row
    # stays, the hub numbers after it; a signal is never split)
    assert out.stderr.strip().splitlines() == [
        f"lobbylink archive: kept {newest - 2 - 15} events head office has not received "
        "yet (it holds this journal up to seq 15); archive again once it has them"
    ]
    assert journal_seqs(db)[0] == 16  # nothing head office lacks was deleted
    ok = lobbylink("verify", "--db", db, "--config", config, "--archive", str(first))
    assert ok.returncode == 0, ok.stderr

    # the hub ships the rest: no gap (before, it refused "archived before they were shipped?")
    hub = HubProcess(db, port, config=config, extra=central).start()
    try:
        wait_for(partial(shipped_up_to, admin, "B020", hub), 20, what="caught up")
    finally:
        hub.stop()
    assert not any("archived before they were shipped" in line for line in hub.log)
    assert not any("refused" in line for line in hub.log)
    mark = central_mark(admin, "B020")
    assert mark >= newest

    second = tmp_path / "second.sqlite"
    out = lobbylink("archive", "--db", db, "--config", config, "--before", before, "--to",
                    str(second), *central)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "archived rows 16 to " in out.stdout and "kept" not in out.stderr, out
    assert journal_seqs(db) == [newest - 1, newest]  # the last signal, raised and cancelled
    for archive in (first, second):
        ok = lobbylink("verify", "--db", f"sqlite:///{archive}", "--config", config)
        assert ok.returncode == 0, ok.stderr
    ok = lobbylink("verify", "--db", db, "--config", config, "--archive", str(second))
    assert ok.returncode == 0, ok.stderr


def test_head_office_down_nothing_unshipped_is_archived(
    pg_server: PgServer, tmp_path: Path, ctx: zmq.Context
) -> None:
    admin = pg_server.database()
    setup_central(admin, "B021:east")
    gone = admin.rsplit(":", 1)[0] + f":{free_port_pair()}/nothing"  # no server there
    down = role_url(gone, "B021")
    config, db, _port, _hub = busy_branch(tmp_path, "B021", ctx, signals=5,
                                          more=f'url = "{down}"\n')  # fmt: skip
    rows = journal_seqs(db)
    before = tomorrow(config)
    target = tmp_path / "old.sqlite"
    out = lobbylink("archive", "--db", db, "--config", config, "--before", before,
                    "--to", str(target))  # fmt: skip  # [central] url from the config
    assert out.returncode == 2, out.stderr
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith("lobbylink archive: head office cannot be asked what it holds ("), line
    assert f"nothing archived before {before}" in line and "Traceback" not in out.stderr
    assert journal_seqs(db) == rows and not target.exists()

    # head office reachable, but this journal never shipped: nothing is known shipped
    out = lobbylink("archive", "--db", db, "--config", config, "--before", before,
                    "--to", str(target), "--central", role_url(admin, "B021"))  # fmt: skip
    assert out.returncode == 2 and f"kept {len(rows) - 2} events" in out.stderr, out.stderr
    assert "nothing to archive" not in out.stdout
    assert journal_seqs(db) == rows and not target.exists()

    # the administrator's word, loudly: archived up to the cut-off, head office unasked
    out = lobbylink("archive", "--db", db, "--config", config, "--before", before,
                    "--to", str(target), "--ignore-central")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "WARNING: --ignore-central" in out.stderr and "never reach it" in out.stderr
    assert journal_seqs(db) == rows[-2:]
    ok = lobbylink("verify", "--db", db, "--config", config, "--archive", str(target))
    assert ok.returncode == 0, ok.stderr
