"""``central``: many branch hubs ship their journals to one head-office PostgreSQL while
their WAN links are cut and restored, the server crashes and comes back, and hubs are
SIGKILLed in the middle of shipping (needs root: network namespaces).

The lab (:class:`CentralLab`, over :class:`~app.devtools.faults.netcut.Netns`): head
office's server in a network namespace of its own; each branch hub in another, joined to
it by a veth pair on a /30 of its own (10.231.x.y), with its traffic — the branch's
simulated staff (app.sim), a child process of this module — beside it on the
namespace's own loopback, so a WAN cut never touches the branch's LAN. The run reaches
the server over its Unix socket, which no namespace hides.

The mark is central (``chain_marks``, moved by the chain trigger in the batch's own
transaction): there is no local mark, so a hub killed at any moment — in a batch, right
after its central commit, while its link is down — must lose and repeat nothing. The
run kills at random moments and, on purpose, right after a commit (it watches the
branch's mark move and kills at once), inside a batch (it watches ``pg_stat_activity``)
and inside a batch behind a WAN cut (the server then never hears the branch go, and
must end that session itself: app.central.db ``make_engine``). At the end it compares, per (branch, epoch),
head office's rows with the branch journal (:func:`compare`): every seq once, no gap,
the same hash, the body as app.central.redact lets it leave, the chain mark at the
journal's head, and the ``signals`` projection equal to the journal's ``signals``.

Shared with tests/integration/test_fault_central.py (a CI-sized :class:`Plan`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError

from app.devtools.common import ROOT, make_keys
from app.devtools.faults.common import FaultSetupError, Say, run_tool
from app.devtools.faults.netcut import Netns, NetnsHub
from app.devtools.faults.station import in_netns
from app.devtools.pgserver import PgServer
from app.domain.config import default_config_path, load_branch
from app.hub.process import HubStartError

HUB_PORT = 5560
"""Each hub listens on its own namespace's loopback: the same port everywhere."""
TRAFFIC_STATIONS = ("C01", "C02", "C03", "L1", "S1", "W1", "H1")
"""The simulated staff of each branch: tellers, the lobby manager, a supervisor, a
wealth manager and the branch head (so signals are raised, claimed, resolved)."""
_runs = itertools.count(1)


@dataclass(frozen=True)
class Plan:
    """The size of a run."""

    hubs: int = 20
    seconds: float = 50.0
    """How long the branches work under faults."""
    cuts: int = 24
    """WAN links pulled (``ip link set … down``), one end or the other, and restored."""
    cut_s: tuple[float, float] = (1.0, 8.0)
    kills: int = 24
    """Hubs SIGKILLed at random moments (and restarted)."""
    commit_kills: int = 10
    """Hubs SIGKILLed the moment head office's mark of their branch moved."""
    batch_kills: int = 10
    """Hubs SIGKILLed the moment the server shows their role in a transaction."""
    cut_batch_kills: int = 4
    """Hubs frozen inside a batch (the server waiting for their next statement), their
    WAN cut at head office's end, SIGKILLed, the link restored 2–5 s after: the server
    never hears them go (nothing of theirs, nothing it sent, is in flight) and keeps
    their session inside the batch, with its locks, until it ends it itself."""
    restarts: int = 2
    """``pg_ctl stop -m immediate`` and start again."""
    down_s: tuple[float, float] = (2.0, 5.0)
    final_cut_s: float = 10.0
    """At the end every WAN link is down this long, the branches working, then all are
    restored at once: the catch-up after it is the run's figure."""
    speed: float = 8.0
    """Simulated staff act this many times faster than people."""
    batch: int = 5
    rate: int = 400
    personal_every: int = 5
    """Every n-th branch ships personal text (``ship_personal = true``)."""
    seed: int = 1


