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
    try:
        time.sleep(1.0)
        for i in range(kills):
            sent += st.raise_signals(ids)  # in the outboxes when this returns
            time.sleep(every_s * (0.3 + 0.7 * ((i * 7919) % 10) / 10))
            hub.kill()
            time.sleep(0.2)
            hub.start()
        sent += st.raise_signals(ids)
        drained = st.drained(120)
        took, diverging = converge(st, hub, config)
        acked = st.acked_ids()
        rejected = st.call(lambda: dict(st.rejected))
        lost, _ = lost_and_duplicated(hub.db_path, acked)
        counts = journal_counts(hub.db_path, sent)
        result: dict[str, Any] = {
            "kills": kills,
            "stations": stations_n,
            "commands": len(sent),
            "acknowledged": len(acked),
            "stored_once": sum(1 for c in counts.values() if c == 1),
            "rejected": rejected,
            "acknowledged_lost": lost,
            "duplicated": sum(1 for c in counts.values() if c > 1),
            "left_in_outboxes": st.queued(),
            "drained_s": None if drained is None else round(drained, 2),
            "stations_diverging": diverging,
            "converge_s": round(took, 2),
        }
        result["ok"] = (
            lost == 0
            and result["duplicated"] == 0
            and diverging == 0
            and result["left_in_outboxes"] == 0
            and result["stored_once"] + sum(rejected.values()) == len(sent)
        )
        say(
            f"kill: SIGKILLed the hub {kills}× under {stations_n} stations; "
            f"{len(sent)} commands, {len(acked)} acknowledged, {result['stored_once']} "
            f"stored once, {sum(rejected.values())} refused, {lost} acknowledged lost, "
            f"{result['duplicated']} duplicated, {result['left_in_outboxes']} left in "
            f"outboxes (drained in {result['drained_s']} s), {diverging} stations "
            f"diverging, converged in {took:.2f} s after that"
        )
        return result
    finally:
        st.stop()
        hub.stop()
