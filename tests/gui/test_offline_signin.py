"""Offline is normal (issue 12): a station whose hub is down signs in and raises a call;
both wait in its outbox and show as pending (the window names who is signing in, the
call is listed with its click time); the hub is then started and takes them, in order:
the person signed in, the call theirs."""

from __future__ import annotations

from pathlib import Path

import pytest
import zmq
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.client.bridge import StationBridge
from app.domain.config import Branch
from app.domain.events import RaiseSignal, SignIn
from messaging.outbox import Outbox
from messaging.sockets import Endpoint
from tests.helpers import HubProcess, free_port_pair, keys_for
from widgets.signin import SignInDialog
from widgets.teller import TellerView
from widgets.window import StationWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_sign_in_and_a_call_with_the_hub_down_wait_then_the_hub_takes_them(
    qtbot: QtBot, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> None:
    port = free_port_pair()
    hub = HubProcess(f"sqlite:///{tmp_path / 'journal.sqlite'}", port)  # keys, not started
    endpoint = Endpoint.parse(f"127.0.0.1:{port}")
    outbox = Outbox(tmp_path / "C01.outbox")
    bridge = StationBridge(branch, "C01", endpoint, ctx, outbox, keys=keys_for(endpoint, "C01"))
    view = TellerView(bridge)
    window = StationWindow(bridge, view)
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    bridge.start()
    try:
        assert not bridge.connected  # nothing listens on that port
        dialog = SignInDialog(bridge, window)
        qtbot.addWidget(dialog)
        rows = [dialog.roster.item(i).data(Qt.ItemDataRole.UserRole) for i in range(5)]
        dialog.roster.setCurrentRow(rows.index("lina"))
        with qtbot.waitSignal(dialog.accepted, timeout=2000):
            dialog.submit()
        assert dialog.queued
        assert bridge.staff == "" and bridge.pending_sign_in() == "lina"
        assert "李娜" in window.staff_label.text()
        assert "waiting for the hub" in window.staff_label.text()

        view.trigger("assist")
        pending = bridge.pending_commands()
        assert [type(p.command) for p in pending] == [SignIn, RaiseSignal]
        assert pending[1].command.staff == ""  # taken as whoever is signed in by then
        qtbot.waitUntil(lambda: view.my_list.count() == 1, timeout=2000)
        label, progress, _ = view.row_lines(0)
        assert label == "呼叫大堂经理" and progress.startswith("◷ Waiting to be sent")
        assert len(outbox) == 2  # durable: on disk, not in memory

        hub.start()
        qtbot.waitUntil(lambda: bridge.staff == "lina", timeout=20_000)
        qtbot.waitUntil(lambda: len(bridge.state.signals) == 1, timeout=20_000)
        raised = next(iter(bridge.state.signals.values()))
        assert (raised.code, raised.staff) == ("assist", "lina")
        qtbot.waitUntil(lambda: window.staff_label.text() == "李娜", timeout=5000)
        qtbot.waitUntil(lambda: not view.row_lines(0)[1].startswith("◷"), timeout=5000)
        qtbot.waitUntil(lambda: bridge.pending_commands() == [], timeout=5000)
    finally:
        bridge.close()
        hub.stop()
