"""A standby pair of hubs on screen (issue 14): the amber banner in every role's window
while the backup serves, and the board's health line about the other hub."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zmq
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.client import i18n
from app.client.bridge import StationBridge
from app.domain.config import Branch
from app.domain.events import PairChanged
from messaging.sockets import Endpoint
from tests.gui.memory import MemoryHub
from tests.gui.test_window import make_window, role_view
from tests.helpers import HubProcess, free_port_pair, keys_for
from widgets.board import BoardView
from widgets.hub_health import health_text
from widgets.lobby import LobbyView
from widgets.model import HubHealth
from widgets.supervisor import SupervisorView
from widgets.teller import TellerView
from widgets.wealth import WealthView

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

WAIT = 5000
NOW = 1_764_000_000_000


@pytest.fixture(autouse=True)
def zh_cn(qapp: QApplication) -> Iterator[None]:
    """The screens read Chinese first: the zh_CN translators, taken out again after."""
    before = QLocale()
    i18n.install(qapp, "zh_CN")
    yield
    for translator in getattr(qapp, "_lobbylink_translators", []):
        qapp.removeTranslator(translator)
    qapp._lobbylink_translators = []  # type: ignore[attr-defined]
    QLocale.setDefault(before)


@pytest.mark.parametrize(
    ("station", "kind"),
    [
        ("C01", TellerView),
        ("L1", LobbyView),
        ("W1", WealthView),
        ("S1", SupervisorView),
        ("H1", BoardView),
    ],
)
def test_the_amber_banner_shows_while_the_backup_serves(
    qtbot: QtBot, memory_hub: MemoryHub, station: str, kind: type
) -> None:
    model = memory_hub.station(station)
    window = make_window(qtbot, model, role_view(kind, model))
    window.show()
    assert not window.on_standby_banner and not window.offline
    memory_hub.publish(PairChanged(active="backup", peer="away", term=2))
    assert window.on_standby_banner  # at once: pair_changed, not the next clock tick
    assert model.on_standby
    assert window.banner_text.text() == "正在使用备用中心，业务照常办理"
    assert not window.offline
    memory_hub.publish(PairChanged(active="primary", peer="in_sync", term=3))
    assert window.banner.isHidden() and not model.on_standby


def test_the_hub_being_unreachable_outranks_the_standby_banner(
    qtbot: QtBot, memory_hub: MemoryHub
) -> None:
    model = memory_hub.station("C01")
    window = make_window(qtbot, model)
    window.show()
    memory_hub.publish(PairChanged(active="backup", peer="away", term=2))
    qtbot.waitUntil(lambda: window.on_standby_banner, timeout=WAIT)
    model.set_connected(False)
    qtbot.waitUntil(lambda: window.offline, timeout=WAIT)
    assert not window.on_standby_banner
    model.set_connected(True)
    qtbot.waitUntil(lambda: window.on_standby_banner, timeout=WAIT)


def test_the_health_line_says_how_the_other_hub_keeps(qtbot: QtBot) -> None:
    base = HubHealth(20_480, NOW - 3_000, 0)
    text, warn = health_text(base, NOW, "Asia/Shanghai")
    assert "备用中心" not in text and not warn  # not one of a pair: nothing said
    paired = base._replace(pair="in_sync", pair_active="primary")
    text, warn = health_text(paired, NOW, "Asia/Shanghai")
    assert "备用中心：同步" in text and not warn
    text, warn = health_text(
        paired._replace(pair="catching_up", pair_lag_events=42), NOW, "Asia/Shanghai"
    )
    assert "备用中心：追赶中，差 42 条" in text and not warn
    # 2025-11-24 16:00 UTC is 00:00 in Shanghai the next day; 02:02 UTC is 10:02 there.
    since = 1_763_949_720_000  # 2025-11-24 02:02 UTC
    text, warn = health_text(
        paired._replace(pair="away", pair_since_ms=since), NOW, "Asia/Shanghai"
    )
    assert warn and "备用中心离线（自 10:02），单机运行" in text
    text, warn = health_text(paired._replace(pair_clock_ms=-2_400), NOW, "Asia/Shanghai")
    assert warn and "两台中心时钟相差 2 秒" in text
    text, warn = health_text(paired._replace(pair_clock_ms=900), NOW, "Asia/Shanghai")
    assert not warn


def test_a_window_s_bridge_follows_the_hub_that_serves(
    qtbot: QtBot, hub: HubProcess, branch: Branch, ctx: zmq.Context
) -> None:
    """The Qt driver watches the sockets the link opens on the other hub: a station given
    a dead first hub is served by the second, and its command is accepted, quietly."""
    dead = Endpoint("127.0.0.1", free_port_pair())
    pair = [dead, hub.endpoint]
    bridge = StationBridge(branch, "C01", pair, ctx, keys=keys_for(pair, "C01"))
    refused: list[str] = []
    bridge.command_rejected.connect(lambda mid, code, reason: refused.append(code))
    ups: list[bool] = []
    bridge.connection_changed.connect(ups.append)
    try:
        bridge.start()
        msg_id = bridge.sign_in("lina")
        qtbot.waitUntil(lambda: bridge.staff == "lina", timeout=20_000)
        assert msg_id and bridge.session.link.endpoint == hub.endpoint
        assert bridge.session.link.switches >= 1
        assert refused == [] and ups == [True] and bridge.waiting_count() == 0
    finally:
        bridge.close()
