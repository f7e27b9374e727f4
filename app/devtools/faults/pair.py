"""A standby pair of hubs under faults (issue 14; docs/reliability.md, "Standby hub").

:func:`check_pair_journals` reads the two hubs' journals and says whether they tell one
story with one writer at a time; the cases ``pairkill`` (SIGKILL the active hub again
and again under load) and ``paircut`` (links cut in network namespaces) end with it.

"Never two writers" is checked from what the hubs wrote, not from what they said, as
Jepsen checks a history rather than trusting the nodes' logs; the rules are those of
the Raft log-matching property (equal entries at equal indexes up to the shorter log,
terms never falling) and of PostgreSQL's timelines (a fork is recorded with the last
shared position, and what the old primary wrote beyond it is never served again).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, LargeBinary, cast, inspect, select, text

from app.devtools.common import Hub, extra_ids, journal_last_seq, percentile
from app.devtools.faults.common import (
    FaultSetupError,
    Say,
    Stations,
    converge,
    free_ports,
    journal_counts,
    lost_and_duplicated,
)
from app.devtools.faults.netcut import Netns
from app.devtools.faults.station import StationProcess, in_netns
from app.domain.config import load_branch
from app.domain.events import PairChanged, decode_event
from app.domain.pair import IN_SYNC
from app.domain.record import read_body
from app.hub import schema
from app.hub.readonly import read_only_engine
from messaging.outbox import Outbox
from messaging.sockets import Endpoint

SET_ASIDE = "events_set_aside"
"""The table where a hub that follows a newer term keeps the rows it held above the fork
(written but never acknowledged)."""


# Reading one journal ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Takeover:
    """A ``pair_changed`` event as journaled."""

    seq: int
    hub_ts_ms: int
    active: str
    peer: str
    term: int
    fork_seq: int


@dataclass
class _Journal:
    """What the checks need of one journal, read once (pure reading: never written)."""

    url: str
    epoch: str = ""
    lineage: list[str] = field(default_factory=list)
    """The epochs of ``meta.lineage``, oldest first, if the journal keeps one."""
    hashes: dict[int, bytes] = field(default_factory=dict)
    ts: dict[int, int] = field(default_factory=dict)
    msg_ids: dict[str, list[int]] = field(default_factory=dict)
    pair: list[Takeover] = field(default_factory=list)
    set_aside: list[tuple[int, str | None, int]] = field(default_factory=list)
    """(seq, msg_id, hub_ts_ms) of each row of ``events_set_aside``."""
    replies: dict[str, int | None] = field(default_factory=dict)
    """``commands``: msg_id → the seq its reply names (None for a refusal)."""
    unreadable: list[str] = field(default_factory=list)

    @property
    def head(self) -> int:
        return max(self.hashes, default=0)


def _read(url: str) -> _Journal:
    out = _Journal(url)
    engine = read_only_engine(url)
    try:
        _read_meta(engine, out)
        _read_events(engine, out)
        _read_commands(engine, out)
        _read_set_aside(engine, out)
    finally:
        engine.dispose()
    return out


def _read_meta(engine: Engine, out: _Journal) -> None:
    m = schema.meta.c
    with engine.connect() as conn:
        found = dict(conn.execute(select(m.key, m.value)).all())
    out.epoch = str(found.get("epoch", ""))
    raw = found.get("lineage")
    if raw:
        try:
            entries = json.loads(raw)
            out.lineage = [str(e["epoch"]) for e in entries if isinstance(e, dict)]
        except (ValueError, TypeError, KeyError):
            out.unreadable.append(f"meta.lineage does not parse ({str(raw)[:40]!r})")


def _rows(engine: Engine, chunk: int = 20_000) -> Iterator[tuple[int, int, str, Any, Any, Any]]:
    e = schema.events.c
    last = -1
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    e.seq,
                    e.hub_ts_ms,
                    e.kind,
                    e.msg_id,
                    cast(e.hash, LargeBinary),
                    cast(e.body, LargeBinary),
                )
                .where(e.seq > last)
                .order_by(e.seq)
                .limit(chunk)
            ).all()
        if not rows:
            return
        for row in rows:
            yield int(row[0]), int(row[1]), str(row[2]), row[3], row[4], row[5]
        last = int(rows[-1][0])


def _read_events(engine: Engine, out: _Journal) -> None:
    for seq, ts, kind, msg_id, digest, body in _rows(engine):
        out.hashes[seq] = bytes(digest) if digest is not None else b""
        out.ts[seq] = ts
        if msg_id:
            out.msg_ids.setdefault(str(msg_id), []).append(seq)
        if kind != "pair_changed":
            continue
        try:
            env = read_body(bytes(body))
            event = decode_event(env.kind, bytes(env.payload))
        except ValueError as exc:
            out.unreadable.append(f"seq {seq}: a pair_changed body that does not decode ({exc})")
            continue
        if isinstance(event, PairChanged):
            out.pair.append(Takeover(seq, ts, event.active, event.peer, event.term, event.fork_seq))


def _read_commands(engine: Engine, out: _Journal) -> None:
    c = schema.commands.c
    with engine.connect() as conn:
        for msg_id, seq in conn.execute(select(c.msg_id, c.seq)):
            out.replies[str(msg_id)] = None if seq is None else int(seq)


def _read_set_aside(engine: Engine, out: _Journal) -> None:
    if not inspect(engine).has_table(SET_ASIDE):
        return
    columns = {col["name"] for col in inspect(engine).get_columns(SET_ASIDE)}
    msg = "msg_id" if "msg_id" in columns else "NULL"
    ts = "hub_ts_ms" if "hub_ts_ms" in columns else "0"
    with engine.connect() as conn:
        for seq, msg_id, ms in conn.execute(
            text(f"SELECT seq, {msg}, {ts} FROM {SET_ASIDE} ORDER BY seq")
        ):
            out.set_aside.append((int(seq), None if msg_id is None else str(msg_id), int(ms)))


# The checks ----------------------------------------------------------------------------------
@dataclass
class PairReport:
    """What :func:`check_pair_journals` found; ``ok`` when ``problems`` is empty."""

    heads: tuple[int, int]
    epochs: tuple[str, str]
    common_to: int
    """The lower head: every seq up to it must be equal in both journals."""
    first_difference: int | None
    """The first seq (up to ``common_to``) whose hash differs or that only one holds."""
    terms: list[Takeover]
    """The journal with the higher head's ``pair_changed`` events, in seq order."""
    set_aside: tuple[int, int]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def takeovers(self) -> int:
        """New terms started (the first ``pair_changed`` of each term after the first)."""
        return len({t.term for t in self.terms}) - (1 if self.terms else 0)

    def summary(self) -> str:
        state = (
            "clean"
            if self.ok
            else f"{len(self.problems)} problem(s): " + "; ".join(self.problems[:5])
        )
        return (
            f"journals A (head {self.heads[0]}) and B (head {self.heads[1]}): equal up to "
            f"{self.common_to}, terms {sorted({t.term for t in self.terms})}, set aside "
            f"{self.set_aside[0]}/{self.set_aside[1]}; {state}"
        )


