"""A short soak: the branch at work, compressed 60×, with memory read as it goes.

The long run (24 simulated hours) is `lobbylink bench faults --only soak`, with its figures
in docs/reliability.md. Here a quarter of an hour in 15 s keeps the machinery working:
the hub, the board (Qt) and a lobby window (no Qt) are sampled, and the window still
holds exactly the journal's state at the end. No figure is asserted: memory and speed
depend on the machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.devtools.common import Hub, make_keys
from app.devtools.faults.soak import soak_run
from app.domain.config import default_config_path


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_short_soak_samples_memory_and_stays_equal_to_the_journal(tmp_path: Path) -> None:
    config = default_config_path()
    keys = make_keys(tmp_path, config)
    hub = Hub(tmp_path, config, keys).start()
    said: list[str] = []
    try:
        result = soak_run(hub, tmp_path, config, keys, said.append, hours=0.25, samples=3)
    finally:
        hub.stop()
    print(*said)
    assert len(result["samples"]) == 4
    assert result["events"] > 0 and result["commands_accepted"] > 0, result
    for process in ("hub_mb", "board_mb", "window_mb"):
        assert all(row[process] > 0 for row in result["samples"]), (process, result["samples"])
    assert result["window_equal_to_journal"], result