FULL = Plan(
    hubs=40,
    seconds=180.0,
    cuts=80,
    cut_s=(2.0, 40.0),
    kills=60,
    commit_kills=20,
    batch_kills=20,
    cut_batch_kills=10,
    restarts=4,
    down_s=(2.0, 15.0),
    final_cut_s=60.0,
    speed=6.0,
    batch=20,
)
"""``lobbylink bench faults --only central``: as much as this 2-core machine carries
(a 40-hub run at the CI's speed and batch kept it at a load average of 80 with other
work, and its branches could not catch up while they worked)."""


def server_ip(i: int) -> str:
    return f"10.231.{i // 64}.{(i % 64) * 4 + 1}"


def hub_ip(i: int) -> str:
    return f"10.231.{i // 64}.{(i % 64) * 4 + 2}"


class CentralLab(Netns):
    """Head office's namespace and one namespace per hub, each joined to it by a veth
    pair on a /30 of its own; names carry the process id and a run count, so runs in
    parallel do not meet."""

    def __init__(self, hubs: int) -> None:
        super().__init__()
        if hubs > 64 * 256:
            raise ValueError("at most 16,384 hubs")
        tag = f"{os.getpid() % 100_000}r{next(_runs)}"
        self.hubs = hubs
        self.server_ns = f"llcs{tag}"
        self.hub_ns = [f"llch{tag}x{i}" for i in range(hubs)]
        self.server_if = [f"lcs{tag}x{i}" for i in range(hubs)]  # ≤ 15 characters
        self.hub_if = [f"lch{tag}x{i}" for i in range(hubs)]

    def create(self) -> CentralLab:
        self.add(self.server_ns)
        for i in range(self.hubs):
            self.add(self.hub_ns[i])
            # A branch's kernel gives up a dead socket's goodbye (FIN) soon, so that a
            # hub killed behind a cut leaves head office a session it never hears end.
            # (/proc/sys/net is the namespace's own; no procps needed)
            run_tool(
                *in_netns(self.hub_ns[i]),
                "sh", "-c", "echo 1 > /proc/sys/net/ipv4/tcp_orphan_retries",
            )  # fmt: skip
            self.veth(
                (self.server_ns, self.server_if[i], server_ip(i)),
                (self.hub_ns[i], self.hub_if[i], hub_ip(i)),
                prefix=30,
            )
        return self

    def cut(self, i: int, far_end: bool) -> None:
        """Pull hub ``i``'s WAN cable: at the branch (its route goes, connects fail at
        once) or at head office (``far_end``: the branch's packets vanish unanswered)."""
        if far_end:
            self.set_link(self.server_ns, self.server_if[i], up=False)
        else:
            self.set_link(self.hub_ns[i], self.hub_if[i], up=False)

    def heal(self, i: int) -> None:
        self.set_link(self.server_ns, self.server_if[i], up=True)
        self.set_link(self.hub_ns[i], self.hub_if[i], up=True)


def write_branch(folder: Path, code: str, region: str, plan: Plan, personal: bool) -> Path:
    """The demo branch as branch ``code``, shipping ``plan.batch`` at a time."""
    source = default_config_path().read_text(encoding="utf-8")
    source = source.replace('id = "demo"', f'id = "{code}"', 1)
    source = source.replace('region = "demo"', f'region = "{region}"', 1)
    source += (
        f"\n[central]\nbatch = {plan.batch}\nrate = {plan.rate}\nretry_max_s = 2.0\n"
        f"ship_personal = {'true' if personal else 'false'}\n"
    )
    path = folder / f"{code}.toml"
    path.write_text(source, encoding="utf-8")
    load_branch(path)  # fail here, not in a child
    return path


