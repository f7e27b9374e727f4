"""Escalation on the hub's clock, rebuilt from the journal after a restart; new epochs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

from app.domain.config import Branch, default_config_path, parse_config
from app.domain.events import RaiseSignal
from tests.helpers import (
    HubProcess,
    TestStation,
    assert_converged,
    free_port_pair,
    journal_rows,
    wait_for,
)


@pytest.fixture
def fast_config(tmp_path: Path) -> tuple[str, Branch]:
    text = default_config_path().read_text(encoding="utf-8").replace("ack_s = 30", "ack_s = 1", 1)
    path = tmp_path / "fast.toml"
    path.write_text(text, encoding="utf-8")
    return str(path), Branch(parse_config(text))


@pytest.fixture
def fast_hub(fast_config: tuple[str, Branch], db_url: str) -> Iterator[HubProcess]:
    proc = HubProcess(db_url, free_port_pair(), config=fast_config[0]).start()
    yield proc
    proc.stop()


def test_unacknowledged_call_climbs_the_ladder(
    fast_hub: HubProcess, fast_config: tuple[str, Branch], ctx: zmq.Context, db_url: str
) -> None:
    branch = fast_config[1]
    teller = TestStation(branch, "C01", fast_hub.endpoint, ctx)
    supervisor = TestStation(branch, "S1", fast_hub.endpoint, ctx)
    try:
        sid = teller.accept(RaiseSignal(code="assist"))
        supervisor.sync_to(sid)
        assert supervisor.state.signals_for("S1") == []
        wait_for(
            lambda: [s.id for s in supervisor.state.signals_for("S1")] == [sid],
            5,
            supervisor.pump,
            "escalation to the supervisor",
        )
        wait_for(
            lambda: supervisor.state.signals[sid].level == 2,
            5,
            supervisor.pump,
            "escalation to the branch head",
        )
        sig = supervisor.state.signals[sid]
        assert [(level, role) for level, role, _ in sig.escalations] == [
            (1, "supervisor"),
            (2, "branch_head"),
        ]
        assert sig.escalations[0][2] - sig.raised_ms >= 1000
        assert sig.escalations[1][2] - sig.raised_ms >= 2000

        # a deadline that passes while the hub is down fires when it is back
        second = teller.accept(RaiseSignal(code="assist"))
        fast_hub.kill()
        fast_hub.start()
        wait_for(
            lambda: (
                supervisor.state.signals.get(second) is not None
                and supervisor.state.signals[second].level >= 1
            ),
            10,
            supervisor.pump,
            "escalation rebuilt after restart",
        )
        rows = journal_rows(
            db_url,
            f"SELECT count(*) FROM events WHERE kind = 'signal_escalated' AND signal_id = {second}",
        )
        assert rows[0][0] >= 1
        assert_converged([teller, supervisor], db_url, branch)
    finally:
        teller.close()
        supervisor.close()


def test_replaced_journal_forces_a_full_snapshot(
    hub: HubProcess, branch: Branch, ctx: zmq.Context, db_url: str
) -> None:
    teller = TestStation(branch, "C02", hub.endpoint, ctx)
    try:
        old = teller.accept(RaiseSignal(code="assist"))
        old_epoch = teller.session.link.epoch
        hub.stop()
        Path(db_url.removeprefix("sqlite:///")).unlink()
        hub.start()  # a new, empty journal: a new epoch
        wait_for(
            lambda: teller.session.link.epoch not in ("", old_epoch), 15, teller.pump, "new epoch"
        )
        assert old > 0 and all(s.code != "assist" for s in teller.state.signals.values())
        new = teller.accept(RaiseSignal(code="cash"))
        assert_converged([teller], db_url, branch)
        assert teller.state.signals[new].code == "cash"
    finally:
        teller.close()
