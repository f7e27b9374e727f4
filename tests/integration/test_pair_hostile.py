"""A standby pair of hubs tried with hostile faults and inputs (issue 14).

Real hub processes on 127.0.0.1 (the ``Pair`` of test_pair.py), real SQLite journals.
Each scenario asserts one of the pair's promises (docs/reliability.md, "Standby hub"):
nothing acknowledged is lost; nothing is journaled twice; never two hubs accepting
commands at once (``check_pair_journals`` on both journals at the end); a bad input costs
a log line, never the hub; the old primary never serves after a takeover unless handed
over. Timings are never asserted; waits only bound how long a test may hang.

Followed: Jepsen's habit of checking the history (the journals) rather than the nodes'
word, and its nemeses (kill, pause with SIGSTOP, restarts in odd orders).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest
import zmq

from app.devtools.faults.pair import check_pair_journals
from app.domain.config import Branch
from app.domain.events import RaiseSignal
from app.domain.record import EventRow
from app.hub import pairwire
from app.hub.chain import link
from app.hub.journal import Journal
from app.hub.pairport import PAIR_OFFSET, client_socket
from messaging import keys as keyfiles
from messaging.envelope import Accepted
from messaging.outbox import Outbox
from tests.helpers import ROOT, TestStation, journal_rows, wait_for
from tests.integration.test_pair import Pair, pair_cli, rows, send, started

pytestmark = pytest.mark.timeout(120)


# Helpers ------------------------------------------------------------------------------------
def addr(pair: Pair, name: str) -> str:
    return f"127.0.0.1:{pair.ports[name]}"


def assert_clean(pair: Pair) -> None:
    """The two journals tell one story, written by one hub at a time."""
    report = check_pair_journals(pair.urls["a"], pair.urls["b"])
    assert report.ok, report.problems


def alive(pair: Pair, name: str) -> bool:
    proc = pair.hubs[name].proc
    return proc is not None and proc.poll() is None


def msg_ids(pair: Pair, name: str) -> list[str]:
    return [
        m
        for (m,) in journal_rows(
            pair.urls[name], "SELECT msg_id FROM events WHERE msg_id IS NOT NULL"
        )
    ]


def raised(pair: Pair, hub: str, station: str = "C01", timeout: float = 20) -> int:
    """Raise a signal through ``hub`` (one or both hubs); its signal id."""
    done = send(pair, hub, station, "raise", "assist", timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr[-800:]
    return int(done.stdout.strip())


def signal_ids(pair: Pair, name: str) -> list[int]:
    return [
        int(s)
        for (s,) in journal_rows(
            pair.urls[name], "SELECT signal_id FROM events WHERE kind = 'signal_raised'"
        )
    ]


def in_step(pair: Pair) -> None:
    try:
        wait_for(lambda: rows(pair, "a") == rows(pair, "b"), 20, what="the two journals equal")
    except AssertionError as exc:
        tails = "\n".join(
            f"{n}: "
            + "\n".join([ln for ln in pair.hubs[n].log if "differs at seq" not in ln][-40:])
            for n in ("a", "b")
        )
        raise AssertionError(f"{exc}\n{tails}") from None


def standby_said(pair: Pair, name: str) -> str:
    """The last thing the hub's log said of its standby (away, in_sync, catching_up)."""
    said = [line for line in pair.hubs[name].log if " standby hub " in line]
    return said[-1].split(" standby hub ", 1)[1] if said else ""


def no_duplicates(pair: Pair, name: str) -> None:
    ids = msg_ids(pair, name)
    assert len(ids) == len(set(ids)), sorted(m for m in ids if ids.count(m) > 1)


def stop(pair: Pair) -> None:
    """Stop both hubs, and close the log pipe of one that died on its own too."""
    pair.stop()
    for hub in pair.hubs.values():
        hub.stop()


def mark(pair: Pair, name: str) -> int:
    """How many log lines the hub has written so far (its log spans its restarts)."""
    return len(pair.hubs[name].log)


def log_since(pair: Pair, name: str, at: int) -> str:
    return "\n".join(pair.hubs[name].log[at:])


