"""``slow``: a subscriber that stops reading past the PUB's high-water mark must resync.

:func:`slow_subscriber_run` is shared with tests/integration/test_fault_slow_subscriber.py.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import time
from pathlib import Path
from typing import Any

import zmq

from app.devtools.common import (
    Hub,
    extra_ids,
    journal_fingerprint,
    journal_last_seq,
)
from app.devtools.faults.common import (
    Say,
    journal_counts,
    lost_and_duplicated,
)
from app.devtools.faults.flood import Flood
from app.domain.config import load_branch
from app.domain.events import RaiseSignal
from app.station import StationSession
from messaging.envelope import T_EVENT, Accepted, WireError, decode_envelope
from messaging.keys import station_keys
from messaging.sockets import DEFAULT_HWM, Endpoint


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
        seq, truth = journal_fingerprint(f"sqlite:///{db_path}", config)
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
