"""The chain head held outside the hub PC: the hub publishes it in its heartbeats, a
station keeps it in its outbox, and ``verify --witness-from`` finds rows deleted at the
journal's head with it, which the chain alone cannot see."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import zmq

from app.domain.config import Branch
from app.domain.events import RaiseSignal
from messaging.envelope import T_HEARTBEAT, Envelope
from messaging.outbox import Outbox, read_heads
from tests.helpers import HubProcess, TestStation, free_port_pair, wait_for
from tests.integration.test_cli import lobbylink
from tests.integration.test_verify_readonly import make_journal


def journal_head(path: Path) -> tuple[int, bytes] | None:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    conn.close()
    return None if row is None else (int(row[0]), bytes(row[1]))


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def count_heartbeats(station: TestStation) -> list[int]:
    """Every heartbeat the station's link handles appends its seq to the list returned."""
    link = station.session.link
    seen: list[int] = []
    handle = link._from_sub[T_HEARTBEAT]

    def counted(env: Envelope) -> None:
        seen.append(env.seq)
        handle(env)

    link._from_sub[T_HEARTBEAT] = counted
    return seen


def test_the_station_keeps_the_head_and_verify_finds_rows_trimmed_at_it(
    tmp_path: Path, branch: Branch, ctx: zmq.Context
) -> None:
    db = tmp_path / "journal.sqlite"
    url = f"sqlite:///{db}"
    port = free_port_pair()
    outbox = tmp_path / "outbox-C01.sqlite"
    hub = HubProcess(url, port).start()
    teller = TestStation(branch, "C01", hub.endpoint, ctx, outbox=Outbox(outbox))
    try:
        for n in range(6):
            teller.accept(RaiseSignal(code="assist", staff="lina", note=f"customer {n}"))
        link = teller.session.link
        wait_for(
            lambda: link.witness is not None and link.witness == journal_head(db),
            15,
            teller.pump,
            "the station's witness at the journal's head",
        )
        assert link.witness is not None
        seq, digest = link.witness
    finally:
        teller.close()
        hub.stop()
    witnessed = f"{seq}:{digest.hex()}"
    assert read_heads(outbox)[-1].text() == witnessed, "kept in the outbox file"
    printed = lobbylink("witness", "--outbox", str(outbox))
    assert printed.returncode == 0 and printed.stdout.strip() == witnessed, printed.stderr
    ok = lobbylink("verify", "--db", str(db), "--witness-from", str(outbox))
    assert ok.returncode == 0 and "witness OK" in ok.stdout, ok.stderr

    # The newest rows deleted (say, a duress signal and what followed), hub stopped.
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM events WHERE seq > ?", (seq - 3,))
        conn.execute("DELETE FROM signals WHERE signal_id > ?", (seq - 3,))
    conn.close()
    alone = lobbylink("verify", "--db", str(db))
    assert alone.returncode == 0, "the chain alone passes: " + alone.stderr
    done = lobbylink("verify", "--db", str(db), "--witness-from", str(outbox))
    assert done.returncode == 1, done.stderr
    assert f"rows {seq - 2} to {seq} are missing" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr

    # The hub restarted on the trimmed journal (same epoch): the station sees the head
    # go back, says so once, loudly, and keeps both heads.
    records = Records()
    wire = logging.getLogger("lobbylink.wire")
    wire.addHandler(records)
    hub = HubProcess(url, port).start()
    teller = TestStation(branch, "C01", hub.endpoint, ctx, outbox=Outbox(outbox))
    try:
        beats = count_heartbeats(teller)
        link = teller.session.link
        wait_for(
            lambda: link.witness is not None and link.witness[0] < seq,
            15,
            teller.pump,
            "the head gone back",
        )
        wait_for(lambda: len(beats) >= 4, 15, teller.pump, "more heartbeats")
    finally:
        teller.close()
        hub.stop()
        wire.removeHandler(records)
    alarms = [line for line in records.lines if "SECURITY" in line]
    assert len(alarms) == 1, records.lines
    assert f"went back from {witnessed}" in alarms[0], alarms[0]
    kept = [h.text() for h in read_heads(outbox)]
    assert witnessed in kept and kept[-1] != witnessed, kept
    again = lobbylink("verify", "--db", str(db), "--witness-from", str(outbox))
    assert again.returncode == 1 and f"{seq - 2} to {seq}" in again.stderr, again.stderr


