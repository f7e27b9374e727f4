"""The bridge turns clicks into commands and journaled events into Qt signals (over a
real hub), and asks again, after a jittered wait, for a report the hub was too busy for."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
import zmq
from pytestqt.qtbot import QtBot

from app.client.bridge import (
    REPORT_JITTER_BASE_MS,
    REPORT_JITTER_CAP_MS,
    REPORT_RETRY_MS,
    REPORT_TRIES,
    StationBridge,
    report_retry_ms,
)
from app.domain.config import Branch
from app.domain.roles import SignalState
from messaging.envelope import Answer
from messaging.sockets import Endpoint
from tests.gui.conftest import BridgeFactory
from tests.helpers import free_port_pair, keys_for


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


# Reports the hub is too busy for ------------------------------------------------------------
def test_retry_waits_are_jittered_within_their_bounds() -> None:
    rng = random.Random(7)
    for attempt in range(6):
        window = min(REPORT_JITTER_CAP_MS, REPORT_JITTER_BASE_MS * 2**attempt)
        waits = [report_retry_ms(rng, attempt) for _ in range(200)]
        assert all(REPORT_RETRY_MS <= w <= REPORT_RETRY_MS + window for w in waits)
        assert len(set(waits)) > 50  # spread out, not one instant for every board
    assert max(report_retry_ms(rng, 40) for _ in range(200)) <= 2100


def test_a_busy_report_is_asked_again_after_a_jittered_wait_then_fails(
    qtbot: QtBot, branch: Branch, ctx: zmq.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = Endpoint("127.0.0.1", free_port_pair())  # nobody there: the link is faked
    bridge = StationBridge(branch, "H1", endpoint, ctx, keys=keys_for(endpoint, "H1"))
    asked: list[str] = []
    attempts: list[int] = []

    def busy(name: str, args: bytes = b"", msg_id: str | None = None) -> str:
        assert msg_id is not None
        asked.append(msg_id)
        bridge._on_answer(msg_id, Answer(False, code="busy", reason="3 waiting", retry=True))
        return msg_id

    def wait(_rng: random.Random, attempt: int) -> int:
        attempts.append(attempt)
        return 1

    monkeypatch.setattr(bridge.session.link, "query", busy)
    monkeypatch.setattr("app.client.bridge.report_retry_ms", wait)
    try:
        with qtbot.waitSignal(bridge.report_failed, timeout=5000) as failed:
            msg_id = bridge.request_report(date(2026, 3, 10), date(2026, 3, 10))
        assert failed.args == [msg_id, "busy", "3 waiting"]
        assert asked == [msg_id] * REPORT_TRIES
        assert attempts == list(range(REPORT_TRIES - 1))
    finally:
        bridge.close()


def test_an_outbox_that_cannot_write_says_so_at_once(
    qtbot: QtBot, make_bridge: BridgeFactory
) -> None:
    """A full disk or a read-only outbox raised an uncaught sqlite3.OperationalError on
    F1: nothing queued, nothing shown."""
    teller = make_bridge("C01")
    outbox = teller.session.link.outbox
    outbox._db.execute("PRAGMA query_only = ON")  # writes now fail as on a read-only file
    with qtbot.waitSignal(teller.command_rejected, timeout=5000) as rejected:
        assert teller.raise_signal("assist") == ""
    assert rejected.args[1] == "outbox_unwritable"
    assert "call by phone" in rejected.args[2] or "电话" in rejected.args[2]
    assert len(outbox) == 0


def test_a_corrupt_outbox_is_reported_on_screen(
    qtbot: QtBot, branch: Branch, ctx: zmq.Context, tmp_path: Path
) -> None:
    """A corrupt outbox file made the station exit with a traceback at start."""
    from app.client.bridge import StationBridge
    from messaging.outbox import Outbox

    path = tmp_path / "outbox.sqlite"
    path.write_bytes(b"garbage" * 200)
    endpoint = Endpoint("127.0.0.1", free_port_pair())
    bridge = StationBridge(branch, "C01", endpoint, ctx, Outbox(path))
    try:
        with qtbot.waitSignal(bridge.command_rejected, timeout=5000) as shown:
            bridge.start()
        assert shown.args[1] == "outbox_set_aside"
        assert "outbox.sqlite.corrupt-" in shown.args[2]
    finally:
        bridge.close()