# Hostile input on the pair port -------------------------------------------------------------
def test_a_client_without_the_hub_key_is_refused_and_costs_nothing(
    tmp_path: Path, branch: Branch, ctx: zmq.Context
) -> None:
    pair = started(Pair(tmp_path, branch))
    try:
        raised(pair, addr(pair, "a"))
        # a station's key, a stranger's key, and no CURVE at all, each with garbage
        other = tmp_path / "other"
        keyfiles.init(other, ["C01"])
        for folder in (pair.keys, other):
            station = keyfiles.station_keys(folder, "C01")
            sock = ctx.socket(zmq.DEALER)
            sock.setsockopt(zmq.LINGER, 0)
            sock.setsockopt(zmq.CURVE_SERVERKEY, keyfiles.hub_keys(pair.keys).public)
            sock.setsockopt(zmq.CURVE_PUBLICKEY, station.own.public)
            sock.setsockopt(zmq.CURVE_SECRETKEY, station.own.secret)
            sock.connect(f"tcp://127.0.0.1:{pair.ports['a'] + PAIR_OFFSET}")
            for _ in range(5):
                sock.send(pairwire.encode(pairwire.Admin(action="handover")), zmq.NOBLOCK)
            assert not sock.poll(1500), "a non-hub key got an answer on the pair port"
            sock.close(0)
        plain = ctx.socket(zmq.DEALER)
        plain.setsockopt(zmq.LINGER, 0)
        plain.connect(f"tcp://127.0.0.1:{pair.ports['b'] + PAIR_OFFSET}")
        plain.send(b"\x00" * 64, zmq.NOBLOCK)
        plain.close(0)
        # raw TCP garbage at the pair port of both hubs
        import socket as pysocket

        for name in ("a", "b"):
            with pysocket.create_connection(
                ("127.0.0.1", pair.ports[name] + PAIR_OFFSET), timeout=5
            ) as raw:
                raw.sendall(b"GET / HTTP/1.1\r\n\r\n" + os.urandom(4096))
        assert "SECURITY: pair port" in pair.log("a")
        # both alive, A still serves, the pair still in step, no takeover
        assert alive(pair, "a") and alive(pair, "b")
        raised(pair, addr(pair, "a"))
        in_step(pair)
        assert "pair: passive -> active" not in pair.log("b")
        assert_clean(pair)
    finally:
        stop(pair)


def garbage(head_seq: int, head_hash: bytes, term: int) -> list[list[bytes]]:
    """Frames a holder of the hub key might send by mistake (a bug, another version)."""
    enc = msgspec.msgpack.encode
    return [
        [b""],
        [b"\xc1"],  # never valid msgpack
        [os.urandom(300)],
        [enc([1, 2, 3])],
        [enc({"type": "nonsense"})],
        [enc({"type": "beat", "term": "x"})],  # the right tag, wrong types
        [enc({"type": "rows", "term": term, "prev_seq": -5, "prev_hash": b"", "events": [1]})],
        [enc({"type": "ack", "term": term, "seq": 2**64 - 1, "hash": b""})],  # no such seq
        [pairwire.encode(pairwire.Admin(action="format c:"))],
        [pairwire.encode(pairwire.AdminReply(ok=True, text="hi"))],
        [b"one", b"two", b"three"],  # too many frames
        [
            pairwire.encode(
                pairwire.Rows(  # does not extend the head
                    term=term, prev_seq=head_seq + 7, prev_hash=b"x", events=[], replies=[]
                )
            )
        ],
    ]


def garbage_rows(head_seq: int, head_hash: bytes, term: int) -> bytes:
    """Rows that extend the standby's head with a right chain hash, but whose body is
    not an event (a bug of a key holder, or another version's encoding)."""
    body = b"not an envelope at all"
    bad_row = EventRow(
        seq=head_seq + 1,
        hub_ts_ms=int(time.time() * 1000),
        kind="signal_raised",
        station="C01",
        staff="",
        signal_id=None,
        msg_id=None,
        body=body,
        hash=link(head_hash, head_seq + 1, body),
    )
    return pairwire.encode(
        pairwire.Rows(
            term=term, prev_seq=head_seq, prev_hash=head_hash, events=[bad_row], replies=[]
        )
    )


