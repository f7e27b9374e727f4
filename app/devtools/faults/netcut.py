"""``netcut``: a station's cable pulled, hub and station in network namespaces (needs root).

:class:`NetLab`, :class:`NetnsHub` and :func:`netcut_run` are shared with
tests/integration/test_fault_netcut.py.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from app.devtools.common import (
    Hub,
    journal_fingerprint,
    journal_last_seq,
)
from app.devtools.faults.common import (
    FaultSetupError,
    Say,
    journal_counts,
    journal_order,
    lost_and_duplicated,
    run_tool,
)
from app.devtools.faults.station import StationProcess, in_netns
from messaging.sockets import Endpoint


# Network namespaces of our own ---------------------------------------------------------------
class Netns:
    """Network namespaces of our own, joined by veth pairs (needs root and iproute2).

    Shared by the cases that cut links: :class:`NetLab` here (a station and its hub) and
    app.devtools.faults.central (branch hubs and head office's server). Every address
    lives on a veth pair inside namespaces made here; nothing of the machine's own
    network is touched, and :meth:`destroy` removes every namespace made (their veth
    pairs go with them).
    """

    def __init__(self) -> None:
        self.created: list[str] = []

    def add(self, ns: str) -> str:
        run_tool("ip", "netns", "add", ns)
        self.created.append(ns)
        run_tool("ip", "-n", ns, "link", "set", "lo", "up")
        return ns

    def veth(self, a: tuple[str, str, str], b: tuple[str, str, str], prefix: int = 24) -> None:
        """A veth pair between ``a`` and ``b``, each ``(namespace, device, address)``, up."""
        (a_ns, a_if, _), (b_ns, b_if, _) = a, b
        run_tool(
            "ip", "link", "add", a_if, "netns", a_ns,
            "type", "veth", "peer", "name", b_if, "netns", b_ns,
        )  # fmt: skip
        for ns, dev, ip in (a, b):
            run_tool("ip", "-n", ns, "addr", "add", f"{ip}/{prefix}", "dev", dev)
            run_tool("ip", "-n", ns, "link", "set", dev, "up")

    def set_link(self, ns: str, dev: str, up: bool) -> None:
        """``ip link set DEV down`` (a cable pulled) or ``up``, inside ``ns``."""
        run_tool("ip", "-n", ns, "link", "set", dev, "up" if up else "down")

    def link_state(self, ns: str, dev: str) -> str:
        out = run_tool("ip", "-n", ns, "-br", "link", "show", dev)
        return " ".join(out.split()[:2])

    def destroy(self) -> None:
        for ns in reversed(self.created):  # the veth pairs go with their namespaces
            with contextlib.suppress(FaultSetupError):
                run_tool("ip", "netns", "del", ns)
        self.created.clear()


# Network cut inside network namespaces ---------------------------------------------------------
class NetLab(Netns):
    """Two network namespaces of our own joined by a veth pair.

    The hub's namespace holds ``HUB_IP``, the station's ``STATION_IP``, on a /24 that
    exists only inside them.
    """

    HUB_IP, STATION_IP = "10.77.0.1", "10.77.0.2"

    def __init__(self) -> None:
        super().__init__()
        tag = f"{os.getpid() % 100_000}"
        self.hub_ns, self.station_ns = f"llhub{tag}", f"llsta{tag}"
        self.hub_if, self.station_if = f"llh{tag}", f"lls{tag}"

    def create(self) -> NetLab:
        for ns in (self.hub_ns, self.station_ns):
            self.add(ns)
        self.veth(
            (self.hub_ns, self.hub_if, self.HUB_IP),
            (self.station_ns, self.station_if, self.STATION_IP),
        )
        return self

    def cut(self) -> None:
        """Pull the station's cable: its end of the link goes down."""
        self.set_link(self.station_ns, self.station_if, up=False)

    def heal(self) -> None:
        self.set_link(self.station_ns, self.station_if, up=True)

    def station_link(self) -> str:
        return self.link_state(self.station_ns, self.station_if)


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
        return [*in_netns(self.netns), *cmd]


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
    cut_state = lab.station_link()
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
        seq, truth = journal_fingerprint(hub.db_url, config)
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
