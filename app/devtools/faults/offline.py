"""``offline``: a station raises with no hub; its durable outbox delivers once, in order."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from app.devtools.common import (
    Hub,
)
from app.devtools.faults.common import (
    Say,
    Stations,
    journal_counts,
    journal_order,
)
from app.domain.config import load_branch
from app.domain.events import RaiseSignal, command_kind, encode
from messaging.outbox import Outbox
from messaging.sockets import Endpoint


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
        delivered = live.drained(30)
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
            + ("" if delivered is not None else "; its outbox was NOT empty after 30 s")
        )
        return {
            "offline_s": offline_s,
            "raised": count,
            "queued": queued,
            "delivered_s": round(delivered_s, 2),
            "outbox_emptied": delivered is not None,
            "acknowledged_lost": lost,
            "duplicated": dup,
            "in_order": order_ok,
            "ok": lost == 0 and dup == 0 and order_ok and delivered is not None,
        }
    finally:
        hub.stop()
