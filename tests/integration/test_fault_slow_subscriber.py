"""A station that stops reading while the hub's PUB overflows: it sees the gap and resyncs.

The hub runs with ``--pub-hwm 100`` and the slow station's SUB queue is 100 too, so what
overflows is ZeroMQ's queues plus the kernel's TCP buffers (a few MB), not 200,000 events.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.devtools.common import write_big_branch
from app.devtools.faults.slow import slow_subscriber_run
from tests.helpers import HubProcess, free_port_pair


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_slow_subscriber_past_the_high_water_mark_resyncs(tmp_path: Path) -> None:
    config = write_big_branch(tmp_path, 40)  # 40 loader stations: 50 commands/s each
    db = tmp_path / "journal.sqlite"
    hub = HubProcess(
        f"sqlite:///{db}", free_port_pair(), config=str(config), extra=["--pub-hwm", "100"]
    )
    hub.start()
    said: list[str] = []
    try:
        assert hub.keys_dir is not None
        result = slow_subscriber_run(
            hub.endpoint,
            db,
            config,
            hub.keys_dir,
            said.append,
            pub_hwm=100,
            sub_hwm=100,
            flood_stations=40,
            slow_id="C03",
            fast_ids=("H1", "L1"),
        )
    finally:
        hub.stop()
    print(*said)
    # The PUB really dropped events for C03, and C03 found out from the seq alone.
    assert result["missed_on_sub"] > 0, result
    assert result["slow_resyncs"] >= 1, result
    # H1 and L1 read all along: every event arrived on their SUB, in order, so they never
    # saw a gap. (They may still resync if a loaded machine stalls the hub for 3 s.)
    assert result["others_gaps"] == {"H1": 0, "L1": 0}, result
    # Everyone ends up with exactly the journal's state; nothing acknowledged was lost.
    assert result["equal_to_journal"] == {"H1": True, "L1": True, "C03": True}, result
    assert result["acknowledged_lost"] == 0 and result["duplicated"] == 0, result
    assert result["slow_commands_stored_once"] == result["slow_commands"] > 0, result