def check_pair_journals(url_a: str, url_b: str) -> PairReport:
    """Check that two hubs' journals tell one story, written by one hub at a time.

    - the same ``meta.epoch`` (when the journals keep a lineage of epochs, the lower one's
      epoch may be an older entry of the higher one's lineage: it has not yet followed);
    - the same (seq, hash) at every seq up to the lower head (the first that differs is
      reported);
    - ``pair_changed`` terms never falling in seq order, one serving hub (``active``)
      per term in both journals together, a new term's event right after its
      ``fork_seq`` and not before it;
    - ``hub_ts_ms`` never going back across a term change;
    - no msg_id with two event rows in either journal;
    - every row of ``events_set_aside``: above some term's ``fork_seq``, and no reply of
      that journal names it (the command was never acknowledged as that row; a resend
      decided again in a later term has its reply pointing at the new row).
    """
    a, b = _read(url_a), _read(url_b)
    problems: list[str] = [f"A: {p}" for p in a.unreadable] + [f"B: {p}" for p in b.unreadable]
    problems += _epochs(a, b)
    common_to = min(a.head, b.head)
    first_diff = _first_difference(a, b, common_to)
    if first_diff is not None:
        problems.append(f"the journals differ at seq {first_diff} (equal up to {first_diff - 1})")
    for name, j in (("A", a), ("B", b)):
        problems += [f"{name}: {p}" for p in _own_rules(j)]
    problems += _one_active_per_term(a, b)
    longer = a if a.head >= b.head else b
    return PairReport(
        heads=(a.head, b.head),
        epochs=(a.epoch, b.epoch),
        common_to=common_to,
        first_difference=first_diff,
        terms=list(longer.pair),
        set_aside=(len(a.set_aside), len(b.set_aside)),
        problems=problems,
    )


