"""A standby pair of hubs under faults (issue 14): ``lobbylink bench faults --only
pairkill`` and ``--only paircut`` at a CI size.

pairkill: a primary and a backup on 127.0.0.1 (each its own SQLite journal, the branch's
keys shared), 20 stations with durable outboxes that know both hubs; the serving hub is
SIGKILLed three times and started again each time. Nothing acknowledged may be lost or
stored twice, every kill must end with the stations on the new serving hub's head, and
the two journals must tell one story (app.devtools.faults.pairjournals.check_pair_journals).
Timings are printed, never asserted (they depend on the machine; the full run's figures
are in docs/reliability.md).

paircut (root: network namespaces, as test_fault_netcut.py): hub A, hub B and the
stations in three namespaces, the hubs on their own veth. Cutting only A–B causes no
takeover; cutting A from the stations causes exactly one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.devtools.common import make_keys, write_big_branch
from app.devtools.faults.pair import pairkill_run
from app.devtools.faults.paircut import PairLab, paircut_run
from app.devtools.faults.pairjournals import PairReport, check_pair_journals
from app.devtools.faults.station import StationProcess
from tests.helpers import needs_root


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_pairkill_loses_nothing_acknowledged_and_converges_after_each_kill(
    tmp_path: Path,
) -> None:
    config = write_big_branch(tmp_path, 20)
    keys = make_keys(tmp_path, config)
    said: list[str] = []
    result = pairkill_run(tmp_path / "pairkill", config, keys, 3, 20, said.append)
    print(*said, sep="\n")
    assert not result["problems"], result
    assert result["acknowledged"] > 0, result
    assert result["acknowledged_lost"] == 0, result
    assert result["duplicated"] == 0, result
    assert result["journals_clean"], result["journals"]
    # every kill ended with every station on the new serving hub's head, whenever
    assert all(k["converged_s"] is not None for k in result["per_kill"]), result["per_kill"]
    assert result["takeovers_journaled"] >= 3, result
    assert result["stations_diverging"] == 0 and result["left_in_outboxes"] == 0, result
    assert result["stored_once"] + sum(result["rejected"].values()) == result["commands"]


def paircut(tmp_path: Path, phases: str) -> tuple[dict[str, Any], PairReport]:
    config = write_big_branch(tmp_path, 4)
    keys = make_keys(tmp_path, config)
    lab = PairLab().create()
    hubs = lab.hubs(tmp_path, config, keys)
    procs: list[StationProcess] = []
    said: list[str] = []
    try:
        result = paircut_run(
            lab, hubs, tmp_path, config, keys, 4, procs, said.append, phases=phases
        )
    finally:
        for proc in procs:
            proc.stop()
        for hub in hubs:
            hub.stop()
        lab.destroy()
        print(*said, sep="\n")
    report = check_pair_journals(hubs[0].db_url, hubs[1].db_url)
    print(report.summary())
    return result, report


@needs_root("for network namespaces")
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_paircut_the_hubs_link_cut_for_10_s_causes_no_takeover(tmp_path: Path) -> None:
    result, report = paircut(tmp_path, "a")
    # the hubs' own link cut for 10 s: A said its peer was away and went on acknowledging
    # alone; no takeover in either journal; B caught up after the heal.
    assert result["a"]["new_terms"] == 0, result
    assert result["a"]["away_journaled"] and result["a"]["acknowledged_by_a"] > 0, result
    assert result["a"]["b_caught_up_s"] is not None, result
    # never two writers, nothing acknowledged lost or stored twice
    assert report.ok, report.problems
    assert result["acknowledged_lost"] == 0 and result["duplicated"] == 0, result
    assert result["stored_once"] == result["commands"], result


@needs_root("for network namespaces")
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_paircut_the_primary_cut_from_the_stations_causes_one_takeover(tmp_path: Path) -> None:
    result, report = paircut(tmp_path, "b")
    # A cut from the stations, the hubs' link up: exactly one takeover, B serves.
    assert result["b"]["new_terms"] == 1, result
    assert result["b"]["served_by"] == "backup", result
    assert result["served_at_end"] == "backup", result
    # never two writers, nothing acknowledged lost or stored twice
    assert report.ok, report.problems
    assert result["acknowledged_lost"] == 0 and result["duplicated"] == 0, result
    assert result["stored_once"] == result["commands"], result
