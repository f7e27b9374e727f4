"""The in-memory branch the GUI tests build views over decides as the hub does."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.domain.config import Branch
from app.domain.roles import SignalState
from tests.gui.memory import MemoryHub


def test_a_call_reaches_the_lobby_and_a_second_claim_is_refused(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    supervisor = hub.station("S1", staff="zhaomin")
    with qtbot.waitSignal(lobby.signal_raised, timeout=2000) as raised:
        teller.raise_signal("assist")
    sig = raised.args[0]
    assert [s.id for s in lobby.inbox()] == [sig.id]
    lobby.acknowledge(sig.id)
    with qtbot.waitSignal(supervisor.command_rejected, timeout=2000) as rejected:
        supervisor.acknowledge(sig.id)
    assert rejected.args[1] in ("forbidden", "already_claimed")
    assert teller.state.signal(sig.id).state is SignalState.ACKNOWLEDGED
    assert teller.state.signal(sig.id).acked_station == "L1"


def test_a_silent_signal_never_reaches_a_station_that_may_not_read_it(
    qtbot: QtBot, branch: Branch
) -> None:
    hub = MemoryHub(branch)
    teller = hub.station("C01", staff="lina")
    lobby = hub.station("L1", staff="wangfang")
    head = hub.station("H1")
    with qtbot.waitSignal(head.signal_raised, timeout=2000) as raised:
        teller.raise_signal("duress")
    sig = raised.args[0]
    assert sig.id not in lobby.state.signals
    assert lobby.state.last_seq == head.state.last_seq