def _epochs(a: _Journal, b: _Journal) -> list[str]:
    if a.epoch == b.epoch:
        return []
    low, high = (a, b) if a.head < b.head else (b, a)
    if low.epoch in high.lineage and low.head < high.head:
        return []  # the lower one has not yet followed the newer term
    return [f"the epochs differ: A {a.epoch!r}, B {b.epoch!r}"]


def _first_difference(a: _Journal, b: _Journal, upto: int) -> int | None:
    for seq in range(1, upto + 1):
        one, two = a.hashes.get(seq), b.hashes.get(seq)
        if one is None and two is None:
            continue  # archived in both (the chain starts later)
        if one != two:
            return seq
    return None


def _own_rules(j: _Journal) -> list[str]:
    problems = [
        f"msg_id {mid} has {len(seqs)} event rows (seqs {seqs[:4]})"
        for mid, seqs in j.msg_ids.items()
        if len(seqs) > 1
    ]
    term, active = 0, ""
    for t in j.pair:
        if t.term < term:
            problems.append(f"seq {t.seq}: the term falls from {term} to {t.term}")
        elif t.term == term and t.active != active:
            problems.append(
                f"seq {t.seq}: term {t.term} served by {active!r} and then by {t.active!r}"
            )
        elif t.term > term and term > 0:
            problems += _term_change(j, t)
        if t.term >= term:
            term, active = t.term, t.active
    starts = [t for t in j.pair if t.fork_seq > 0]
    forks = [t.fork_seq for t in starts]
    for seq, msg_id, ts in j.set_aside:
        if not any(seq > fork for fork in forks):
            problems.append(f"set-aside row {seq} is not above any term's fork_seq {forks}")
            continue
        if msg_id is not None and j.replies.get(msg_id, -1) == seq:
            problems.append(f"set-aside row {seq} ({msg_id}) still has its reply in commands")
        # The term that replaced the row began (hub time) before the old hub accepted it:
        # for that while two hubs accepted commands (the clocks are one PC's in the runs).
        new = max((t for t in starts if t.fork_seq < seq), key=lambda t: t.fork_seq)
        if msg_id is not None and ts > new.hub_ts_ms:
            problems.append(
                f"set-aside row {seq} ({msg_id}) was accepted {ts - new.hub_ts_ms} ms after "
                f"term {new.term} began on the other hub: two hubs accepted commands at once"
            )
    return problems


