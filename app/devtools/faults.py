"""``lobbylink bench faults``: inject faults against a real hub and count what was lost.

Every case prints what it did and the one figure that must be zero: acknowledged
events lost (and duplicated). An "acknowledged" command is one whose ``accepted``
reply reached the station; the journal must hold its msg_id exactly once.

Cases (``CASES``): ``kill`` (SIGKILL the hub under load), ``offline`` (a station raises
with no hub), ``slow`` (a subscriber that stops reading past the PUB's high-water mark),
``disk`` (the journal's tmpfs fills up), ``readonly`` (the journal turns read-only under
the hub), ``netcut`` (a station's cable pulled, hub and station in network namespaces
of their own) and ``soak`` (a compressed branch day, memory over time). ``disk``,
``readonly`` and ``netcut`` need root; without it they report "skipped".

The slow, read-only, network and soak runs are shared with tests/integration
(``test_fault_*.py``), which run them CI-sized. ``python -m app.devtools.faults station``
is the child process of :class:`StationProcess`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq

from app.devtools.bench.run import journal_fingerprint
from app.devtools.common import (
    ROOT,
    Hub,
    extra_ids,
    journal_last_seq,
    make_keys,
    rss_mb,
    write_big_branch,
)
from app.domain.config import Branch, load_branch
from app.domain.events import Cancel, Command, RaiseSignal, command_kind, encode
from app.station import StationSession
from messaging.envelope import T_EVENT, Accepted, Rejected, WireError, decode_envelope
from messaging.keys import station_keys
from messaging.link import StationLink
from messaging.outbox import Outbox
from messaging.sockets import DEFAULT_HWM, Endpoint

Say = Callable[[str], None]


def journal_counts(db_path: Path, msg_ids: list[str]) -> dict[str, int]:
    """How many event rows carry each msg_id."""
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(
            "SELECT msg_id, count(*) FROM events WHERE msg_id IS NOT NULL GROUP BY msg_id"
        ).fetchall()
    have = {str(m): int(c) for m, c in rows}
    return {mid: have.get(mid, 0) for mid in msg_ids}


def journal_order(db_path: Path, msg_ids: list[str]) -> list[str]:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("SELECT msg_id FROM events WHERE msg_id IS NOT NULL ORDER BY seq")
        wanted = set(msg_ids)
        return [str(m) for (m,) in rows if m in wanted]


def lost_and_duplicated(db_path: Path, acked: list[str]) -> tuple[int, int]:
    counts = journal_counts(db_path, acked)
    return sum(1 for c in counts.values() if c == 0), sum(1 for c in counts.values() if c > 1)


class Stations:
    """Many StationSessions (or bare links) pumped by one background thread."""

    def __init__(self, branch: Branch, endpoint: Endpoint, keys: Path) -> None:
        self.branch, self.endpoint, self.keys = branch, endpoint, keys
        self.ctx = zmq.Context()
        self.sessions: dict[str, StationSession] = {}
        self.acked: dict[str, int] = {}
        self.rejected: dict[str, int] = {}
        self.deferred = 0
        """Replies "not now, send it again" (journal_unavailable, rate_limited)."""
        self.reasons: Counter[str] = Counter()
        """The reasons given with those replies."""
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._calls: list[Callable[[], None]] = []

    def add(self, sid: str, outbox: Outbox | None = None) -> StationSession:
        session = StationSession(
            self.branch, sid, self.endpoint, self.ctx, outbox, station_keys(self.keys, sid)
        )

        def on_reply(msg_id: str, result: Accepted | Rejected) -> None:
            if isinstance(result, Accepted):
                self.acked[msg_id] = result.seq
            elif result.retry:
                self.deferred += 1
                self.reasons[result.reason] += 1
            else:
                self.rejected[result.code] = self.rejected.get(result.code, 0) + 1

        session.on_reply = on_reply
        session.start()
        self.sessions[sid] = session
        return session

    def call(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the pumping thread (sockets belong to one thread)."""
        with self.lock:
            self._calls.append(fn)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.lock:
                calls, self._calls = self._calls, []
            for fn in calls:
                fn()
            for session in self.sessions.values():
                session.pump()
            time.sleep(0.002)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        for session in self.sessions.values():
            session.close()
        self.ctx.destroy(linger=0)


def _truth(db_url: str, config: Path) -> tuple[int, bytes]:
    """The journal's last seq and the fingerprint of the state rebuilt from it alone."""
    return journal_fingerprint(db_url, config)


def converge(
    stations: Stations, hub: Hub, config: Path, timeout: float = 60.0
) -> tuple[float, int]:
    """Seconds until every station equals the journal, and how many still differ."""
    start = time.monotonic()
    diverging = len(stations.sessions)
    while time.monotonic() - start < timeout:
        seq, truth = _truth(hub.db_url, config)
        sessions = list(stations.sessions.values())
        if all(s.state.last_seq == seq for s in sessions):
            diverging = sum(1 for s in sessions if s.state.fingerprint() != truth)
            if diverging == 0:
                break
        time.sleep(0.2)
    return time.monotonic() - start, diverging