def throw_garbage(
    tmp_path: Path, branch: Branch, ctx: zmq.Context, target: str, rows_too: bool
) -> None:
    """Send every garbage frame to the active (a) or the standby (b) with the right key,
    then check that both hubs live, the active serves and the standby follows."""
    pair = started(Pair(tmp_path, branch))
    try:
        raised(pair, addr(pair, "a"))
        in_step(pair)
        seq, digest = pair.head("b")
        ((meta,),) = journal_rows(pair.urls["b"], "SELECT value FROM meta WHERE key = 'pair'")
        term = int(msgspec.json.decode(meta)["term"])
        keys = keyfiles.hub_keys(pair.keys)
        sock = client_socket(
            ctx, f"tcp://127.0.0.1:{pair.ports[target] + PAIR_OFFSET}", keys, immediate=False
        )
        frames_list = garbage(seq, digest, term)
        if rows_too:
            frames_list.append([garbage_rows(seq, digest, term)])
        try:
            for frames in frames_list:
                sock.send_multipart(frames)
                time.sleep(0.05)
            time.sleep(1.0)
        finally:
            sock.close(0)
        assert alive(pair, "a"), pair.log("a")[-3000:]
        assert alive(pair, "b"), pair.log("b")[-3000:]
        assert "pair port:" in pair.log(target)
        assert "Traceback" not in pair.log(target), pair.log(target)[-3000:]
        # still serving, the standby still in step (what it stored is the active's only)
        raised(pair, addr(pair, "a"))
        in_step(pair)
        assert b"not an envelope" not in b"".join(
            bytes(body) for (body,) in journal_rows(pair.urls["b"], "SELECT body FROM events")
        )
        assert_clean(pair)
    finally:
        stop(pair)


@pytest.mark.parametrize("target", ["a", "b"])
def test_garbage_with_the_hub_key_costs_a_log_line_never_the_hub(
    tmp_path: Path, branch: Branch, ctx: zmq.Context, target: str
) -> None:
    throw_garbage(tmp_path, branch, ctx, target, rows_too=False)


def test_rows_of_garbage_to_the_active_cost_nothing(
    tmp_path: Path, branch: Branch, ctx: zmq.Context
) -> None:
    """The active ignores rows (it follows no one)."""
    throw_garbage(tmp_path, branch, ctx, "a", rows_too=True)


def test_rows_of_garbage_to_the_standby_cost_a_log_line_never_the_hub(
    tmp_path: Path, branch: Branch, ctx: zmq.Context
) -> None:
    throw_garbage(tmp_path, branch, ctx, "b", rows_too=True)


# Restarts in odd orders ----------------------------------------------------------------------
def test_the_backup_started_first_waits_and_the_pair_forms(tmp_path: Path, branch: Branch) -> None:
    pair = Pair(tmp_path, branch)
    try:
        pair.hubs["b"].start()
        refused = send(pair, addr(pair, "b"), "C01", "raise", "assist", timeout=4)
        refused2 = send(pair, addr(pair, "b"), "C01", "raise", "assist", timeout=4)
        assert refused.returncode != 0 and refused2.returncode != 0, "a lone backup served"
        assert alive(pair, "b")
        pair.hubs["a"].start()
        wait_for(lambda: pair.serving("a"), 20, what="the primary serves")
        first = raised(pair, pair.hub_list())
        in_step(pair)
        assert first in signal_ids(pair, "b")
        assert not pair.serving("b")
        assert_clean(pair)
    finally:
        stop(pair)


def test_a_backup_on_an_empty_journal_catches_up_with_a_primary_that_has_events(
    tmp_path: Path, branch: Branch
) -> None:
    pair = Pair(tmp_path, branch)
    try:
        pair.hubs["a"].start()  # alone: it serves once a station asks, saying it is alone
        ids = [raised(pair, addr(pair, "a"), f"C0{i}") for i in (1, 2, 3)]
        assert not Path(pair.urls["b"].removeprefix("sqlite:///")).exists()
        pair.hubs["b"].start()
        in_step(pair)
        wait_for(lambda: standby_said(pair, "a").startswith("in_sync"), 20, what="in step")
        ids.append(raised(pair, addr(pair, "a")))
        in_step(pair)
        pair.hubs["a"].kill()
        ids.append(raised(pair, pair.hub_list(), "C02"))  # the backup takes over
        assert sorted(ids) == sorted(signal_ids(pair, "b")), "acknowledged and lost"
        no_duplicates(pair, "b")
        assert_clean(pair)
    finally:
        stop(pair)


