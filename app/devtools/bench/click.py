"""Click → shown: one station clicks, the others listen; the product and its raw baseline."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from app.devtools.bench import raw, workers
from app.devtools.bench.plan import DEMO_RECEIVERS, Plan, Pool
from app.devtools.bench.workers import Spec
from app.devtools.common import (
    Hub,
    extra_ids,
    free_port_pair,
    split,
    stats_ms,
)


def _latencies(results: list[dict[str, Any]]) -> dict[str, Any]:
    target = [x for r in results for x in r["at_target"]]
    everyone = [x for r in results for x in r["at_all"]]
    worst: dict[str, int] = {}
    for r in results:
        for mid, lat in r["worst"].items():
            worst[mid] = max(worst.get(mid, 0), lat)
    return {
        "target": stats_ms(target),
        "every_station": stats_ms(everyone),
        "last_station": stats_ms(list(worst.values())),
    }


# Click → shown ---------------------------------------------------------------------------------
def click_product(base: Path, config: Path, keys: Path, n: int, plan: Plan) -> dict[str, Any]:
    folder = base / f"click-{n}"
    folder.mkdir()
    hub = Hub(folder, config, keys).start()
    pool = Pool()
    try:
        listeners = (DEMO_RECEIVERS + extra_ids(n))[: n - 1]
        common: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": hub.port,
            "keys": str(keys),
            "config": str(config),
        }
        recv = [
            pool.start(workers.receivers, Spec(stations=part, target="S1", **common))
            for part in split(listeners, plan.procs)
        ]
        click = pool.start(
            workers.sender,
            Spec(stations=["C01"], count=plan.samples, interval_s=plan.interval_s, **common),
        )
        pool.wait_ready([*recv, click], 90, f"{n} stations synced", hub)
        for conn in recv:
            conn.send("go")
        time.sleep(0.3)
        click.send("go")
        time.sleep(plan.samples * plan.interval_s + 1.5)
        sent = Pool.stop([click])[0]
        time.sleep(0.5)
        out = _latencies(Pool.stop(recv))
        out["stations"] = n
        out["clicks"] = sent["clicks"]
        out["reply"] = stats_ms(sent["replies"])
        out["rejected"] = sent["rejected"]
        out["hub_rss_mb"] = round(hub.rss_mb(), 1)
        return out
    finally:
        pool.close()
        hub.stop()


def click_raw(base: Path, keys: Path, n: int, plan: Plan) -> dict[str, Any]:
    folder = base / f"raw-{n}"
    folder.mkdir()
    port = free_port_pair()
    pool = Pool()
    server = pool.start(raw.raw_hub, port, str(keys), str(folder / "raw.sqlite"))
    try:
        if not server.poll(20):
            raise RuntimeError("raw hub did not start")
        server.recv()
        listeners = (DEMO_RECEIVERS + extra_ids(n))[: n - 1]
        common: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": port,
            "keys": str(keys),
            "config": "",
        }
        recv = [
            pool.start(raw.raw_receivers, Spec(stations=part, target="S1", **common))
            for part in split(listeners, plan.procs)
        ]
        click = pool.start(
            raw.raw_dealers,
            Spec(stations=["C01"], count=plan.samples, interval_s=plan.interval_s, **common),
        )
        pool.wait_ready([click, *recv], 60, "raw dealer and subscribers")
        for conn in recv:
            conn.send("go")
        time.sleep(0.3)
        click.send("go")
        time.sleep(plan.samples * plan.interval_s + 1.0)
        sent = Pool.stop([click])[0]
        time.sleep(0.3)
        out = _latencies(Pool.stop(recv))
        out["reply"] = stats_ms(sent["replies"])
        return out
    finally:
        server.send("stop")
        pool.close()
