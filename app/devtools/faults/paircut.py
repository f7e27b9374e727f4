"""The standby pair with its links cut (issue 14; docs/reliability.md, "Standby hub").

The case ``paircut``: hub A, hub B and the stations in network namespaces of our own
(:class:`PairLab`); first the hubs' own link is cut (no takeover: A serves alone and B
catches up after the heal), then A is cut from the stations (exactly one takeover). It
ends with :func:`app.devtools.faults.pairjournals.check_pair_journals` and nothing
acknowledged lost. It needs root (``ip netns``) and says "skipped" without it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from app.devtools.common import extra_ids
from app.devtools.faults.common import (
    FaultSetupError,
    Say,
    journal_counts,
    lost_and_duplicated,
)
from app.devtools.faults.netcut import Netns
from app.devtools.faults.pair import PairHub, serving, wait_in_step
from app.devtools.faults.pairjournals import Takeover, check_pair_journals
from app.devtools.faults.station import StationProcess
from app.domain.events import PairChanged, decode_event
from app.domain.record import read_body
from messaging.sockets import Endpoint


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
