"""A standby pair of hubs under faults (issue 14; docs/reliability.md, "Standby hub").

The pair as child processes (:class:`PairHub`) and the case ``pairkill`` (SIGKILL the
active hub again and again under load). The case ``paircut`` (links cut in network
namespaces) is in app/devtools/faults/paircut.py; both end with
:func:`app.devtools.faults.pairjournals.check_pair_journals`, which checks from the two
journals that the hubs told one story with one writer at a time.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from app.devtools.common import Hub, extra_ids, journal_last_seq, percentile
from app.devtools.faults.common import (
    Say,
    Stations,
    converge,
    free_ports,
    journal_counts,
    lost_and_duplicated,
)
from app.devtools.faults.pairjournals import Takeover, check_pair_journals
from app.devtools.faults.station import in_netns
from app.domain.config import load_branch
from app.domain.events import PairChanged, decode_event
from app.domain.pair import IN_SYNC
from app.domain.record import read_body
from messaging.outbox import Outbox
from messaging.sockets import Endpoint


# A pair of hubs as child processes ---------------------------------------------------------------
class PairHub(Hub):
    """``lobbylink hub --pair ROLE --peer HOST:PORT`` as a child process, its own journal
    in ``folder``, the branch's keys shared with its peer; maybe in a network namespace
    (listening there on every address: its veths to the stations and to the peer)."""

    def __init__(
        self,
        folder: Path,
        config: Path,
        keys: Path,
        role: str,
        port: int,
        peer: Endpoint,
        *,
        netns: str | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        super().__init__(folder, config, keys, port=port)
        self.role, self.peer, self.netns, self.host = role, peer, netns, host
        self.log_path = folder / "hub.log"  # kept across restarts, for what went wrong
        self.extra = ["--pair", role, "--peer", str(peer)]

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.host, self.port)

    def command(self) -> list[str]:
        cmd = super().command()
        if self.netns is None:
            return cmd
        cmd[cmd.index("--listen") + 1] = f"0.0.0.0:{self.port}"
        return [*in_netns(self.netns), *cmd]

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def head(self) -> int:
        return journal_last_seq(self.db_path) if self.db_path.exists() else 0

    def last_pair(self) -> Takeover | None:
        return last_pair_changed(self.db_path)


def last_pair_changed(db_path: Path) -> Takeover | None:
    """The newest ``pair_changed`` event of a journal (read with sqlite3, cheap to poll)."""
    if not db_path.exists():
        return None
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        try:
            row = conn.execute(
                "SELECT seq, hub_ts_ms, body FROM events WHERE kind = 'pair_changed' "
                "ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        except sqlite3.Error:
            return None
    if row is None:
        return None
    env = read_body(bytes(row[2]))
    event = decode_event(env.kind, bytes(env.payload))
    assert isinstance(event, PairChanged)
    return Takeover(int(row[0]), int(row[1]), event.active, event.peer, event.term, event.fork_seq)


def start_pair(folder: Path, config: Path, keys: Path, say: Say) -> tuple[PairHub, PairHub]:
    """A primary and a backup on 127.0.0.1, each with its own journal, started together."""
    p_port = free_ports(3)
    b_port = free_ports(3)
    while abs(b_port - p_port) < 3:
        b_port = free_ports(3)
    local = "127.0.0.1"
    primary = PairHub(folder / "primary", config, keys, "primary", p_port, Endpoint(local, b_port))
    backup = PairHub(folder / "backup", config, keys, "backup", b_port, Endpoint(local, p_port))
    primary.start()
    backup.start()
    say(f"pair: primary on {primary.endpoint}, backup on {backup.endpoint}")
    return primary, backup


def serving(hubs: tuple[PairHub, PairHub]) -> PairHub | None:
    """The hub the newest journal says serves (the ``active`` of its last pair_changed),
    if it runs; None before either has served."""
    newest = max(hubs, key=lambda h: h.head())
    last = newest.last_pair()
    if last is None:
        return None
    found = next(h for h in hubs if h.role == last.active)
    return found if found.running else None


TOLD_S = 1.5
"""The passive learns that it is in step from the active's next heartbeat (every 1 s)."""


def in_step(active: PairHub, other: PairHub) -> bool:
    """``active`` serves (its journal's newest pair_changed says so), the follower holds
    its head, and the active said its peer is in step at least a heartbeat ago (so the
    follower has been told)."""
    if not (active.running and other.running):
        return False
    head = active.head()
    if other.head() != head:
        return False
    last = active.last_pair()
    return (
        last is not None
        and last.active == active.role
        and last.peer == IN_SYNC
        and time.time() * 1000 - last.hub_ts_ms >= TOLD_S * 1000
    )