class Traffic:
    """A branch's simulated staff in a child process inside the hub's namespace
    (``python -m app.devtools.faults.central``); it stops when its stdin closes."""

    def __init__(self, folder: Path, ns: str, config: Path, keys: Path, speed: float, seed: int):
        cmd = [sys.executable, "-m", "app.devtools.faults.central"]
        cmd += ["--hub", f"127.0.0.1:{HUB_PORT}", "--config", str(config), "--keys", str(keys)]
        cmd += ["--speed", str(speed), "--seed", str(seed)]
        self.log_path = folder / "traffic.log"
        with self.log_path.open("w", encoding="utf-8") as log_file:
            self.proc = subprocess.Popen(
                [*in_netns(ns), *cmd],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                text=True,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
            )

    def stop(self) -> dict[str, int]:
        """End it; what its staff did (commands accepted, by kind)."""
        actions: dict[str, int] = {}
        try:
            out, _ = self.proc.communicate("", timeout=15)  # closes its stdin
            actions = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        except (subprocess.TimeoutExpired, ValueError):
            self.proc.kill()
            self.proc.wait(10)
        return actions


def traffic_main(argv: list[str]) -> int:
    """The child of :class:`Traffic`: app.sim's staff at a hub until stdin closes, then
    one JSON line of the commands accepted, by kind."""
    import argparse

    from app.sim import Simulator
    from messaging.sockets import Endpoint

    p = argparse.ArgumentParser(prog="python -m app.devtools.faults.central")
    p.add_argument("--hub", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--keys", required=True)
    p.add_argument("--speed", type=float, default=8.0)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    branch = load_branch(args.config)
    sim = Simulator(
        branch,
        Endpoint.parse(args.hub),
        TRAFFIC_STATIONS,
        speed=args.speed,
        seed=args.seed,
        keys_dir=Path(args.keys),
    )
    sim.start()
    try:
        sys.stdin.read()  # until the run closes it
    finally:
        sim.stop()
    print(json.dumps(dict(sim.actions)), flush=True)
    return 0


# The comparison ----------------------------------------------------------------------------
def compare(admin: Engine, code: str, journal_url: str, config: Path) -> dict[str, Any]:
    """Head office's copy of branch ``code`` against its journal, per (branch, epoch).

    ``rows``: the journal's; ``missing``: journal seqs head office lacks (gaps included);
    ``extra``: central rows of seqs the journal lacks; ``duplicated``: seqs stored more
    than once; ``differing``: rows whose time, kind, station, staff, signal, hash or body
    (the journal's, redacted as app.central.redact says) differ; ``chain_equal``: the
    central mark is the journal's head (seq and hash); ``signals_differing``: signals
    whose central projection is not the journal's row (ticket and note blanked unless
    the branch ships personal text).
    """
    from app.central import schema as cs
    from app.central.redact import Redactor
    from app.hub import schema as js
    from app.hub.journal import read_records

    branch = load_branch(config)
    personal = branch.config.central.ship_personal
    redactor = Redactor(branch, personal)
    local = create_engine(journal_url)
    try:
        with local.connect() as conn:
            epoch = str(
                conn.execute(select(js.meta.c.value).where(js.meta.c.key == "epoch")).scalar()
            )
            columns = [c.name for c in js.signals.columns]
            local_signals = {
                int(r.signal_id): dict(r._mapping)
                for r in conn.execute(select(js.signals).order_by(js.signals.c.signal_id))
            }
        rows = read_records(local, 0, 1 << 62)
    finally:
        local.dispose()
    e, m, s = cs.events.c, cs.chain_marks.c, cs.signals.c
    with admin.connect() as conn:
        central = conn.execute(
            select(e.seq, e.hub_ts_ms, e.kind, e.station, e.staff, e.signal_id, e.body, e.hash)
            .where(e.branch == code, e.epoch == epoch)
            .order_by(e.seq)
        ).all()
        mark = conn.execute(
            select(m.last_seq, m.last_hash).where(m.branch == code, m.epoch == epoch)
        ).first()
        central_signals = [
            dict(r._mapping)
            for r in conn.execute(
                select(*[s[c] for c in columns]).where(s.branch == code, s.epoch == epoch)
            )
        ]
        other_epochs = conn.execute(
            text("SELECT count(*) FROM events WHERE branch = :b AND epoch <> :e"),
            {"b": code, "e": epoch},
        ).scalar()
    seen: dict[int, int] = {}
    for stored in central:
        seen[int(stored.seq)] = seen.get(int(stored.seq), 0) + 1
    by_seq = {int(r.seq): r for r in central}
    differing = 0
    for row in rows:
        got = by_seq.get(row.seq)
        if got is None:
            continue
        want = (
            row.hub_ts_ms,
            row.kind,
            row.station,
            row.staff,
            row.signal_id,
            redactor.body(row.body),
            row.hash,
        )
        have = (
            int(got.hub_ts_ms),
            got.kind,
            got.station,
            got.staff,
            got.signal_id,
            bytes(got.body),
            bytes(got.hash),
        )
        differing += want != have
    journal_seqs = {row.seq for row in rows}
    head = (rows[-1].seq, rows[-1].hash) if rows else None
    central_mark = None if mark is None else (int(mark[0]), bytes(mark[1]))
    signals_differing = 0
    central_by_id = {int(r["signal_id"]): r for r in central_signals}
    for sid, want_sig in local_signals.items():
        want_sig = dict(want_sig)
        if not personal:
            want_sig["ticket"] = want_sig["note"] = ""
        signals_differing += central_by_id.get(sid) != want_sig
    signals_differing += len(set(central_by_id) - set(local_signals))
    return {
        "branch": code,
        "epoch": epoch,
        "personal": personal,
        "rows": len(rows),
        "central_rows": len(central),
        "missing": len(journal_seqs - set(seen)),
        "extra": len(set(seen) - journal_seqs),
        "duplicated": sum(1 for n in seen.values() if n > 1),
        "differing": differing,
        "chain_equal": head is not None and central_mark == head,
        "signals": len(local_signals),
        "signals_differing": signals_differing,
        "other_epochs": int(other_epochs or 0),
    }


def branch_ok(found: dict[str, Any]) -> bool:
    return (
        found["rows"] > 0
        and found["central_rows"] == found["rows"]
        and found["missing"] == found["extra"] == found["duplicated"] == 0
        and found["differing"] == 0
        and found["chain_equal"]
        and found["signals_differing"] == 0
        and found["other_epochs"] == 0
    )


# The run ------------------------------------------------------------------------------------
class _Branch:
    def __init__(self, i: int, code: str, hub: NetnsHub, config: Path) -> None:
        self.i, self.code, self.hub, self.config = i, code, hub, config
        self.lock = threading.Lock()
        """Held while the hub is killed and started again (one fault at a time)."""
        self.traffic: Traffic | None = None


class CentralRun:
    """One run of :class:`Plan` on a created :class:`CentralLab` (:meth:`run`)."""

    def __init__(self, base: Path, plan: Plan, say: Say) -> None:
        self.base, self.plan, self.say = base, plan, say
        self.rng = random.Random(plan.seed)
        self.lab = CentralLab(plan.hubs)
        self.server: PgServer | None = None
        self.admin_url = ""
        self.branches: list[_Branch] = []
        self.counts = {
            "cuts": 0,
            "kills": 0,
            "commit_kills": 0,
            "batch_kills": 0,
            "cut_batch_kills": 0,
            "restarts": 0,
        }
        self.errors: list[str] = []
        self.last_restore = 0.0
        self._admin: Engine | None = None
        self._time_lock = threading.Lock()

    # Setting up ------------------------------------------------------------------------
    def setup(self) -> None:
        """Head office's server, schema and branch roles; the hubs and their staff."""
        from app.central.db import add_branch, role_for

        plan = self.plan
        self.server = PgServer(
            listen=[server_ip(i) for i in range(plan.hubs)],
            netns=self.lab.server_ns,
            clients=["10.231.0.0/16"],
        ).start()
        self.admin_url = self.server.database()
        database = self.admin_url.split("/")[3].split("?")[0]
        self._admin = create_engine(self.admin_url, pool_pre_ping=True)
        keys = make_keys(self.base, default_config_path())
        init = subprocess.run(  # as head office's administrator runs it
            [sys.executable, "-m", "app.cli", "central", "init", "--central", self.admin_url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if init.returncode != 0:
            raise FaultSetupError(f"lobbylink central init failed: {init.stderr.strip()}")
        with self._admin.begin() as conn:  # what `lobbylink central add-branch` does
            for i in range(plan.hubs):
                code, region = f"F{i:03d}", f"R{i % 4}"
                add_branch(conn, code, region, "", role_for(code))
        for i in range(plan.hubs):
            code, region = f"F{i:03d}", f"R{i % 4}"
            folder = self.base / code
            folder.mkdir()
            personal = plan.personal_every > 0 and i % plan.personal_every == 0
            config = write_branch(folder, code, region, plan, personal)
            hub = NetnsHub(folder, config, keys, self.lab.hub_ns[i], "127.0.0.1")
            assert hub.port == HUB_PORT
            url = self.server.url_of(database, role_for(code), server_ip(i))
            hub.extra = ["--central", url]
            hub.log_path = folder / "hub.log"
            self.branches.append(_Branch(i, code, hub, config))
        with ThreadPoolExecutor(4) as pool:  # four at a time: two cores, other work
            list(pool.map(lambda b: b.hub.start(60), self.branches))
        for b in self.branches:
            b.traffic = Traffic(
                b.hub.folder, self.lab.hub_ns[b.i], b.config, keys, plan.speed, plan.seed + b.i
            )
        end = time.monotonic() + 120
        while not all(self._mark(b.code) for b in self.branches):  # the day has begun
            if time.monotonic() > end:
                raise FaultSetupError("the branches' first events did not reach head office")
            time.sleep(0.2)

    def teardown(self) -> None:
        for b in self.branches:
            if b.traffic is not None and b.traffic.proc.poll() is None:
                b.traffic.proc.kill()
                b.traffic.proc.wait(10)
            with contextlib.suppress(Exception):
                b.hub.kill()
        if self._admin is not None:
            self._admin.dispose()
        if self.server is not None:
            self.server.stop()
        self.lab.destroy()

    # Faults ----------------------------------------------------------------------------
    def _restored(self) -> None:
        with self._time_lock:
            self.last_restore = time.monotonic()

    def _cut(self, b: _Branch, seconds: float, far_end: bool) -> None:
        self.lab.cut(b.i, far_end)
        self.counts["cuts"] += 1
        time.sleep(seconds)
        self.lab.heal(b.i)
        self._restored()

    def _kill(self, b: _Branch, when: str) -> None:
        """SIGKILL hub ``b`` and start it again: ``when`` is "random" (now), "commit"
        (the moment its central mark moves) or "batch" (the moment the server shows its
        role inside a transaction) or "cut_batch" (that, its WAN cut at head office's
        end the moment before, and restored 2–5 s after)."""
        if not b.lock.acquire(blocking=False):
            return  # being killed and started already
        try:
            if when == "commit" and not self._mark_moves(b.code, timeout=8.0):
                return
            if when == "batch" and not self._in_transaction(b.code, 8.0):
                return
            if when == "cut_batch" and not self._cut_in_batch(b):
                return
            b.hub.kill()
            self.counts["kills" if when == "random" else f"{when}_kills"] += 1
            if when == "cut_batch":
                time.sleep(self.rng.uniform(2.0, 5.0))
                self.lab.heal(b.i)
            time.sleep(self.rng.uniform(0.05, 1.0))
            self._start(b)
            self._restored()
        finally:
            b.lock.release()

    def _start(self, b: _Branch) -> None:
        for attempt in range(3):
            try:
                b.hub.start(60)
                return
            except HubStartError as exc:
                if attempt == 2:
                    self.errors.append(f"{b.code}: {exc}")

    def _mark(self, code: str) -> int | None:
        assert self._admin is not None
        try:
            with self._admin.connect() as conn:
                found = conn.execute(
                    text("SELECT max(last_seq) FROM chain_marks WHERE branch = :b"), {"b": code}
                ).scalar()
        except SQLAlchemyError:
            return None
        return None if found is None else int(found)

    def _cut_in_batch(self, b: _Branch) -> bool:
        """Freeze hub ``b`` (SIGSTOP) while the server shows it inside a batch, waiting
        for its next statement, with its last answer acknowledged (its kernel goes on
        acknowledging); then cut its WAN at head office's end. True once that holds (the
        hub frozen, the link cut: the caller kills it), False after 5 tries."""
        for _ in range(5):
            if not self._in_transaction(b.code, 8.0):
                return False
            assert b.hub.proc is not None
            b.hub.proc.send_signal(signal.SIGSTOP)
            time.sleep(0.2)  # past TCP's delayed acknowledgement (40 ms)
            if self._in_transaction(b.code, 0.0, idle=True):
                self.lab.cut(b.i, far_end=True)
                return True
            b.hub.proc.send_signal(signal.SIGCONT)
        return False

    def _in_transaction(self, code: str, timeout: float, idle: bool = False) -> bool:
        """Wait until the server shows branch ``code``'s role inside a transaction (looked
        at once at least); ``idle``: between two statements of it, its last answer sent."""
        from app.central.db import role_for

        assert self._admin is not None
        end = time.monotonic() + timeout
        while True:
            try:
                with self._admin.connect() as conn:
                    found = conn.execute(
                        text(
                            "SELECT 1 FROM pg_stat_activity WHERE usename = :r "
                            "AND xact_start IS NOT NULL AND state <> 'idle' "
                            "AND (state = 'idle in transaction' OR NOT :idle)"
                        ),
                        {"r": role_for(code), "idle": idle},
                    ).first()
            except SQLAlchemyError:
                found = None
            if found is not None:
                return True
            if time.monotonic() >= end:
                return False
            time.sleep(0.001)

    def _mark_moves(self, code: str, timeout: float) -> bool:
        """Wait for head office's mark of ``code`` to move (a batch just committed)."""
        before = self._mark(code)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            now = self._mark(code)
            if now is not None and before is not None and now > before:
                return True
            before = now if before is None else before
            time.sleep(0.002)
        return False

    def _server_restart(self, seconds: float) -> None:
        assert self.server is not None
        self.server.halt()  # pg_ctl stop -m immediate: a crash
        self.counts["restarts"] += 1
        time.sleep(seconds)
        self.server.resume()
        self._restored()

    def schedule(self) -> list[tuple[float, Callable[[], None]]]:
        plan, rng = self.plan, self.rng
        span = plan.seconds
        events: list[tuple[float, Callable[[], None]]] = []

        def at() -> float:
            return rng.uniform(0.05, 0.85) * span

        for _ in range(plan.cuts):
            b, far = rng.choice(self.branches), rng.random() < 0.5
            events.append((at(), partial(self._cut, b, rng.uniform(*plan.cut_s), far)))
        for moment, count in (
            ("random", plan.kills),
            ("commit", plan.commit_kills),
            ("batch", plan.batch_kills),
            ("cut_batch", plan.cut_batch_kills),
        ):
            for _ in range(count):
                events.append((at(), partial(self._kill, rng.choice(self.branches), moment)))
        for k in range(plan.restarts):  # spread out, never two at once
            when = span * (0.15 + 0.7 * k / max(1, plan.restarts))
            events.append((when, partial(self._server_restart, rng.uniform(*plan.down_s))))
        return sorted(events, key=lambda e: e[0])

    def faults(self) -> None:
        start = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            futures = []
            for when, action in self.schedule():
                time.sleep(max(0.0, start + when - time.monotonic()))
                futures.append(pool.submit(action))
            time.sleep(max(0.0, start + self.plan.seconds - time.monotonic()))
            for future in futures:
                try:
                    future.result()
                except Exception as exc:  # a fault that could not be staged
                    self.errors.append(repr(exc))
        for b in self.branches:  # the whole WAN down, the branches working
            self.lab.cut(b.i, far_end=False)
        self.counts["cuts"] += len(self.branches)
        time.sleep(self.plan.final_cut_s)
        for b in self.branches:
            self.lab.heal(b.i)
        self._restored()

    # After -----------------------------------------------------------------------------
    def _head(self, b: _Branch) -> int:
        import sqlite3

        with contextlib.closing(sqlite3.connect(b.hub.db_path)) as conn:
            return int(conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])

    def caught_up(self, timeout: float) -> dict[str, float | None]:
        """Seconds from the last restore until each branch's mark reached its journal's
        head (None: not within ``timeout``)."""
        since = self.last_restore
        took: dict[str, float | None] = {b.code: None for b in self.branches}
        end = time.monotonic() + timeout
        while time.monotonic() < end and any(v is None for v in took.values()):
            for b in self.branches:
                if took[b.code] is None:
                    mark = self._mark(b.code)
                    if mark is not None and mark >= self._head(b):
                        took[b.code] = time.monotonic() - since
            time.sleep(0.1)
        return took

    def settle(self, timeout: float) -> int:
        """Stop every hub once it is caught up; a hub whose journal grew past the mark
        as it stopped (a station's presence, a timer) is started again to ship it.
        Returns the hubs started again."""
        again = 0
        pending = list(self.branches)
        end = time.monotonic() + timeout
        while pending and time.monotonic() < end:
            self.caught_up_of(pending, end)
            for b in pending:
                b.hub.stop()
            grew = [b for b in pending if (self._mark(b.code) or 0) < self._head(b)]
            for b in grew:
                again += 1
                self._start(b)
            pending = grew
        return again

    def caught_up_of(self, branches: list[_Branch], end: float) -> None:
        while time.monotonic() < end:
            if all((self._mark(b.code) or -1) >= self._head(b) for b in branches):
                return
            time.sleep(0.1)

    def _open_sessions(self) -> list[str]:
        """The branches' sessions inside a transaction, as the server sees them (what a
        branch that does not catch up may be waiting behind)."""
        assert self._admin is not None
        try:
            with self._admin.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT usename, state, coalesce(wait_event_type, ''), "
                        "coalesce(wait_event, ''), (now() - xact_start)::text, "
                        "left(query, 60) FROM pg_stat_activity "
                        "WHERE usename LIKE 'lobbylink_branch_%' AND xact_start IS NOT NULL "
                        "ORDER BY xact_start"
                    )
                ).all()
        except SQLAlchemyError as exc:
            return [f"(not read: {exc})"]
        return [" | ".join(str(v) for v in row) for row in rows]

    def _server_says(self, what: str) -> int:
        """How often the server logged ``what``: a branch gone in the middle of a batch
        ("unexpected EOF … with an open transaction"), or a session of a branch gone
        unseen, ended by ``idle_in_transaction_session_timeout``."""
        assert self.server is not None
        return self.server.server_log().count(what)

    def run(self) -> dict[str, Any]:
        """Set up (on the created lab), the faults, the close of the day, the comparison."""
        plan = self.plan
        started = time.monotonic()
        self.setup()
        setup_s = time.monotonic() - started
        self.faults()
        took = self.caught_up(timeout=max(120.0, plan.seconds))
        behind = [b.code for b in self.branches if took[b.code] is None]
        sessions = self._open_sessions() if behind else []
        actions: dict[str, int] = {}
        for b in self.branches:  # the branches close for the day
            assert b.traffic is not None
            for kind, n in b.traffic.stop().items():
                actions[kind] = actions.get(kind, 0) + n
        again = self.settle(timeout=60.0)
        assert self._admin is not None
        found = [compare(self._admin, b.code, b.hub.db_url, b.config) for b in self.branches]
        bad = [f for f in found if not branch_ok(f)]
        waits = [v for v in took.values() if v is not None]
        result: dict[str, Any] = {
            "plan": asdict(plan),
            "hubs": plan.hubs,
            "events": sum(f["rows"] for f in found),
            "central_rows": sum(f["central_rows"] for f in found),
            "signals": sum(f["signals"] for f in found),
            "commands_accepted": sum(actions.values()),
            **self.counts,
            "not_caught_up": sum(1 for v in took.values() if v is None),
            "max_catch_up_s": round(max(waits), 2) if waits else None,
            "started_again_to_settle": again,
            "missing": sum(f["missing"] for f in found),
            "extra": sum(f["extra"] for f in found),
            "duplicated": sum(f["duplicated"] for f in found),
            "differing": sum(f["differing"] for f in found),
            "chains_equal": sum(1 for f in found if f["chain_equal"]),
            "signals_differing": sum(f["signals_differing"] for f in found),
            "branches_differing": [f["branch"] for f in bad],
            "branches_behind": behind,
            "open_sessions_when_behind": sessions,
            "errors": self.errors,
            "killed_in_transaction": self._server_says(
                "unexpected EOF on client connection with an open transaction"
            ),
            "stale_sessions_ended": self._server_says(
                "terminating connection due to idle-in-transaction timeout"
            ),
            "sessions_timed_out": self._server_says(
                "could not receive data from client: Connection timed out"
            ),
            "setup_s": round(setup_s, 1),
            "refused": sum(
                1 for b in self.branches if any("head office refused" in x for x in b.hub.log)
            ),
            "details": found,
        }
        result["ok"] = not bad and not self.errors and result["not_caught_up"] == 0
        return result


