"""``lobbylink bench faults``: inject faults against a real hub and count what was lost.

Every case prints what it did and the one figure that must be zero: acknowledged
events lost (and duplicated). An "acknowledged" command is one whose ``accepted``
reply reached the station; the journal must hold its msg_id exactly once.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zmq

from app.bench.common import Hub, extra_ids, make_keys, write_big_branch
from app.domain.config import Branch, load_branch
from app.domain.events import RaiseSignal, command_kind, encode
from app.station import StationSession
from messaging.envelope import Accepted, Rejected
from messaging.keys import station_keys
from messaging.link import StationLink
from messaging.outbox import Outbox
from messaging.sockets import Endpoint

Say = Callable[[str], None]


def journal_counts(db_path: Path, msg_ids: list[str]) -> dict[str, int]:
    """How many event rows carry each msg_id."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT msg_id, count(*) FROM events WHERE msg_id IS NOT NULL GROUP BY msg_id"
        ).fetchall()
    have = {str(m): int(c) for m, c in rows}
    return {mid: have.get(mid, 0) for mid in msg_ids}


def journal_order(db_path: Path, msg_ids: list[str]) -> list[str]:
    with sqlite3.connect(db_path) as conn:
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
            elif not result.retry:
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
    from app.bench.run import journal_fingerprint

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


def case_slow(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """A subscriber that stops reading while the hub publishes past its PUB high-water mark."""
    folder = base / "slow"
    folder.mkdir()
    hub = Hub(folder, config, keys).start()
    try:
        return slow_subscriber_run(hub, config, keys, say, flood_stations=300 if quick else 400)
    finally:
        hub.stop()


def slow_subscriber_run(
    hub: Hub,
    config: Path,
    keys: Path,
    say: Say,
    flood_stations: int = 300,
    events: int = 230_000,
) -> dict[str, Any]:
    """The slow-subscriber case against a running hub (shared with tests/integration).

    One station (W1) stops reading its SUB socket while ``events`` are published (more
    than the PUB's 100,000 high-water mark plus the SUB's own queue), then reads again:
    it must see the gap and resync; the others (pumped all along) must never need to.
    """
    branch = load_branch(config)
    ctx = zmq.Context()
    fast_ids, slow_id = ["H1", "L1"], "W1"
    sessions = {
        sid: StationSession(branch, sid, hub.endpoint, ctx, keys=station_keys(keys, sid))
        for sid in [*fast_ids, slow_id]
    }
    resyncs = dict.fromkeys(sessions, 0)
    for sid, s in sessions.items():
        original = s.link.request_resync

        def counted(_sid: str = sid, _o: Callable[[], None] = original) -> None:
            resyncs[_sid] += 1
            _o()

        s.link.request_resync = counted  # type: ignore[method-assign]
        s.start()
    flooders = Flood(hub, keys, extra_ids(flood_stations))
    try:
        deadline = time.monotonic() + 30
        while not all(s.link.synced for s in sessions.values()):
            for s in sessions.values():
                s.pump()
            if time.monotonic() > deadline:
                raise RuntimeError("stations did not sync")
            time.sleep(0.01)
        base_resyncs = dict(resyncs)
        start_seq = sessions[slow_id].state.last_seq
        slow = sessions[slow_id]
        flooders.start()
        while flooders.accepted < events:
            for sid in fast_ids:
                sessions[sid].pump()
            slow.link.tick()  # it still pings (the PC is alive, only its screen is slow)
            while True:  # answer only its DEALER: the SUB's queue is left to overflow
                try:
                    frames = slow.link.dealer.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                slow.link._handle(False, frames)
            if flooders.error:
                raise RuntimeError(flooders.error)
        flooders.stop()
        target = 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            from app.bench.common import journal_last_seq

            target = journal_last_seq(hub.db_path)
            for s in sessions.values():
                s.pump()
            if all(s.state.last_seq >= target and s.link.synced for s in sessions.values()):
                break
            time.sleep(0.01)
        seq, truth = _truth(hub.db_url, config)
        for _ in range(200):
            for s in sessions.values():
                s.pump()
            if all(s.state.last_seq >= seq for s in sessions.values()):
                break
            time.sleep(0.01)
        equal = {sid: s.state.fingerprint() == truth for sid, s in sessions.items()}
        gap_resyncs = resyncs[slow_id] - base_resyncs[slow_id]
        others = {sid: resyncs[sid] - base_resyncs[sid] for sid in fast_ids}
        result = {
            "published": flooders.accepted,
            "slow_from_seq": start_seq,
            "slow_resyncs": gap_resyncs,
            "others_resyncs": others,
            "equal_to_journal": equal,
            "acknowledged_lost": lost_and_duplicated(hub.db_path, flooders.acked_ids)[0],
        }
        result["ok"] = gap_resyncs >= 1 and not any(others.values()) and all(equal.values())
        say(
            f"slow: W1 stopped reading while {flooders.accepted} events were published "
            f"(PUB high-water mark 100,000): it resynced {gap_resyncs}×, the others "
            f"{others}; equal to the journal: {equal}; "
            f"{result['acknowledged_lost']} acknowledged lost"
        )
        return result
    finally:
        flooders.stop()
        for s in sessions.values():
            s.close()
        ctx.destroy(linger=0)


class Flood:
    """Loader stations in a thread of this process: raise as fast as the hub answers."""

    def __init__(self, hub: Hub, keys: Path, ids: list[str], sample: int = 2000) -> None:
        self.hub, self.keys, self.ids = hub, keys, ids
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
                    ctx,
                    self.hub.endpoint,
                    sid,
                    keys=station_keys(self.keys, sid),
                    subscribe=False,
                )

                def on_reply(mid: str, res: Accepted | Rejected, _l: StationLink = link) -> None:
                    if isinstance(res, Accepted):
                        self.accepted += 1
                        if len(self.acked_ids) < self.sample:
                            self.acked_ids.append(mid)
                    if not self._stop.is_set() and not (isinstance(res, Rejected) and res.retry):
                        _send(_l)

                link.on_reply = on_reply
                links.append(link)
            for link in links:
                _send(link)
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