def test_both_hubs_killed_the_old_primary_restarted_first_does_not_serve_a_stale_journal(
    tmp_path: Path, branch: Branch, ctx: zmq.Context
) -> None:
    """A takeover, the new active acknowledges alone (the old primary is dead), then
    it dies too. The old primary comes back first, alone: a station that saw the newer
    events asks it. Serving now would lose what the backup acknowledged."""
    pair = started(Pair(tmp_path, branch))
    teller = None
    try:
        ids = [raised(pair, addr(pair, "a"))]
        in_step(pair)
        pair.hubs["a"].kill()
        teller = TestStation(
            branch,
            "C01",
            [pair.endpoint("a"), pair.endpoint("b")],
            ctx,
            Outbox(tmp_path / "C01.sqlite"),
        )
        seq = teller.accept(RaiseSignal(code="cash"))  # on the backup, alone
        teller.sync_to(seq)
        ids = signal_ids(pair, "b")
        pair.hubs["b"].kill()
        at = mark(pair, "a")
        pair.hubs["a"].start()
        # the station that saw seq asks the old primary, by its hello and its outbox
        msg_id = teller.session.send(RaiseSignal(code="device_fault"))
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            teller.pump()
            time.sleep(0.05)
        # then the station falls silent (its PC switched off, say): nothing new asks A
        time.sleep(5)
        assert "serving the branch" not in log_since(pair, "a", at), log_since(pair, "a", at)
        assert msg_id not in teller.replies, "the stale old primary acknowledged a command"
        assert alive(pair, "a")
        # the backup back: it leads (its journal is newer), nothing acknowledged lost
        pair.hubs["b"].start()
        wait_for(lambda: msg_id in teller.replies, 30, teller.pump, "the command answered")
        assert isinstance(teller.replies[msg_id], Accepted)
        in_step(pair)
        for name in ("a", "b"):
            assert set(ids) <= set(signal_ids(pair, name)), name
            no_duplicates(pair, name)
        assert_clean(pair)
    finally:
        if teller is not None:
            teller.close()
        stop(pair)


def test_both_hubs_killed_in_step_either_order_of_restart_keeps_everything(
    tmp_path: Path, branch: Branch
) -> None:
    pair = started(Pair(tmp_path, branch))
    try:
        ids = [raised(pair, addr(pair, "a")) for _ in range(2)]
        in_step(pair)
        pair.hubs["b"].kill()
        pair.hubs["a"].kill()
        pair.hubs["b"].start()  # the backup first, then the primary
        pair.hubs["a"].start()
        ids.append(raised(pair, pair.hub_list(), "C02", timeout=30))
        in_step(pair)
        served = "a" if pair.serving("a") else "b"
        assert not (pair.serving("a") and pair.serving("b"))
        assert sorted(ids) == sorted(signal_ids(pair, served))
        no_duplicates(pair, served)
        assert_clean(pair)
    finally:
        stop(pair)


