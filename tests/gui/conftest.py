"""GUI fixtures: a real hub on loopback and StationBridges connected to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import zmq
from pytestqt.qtbot import QtBot

from app.client.bridge import StationBridge
from app.domain.config import Branch
from tests.helpers import HubProcess, keys_for

BridgeFactory = Callable[..., StationBridge]


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