@contextlib.contextmanager
def central_lab(base: Path, plan: Plan, say: Say) -> Iterator[CentralRun]:
    """A :class:`CentralRun` whose namespaces, server and processes are gone afterwards,
    however it ends."""
    run = CentralRun(base, plan, say)
    try:
        yield run
    finally:
        run.teardown()


def summary(result: dict[str, Any]) -> str:
    return (
        f"central: {result['hubs']} branch hubs, each in a network namespace with its "
        f"staff simulated, shipping to one PostgreSQL in another; {result['cuts']} WAN "
        f"cuts, {result['kills']} hub SIGKILLs at random moments and "
        f"{result['commit_kills']} right after a central commit, {result['batch_kills']} "
        f"inside a batch and {result['cut_batch_kills']} inside a batch behind a WAN cut, "
        f"{result['restarts']} "
        f"server crashes (pg_ctl stop -m immediate) and restarts; the server saw "
        f"{result['killed_in_transaction']} branches vanish in the middle of a batch and "
        f"ended {result['stale_sessions_ended']} sessions idle in a batch and gave up "
        f"{result['sessions_timed_out']} silent connections; "
        f"{result['events']} events "
        f"journaled, {result['central_rows']} rows at head office; caught up at most "
        f"{result['max_catch_up_s']} s after the last restore; {result['missing']} missing, "
        f"{result['duplicated']} duplicated, {result['differing']} differing, "
        f"{result['chains_equal']}/{result['hubs']} chains equal, "
        f"{result['signals_differing']} signals differing"
    )


def case_central(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """Branch hubs shipping to head office through cuts, crashes and kills (needs root)."""
    plan = Plan() if quick else FULL
    folder = base / "central"
    folder.mkdir()
    with central_lab(folder, plan, say) as run:
        try:
            run.lab.create()
        except FaultSetupError as exc:
            say(f"central: skipped: cannot make network namespaces here ({exc})")
            return {"skipped": str(exc)}
        result = run.run()
    say(summary(result))
    result.pop("details")
    return result


if __name__ == "__main__":
    sys.exit(traffic_main(sys.argv[1:]))