# Pauses: a hub that does not run ---------------------------------------------------------------
def test_a_paused_primary_resumed_after_a_takeover_serves_nothing(
    tmp_path: Path, branch: Branch
) -> None:
    """SIGSTOP the active; a command reaches its socket while it sleeps; the backup takes
    over; SIGCONT. The old active must hear the newer term before it runs that command."""
    pair = started(Pair(tmp_path, branch))
    try:
        ids = [raised(pair, addr(pair, "a"))]
        in_step(pair)
        proc = pair.hubs["a"].proc
        assert proc is not None
        os.kill(proc.pid, signal.SIGSTOP)
        cmd = [sys.executable, "-m", "app.cli", "send", "--hub", addr(pair, "a")]
        cmd += ["--keys", str(pair.keys), "--station", "C03", "--timeout", "12"]
        late = subprocess.Popen(  # to the old active only: it queues in its socket
            [*cmd, "raise", "cash"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            ids.append(raised(pair, addr(pair, "b"), "C02"))  # the backup takes over
            at = mark(pair, "a")
            os.kill(proc.pid, signal.SIGCONT)
            out, err = late.communicate(timeout=30)
        finally:
            if late.poll() is None:
                late.kill()
        wait_for(lambda: "-> passive" in log_since(pair, "a", at), 15, what="A follows")
        assert late.returncode != 0, f"the old active acknowledged: {out} {err}"
        assert "serving the branch" not in log_since(pair, "a", at)
        in_step(pair)
        assert sorted(ids) == sorted(signal_ids(pair, "b"))
        no_duplicates(pair, "b")
        assert_clean(pair)
    finally:
        stop(pair)


def test_a_standby_paused_while_the_active_went_on_alone_never_takes_over_behind(
    tmp_path: Path, branch: Branch
) -> None:
    """SIGSTOP the backup; the primary acknowledges alone; SIGKILL the primary; SIGCONT
    the backup and ask it: it lacks acknowledged events, so it must refuse. The primary
    restarted leads again, and the backup catches up."""
    pair = started(Pair(tmp_path, branch))
    try:
        ids = [raised(pair, addr(pair, "a"))]
        in_step(pair)
        proc = pair.hubs["b"].proc
        assert proc is not None
        os.kill(proc.pid, signal.SIGSTOP)
        ids += [raised(pair, addr(pair, "a"), f"C0{i}") for i in (2, 3)]  # A alone
        pair.hubs["a"].kill()
        at = mark(pair, "b")
        os.kill(proc.pid, signal.SIGCONT)
        for station in ("C04", "C05"):
            refused = send(pair, addr(pair, "b"), station, "raise", "cash", timeout=4)
            assert refused.returncode != 0, "a standby behind took over"
        assert "serving the branch" not in log_since(pair, "b", at), log_since(pair, "b", at)
        assert alive(pair, "b")
        pair.hubs["a"].start()
        ids.append(raised(pair, pair.hub_list(), "C06", timeout=30))
        in_step(pair)
        for name in ("a", "b"):
            assert sorted(ids) == sorted(signal_ids(pair, name)), name
            no_duplicates(pair, name)
        assert_clean(pair)
    finally:
        stop(pair)


# Misconfiguration ---------------------------------------------------------------------------
def send_later(pair: Pair, hub: str, station: str, *args: str) -> subprocess.Popen[str]:
    """``lobbylink send`` started, not waited for (two at the same moment)."""
    cmd = [sys.executable, "-m", "app.cli", "send", "--hub", hub, "--keys", str(pair.keys)]
    cmd += ["--station", station, "--timeout", "8", *args]
    return subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_two_fresh_primaries_asked_at_the_same_moment_never_both_accept(
    tmp_path: Path, branch: Branch
) -> None:
    """Both configured ``--pair primary`` by mistake, both journals new (so neither has
    the other's epoch), and a station asks each at once: neither serves as if it were
    alone (the two would be two writers); each logs the misconfiguration."""
    pair = Pair(tmp_path, branch)
    b = pair.hubs["b"]
    b.extra = [x if x != "backup" else "primary" for x in b.extra]
    try:
        pair.hubs["a"].start()
        b.start()
        time.sleep(3)  # past the peer expiry
        # the same moment: both asked while paused, both resumed together
        pids = [hub.pid for hub in pair.hubs.values()]
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        asks = [
            send_later(pair, addr(pair, "a"), "C01", "raise", "assist"),
            send_later(pair, addr(pair, "b"), "C02", "raise", "cash"),
        ]
        time.sleep(3)  # both questions wait in the hubs' sockets
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
        codes = []
        for ask in asks:
            ask.communicate(timeout=30)
            codes.append(ask.returncode)
        assert alive(pair, "a") and alive(pair, "b")
        assert codes.count(0) == 0, (
            "a misconfigured pair served:\nA: "
            + pair.log("a")[-1500:]
            + "\nB: "
            + pair.log("b")[-1500:]
        )
        # neither serves as if alone; each says what to fix
        for name in ("a", "b"):
            assert "both hubs of the pair are configured primary" in pair.log(name)
            assert not pair.serving(name)
    finally:
        stop(pair)


def test_a_peer_with_another_branchs_journal_is_not_followed(
    tmp_path: Path, branch: Branch
) -> None:
    """B's journal is of another epoch and has events, A's has its own: A must not
    stream into B, B must not adopt A's epoch or serve; A serves alone."""
    pair = Pair(tmp_path, branch)
    try:
        other = Pair(tmp_path / "other", branch)  # another branch's pair: a journal of its own
        other.hubs["a"].start()
        try:
            raised(other, addr(other, "a"))
        finally:
            other.stop()
        Path(pair.urls["b"].removeprefix("sqlite:///")).write_bytes(
            Path(other.urls["a"].removeprefix("sqlite:///")).read_bytes()
        )
        before = rows(pair, "b")
        foreign = Journal(pair.urls["b"])
        epoch_b = foreign.epoch
        foreign.close()
        pair.hubs["a"].start()  # alone first, with events of its own
        first = raised(pair, addr(pair, "a"))
        pair.hubs["b"].start()
        time.sleep(3)  # past the expiry: each has heard the other's beats
        raised(pair, addr(pair, "a"))
        refused = send(pair, addr(pair, "b"), "C02", "raise", "cash", timeout=5)
        assert refused.returncode != 0, "the foreign standby served"
        assert alive(pair, "a") and alive(pair, "b")
        assert "another" in pair.log("a") + pair.log("b")
        assert first in signal_ids(pair, "a")
        assert rows(pair, "b") == before, "rows streamed into another branch's journal"
        foreign = Journal(pair.urls["b"])
        assert foreign.epoch == epoch_b
        foreign.close()
    finally:
        stop(pair)


# A planned handover at a bad moment --------------------------------------------------------
def test_a_handover_while_the_standby_is_behind_is_refused_and_loses_nothing(
    tmp_path: Path, branch: Branch
) -> None:
    pair = started(Pair(tmp_path, branch))
    try:
        ids = [raised(pair, addr(pair, "a"))]
        in_step(pair)
        proc = pair.hubs["b"].proc
        assert proc is not None
        os.kill(proc.pid, signal.SIGSTOP)
        ids += [raised(pair, addr(pair, "a"), f"C0{i}") for i in (1, 2)]  # A alone
        refused = pair_cli(pair, "handover", addr(pair, "a"))
        assert refused.returncode != 0 and "not in step" in refused.stdout, refused.stdout
        os.kill(proc.pid, signal.SIGCONT)
        # at once, while the standby catches up: refused, or handed over with everything
        pair_cli(pair, "handover", addr(pair, "a"))
        ids.append(raised(pair, pair.hub_list(), "C03", timeout=30))
        in_step(pair)
        assert not (pair.serving("a") and pair.serving("b"))
        for name in ("a", "b"):
            assert sorted(ids) == sorted(signal_ids(pair, name)), name
            no_duplicates(pair, name)
        assert_clean(pair)
    finally:
        stop(pair)


# A station in the middle of a takeover -------------------------------------------------------
def test_a_raise_in_flight_at_the_kill_is_journaled_exactly_once(
    tmp_path: Path, branch: Branch, ctx: zmq.Context
) -> None:
    pair = started(Pair(tmp_path, branch))
    teller = TestStation(
        branch, "C01", [pair.endpoint("a"), pair.endpoint("b")], ctx, Outbox(tmp_path / "o.sqlite")
    )
    try:
        teller.accept(RaiseSignal(code="assist"))
        in_step(pair)
        sent = [teller.session.send(RaiseSignal(code="cash")) for _ in range(3)]
        teller.pump()  # on the wire to A; A may or may not have handled them
        pair.hubs["a"].kill()
        sent += [teller.session.send(RaiseSignal(code="device_fault")) for _ in range(2)]
        wait_for(lambda: all(m in teller.replies for m in sent), 40, teller.pump, "the replies")
        assert all(isinstance(teller.replies[m], Accepted) for m in sent), teller.replies
        pair.hubs["a"].start()  # the old primary follows and sets aside what it alone held
        in_step(pair)
        for name in ("a", "b"):
            ids = msg_ids(pair, name)
            for m in sent:
                assert ids.count(m) == 1, (name, m, ids.count(m))
        assert not pair.serving("a")
        assert_clean(pair)
    finally:
        teller.close()
        stop(pair)
