"""The bridge turns clicks into commands and journaled events into Qt signals."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.domain.roles import SignalState
from tests.gui.conftest import BridgeFactory


def test_call_reaches_the_lobby_and_the_claim_comes_back(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    teller = make_bridge("C01", staff="lina")
    lobby = make_bridge("L1", staff="wangfang")
    with qtbot.waitSignal(lobby.signal_raised, timeout=5000) as raised:
        teller.raise_signal("assist")
    sig = raised.args[0]
    assert [s.id for s in lobby.inbox()] == [sig.id]
    lobby.acknowledge(sig.id)
    qtbot.waitUntil(
        lambda: teller.state.signals[sig.id].state is SignalState.ACKNOWLEDGED, timeout=5000
    )
    assert teller.state.signals[sig.id].acked_staff == "wangfang"
    assert [s.id for s in teller.my_signals()] == [sig.id]


def test_rejection_reaches_the_sender(qtbot: QtBot, make_bridge: BridgeFactory) -> None:
    teller = make_bridge("C01")
    with qtbot.waitSignal(teller.command_rejected, timeout=5000) as rejected:
        teller.raise_signal("vip")
    assert rejected.args[1] == "forbidden"
