"""The board's hub health line: plain when all is well, a warning first when not."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.memory import MemoryHub
from widgets.board import BoardView
from widgets.hub_health import health_text
from widgets.model import HubHealth

NOW = 1_764_000_000_000


def test_health_line_reads_plainly_and_warns_first() -> None:
    text, warn = health_text(HubHealth(20_480, NOW - 3_000, 0), NOW)
    assert not warn and "20.0 GB" in text and "00:03" in text
    text, warn = health_text(HubHealth(300, NOW - 1_000, 0), NOW)
    assert warn and text.index("0.3 GB") < text.index("00:01")  # the reason first
    text, warn = health_text(HubHealth(-1, 0, 86_400_000), NOW)
    assert warn and "+86400 s" in text and "GB" not in text  # PostgreSQL: disk unknown
    text, warn = health_text(None, NOW)
    assert not warn and text


def test_the_board_shows_the_hubs_health(
    qtbot: QtBot, memory_hub: MemoryHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = memory_hub.station("H1", staff="zhenghua")
    monkeypatch.setattr(head, "hub_health", lambda: HubHealth(512, head.hub_now_ms() - 2000, 0))
    board = BoardView(head)
    qtbot.addWidget(board)
    board.health.refresh()
    assert "0.5 GB" in board.health.text() and board.health.warning
