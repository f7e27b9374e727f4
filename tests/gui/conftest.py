"""GUI fixtures: views over an in-memory branch (most tests), and a real hub on loopback
with StationBridges connected to it (the end-to-end tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zmq
from pytestqt.qtbot import QtBot

from app.client.bridge import StationBridge
from app.domain.config import Branch
from tests.gui.memory import MemoryHub
from tests.helpers import HubProcess, keys_for

BridgeFactory = Callable[..., StationBridge]


@pytest.fixture
def memory_hub(qtbot: QtBot, branch: Branch) -> Iterator[MemoryHub]:
    """An in-memory branch: ``memory_hub.station("C01", staff="lina")`` is a synced model."""
    hub = MemoryHub(branch)
    yield hub
    hub.close()


@pytest.fixture
def journal_hub(qtbot: QtBot, branch: Branch, tmp_path: Path) -> Iterator[MemoryHub]:
    """An in-memory branch that also keeps a real journal and answers reports from it
    with the hub's own query (its URL: ``journal_hub.journal.url``)."""
    hub = MemoryHub(branch, journal=f"sqlite:///{tmp_path / 'journal.sqlite'}")
    yield hub
    hub.close()


@pytest.fixture
def make_bridge(
    qtbot: QtBot, hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> Iterator[BridgeFactory]:
    """``make_bridge("C01", staff="lina", lang="zh_CN")``: a started, synced bridge."""
    made: list[StationBridge] = []

    def factory(station: str, staff: str = "", lang: str = "zh_CN") -> StationBridge:
        bridge = StationBridge(
            branch, station, hub.endpoint, ctx, keys=keys_for(hub.endpoint, station)
        )
        bridge.lang = lang
        bridge.start()
        made.append(bridge)
        qtbot.waitUntil(lambda: bridge.session.link.synced, timeout=10_000)
        if staff:
            bridge.sign_in(staff)
            qtbot.waitUntil(lambda: bridge.staff == staff, timeout=10_000)
        return bridge

    yield factory
    for bridge in made:
        bridge.close()