def _term_change(j: _Journal, t: Takeover) -> list[str]:
    problems = []
    if t.fork_seq >= t.seq:
        problems.append(f"seq {t.seq}: term {t.term} forks at {t.fork_seq}, not before it")
    elif t.fork_seq and t.seq != t.fork_seq + 1:
        problems.append(
            f"seq {t.seq}: term {t.term} starts {t.seq - t.fork_seq - 1} rows after its "
            f"fork_seq {t.fork_seq} (the term before wrote after the fork)"
        )
    before = max((ts for seq, ts in j.ts.items() if seq < t.seq), default=0)
    after = min((ts for seq, ts in j.ts.items() if seq >= t.seq), default=before)
    if after < before:
        problems.append(
            f"seq {t.seq}: hub_ts_ms goes back {before - after} ms across the change to "
            f"term {t.term}"
        )
    return problems


def _one_active_per_term(a: _Journal, b: _Journal) -> list[str]:
    serving: dict[int, set[str]] = {}
    for t in (*a.pair, *b.pair):
        serving.setdefault(t.term, set()).add(t.active)
    return [
        f"term {term} was served by {' and '.join(sorted(who))}"
        for term, who in sorted(serving.items())
        if len(who) > 1
    ]


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


# paircut: links cut in network namespaces ------------------------------------------------------
class PairLab(Netns):
    """Hub A, hub B and the stations in three namespaces of our own: a veth A–S, a veth
    B–S and the hubs' dedicated veth A–B, each on a /24 that exists only inside them."""

    A_S, B_S, A_B = (
        ("10.78.1.1", "10.78.1.2"),
        ("10.78.2.1", "10.78.2.2"),
        ("10.78.3.1", "10.78.3.2"),
    )
    PORT = 5560

    def __init__(self) -> None:
        super().__init__()
        tag = f"{os.getpid() % 100_000}"
        self.ns_a, self.ns_b, self.ns_s = f"llpa{tag}", f"llpb{tag}", f"llps{tag}"
        self.tag = tag

    def dev(self, here: str, there: str) -> str:
        """The device in ``here``'s namespace towards ``there`` (each one of a, b, s)."""
        return f"p{here}{there}{self.tag}"

    def create(self) -> PairLab:
        for ns in (self.ns_a, self.ns_b, self.ns_s):
            self.add(ns)
        self.veth(
            (self.ns_a, self.dev("a", "s"), self.A_S[0]),
            (self.ns_s, self.dev("s", "a"), self.A_S[1]),
        )
        self.veth(
            (self.ns_b, self.dev("b", "s"), self.B_S[0]),
            (self.ns_s, self.dev("s", "b"), self.B_S[1]),
        )
        self.veth(
            (self.ns_a, self.dev("a", "b"), self.A_B[0]),
            (self.ns_b, self.dev("b", "a"), self.A_B[1]),
        )
        return self

    def hubs(self, folder: Path, config: Path, keys: Path) -> tuple[PairHub, PairHub]:
        a = PairHub(
            folder / "A", config, keys, "primary", self.PORT, Endpoint(self.A_B[1], self.PORT),
            netns=self.ns_a, host=self.A_S[0],
        )  # fmt: skip
        b = PairHub(
            folder / "B", config, keys, "backup", self.PORT, Endpoint(self.A_B[0], self.PORT),
            netns=self.ns_b, host=self.B_S[0],
        )  # fmt: skip
        return a, b

    def cut_hubs(self, up: bool = False) -> None:
        """The hubs' dedicated cable (A's end)."""
        self.set_link(self.ns_a, self.dev("a", "b"), up)

    def cut_a_from_stations(self, up: bool = False) -> None:
        self.set_link(self.ns_a, self.dev("a", "s"), up)


