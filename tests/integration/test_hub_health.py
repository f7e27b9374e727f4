"""Every heartbeat says how the hub keeps: journal disk space, last commit, clock offset."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import zmq

from app.domain.config import Branch
from app.domain.events import RaiseSignal
from tests.helpers import HubProcess, TestStation, wait_for


def test_heartbeats_carry_the_hubs_health(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> None:
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    try:
        before = time.time_ns() // 1_000_000
        teller.accept(RaiseSignal(code="assist"))
        link = teller.session.link

        def committed() -> bool:
            health = link.hub_health
            return health is not None and health.last_commit_ms >= before

        wait_for(committed, 5, teller.pump, "a heartbeat after the commit")
        health = link.hub_health
        assert health is not None
        free = shutil.disk_usage(Path(hub.db_url.removeprefix("sqlite:///")).parent).free
        assert abs(health.disk_free_mb - free // 2**20) < 512  # the journal's own disk
        assert abs(health.clock_offset_ms) < 1000  # a hub whose wall clock is believed
    finally:
        teller.close()