def _send(link: StationLink) -> None:
    """Raise a cash signal (no escalation timer): one event per command."""
    cmd = RaiseSignal(code="cash")
    link.submit(command_kind(cmd), encode(cmd))


def case_disk(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """The journal's filesystem fills up, then turns read-only; then space returns."""
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
        # Read-only next.
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        before_ro = len(st.acked)
        st.call(lambda: raise_all("read-only"))
        time.sleep(3)
        acked_ro = len(st.acked) - before_ro
        refused_ro = [ln for ln in hub.log if "read-only" in ln or "readonly" in ln][:1]
        subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(len(s.link.outbox) for s in st.sessions.values()):
            time.sleep(0.2)
        recovered_ro = not any(len(s.link.outbox) for s in st.sessions.values())
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
            "acknowledged_while_read_only": acked_ro,
            "hub_said_read_only": refused_ro,
            "recovered_after_rw": recovered_ro,
            "commands": len(sent),
            "acknowledged": len(acked),
            "acknowledged_lost": lost,
            "duplicated": dup,
        }
        result["ok"] = lost == 0 and dup == 0 and recovered and recovered_ro
        say(
            f"disk: journal on a 3 MB tmpfs; hub said {refused_full or 'nothing'}; after "
            f"growing it recovered={recovered}; read-only: {acked_ro} acknowledged, hub said "
            f"{refused_ro or 'nothing'}; recovered={recovered_ro}; {len(acked)} acknowledged "
            f"in all, {lost} lost, {dup} duplicated"
        )
        return result
    finally:
        if st is not None:
            st.stop()
        hub.stop()
        with contextlib.suppress(Exception):
            subprocess.run(["umount", str(mnt)], check=False, capture_output=True)


CASES = {"kill": case_kill, "offline": case_offline, "slow": case_slow, "disk": case_disk}


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