def wait_in_step(active: PairHub, other: PairHub, timeout: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if in_step(active, other):
            return time.monotonic() - start
        time.sleep(0.05)
    return None


# pairkill: SIGKILL the serving hub again and again ---------------------------------------------
RESTART_AFTER_S = 3.0
"""A killed hub is started again this long after the kill (a service manager's restart
delay); by then its peer has taken over, and the restarted hub must follow it."""


def case_pairkill(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """SIGKILL the serving hub of a pair K times under N stations; restart it each time."""
    kills, stations_n = (3, 20) if quick else (20, 200)
    return pairkill_run(base / "pairkill", config, keys, kills, stations_n, say)


def pairkill_run(
    folder: Path, config: Path, keys: Path, kills: int, stations_n: int, say: Say
) -> dict[str, Any]:
    """The pairkill case (shared with tests/integration/test_fault_pair.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    hubs = start_pair(folder, config, keys, say)
    st = Stations(load_branch(config), [hubs[0].endpoint, hubs[1].endpoint], keys)
    ids = extra_ids(stations_n)
    for sid in ids:
        st.add(sid, Outbox(folder / f"outbox-{sid}.sqlite"))
    st.start()
    sent: list[str] = []
    per_kill: list[dict[str, Any]] = []
    problems: list[str] = []
    restarts: list[threading.Thread] = []
    try:
        active = _settle(hubs, st, 60)
        for i in range(kills):
            other = hubs[1] if active is hubs[0] else hubs[0]
            step_s = wait_in_step(active, other, 60)
            if step_s is None:
                problems.append(f"before kill {i + 1}: the {other.role} not in step in 60 s")
                break
            sent += st.raise_signals(ids, f"kill {i}")  # in the outboxes when this returns
            time.sleep(0.2 + 0.8 * ((i * 7919) % 10) / 10)  # mid-traffic, at varied points
            killed_at_head = active.head()
            active.kill()
            killed, t0 = active, time.monotonic()
            restart = threading.Thread(
                target=_restart, args=(killed, t0, problems), name="pair-restart", daemon=True
            )
            restart.start()
            restarts.append(restart)
            took = _converged_on(other, st, t0, 60)
            restart.join(60)
            per_kill.append(
                {
                    "killed": killed.role,
                    "in_step_wait_s": round(step_s, 2),
                    "killed_at_head": killed_at_head,
                    "converged_s": None if took is None else round(took, 2),
                    "new_active": other.role,
                    "restarted": killed.running,
                }
            )
            say(f"pairkill: kill {i + 1}/{kills} of the {killed.role}: {per_kill[-1]}")
            if took is None:
                problems.append(f"kill {i + 1}: the {other.role} did not take over in 60 s")
                break
            active = other
        sent += st.raise_signals(ids, "after")
        drained = st.drained(120)
        final = serving(hubs) or active
        took, diverging = converge(st, final, config)
        acked = st.acked_ids()
        rejected = st.call(lambda: dict(st.rejected))
        switches = st.switches()
        lost, _ = lost_and_duplicated(final.db_path, acked)
        counts = journal_counts(final.db_path, sent)
        follower = hubs[1] if final is hubs[0] else hubs[0]
        caught_up = wait_in_step(final, follower, 60)
        left = st.queued()
    finally:
        st.stop()
        for restart in restarts:
            restart.join(30)
        for hub in hubs:
            hub.stop()
    report = check_pair_journals(hubs[0].db_url, hubs[1].db_url)
    times = sorted(k["converged_s"] for k in per_kill if k["converged_s"] is not None)
    result: dict[str, Any] = {
        "kills": kills,
        "stations": stations_n,
        "commands": len(sent),
        "acknowledged": len(acked),
        "stored_once": sum(1 for c in counts.values() if c == 1),
        "rejected": rejected,
        "acknowledged_lost": lost,
        "duplicated": sum(1 for c in counts.values() if c > 1),
        "left_in_outboxes": left,
        "drained_s": None if drained is None else round(drained, 2),
        "stations_diverging": diverging,
        "final_converge_s": round(took, 2),
        "link_switches": switches,
        "follower_caught_up": caught_up is not None,
        "converged": len(times),
        "converge_p50_s": percentile(times, 50),
        "converge_p90_s": percentile(times, 90),
        "converge_max_s": times[-1] if times else None,
        "per_kill": per_kill,
        "problems": problems,
        "journals": report.summary(),
        "journals_clean": report.ok,
        "takeovers_journaled": report.takeovers,
    }
    result["ok"] = (
        lost == 0
        and result["duplicated"] == 0
        and diverging == 0
        and left == 0
        and report.ok
        and len(times) == kills
        and not problems
        and result["stored_once"] + sum(rejected.values()) == len(sent)
    )
    say(
        f"pairkill: SIGKILLed the serving hub {kills}× under {stations_n} stations; "
        f"{len(sent)} commands, {len(acked)} acknowledged, {result['stored_once']} stored "
        f"once, {lost} acknowledged lost, {result['duplicated']} duplicated; converged "
        f"{len(times)}/{kills} kills, p50 {result['converge_p50_s']} s, p90 "
        f"{result['converge_p90_s']} s, max {result['converge_max_s']} s; "
        f"{report.summary()}"
    )
    return result


def _settle(hubs: tuple[PairHub, PairHub], st: Stations, timeout: float) -> PairHub:
    """The serving hub once the pair is in step and every station holds its head."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        active = serving(hubs)
        if active is not None:
            other = hubs[1] if active is hubs[0] else hubs[0]
            head = active.head()
            if in_step(active, other) and all(s == head for s in st.last_seqs()):
                return active
        time.sleep(0.1)
    raise RuntimeError(f"the pair did not settle in {timeout:g} s")


def _restart(hub: PairHub, killed_at: float, problems: list[str]) -> None:
    time.sleep(max(0.0, killed_at + RESTART_AFTER_S - time.monotonic()))
    try:
        hub.start()
    except Exception as exc:  # said in the result, not lost in a thread
        problems.append(f"the {hub.role} did not start again: {exc}")


def _converged_on(hub: PairHub, st: Stations, t0: float, timeout: float) -> float | None:
    """Seconds from ``t0`` until ``hub`` serves (its journal says so) and every station's
    last seq equals its head; None if not within ``timeout``."""
    while time.monotonic() - t0 < timeout:
        last = hub.last_pair()
        if last is not None and last.active == hub.role:
            head = hub.head()
            if all(s == head for s in st.last_seqs()) and hub.head() == head:
                return time.monotonic() - t0
        time.sleep(0.02)
    return None