def test_an_untouched_journal_passes_and_bad_paths_are_one_line(
    tmp_path: Path, branch: Branch, ctx: zmq.Context
) -> None:
    db = tmp_path / "journal.sqlite"
    port = free_port_pair()
    outbox = tmp_path / "outbox-L1.sqlite"
    hub = HubProcess(f"sqlite:///{db}", port).start()
    lobby = TestStation(branch, "L1", hub.endpoint, ctx, outbox=Outbox(outbox))
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    try:
        sid = teller.accept(RaiseSignal(code="assist", staff="lina", note="big withdrawal"))
        link = lobby.session.link
        wait_for(
            lambda: link.witness is not None and link.witness[0] >= sid,
            15,
            lobby.pump,
            "L1 to keep a head at the raise",
        )
        more = teller.accept(RaiseSignal(code="assist", staff="lina", note="and another"))
        lobby.sync_to(more)
    finally:
        lobby.close()
        teller.close()
        hub.stop()
    ok = lobbylink("verify", "--db", str(db), "--witness-from", str(outbox))
    assert ok.returncode == 0 and "witness OK" in ok.stdout, ok.stderr
    listed = lobbylink("witness", "--outbox", str(outbox), "--all")
    assert listed.returncode == 0 and "epoch" in listed.stdout, listed.stderr

    # another journal (another epoch): the station never saw it
    other = tmp_path / "other.sqlite"
    make_journal(other, 3)
    done = lobbylink("verify", "--db", str(other), "--witness-from", str(outbox))
    assert done.returncode == 1 and "epoch" in done.stderr, done.stderr

    for argv, says in (
        (["verify", "--db", str(db), "--witness-from", str(tmp_path / "none.sqlite")], "no outbox"),
        (["verify", "--db", str(db), "--witness-from", str(db)], "not a station outbox"),
        (["witness", "--outbox", str(tmp_path)], "--outbox: there is no outbox file"),
        (["witness", "--outbox", str(tmp_path / "none.sqlite")], "no outbox file"),
    ):
        out = lobbylink(*argv)
        assert out.returncode == 2 and says in out.stderr, (argv, out.stderr)
        assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.sqlite").exists(), "never made"


def test_a_station_written_from_the_doc_can_keep_the_head(
    tmp_path: Path, branch: Branch, ctx: zmq.Context
) -> None:
    """docs/protocol.md §5.5 and §9.5 alone: a plain SUB reads the head from a heartbeat,
    and the chain recomputed from the journal's rows ends in it."""
    import hashlib

    import msgspec

    db = tmp_path / "journal.sqlite"
    hub = HubProcess(f"sqlite:///{db}", free_port_pair(), insecure=True).start()
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"hb")
    sub.connect(f"tcp://127.0.0.1:{hub.port + 1}")
    try:
        last = teller.accept(RaiseSignal(code="assist", staff="lina", note="at the doc"))
        payload: dict[str, object] = {}

        def heard() -> bool:
            nonlocal payload
            if not sub.poll(50):
                return False
            _topic, body = sub.recv_multipart()
            envelope = msgspec.msgpack.decode(body)
            payload = envelope["payload"]
            return int(envelope["seq"]) >= last and "head_hash" in payload

        wait_for(heard, 15, teller.pump, "a heartbeat with the head")
    finally:
        sub.close(0)
        teller.close()
        hub.stop()
    assert payload["head_seq"] == payload["last_seq"]
    head_hash = payload["head_hash"]
    assert isinstance(head_hash, bytes) and len(head_hash) == 32
    prev = bytes(32)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT seq, body FROM events ORDER BY seq").fetchall()
    conn.close()
    for seq, body in rows:
        prev = hashlib.sha256(prev + int(seq).to_bytes(8, "big") + bytes(body)).digest()
        if seq == payload["head_seq"]:
            assert prev == head_hash, "the head is the chain's hash at head_seq"
            return
    raise AssertionError(f"no row {payload['head_seq']} in the journal")


def test_heads_of_archived_rows_are_checked_in_the_archive(tmp_path: Path, branch: Branch) -> None:
    from messaging.outbox import Head
    from tests.integration.test_reports_cli import _journal

    url = _journal(tmp_path, branch)
    path = Path(url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        (epoch,) = conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
        hashes = dict(conn.execute("SELECT seq, hash FROM events"))
    conn.close()
    last = max(hashes)
    outbox = tmp_path / "outbox-C01.sqlite"
    box = Outbox(outbox)  # what a station kept: a head of the first rows, and the newest
    box.keep_head(Head(epoch, 2, bytes(hashes[2]), 1), new_row=True)
    box.keep_head(Head(epoch, last, bytes(hashes[last]), 2), new_row=True)
    box.close()
    target = tmp_path / "old.sqlite"
    out = lobbylink("archive", "--db", url, "--before", "2026-03-09", "--to", str(target))
    assert out.returncode == 0, out.stderr

    alone = lobbylink("verify", "--db", url, "--witness-from", str(outbox))
    assert alone.returncode == 1 and "trimmed" in alone.stderr, alone.stderr
    both = lobbylink("verify", "--db", url, "--archive", str(target), "--witness-from", str(outbox))
    assert both.returncode == 0 and "witness OK" in both.stdout, both.stderr
    archive = lobbylink("verify", "--db", f"sqlite:///{target}", "--witness-from", str(outbox))
    assert archive.returncode == 0, archive.stderr
    assert f"note: {last}:" in archive.stdout and "past this archive's end" in archive.stdout

    with sqlite3.connect(target) as conn:  # the archived row the station saw, rewritten
        conn.execute("UPDATE events SET hash = zeroblob(32) WHERE seq = 2")
    conn.close()
    bad = lobbylink("verify", "--db", url, "--archive", str(target), "--witness-from", str(outbox))
    assert bad.returncode == 1 and "in the archive: witnessed with another hash" in bad.stderr
