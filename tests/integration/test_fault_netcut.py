"""A cable pulled between a station and the hub, each in a network namespace of its own.

The test makes two namespaces joined by a veth pair (10.77.0.1 hub, 10.77.0.2 station),
which needs root and iproute2; CI runs as root (scripts/setup.sh installs iproute2),
and there the test never skips. Nothing outside those two namespaces is touched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.devtools.common import make_keys
from app.devtools.faults.netcut import NetLab, NetnsHub, netcut_run
from app.devtools.faults.station import StationProcess
from app.domain.config import default_config_path
from tests.helpers import needs_root

pytestmark = needs_root("for network namespaces")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_outbox_delivers_once_in_order_after_a_network_cut(tmp_path: Path) -> None:
    config = default_config_path()
    keys = make_keys(tmp_path, config)
    lab = NetLab().create()
    hub = NetnsHub(tmp_path, config, keys, lab.hub_ns, lab.HUB_IP)
    procs: list[StationProcess] = []
    try:
        result = netcut_run(lab, hub, tmp_path, config, keys, cut_s=3.0, count=6, procs=procs)
    finally:
        for proc in procs:
            proc.stop()
        hub.stop()
        lab.destroy()
    print(result)
    assert result["link_during_cut"].endswith("DOWN"), result
    # Nothing can be acknowledged without a link: the six wait in C02's durable outbox.
    assert result["acked_during_cut"] == 0 and result["queued_at_heal"] == 6, result
    # After the heal: C02's nine commands (three before the cut) and C03's six are each in
    # the journal once, C02's in the order raised.
    assert result["stored_once"] == result["commands"] == 15, result
    assert result["in_order"] and result["duplicated"] == 0, result
    assert result["acknowledged_lost"] == 0, result
    # C02 caught up with what happened beside the hub meanwhile: the journal's state.
    assert result["equal_to_journal"], result