# The cases -----------------------------------------------------------------------------------
def case_kill(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """SIGKILL the hub N times while many stations raise signals; restart it each time."""
    kills, stations_n, every_s = (3, 60, 1.5) if quick else (20, 200, 2.0)
    folder = base / "kill"
    folder.mkdir()
    hub = Hub(folder, config, keys).start()
    branch = load_branch(config)
    st = Stations(branch, hub.endpoint, keys)
    ids = extra_ids(stations_n)
    for sid in ids:
        st.add(sid, Outbox(folder / f"outbox-{sid}.sqlite"))
    st.start()
    sent: list[str] = []

    def raise_all() -> None:
        for sid in ids:
            cmd = RaiseSignal(code="cash")
            sent.append(st.sessions[sid].link.submit(command_kind(cmd), encode(cmd)))

    try:
        time.sleep(1.0)
        for i in range(kills):
            st.call(raise_all)
            time.sleep(every_s * (0.3 + 0.7 * ((i * 7919) % 10) / 10))
            hub.kill()
            time.sleep(0.2)
            hub.start()
        st.call(raise_all)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and any(len(s.link.outbox) for s in st.sessions.values()):
            time.sleep(0.2)
        took, diverging = converge(st, hub, config)
        acked = list(st.acked)
        lost, dup = lost_and_duplicated(hub.db_path, acked)
        all_counts = journal_counts(hub.db_path, sent)
        result = {
            "kills": kills,
            "stations": stations_n,
            "commands": len(sent),
            "acknowledged": len(acked),
            "stored": sum(1 for c in all_counts.values() if c),
            "acknowledged_lost": lost,
            "duplicated": sum(1 for c in all_counts.values() if c > 1) + dup,
            "left_in_outboxes": sum(len(s.link.outbox) for s in st.sessions.values()),
            "stations_diverging": diverging,
            "converge_s": round(took, 2),
        }
        result["ok"] = (
            lost == 0
            and result["duplicated"] == 0
            and diverging == 0
            and result["left_in_outboxes"] == 0
        )
        say(
            f"kill: SIGKILLed the hub {kills}× under {stations_n} stations; "
            f"{len(sent)} commands, {len(acked)} acknowledged, {lost} acknowledged lost, "
            f"{result['duplicated']} duplicated, {diverging} stations diverging, "
            f"converged in {took:.2f} s after the load"
        )
        return result
    finally:
        st.stop()
        hub.stop()


def case_offline(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """A station raises while cut off from the hub; its outbox delivers once, in order."""
    offline_s, count = (3.0, 20) if quick else (30.0, 100)
    folder = base / "offline"
    folder.mkdir()
    hub = Hub(folder, config, keys).start()
    branch = load_branch(config)
    outbox_path = folder / "outbox-C02.sqlite"
    sent: list[str] = []
    try:
        # Offline: the station's cable goes to a port where no hub answers.
        dead = Stations(branch, Endpoint("127.0.0.1", 9), keys)
        session = dead.add("C02", Outbox(outbox_path))
        for i in range(count):
            cmd = RaiseSignal(code="cash", note=f"offline {i}")
            sent.append(session.link.submit(command_kind(cmd), encode(cmd)))
            session.pump()
            time.sleep(offline_s / count)
        queued = len(session.link.outbox)
        dead.stop()  # the PC is even switched off and on again
        live = Stations(branch, hub.endpoint, keys)
        live.add("C02", Outbox(outbox_path))
        live.start()
        start = time.monotonic()
        while time.monotonic() - start < 30 and len(live.sessions["C02"].link.outbox):
            time.sleep(0.05)
        delivered_s = time.monotonic() - start
        live.stop()
        counts = journal_counts(hub.db_path, sent)
        order_ok = journal_order(hub.db_path, sent) == sent
        lost = sum(1 for c in counts.values() if c == 0)
        dup = sum(1 for c in counts.values() if c > 1)
        say(
            f"offline: C02 raised {count} signals during {offline_s:g} s offline "
            f"({queued} queued in its outbox), restarted, delivered in {delivered_s:.2f} s: "
            f"{lost} lost, {dup} duplicated, in order: {order_ok}"
        )
        return {
            "offline_s": offline_s,
            "raised": count,
            "queued": queued,
            "delivered_s": round(delivered_s, 2),
            "acknowledged_lost": lost,
            "duplicated": dup,
            "in_order": order_ok,
            "ok": lost == 0 and dup == 0 and order_ok,
        }
    finally:
        hub.stop()


def kernel_buffer_bytes() -> int:
    """What Linux may hold for one stalled TCP connection besides ZeroMQ's own queues.

    The sender's send buffer grows up to ``tcp_wmem`` max (4 MiB by default) and the
    receiver's stays near ``tcp_rmem`` default when nobody reads. Events in there are
    neither dropped nor delivered while the subscriber sleeps.
    """
    try:
        wmem = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
        rmem = int(Path("/proc/sys/net/ipv4/tcp_rmem").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        wmem, rmem = 4 << 20, 128 << 10
    return wmem + rmem


def mean_body_bytes(db_path: Path, after_seq: int) -> float:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        row = conn.execute(
            "SELECT avg(length(body)) FROM events WHERE seq > ?", (after_seq,)
        ).fetchone()
    return float(row[0] or 0.0)


def case_slow(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """A subscriber that stops reading while the hub publishes past its PUB high-water mark.

    Quick: ``--pub-hwm 1000`` and a SUB queue of 1,000, signals with 400-character notes
    (fewer events fill the kernel's buffers). Full: the shipped 100,000 on both, and no
    notes: the ~105,000 signals a full run leaves open or cancelled make a snapshot of
    ~320 B each, and with notes (~720 B each) it outgrew the station's 64 MiB frame limit,
    so a station that needed it could never resync (seen; docs/reliability.md).
    """
    hwm = 1000 if quick else DEFAULT_HWM
    folder = base / "slow"
    folder.mkdir()
    hub = Hub(folder, config, keys)
    hub.extra = ["--pub-hwm", str(hwm)]
    hub.start()
    try:
        return slow_subscriber_run(
            hub.endpoint,
            hub.db_path,
            config,
            keys,
            say,
            pub_hwm=hwm,
            sub_hwm=hwm,
            flood_stations=100 if quick else 300,
            note_chars=400 if quick else 0,
        )
    finally:
        hub.stop()


def slow_subscriber_run(
    endpoint: Endpoint,
    db_path: Path,
    config: Path,
    keys: Path,
    say: Say,
    *,
    pub_hwm: int,
    sub_hwm: int,
    flood_stations: int,
    note_chars: int = 400,
    slow_id: str = "C03",
    fast_ids: tuple[str, ...] = ("H1", "L1"),
    timeout: float = 600.0,
) -> dict[str, Any]:
    """The slow-subscriber case against a running hub (shared with tests/integration).

    ``slow_id`` stops reading its SUB socket (its queue set to ``sub_hwm``) while loader
    stations raise and cancel signals until more has been published than the hub's
    PUB queue (``pub_hwm``, which the hub must have been started with), its own queue
    and the kernel's TCP buffers can hold. It keeps its DEALER going all along (the teller
    still clicks, so the hub stays reachable): what it misses it can only learn from the
    gap in seq. Then it reads again and must resync to the journal; the ``fast_ids``,
    read all along, must see every event in order and never resync.
    """
    branch = load_branch(config)
    ctx = zmq.Context()
    sessions = {
        sid: StationSession(branch, sid, endpoint, ctx, keys=station_keys(keys, sid))
        for sid in [*fast_ids, slow_id]
    }
    slow = sessions[slow_id]
    assert slow.link.sub is not None
    # libzmq applies a new high-water mark to the pipe the SUB already has.
    slow.link.sub.setsockopt(zmq.RCVHWM, sub_hwm)
    resyncs: dict[str, list[int]] = {sid: [] for sid in sessions}
    on_sub: dict[str, list[int]] = {sid: [] for sid in sessions}
    """The seq of every event each station's SUB socket delivered, in arrival order."""
    flooders = Flood(endpoint, keys, extra_ids(flood_stations), note="x" * note_chars)

    def count_resyncs(sid: str, session: StationSession) -> None:
        original = session.link.request_resync

        def counted() -> None:
            resyncs[sid].append(session.link.last_seq)
            original()

        session.link.request_resync = counted  # type: ignore[method-assign]

    def watch_sub(sid: str, session: StationSession) -> None:
        original = session.link._handle

        def handle(from_sub: bool, frames: list[bytes]) -> None:
            if from_sub and len(frames) == 2 and frames[0] == T_EVENT:
                with contextlib.suppress(WireError):
                    on_sub[sid].append(decode_envelope(frames[1]).seq)
            original(from_sub, frames)

        session.link._handle = handle  # type: ignore[method-assign]

    silences = dict.fromkeys(sessions, 0)
    """Times each station found the hub silent for 3 s (it resyncs when it hears it again)."""

    def count_silences(sid: str, session: StationSession) -> None:
        def on_connection(up: bool) -> None:
            if not up:
                silences[sid] += 1

        session.on_connection = on_connection

    for sid, session in sessions.items():
        count_resyncs(sid, session)
        count_silences(sid, session)
        watch_sub(sid, session)
        session.start()
    own: list[str] = []
    own_acked: list[str] = []
    slow.on_reply = lambda mid, res: own_acked.append(mid) if isinstance(res, Accepted) else None
    started = time.monotonic()

    def check_time(what: str) -> None:
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"timed out after {timeout:g} s {what}")
        if flooders.error:
            raise RuntimeError(f"the loader stations failed: {flooders.error}")

    try:
        while not all(s.link.synced for s in sessions.values()):
            for s in sessions.values():
                s.pump()
            check_time("waiting for the stations to sync")
            time.sleep(0.01)
        base_resyncs = {sid: len(r) for sid, r in resyncs.items()}
        base_silences = dict(silences)
        paused_at = journal_last_seq(db_path)
        target = 0
        flooders.start()
        next_click = 0.0
        while not target or journal_last_seq(db_path) - paused_at < target:
            for sid in fast_ids:
                sessions[sid].pump()
            if time.monotonic() >= next_click:  # the slow station's teller still clicks
                next_click = time.monotonic() + 0.5
                own.append(slow.send(RaiseSignal(code="cash", note=f"slow {len(own)}")))
            while True:  # its DEALER only: the SUB's queue is left to fill up
                try:
                    frames = slow.link.dealer.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                slow.link._handle(False, frames)
            slow.link.tick()
            if not target and journal_last_seq(db_path) - paused_at > 200:
                frame = mean_body_bytes(db_path, paused_at) + 40  # topic, framing, CURVE
                target = pub_hwm + sub_hwm + int(1.5 * kernel_buffer_bytes() / frame) + 1000
            check_time("flooding")
            time.sleep(0.002)
        flooders.stop()
        published = journal_last_seq(db_path) - paused_at
        resumed_at = time.monotonic()
        while True:
            last = journal_last_seq(db_path)
            for s in sessions.values():
                s.pump()
            if all(s.link.synced and s.state.last_seq >= last for s in sessions.values()) and (
                not slow.link.outbox.head()
            ):
                break
            check_time("waiting for the stations to catch up")
            time.sleep(0.005)
        caught_up_s = time.monotonic() - resumed_at
        seq, truth = _truth(f"sqlite:///{db_path}", config)
        while not all(s.state.last_seq >= seq for s in sessions.values()):
            for s in sessions.values():
                s.pump()
            check_time("settling")
            time.sleep(0.005)
        equal = {
            sid: s.state.last_seq == seq and s.state.fingerprint() == truth
            for sid, s in sessions.items()
        }
        end_seq = journal_last_seq(db_path)

        def in_window(sid: str) -> list[int]:
            return [q for q in on_sub[sid] if paused_at < q <= end_seq]

        missed = end_seq - paused_at - len(set(in_window(slow_id)))
        gaps = {  # for the others: every event on the SUB, each one after the one before
            sid: sum(1 for a, b in itertools.pairwise(in_window(sid)) if b != a + 1)
            + (end_seq - paused_at - len(set(in_window(sid))))
            for sid in fast_ids
        }
        slow_resyncs = len(resyncs[slow_id]) - base_resyncs[slow_id]
        others = {sid: len(resyncs[sid]) - base_resyncs[sid] for sid in fast_ids}
        silent = {sid: silences[sid] - base_silences[sid] for sid in sessions}
        acked = flooders.acked_ids + own_acked
        lost, dup = lost_and_duplicated(db_path, acked)
        own_counts = journal_counts(db_path, own)
        result: dict[str, Any] = {
            "pub_hwm": pub_hwm,
            "sub_hwm": sub_hwm,
            "published_while_paused": published,
            "missed_on_sub": missed,
            "slow_resyncs": slow_resyncs,
            "slow_resynced_from": resyncs[slow_id][base_resyncs[slow_id] :][:3],
            "others_resyncs": others,
            "others_gaps": gaps,
            "hub_silent_3s": silent,
            "equal_to_journal": equal,
            "caught_up_s": round(caught_up_s, 2),
            "slow_commands": len(own),
            "slow_commands_stored_once": sum(1 for c in own_counts.values() if c == 1),
            "acknowledged_checked": len(acked),
            "acknowledged_lost": lost,
            "duplicated": dup,
        }
        result["ok"] = (
            missed > 0
            and slow_resyncs >= 1
            and not any(gaps.values())  # so none of their resyncs can have been for a gap
            and all(equal.values())
            and lost == 0
            and dup == 0
            and result["slow_commands_stored_once"] == len(own)
        )
        say(
            f"slow: {slow_id} stopped reading its SUB (PUB high-water mark {pub_hwm:,}, SUB "
            f"{sub_hwm:,}) while {published:,} events were published; it missed {missed:,} "
            f"on the SUB, resynced {slow_resyncs}× and caught up in {caught_up_s:.2f} s; "
            f"{', '.join(fast_ids)} had gaps {gaps} and resynced {others}; the hub was "
            f"silent for 3 s to them { ({sid: silent[sid] for sid in fast_ids}) }; equal to the "
            f"journal: {equal}; {len(own)} own commands stored once: "
            f"{result['slow_commands_stored_once']}; {lost} of {len(acked)} acknowledged "
            f"lost, {dup} duplicated"
        )
        return result
    finally:
        flooders.stop()
        for s in sessions.values():
            s.close()
        ctx.destroy(linger=0)


class Flood:
    """Loader stations in a thread of this process: raise and cancel as fast as allowed.

    Each station has one command in flight: a raise (with ``note``), then the cancel of
    the signal it opened, and again; so the open signals stay few.
    """

    def __init__(
        self, endpoint: Endpoint, keys: Path, ids: list[str], note: str = "", sample: int = 2000
    ) -> None:
        self.endpoint, self.keys, self.ids, self.note = endpoint, keys, ids, note
        self.accepted = 0
        self.acked_ids: list[str] = []
        self.sample = sample
        self.error = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _run(self) -> None:
        ctx = zmq.Context()
        links: list[StationLink] = []
        try:
            for sid in self.ids:
                link = StationLink(
                    ctx, self.endpoint, sid, keys=station_keys(self.keys, sid), subscribe=False
                )
                raised: dict[str, bool] = {}

                def on_reply(
                    mid: str,
                    res: Accepted | Rejected,
                    _l: StationLink = link,
                    _raised: dict[str, bool] = raised,
                ) -> None:
                    if isinstance(res, Rejected) and res.retry:
                        return  # the link sends it again
                    was_raise = _raised.pop(mid, False)
                    if isinstance(res, Accepted):
                        self.accepted += 1
                        if len(self.acked_ids) < self.sample:
                            self.acked_ids.append(mid)
                    if self._stop.is_set():
                        return
                    if was_raise and isinstance(res, Accepted):
                        cmd: Command = Cancel(signal_id=res.seq)
                    else:
                        cmd = RaiseSignal(code="cash", note=self.note)
                    mid2 = _l.submit(command_kind(cmd), encode(cmd))
                    if isinstance(cmd, RaiseSignal):
                        _raised[mid2] = True

                link.on_reply = on_reply
                links.append(link)
                first = RaiseSignal(code="cash", note=self.note)
                raised[link.submit(command_kind(first), encode(first))] = True
            poller = zmq.Poller()
            for link in links:
                poller.register(link.dealer, zmq.POLLIN)
            next_tick = 0.0
            while not self._stop.is_set():
                events = dict(poller.poll(5))
                for link in links:
                    if link.dealer in events:
                        link.process()
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + 0.2
                    for link in links:
                        link.tick()
        except Exception as exc:
            self.error = repr(exc)
        finally:
            for link in links:
                link.close()
            ctx.destroy(linger=0)


def case_disk(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """The journal's filesystem fills up; then space returns (read-only: case_readonly)."""
    mnt = base / "small-disk"
    mnt.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "lobbylink-bench", str(mnt)],
            check=True,
            capture_output=True,
            text=True,
        )
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        reason = getattr(exc, "stderr", "") or str(exc)
        say(f"disk: skipped: cannot mount a small tmpfs here ({reason.strip()})")
        return {"skipped": f"mount failed: {reason.strip()}"}
    hub = Hub(mnt, config, keys)
    branch = load_branch(config)
    st: Stations | None = None
    try:
        hub.start()
        st = group = Stations(branch, hub.endpoint, keys)
        ids = extra_ids(40)
        for sid in ids:
            st.add(sid)
        st.start()
        sent: list[str] = []

        def raise_all(note: str) -> None:
            for sid in ids:
                cmd = RaiseSignal(code="cash", note=note)
                sent.append(group.sessions[sid].link.submit(command_kind(cmd), encode(cmd)))

        filler = "x" * 400
        full_at = None
        for _ in range(400):  # 3 MB of ~1 kB events and their rows: full within a few hundred
            st.call(lambda: raise_all(filler))
            time.sleep(0.05)
            if any("full" in line for line in hub.log):
                full_at = len(st.acked)
                break
        time.sleep(2)
        refused_full = [ln for ln in hub.log if "full" in ln][:1]
        acked_while_full = len(st.acked)
        subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], check=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(len(s.link.outbox) for s in st.sessions.values()):
            time.sleep(0.2)
        recovered = not any(len(s.link.outbox) for s in st.sessions.values())
        st_ref = st
        st = None
        st_ref.stop()
        hub.stop()
        acked = list(st_ref.acked)
        lost, dup = lost_and_duplicated(hub.db_path, acked)
        result = {
            "acknowledged_before_full": full_at,
            "acknowledged_while_full": acked_while_full,
            "hub_said_full": refused_full,
            "recovered_after_space": recovered,
            "commands": len(sent),
            "acknowledged": len(acked),
            "acknowledged_lost": lost,
            "duplicated": dup,
        }
        result["ok"] = lost == 0 and dup == 0 and recovered
        say(
            f"disk: journal on a 3 MB tmpfs; hub said {refused_full or 'nothing'}; after "
            f"growing it recovered={recovered}; {len(acked)} acknowledged in all, {lost} "
            f"lost, {dup} duplicated"
        )
        return result
    finally:
        if st is not None:
            st.stop()
        hub.stop()
        with contextlib.suppress(Exception):
            subprocess.run(["umount", str(mnt)], check=False, capture_output=True)


class FaultSetupError(RuntimeError):
    """The machine cannot stage this fault (not root, no loop device, no tool…)."""


def run_tool(*cmd: str, ok: tuple[int, ...] = (0,)) -> str:
    """Run a system tool; raise FaultSetupError with its message if it fails."""
    try:
        done = subprocess.run(list(cmd), capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FaultSetupError(f"{' '.join(cmd)}: {exc}") from exc
    if done.returncode not in ok:
        text = (done.stderr or done.stdout).strip()
        raise FaultSetupError(f"{' '.join(cmd)} exited {done.returncode}: {text}")
    return done.stdout


class LoopDisk:
    """A small ext4 filesystem in a file, mounted through a loop device (needs root).

    ``errors=remount-ro``: an error makes the kernel turn the filesystem read-only
    under the processes writing to it, as a failing disk does.
    """

    def __init__(self, folder: Path, size_mb: int = 64) -> None:
        self.image = folder / "disk.ext4"
        self.mnt = folder / "mnt"
        self.size_mb = size_mb
        self.device = ""
        self.mounted = False

    def create(self) -> LoopDisk:
        self.mnt.mkdir(parents=True, exist_ok=True)
        with self.image.open("wb") as f:
            f.truncate(self.size_mb << 20)
        run_tool("mkfs.ext4", "-q", "-F", str(self.image))
        self.mount()
        return self

    def mount(self) -> None:
        # A new loop device each time, never ``mount -o loop``: that reuses the device
        # already bound to the image, and if another mount namespace (``ip netns exec``
        # copies the mounts) still holds the old filesystem, the kernel hands back that
        # same aborted, read-only superblock instead of mounting the repaired one.
        self.device = run_tool("losetup", "--find", "--show", str(self.image)).strip()
        try:
            run_tool("mount", "-o", "errors=remount-ro", self.device, str(self.mnt))
        except FaultSetupError:
            run_tool("losetup", "--detach", self.device)
            raise
        self.mounted = True

    def immutable(self, on: bool) -> list[str]:
        """``chattr ±i`` on the folder and its files but SQLite's ``-shm``; the names changed.

        Not the ``-shm``: SQLite writes it through a shared memory map, and a write fault
        on an immutable file kills the writer with SIGBUS (seen: the hub exited -7).
        """
        files = [p for p in self.mnt.iterdir() if p.is_file() and not p.name.endswith("-shm")]
        paths = [self.mnt, *sorted(files)]
        run_tool("chattr", "+i" if on else "-i", *map(str, paths))
        return [p.name for p in paths]

    def fs_error(self) -> None:
        """An ext4 error (ext4's own test hook): the kernel makes the filesystem read-only."""
        name = Path(self.device).name
        Path(f"/sys/fs/ext4/{name}/trigger_fs_error").write_text("lobbylink fault test\n")

    def mount_options(self) -> str:
        return run_tool("findmnt", "-n", "-o", "OPTIONS", str(self.mnt)).strip()

    def repair(self) -> str:
        """What an operator does: unmount, e2fsck, mount again. Returns e2fsck's verdict."""
        self.umount()
        done = subprocess.run(
            ["e2fsck", "-f", "-y", str(self.image)], capture_output=True, text=True, timeout=300
        )
        if done.returncode not in (0, 1):  # 0: clean, 1: errors corrected
            raise FaultSetupError(f"e2fsck exited {done.returncode}: {done.stderr.strip()}")
        self.mount()
        last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        return f"exit {done.returncode}, {last.split(': ', 1)[-1]}"  # "…, 13517/65536 blocks"

    def umount(self) -> None:
        if not self.mounted:
            return
        for attempt in range(20):  # a process that just exited may hold it a moment longer
            try:
                run_tool("umount", str(self.mnt))
                break
            except FaultSetupError:
                if attempt == 19:
                    raise
                time.sleep(0.25)
        self.mounted = False
        with contextlib.suppress(FaultSetupError):  # if still busy, it goes when released
            run_tool("losetup", "--detach", self.device)

    def destroy(self) -> None:
        with contextlib.suppress(FaultSetupError, OSError):
            if self.mnt.exists():
                run_tool("chattr", "-i", str(self.mnt))
                for p in self.mnt.iterdir():
                    run_tool("chattr", "-i", str(p))
        try:
            self.umount()
        except FaultSetupError:
            with contextlib.suppress(FaultSetupError):  # never leave a mount behind
                run_tool("umount", "--lazy", str(self.mnt))
                run_tool("losetup", "--detach", self.device)


def case_readonly(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """The journal turns read-only under the running hub, twice, while stations raise.

    1. Its files and folder become immutable (``chattr +i`` on ext4: every write through
       the hub's open file descriptors fails), then writable again, the hub running on.
    2. The kernel turns the filesystem read-only after an ext4 error (``errors=remount-
       ro``); the operator stops the hub, runs e2fsck, mounts again and restarts it.
    """
    stations_n, ro_s = (20, 3.0) if quick else (60, 20.0)
    folder = base / "readonly"
    folder.mkdir()
    disk = LoopDisk(folder)
    try:
        disk.create()
    except FaultSetupError as exc:
        disk.destroy()
        say(f"readonly: skipped: cannot mount a loop ext4 filesystem here ({exc})")
        return {"skipped": str(exc)}
    hub = Hub(disk.mnt, config, keys)
    branch = load_branch(config)
    st: Stations | None = None
    try:
        hub.start()
        st = group = Stations(branch, hub.endpoint, keys)
        ids = extra_ids(stations_n)
        for sid in ids:
            st.add(sid, Outbox(folder / f"outbox-{sid}.sqlite"))
        st.start()
        sent: list[str] = []

        def raise_all(note: str) -> None:
            for sid in ids:
                cmd = RaiseSignal(code="cash", note=note)
                sent.append(group.sessions[sid].link.submit(command_kind(cmd), encode(cmd)))

        def drained(timeout: float) -> float | None:
            start = time.monotonic()
            while time.monotonic() - start < timeout:
                if not any(len(s.link.outbox) for s in group.sessions.values()):
                    return time.monotonic() - start
                time.sleep(0.05)
            return None

        def raise_for(seconds: float, note: str) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                group.call(lambda: raise_all(note))
                time.sleep(0.5)

        def acked_since(mark: int) -> int:
            return len(group.acked) - mark

        raise_for(1.0, "before")
        if drained(30) is None:
            raise RuntimeError("the stations' first signals were not delivered")
        result: dict[str, Any] = {"stations": stations_n, "read_only_s": ro_s}

        # 1. immutable files: writes fail on the open descriptors; reversible in place.
        log_mark, ack_mark = len(hub.log), len(group.acked)
        names = disk.immutable(True)
        raise_for(ro_s, "immutable")
        result["immutable_files"] = names
        result["immutable_acknowledged"] = acked_since(ack_mark)
        result["immutable_deferred"] = group.deferred
        result["immutable_hub_said"] = _first(hub.log[log_mark:], "cannot write")
        result["immutable_stations_told"] = sorted(group.reasons)
        group.deferred = 0
        group.reasons.clear()
        queued = sum(len(s.link.outbox) for s in group.sessions.values())
        disk.immutable(False)
        took = drained(60)
        result["immutable_queued_in_outboxes"] = queued
        result["immutable_recovered_s"] = None if took is None else round(took, 2)
        result["immutable_hub_recovery"] = _first(hub.log[log_mark:], "writable again")

        # 2. ext4 error: the kernel makes the filesystem read-only for good.
        log_mark, ack_mark = len(hub.log), len(group.acked)
        disk.fs_error()
        result["fs_error_mount"] = disk.mount_options()
        raise_for(ro_s, "fs error")
        result["fs_error_acknowledged"] = acked_since(ack_mark)
        result["fs_error_deferred"] = group.deferred
        result["fs_error_hub_said"] = _first(hub.log[log_mark:], "cannot write")
        result["fs_error_stations_told"] = sorted(group.reasons)
        result["fs_error_queued_in_outboxes"] = sum(
            len(s.link.outbox) for s in group.sessions.values()
        )
        still = len(group.acked)
        time.sleep(2)  # the hub keeps refusing: no "writable again" without a restart
        result["fs_error_acknowledged_later"] = len(group.acked) - still
        hub.stop()
        result["e2fsck"] = disk.repair()
        restart = time.monotonic()
        hub.start()
        took = drained(120)
        result["fs_error_recovered_s"] = (
            None if took is None else round(time.monotonic() - restart, 2)
        )
        converge_s, diverging = converge(group, hub, config)
        st_ref, st = st, None
        st_ref.stop()
        hub.stop()
        acked = list(group.acked)
        lost, dup = lost_and_duplicated(hub.db_path, acked)
        counts = journal_counts(hub.db_path, sent)
        result.update(
            {
                "commands": len(sent),
                "acknowledged": len(acked),
                "stored_once": sum(1 for c in counts.values() if c == 1),
                "acknowledged_lost": lost,
                "duplicated": dup + sum(1 for c in counts.values() if c > 1),
                "stations_diverging": diverging,
                "converge_s": round(converge_s, 2),
            }
        )
        result["ok"] = (
            lost == 0
            and result["duplicated"] == 0
            and result["stored_once"] == len(sent)
            and result["immutable_acknowledged"] == 0
            and result["fs_error_acknowledged"] == 0
            and result["immutable_recovered_s"] is not None
            and result["fs_error_recovered_s"] is not None
            and diverging == 0
        )
        if not result["ok"]:
            result["hub_log_tail"] = hub.log[-30:]
            result["stations_told"] = dict(group.reasons)
        say(
            f"readonly: {stations_n} stations raising every 0.5 s. (1) chattr +i on the "
            f"journal for {ro_s:g} s: {result['immutable_acknowledged']} acknowledged, "
            f"{result['immutable_deferred']} deferred, {queued} waiting in outboxes; hub "
            f"said {result['immutable_hub_said']!r}; chattr -i: delivered in "
            f"{result['immutable_recovered_s']} s. (2) ext4 error → {result['fs_error_mount']}"
            f" for {ro_s:g} s: {result['fs_error_acknowledged']} acknowledged, hub said "
            f"{result['fs_error_hub_said']!r}; stop, e2fsck ({result['e2fsck']}), mount, "
            f"start: delivered {result['fs_error_recovered_s']} s after the restart. "
            f"{len(sent)} commands, {result['stored_once']} stored once, {lost} acknowledged "
            f"lost, {result['duplicated']} duplicated, {diverging} stations diverging"
        )
        return result
    finally:
        if st is not None:
            st.stop()
        hub.stop()
        disk.destroy()


# Network cut inside network namespaces ---------------------------------------------------------
class NetLab:
    """Two network namespaces of our own joined by a veth pair (needs root and iproute2).

    The hub's namespace holds ``HUB_IP``, the station's ``STATION_IP``, on a /24 that
    exists only inside them; nothing of the machine's own network is touched.
    """

    HUB_IP, STATION_IP = "10.77.0.1", "10.77.0.2"

    def __init__(self) -> None:
        tag = f"{os.getpid() % 100_000}"
        self.hub_ns, self.station_ns = f"llhub{tag}", f"llsta{tag}"
        self.hub_if, self.station_if = f"llh{tag}", f"lls{tag}"
        self.created: list[str] = []

    def create(self) -> NetLab:
        for ns in (self.hub_ns, self.station_ns):
            run_tool("ip", "netns", "add", ns)
            self.created.append(ns)
            run_tool("ip", "-n", ns, "link", "set", "lo", "up")
        run_tool(
            "ip", "link", "add", self.hub_if, "netns", self.hub_ns,
            "type", "veth", "peer", "name", self.station_if, "netns", self.station_ns,
        )  # fmt: skip
        for ns, dev, ip in (
            (self.hub_ns, self.hub_if, self.HUB_IP),
            (self.station_ns, self.station_if, self.STATION_IP),
        ):
            run_tool("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
            run_tool("ip", "-n", ns, "link", "set", dev, "up")
        return self

    def cut(self) -> None:
        """Pull the station's cable: its end of the link goes down."""
        run_tool("ip", "-n", self.station_ns, "link", "set", self.station_if, "down")

    def heal(self) -> None:
        run_tool("ip", "-n", self.station_ns, "link", "set", self.station_if, "up")

    def link_state(self) -> str:
        out = run_tool("ip", "-n", self.station_ns, "-br", "link", "show", self.station_if)
        return " ".join(out.split()[:2])

    @staticmethod
    def exec_in(ns: str) -> list[str]:
        return ["ip", "netns", "exec", ns]

    def destroy(self) -> None:
        for ns in reversed(self.created):  # the veth pair goes with its namespaces
            with contextlib.suppress(FaultSetupError):
                run_tool("ip", "netns", "del", ns)
        self.created.clear()


class NetnsHub(Hub):
    """The hub as a child process inside a network namespace, listening on ``host``."""

    def __init__(self, folder: Path, config: Path, keys: Path, netns: str, host: str) -> None:
        super().__init__(folder, config, keys, port=5560)
        self.netns, self.host = netns, host

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.host, self.port)

    def command(self) -> list[str]:
        cmd = super().command()
        cmd[cmd.index("--listen") + 1] = f"{self.host}:{self.port}"
        return [*NetLab.exec_in(self.netns), *cmd]


class StationProcess:
    """A station in a child process (``python -m app.devtools.faults station``), maybe in a
    network namespace; driven by one JSON line per request, answered by one line."""

    def __init__(
        self,
        folder: Path,
        sid: str,
        endpoint: Endpoint,
        config: Path,
        keys: Path,
        *,
        netns: str | None = None,
        outbox: Path | None = None,
    ) -> None:
        cmd = [sys.executable, "-m", "app.devtools.faults", "station", "--station", sid]
        cmd += ["--hub", str(endpoint), "--keys", str(keys), "--config", str(config)]
        if outbox is not None:
            cmd += ["--outbox", str(outbox)]
        if netns is not None:
            cmd = [*NetLab.exec_in(netns), *cmd]
        self.sid = sid
        self.log_path = folder / f"station-{sid}.log"
        with self.log_path.open("w", encoding="utf-8") as log_file:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                text=True,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            tail = self.log_path.read_text(encoding="utf-8")[-2000:]
            raise RuntimeError(f"station {self.sid} ended:\n{tail}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def raise_signals(self, count: int, note: str) -> list[str]:
        sent: list[str] = self.ask(raise_=count, note=note)["sent"]
        return sent

    def status(self) -> dict[str, Any]:
        return self.ask(status=True)

    def wait(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float, what: str
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if predicate(status):
                return status
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out after {timeout:g} s waiting for {self.sid}: {what}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                self.ask(quit=True)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def station_main(argv: list[str]) -> int:
    """The child side of StationProcess: a StationSession answering JSON lines on stdin.

    Requests: ``{"raise_": N, "note": text}`` (N cash signals, noted ``text i``),
    ``{"status": true}``, ``{"quit": true}``. Every request gets one line back.
    """
    import argparse

    p = argparse.ArgumentParser(prog="python -m app.devtools.faults station")
    p.add_argument("--hub", required=True)
    p.add_argument("--station", required=True)
    p.add_argument("--keys", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--outbox", help="durable outbox file (default: in memory)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    ctx = zmq.Context()
    branch = load_branch(args.config)
    session = StationSession(
        branch,
        args.station,
        Endpoint.parse(args.hub),
        ctx,
        Outbox(Path(args.outbox)) if args.outbox else None,
        station_keys(Path(args.keys), args.station),
    )
    acked: dict[str, int] = {}
    deferred: Counter[str] = Counter()

    def on_reply(mid: str, res: Accepted | Rejected) -> None:
        if isinstance(res, Accepted):
            acked[mid] = res.seq
        else:
            deferred[res.code] += 1

    session.on_reply = on_reply
    session.start()
    stdin = sys.stdin.fileno()
    poller = zmq.Poller()
    for sock in session.link.sockets:
        poller.register(sock, zmq.POLLIN)
    poller.register(stdin, zmq.POLLIN)
    buffered = b""

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        if "raise_" in request:
            sent = [
                session.send(RaiseSignal(code="cash", note=f"{request.get('note', '')} {i}"))
                for i in range(int(request["raise_"]))
            ]
            return {"sent": sent}
        state = session.state
        return {
            "station": args.station,
            "outbox": len(session.link.outbox),
            "acked": acked,
            "deferred": dict(deferred),
            "last_seq": state.last_seq,
            "synced": session.link.synced,
            "connected": session.link.connected,
            "fingerprint": state.fingerprint().hex(),
            "signals": len(state.signals),
            "rss_mb": rss_mb(os.getpid()),
        }

    try:
        while True:
            ready = dict(poller.poll(50))
            if stdin in ready:
                chunk = os.read(stdin, 65536)
                if not chunk:
                    return 0
                buffered += chunk
                while b"\n" in buffered:
                    line, buffered = buffered.split(b"\n", 1)
                    request = json.loads(line)
                    if request.get("quit"):
                        print(json.dumps({"bye": True}), flush=True)
                        return 0
                    print(json.dumps(answer(request)), flush=True)
            session.pump()
    finally:
        session.close()
        ctx.destroy(linger=0)


def case_netcut(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """Cut the cable between a station and the hub, each in its own network namespace."""
    cut_s, count = (5.0, 10) if quick else (30.0, 60)
    folder = base / "netcut"
    folder.mkdir()
    lab = NetLab()
    try:
        lab.create()
    except FaultSetupError as exc:
        lab.destroy()
        say(f"netcut: skipped: cannot make network namespaces here ({exc})")
        return {"skipped": str(exc)}
    hub = NetnsHub(folder, config, keys, lab.hub_ns, lab.HUB_IP)
    procs: list[StationProcess] = []
    try:
        result = netcut_run(lab, hub, folder, config, keys, cut_s, count, procs)
        say(
            f"netcut: hub in netns {lab.hub_ns} ({lab.HUB_IP}), C02 in {lab.station_ns} "
            f"({lab.STATION_IP}) over a veth pair; C02's link down for {cut_s:g} s while it "
            f"raised {count} and C03 (beside the hub) {count}: {result['acked_during_cut']} "
            f"acknowledged during the cut, {result['queued_at_heal']} waiting in C02's "
            f"outbox; the hub journaled {result['presence_changes_of_C02']} presence changes "
            f"of C02; healed: delivered in {result['delivered_s']} s, converged in "
            f"{result['converged_s']} s; {result['acknowledged_lost']} lost, "
            f"{result['duplicated']} duplicated, in order: {result['in_order']}, equal to "
            f"the journal: {result['equal_to_journal']}"
        )
        return result
    finally:
        for proc in procs:
            proc.stop()
        hub.stop()
        lab.destroy()


def netcut_run(
    lab: NetLab,
    hub: Hub,
    folder: Path,
    config: Path,
    keys: Path,
    cut_s: float,
    count: int,
    procs: list[StationProcess],
) -> dict[str, Any]:
    """The network-cut case on a created NetLab (shared with tests/integration).

    C02 runs in the station namespace with a durable outbox, C03 beside the hub. During
    the cut both raise ``count`` signals; C02 must deliver its own once and in order and
    end with exactly the journal's state, C03's events included.
    """
    hub.start()
    far = StationProcess(
        folder, "C02", hub.endpoint, config, keys, netns=lab.station_ns,
        outbox=folder / "outbox-C02.sqlite",
    )  # fmt: skip
    procs.append(far)
    near = StationProcess(folder, "C03", hub.endpoint, config, keys, netns=lab.hub_ns)
    procs.append(near)
    for proc in (far, near):
        proc.wait(lambda st: bool(st["synced"]), 60, "synced")
    before = far.raise_signals(3, "before")
    far.wait(lambda st: st["outbox"] == 0, 30, "delivered before the cut")
    cut_at_seq = journal_last_seq(hub.db_path)
    lab.cut()
    cut_state = lab.link_state()
    sent: list[str] = []
    near_sent: list[str] = []
    for _ in range(count):
        sent += far.raise_signals(1, "cut")
        near_sent += near.raise_signals(1, "beside the hub")
        time.sleep(cut_s / count)
    status = far.status()
    acked_during_cut = sum(1 for mid in sent if mid in status["acked"])
    queued = int(status["outbox"])
    was_connected = bool(status["connected"])
    lab.heal()
    healed = time.monotonic()
    far.wait(lambda st: st["outbox"] == 0, 120, "its outbox delivered after the heal")
    delivered_s = time.monotonic() - healed
    equal = False
    while time.monotonic() - healed < 120:
        seq, truth = _truth(hub.db_url, config)
        status = far.status()
        if status["last_seq"] == seq and status["synced"]:
            equal = bytes.fromhex(status["fingerprint"]) == truth
            if equal:
                break
        time.sleep(0.1)
    converged_s = time.monotonic() - healed
    near.wait(lambda st: st["outbox"] == 0, 30, "its outbox delivered")
    mine = before + sent
    counts = journal_counts(hub.db_path, mine + near_sent)
    order_ok = journal_order(hub.db_path, mine) == mine
    acked = [mid for mid in mine if mid in status["acked"]]
    lost, dup = lost_and_duplicated(hub.db_path, acked)
    with contextlib.closing(sqlite3.connect(hub.db_path)) as conn:
        presence = conn.execute(
            "SELECT count(*) FROM events WHERE kind = 'presence' AND station = 'C02' AND seq > ?",
            (cut_at_seq,),
        ).fetchone()[0]
    result: dict[str, Any] = {
        "cut_s": cut_s,
        "link_during_cut": cut_state,
        "presence_changes_of_C02": int(presence),
        "raised_during_cut": len(sent),
        "raised_beside_hub": len(near_sent),
        "acked_during_cut": acked_during_cut,
        "connected_at_heal": was_connected,
        "queued_at_heal": queued,
        "delivered_s": round(delivered_s, 2),
        "converged_s": round(converged_s, 2),
        "stored_once": sum(1 for c in counts.values() if c == 1),
        "commands": len(counts),
        "acknowledged_lost": lost,
        "duplicated": dup + sum(1 for c in counts.values() if c > 1),
        "in_order": order_ok,
        "equal_to_journal": equal,
    }
    result["ok"] = (
        lost == 0
        and result["duplicated"] == 0
        and result["stored_once"] == len(counts)
        and order_ok
        and equal
        and acked_during_cut == 0
    )
    return result


# Soak: a compressed branch day, memory over time ------------------------------------------------
SOAK_SPEED = 60.0
"""The simulator's people at 60×: one simulated hour a real minute. Faster, its 0.1 s
reaction time lags (speed 120 gave 1.6× the events of speed 60, not 2×)."""


def case_soak(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """24 branch hours (quick: 1) compressed 60×, with the hub's and two stations' RSS."""
    folder = base / "soak"
    folder.mkdir()
    hub = Hub(folder, config, keys).start()
    try:
        return soak_run(
            hub,
            folder,
            config,
            keys,
            say,
            hours=1.0 if quick else 24.0,
            samples=12 if quick else 48,
        )
    finally:
        hub.stop()


def soak_run(
    hub: Hub,
    folder: Path,
    config: Path,
    keys: Path,
    say: Say,
    *,
    hours: float,
    samples: int,
    speed: float = SOAK_SPEED,
) -> dict[str, Any]:
    """The demo branch's people (app.sim) at ``speed``× for ``hours`` simulated hours.

    Beside them: the branch head's board (the Qt station, ``python -m app.devtools.bench.board``)
    and a lobby-manager window without Qt (a StationProcess). Their RSS and the hub's
    are read from /proc ``samples`` times; at the end the window must hold the journal's
    state. Shared with tests/integration (a few simulated minutes there).
    """
    from app.sim import Simulator

    branch = load_branch(config)
    board_out = folder / "board.out"
    with board_out.open("w", encoding="utf-8") as out:
        board = subprocess.Popen(
            [
                sys.executable, "-m", "app.devtools.bench.board", "--hub", str(hub.endpoint),
                "--keys", str(keys), "--config", str(config), "--station", "H1",
                "--t0", str(time.monotonic_ns()), "--measure", "1", "--soak", "1e9",
            ],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1"),
        )  # fmt: skip
    window = StationProcess(folder, "L1", hub.endpoint, config, keys)
    sim: Simulator | None = None
    rows: list[dict[str, Any]] = []
    try:
        window.wait(lambda st: bool(st["synced"]), 60, "synced")
        deadline = time.monotonic() + 60
        while "startup_s" not in board_out.read_text(encoding="utf-8"):
            if board.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the board did not start:\n" + board_out.read_text()[-2000:])
            time.sleep(0.1)
        people = [sid for sid in branch.stations if sid != "H1" and not sid.startswith("X")]
        sim = Simulator(branch, hub.endpoint, people, speed=speed, seed=1, keys_dir=keys)
        duration = hours * 3600 / speed
        start = time.monotonic()
        sim.start()
        for i in range(samples + 1):
            due = start + duration * i / samples
            while time.monotonic() < due:
                if sim.error is not None:
                    raise RuntimeError(f"the simulator stopped: {sim.error!r}")
                if board.poll() is not None:
                    raise RuntimeError("the board ended:\n" + board_out.read_text()[-2000:])
                time.sleep(min(0.5, max(0.0, due - time.monotonic())))
            status = window.status()
            row = {
                "real_s": round(time.monotonic() - start, 1),
                "simulated_h": round((time.monotonic() - start) * speed / 3600, 2),
                "events": journal_last_seq(hub.db_path),
                "signals_held": status["signals"],
                "hub_mb": round(hub.rss_mb(), 1),
                "board_mb": round(rss_mb(board.pid), 1),
                "window_mb": round(float(status["rss_mb"]), 1),
            }
            rows.append(row)
            say(
                f"soak: {row['simulated_h']:5.2f} h, {row['events']:7,} events, "
                f"{row['signals_held']:6,} signals held; RSS MB hub {row['hub_mb']}, "
                f"board {row['board_mb']}, window {row['window_mb']}"
            )
        sim.stop()
        accepted, refused = sum(sim.actions.values()), dict(sim.rejections)
        sim = None
        equal = False
        settle = time.monotonic()
        try:
            while time.monotonic() - settle < 60:
                seq, truth = _truth(hub.db_url, config)
                status = window.status()
                if status["last_seq"] == seq and status["synced"]:
                    equal = bytes.fromhex(status["fingerprint"]) == truth
                    if equal:
                        break
                time.sleep(0.2)
        except Exception as exc:  # keep the samples of a long run whatever happens here
            say(f"soak: could not compare the window with the journal: {exc!r}")
    finally:
        if sim is not None:
            sim.stop()
        window.stop()
        if board.poll() is None:
            board.terminate()
            try:
                board.wait(10)
            except subprocess.TimeoutExpired:
                board.kill()
                board.wait(10)
    first, mid, last = rows[0], rows[len(rows) // 2], rows[-1]

    def growth(key: str) -> dict[str, float]:
        return {
            "start": first[key],
            "end": last[key],
            "max": max(r[key] for r in rows),
            "growth": round(last[key] - first[key], 1),
            "second_half_growth": round(last[key] - mid[key], 1),
        }

    events = last["events"] - first["events"]
    result: dict[str, Any] = {
        "speed": speed,
        "simulated_hours": hours,
        "real_s": last["real_s"],
        "events": events,
        "commands_accepted": accepted,
        "commands_refused": refused,
        "hub_mb": growth("hub_mb"),
        "board_mb": growth("board_mb"),
        "window_mb": growth("window_mb"),
        "window_equal_to_journal": equal,
        "samples": rows,
        "acknowledged_lost": 0,  # not what this case measures: memory; see "kill"
    }
    result["ok"] = equal
    say(
        f"soak: {hours:g} simulated hours at {speed:g}× ({last['real_s']:.0f} s): {events:,} "
        f"events, {accepted:,} commands accepted; RSS MB start → end (max): hub "
        f"{first['hub_mb']} → {last['hub_mb']} ({result['hub_mb']['max']}), board "
        f"{first['board_mb']} → {last['board_mb']} ({result['board_mb']['max']}), window "
        f"{first['window_mb']} → {last['window_mb']} ({result['window_mb']['max']}); "
        f"second half: hub +{result['hub_mb']['second_half_growth']}, board "
        f"+{result['board_mb']['second_half_growth']}, window "
        f"+{result['window_mb']['second_half_growth']}; the window equals the journal: {equal}"
    )
    return result


def _first(lines: list[str], needle: str) -> str:
    found = next((ln for ln in lines if needle in ln), "")
    return found.split(": ", 1)[-1] if found else ""


CASES = {
    "kill": case_kill,
    "offline": case_offline,
    "slow": case_slow,
    "disk": case_disk,
    "readonly": case_readonly,
    "netcut": case_netcut,
    "soak": case_soak,
}


def run_faults(quick: bool, only: list[str] | None = None, say: Say = print) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="lobbylink-faults-"))
    out: dict[str, Any] = {"mode": "quick" if quick else "full", "cases": {}}
    try:
        config = write_big_branch(base, 420)
        keys = make_keys(base, config)
        for name, case in CASES.items():
            if only and name not in only:
                continue
            start = time.monotonic()
            try:
                out["cases"][name] = case(base, config, keys, quick, say)
            except Exception as exc:
                say(f"{name}: FAILED: {exc!r}")
                out["cases"][name] = {"ok": False, "error": repr(exc)}
            out["cases"][name]["seconds"] = round(time.monotonic() - start, 1)
        return out
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] != ["station"]:
        sys.exit("usage: python -m app.devtools.faults station --hub HOST:PORT --station ID ...")
    sys.exit(station_main(sys.argv[2:]))
