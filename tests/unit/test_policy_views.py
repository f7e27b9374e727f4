"""The rules the role views ask the policy, checked against the hub's decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain import policy
from app.domain.config import Branch, default_config_path, load_branch
from app.domain.errors import DomainError
from app.domain.events import RaiseSignal, SignalRaised
from app.domain.state import BranchState

ANYWHERE = """
[[signals]]
code = "fetch_form"
label = { zh_CN = "送表格", en = "Bring a form" }
raisers = ["lobby_manager"]
to_station = true
"""
"""A to-station type that names no target roles."""


@pytest.fixture
def anywhere(tmp_path: Path) -> Branch:
    config = tmp_path / "branch.toml"
    config.write_text(default_config_path().read_text(encoding="utf-8") + ANYWHERE, "utf-8")
    return load_branch(config)


def accepted(branch: Branch, code: str, to: str) -> bool:
    """Whether the hub's decision lets the lobby desk send a ``code`` signal to ``to``."""
    try:
        BranchState(branch).decide("L1", RaiseSignal(code=code, to=to, staff="wangfang"), 1)
    except DomainError:
        return False
    return True


def test_a_to_station_type_goes_only_to_its_target_roles(branch: Branch) -> None:
    tellers = [s.id for s in branch.config.stations if s.role.value == "teller"]
    assert [s.id for s in policy.destinations(branch, "direct_counter")] == tellers
    for station in branch.config.stations:
        sendable = policy.can_send_to(branch, "direct_counter", station)
        assert sendable == (station.id in tellers)
        assert accepted(branch, "direct_counter", station.id) == sendable, station.id


def test_a_to_station_type_without_target_roles_may_go_anywhere(anywhere: Branch) -> None:
    """The forms offered only counters here while the hub took any station."""
    everyone = [s.id for s in anywhere.config.stations]
    assert [s.id for s in policy.destinations(anywhere, "fetch_form")] == everyone
    assert all(accepted(anywhere, "fetch_form", sid) for sid in everyone)


def test_no_destinations_for_a_type_that_goes_to_roles(branch: Branch) -> None:
    assert policy.destinations(branch, "assist") == []
    assert policy.destinations(branch, "no_such_type") == []


def test_a_type_this_config_lacks_sorts_as_a_default_priority(branch: Branch) -> None:
    """The lobby put an unknown type last (9), the old inbox somewhere else: one rule now."""
    state = BranchState(branch)
    ms = 1_764_000_000_000
    for seq, (code, at) in enumerate(
        [("direct_counter", 0), ("brand_new", 1000), ("assist", 2000)], start=1
    ):
        event = SignalRaised(signal_id=seq, code=code, targets=("lobby_manager",), station="C01")
        state.apply(seq, ms + at, event)
    order = [s.code for s in policy.by_urgency(branch, state.signals.values())]
    assert policy.priority(branch, "brand_new") == policy.UNKNOWN_PRIORITY == 2
    assert order == ["brand_new", "assist", "direct_counter"]
    waiting = sorted(state.signals.values(), key=lambda s: policy.waiting_first_key(branch, s))
    assert [s.code for s in waiting] == order