def case_paircut(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """Cut the hubs' own link (no takeover), then A from the stations (one takeover)."""
    folder = base / "paircut"
    folder.mkdir()
    lab = PairLab()
    try:
        lab.create()
    except FaultSetupError as exc:
        lab.destroy()
        say(f"paircut: skipped: cannot make network namespaces here ({exc})")
        return {"skipped": str(exc)}
    hubs = lab.hubs(folder, config, keys)
    procs: list[StationProcess] = []
    try:
        result = paircut_run(lab, hubs, folder, config, keys, 4 if quick else 10, procs, say)
    finally:
        for proc in procs:
            proc.stop()
        for hub in hubs:
            hub.stop()
        lab.destroy()
    result["journals"] = check_pair_journals(hubs[0].db_url, hubs[1].db_url).summary()
    return result


def max_term(hub: PairHub) -> int:
    last = hub.last_pair()
    return 0 if last is None else last.term


def paircut_run(
    lab: PairLab,
    hubs: tuple[PairHub, PairHub],
    folder: Path,
    config: Path,
    keys: Path,
    stations_n: int,
    procs: list[StationProcess],
    say: Say,
    cut_s: float = 10.0,
    phases: str = "ab",
) -> dict[str, Any]:
    """The paircut case on a created PairLab (shared with tests/integration), one phase
    after the other of ``phases``: (a) the hubs' link down ``cut_s``: no takeover, A
    says its peer is away and acknowledges alone, B catches up after the heal; (b) A cut
    from the stations (A–B up): one takeover. Ends with the journals checked and
    nothing acknowledged lost."""
    a, b = hubs
    a.start()
    b.start()
    endpoints = [a.endpoint, b.endpoint]
    for sid in extra_ids(stations_n):  # in the stations' namespace, with both hubs
        outbox = folder / f"outbox-{sid}.sqlite"
        procs.append(
            StationProcess(folder, sid, endpoints, config, keys, netns=lab.ns_s, outbox=outbox)
        )
    for proc in procs:
        proc.wait(lambda s: bool(s["synced"]), 60, "synced")
    sent: list[str] = []
    for proc in procs:
        sent += proc.raise_signals(1, "before")
    for proc in procs:
        proc.wait(lambda s: s["outbox"] == 0, 60, "delivered before the cuts")
    if wait_in_step(a, b, 60) is None:
        raise RuntimeError("the pair was not in step within 60 s")
    out: dict[str, Any] = {"stations": stations_n, "cut_s": cut_s, "phases": phases}
    ok = True
    if "a" in phases:
        out["a"], during = _cut_hubs(lab, a, b, procs, cut_s)
        sent += during
        ok = ok and out["a"]["ok"]
        say(f"paircut (a) the hubs' link cut {cut_s:g} s: {out['a']}")
        if "b" in phases and wait_in_step(a, b, 60) is None:
            raise RuntimeError("the pair was not in step within 60 s after (a)")
    if "b" in phases:
        out["b"], during = _cut_a_from_stations(lab, a, b, procs, cut_s)
        sent += during
        ok = ok and out["b"]["ok"]
        say(f"paircut (b) A cut from the stations: {out['b']}")
    for proc in procs:
        proc.wait(lambda s: s["outbox"] == 0, 120, "delivered after the cuts")
    final = serving(hubs) or a  # the role the newest pair_changed names
    acked_all = [mid for proc in procs for mid in proc.status()["acked"]]
    lost, dup = lost_and_duplicated(final.db_path, acked_all)
    counts = journal_counts(final.db_path, sent)
    out.update(
        served_at_end=final.role,
        commands=len(sent),
        acknowledged=len(acked_all),
        acknowledged_lost=lost,
        duplicated=dup + sum(1 for c in counts.values() if c > 1),
        stored_once=sum(1 for c in counts.values() if c == 1),
        in_step_at_end=wait_in_step(final, a if final is b else b, 60) is not None,
    )
    report = check_pair_journals(a.db_url, b.db_url)
    out["journals_clean"] = report.ok
    out["journal_problems"] = report.problems[:10]
    out["ok"] = ok and lost == 0 and out["duplicated"] == 0 and report.ok
    return out


def _acked(procs: list[StationProcess]) -> set[str]:
    return {mid for proc in procs for mid in proc.status()["acked"]}


def _msg_ids_since(hub: PairHub, after_seq: int) -> set[str]:
    with contextlib.closing(sqlite3.connect(f"file:{hub.db_path}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT msg_id FROM events WHERE msg_id IS NOT NULL AND seq > ?", (after_seq,)
        ).fetchall()
    return {str(m) for (m,) in rows}


def _cut_hubs(
    lab: PairLab, a: PairHub, b: PairHub, procs: list[StationProcess], cut_s: float
) -> tuple[dict[str, Any], list[str]]:
    """(a) The hubs' own link down ``cut_s``, the stations raising one a second each."""
    term0, head0 = max(max_term(a), max_term(b)), a.head()
    lab.cut_hubs()
    during: list[str] = []
    moved = set()
    t0 = time.monotonic()
    while time.monotonic() - t0 < cut_s:
        for proc in procs:
            during += proc.raise_signals(1, "hubs cut")
            if proc.status()["hub"] == str(b.endpoint):
                moved.add(proc.sid)
        time.sleep(1.0)
    by_a = _acked(procs) & _msg_ids_since(a, head0) & set(during)
    away = _pair_events_since(a, head0)
    lab.cut_hubs(up=True)
    healed = time.monotonic()
    caught = wait_in_step(a, b, 60)
    new_terms = max(max_term(a), max_term(b)) - term0
    found = {
        "raised": len(during),
        "acknowledged_by_a": len(by_a),
        "away_journaled": any(t.peer == "away" and t.active == a.role for t in away),
        "stations_that_moved_to_b": len(moved),
        "new_terms": new_terms,
        "b_caught_up_s": None if caught is None else round(time.monotonic() - healed, 2),
    }
    found["ok"] = new_terms == 0 and found["away_journaled"] and bool(by_a) and caught is not None
    return found, during


def _cut_a_from_stations(
    lab: PairLab, a: PairHub, b: PairHub, procs: list[StationProcess], cut_s: float
) -> tuple[dict[str, Any], list[str]]:
    """(b) A cut from the stations, the hubs' link up: exactly one takeover."""
    term1, head1 = max(max_term(a), max_term(b)), b.head()
    lab.cut_a_from_stations()
    cut_at = time.monotonic()
    during: list[str] = []
    took_over: float | None = None
    acked_again: float | None = None
    while time.monotonic() - cut_at < 3 * cut_s:
        for proc in procs:
            during += proc.raise_signals(1, "A cut from stations")
        if took_over is None and max_term(b) > term1:
            took_over = time.monotonic() - cut_at
        if acked_again is None and set(during[: len(procs)]) <= _acked(procs):
            acked_again = time.monotonic() - cut_at
        if took_over is not None and acked_again is not None and time.monotonic() - cut_at > cut_s:
            break
        time.sleep(0.5)
    lab.cut_a_from_stations(up=True)
    time.sleep(3.0)  # A back in the stations' sight: it must follow, not serve
    terms = {t.term for t in _pair_events_since(b, head1) if t.term > term1}
    last = b.last_pair()
    found = {
        "raised": len(during),
        "takeover_s": None if took_over is None else round(took_over, 2),
        "acked_again_s": None if acked_again is None else round(acked_again, 2),
        "new_terms": len(terms),
        "served_by": "" if last is None else last.active,
    }
    found["ok"] = len(terms) == 1 and found["served_by"] == b.role
    return found, during


def _pair_events_since(hub: PairHub, after_seq: int) -> list[Takeover]:
    """The ``pair_changed`` events of ``hub``'s journal after ``after_seq``."""
    with contextlib.closing(sqlite3.connect(f"file:{hub.db_path}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT seq, hub_ts_ms, body FROM events WHERE kind = 'pair_changed' AND seq > ? "
            "ORDER BY seq",
            (after_seq,),
        ).fetchall()
    found = []
    for seq, ts, body in rows:
        env = read_body(bytes(body))
        event = decode_event(env.kind, bytes(env.payload))
        if isinstance(event, PairChanged):
            found.append(
                Takeover(int(seq), int(ts), event.active, event.peer, event.term, event.fork_seq)
            )
    return found
