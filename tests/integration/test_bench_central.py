"""``lobbylink bench central`` at a tiny size against the session's throw-away PostgreSQL:
every figure is there and adds up. No timing is asserted (the machine is shared)."""

from __future__ import annotations

from app.devtools.bench.central import LIFTED, TINY, run
from app.devtools.pgserver import PgServer


def test_bench_central_figures(pg_server: PgServer) -> None:
    said: list[str] = []
    result = run(sizes=TINY, server=pg_server, say=said.append)

    ingest = result["ingest"]
    assert ingest["events"] >= TINY.ingest_events
    # every event shipped stored once: the central rows are the journal's
    assert ingest["as_shipped"]["events"]["rows"] == ingest["events"]
    assert ingest["as_shipped"]["signals"]["rows"] == ingest["signals"] > 0
    assert ingest["shipper_events_per_s"] > 0 and ingest["raw_copy_events_per_s"] > 0
    assert ingest["ratio"] > 0 and ingest["copy_through_trigger_events_per_s"] > 0

    catchup = result["catchup"]
    assert [r["rate"] for r in catchup["runs"]] == [catchup["default_rate"], LIFTED]
    for one in catchup["runs"]:
        assert one["events"] == catchup["events"] >= TINY.catchup_events
        assert one["from_link_back_s"] > 0
        for phase in ("rtt_catching_up", "rtt_idle"):
            assert one[phase]["n"] > 0 and one[phase]["p50_ms"] > 0
        assert one["rejected"] == {}

    report = result["report"]
    assert report["branches"] == TINY.branches
    assert report["groups"] == report["raw_groups"] == TINY.branches
    # the product's report and the hand-written SQL agree on every branch's counts
    assert report["branches_same_counts"] == TINY.branches
    assert report["signals_in_report"] == report["signals"] > 0
    assert report["product_ms"] > 0 and report["raw_ms"] > 0
    for table in ("events", "signals"):
        measured = report["sizes"][table]
        assert measured["rows"] > 0 and measured["index_bytes"] > 0
        assert measured["total_bytes"] == measured["heap_bytes"] + measured["index_bytes"]

    sizing = result["sizing"]
    assert sizing["partitions"] == 120
    assert sizing["events"] > sizing["signals"] > 0
    assert sizing["bytes"] > 0 and sizing["ingest_peak_hour_per_s"] > 0
    assert any("report over 3 branches" in line for line in said)
