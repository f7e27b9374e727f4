"""``kill``: SIGKILL the hub again and again while many stations raise signals."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from app.devtools.common import (
    Hub,
    extra_ids,
)
from app.devtools.faults.common import (
    Say,
    Stations,
    converge,
    journal_counts,
    lost_and_duplicated,
)
from app.domain.config import load_branch
from app.domain.events import RaiseSignal, command_kind, encode
from messaging.outbox import Outbox


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
