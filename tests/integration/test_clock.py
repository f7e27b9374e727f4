"""Time that may be wrong: the hub's wall clock behind the journal, stepped while it runs,
a deadline passing while the hub is down, a click queued at a station.

The hub runs in this process (a thread, on 127.0.0.1, with a real SQLite journal) so
that its wall clock can be moved: the ``time`` module of app.hub.clock is replaced by
one whose wall clock is shifted at will (the monotonic clock stays the real one). The
stations keep the real wall clock, as a station PC would while the hub PC's is wrong.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest
import zmq
from sqlalchemy import create_engine

import app.hub.clock
from app.domain.config import Branch, parse_config
from app.domain.events import Acknowledge, Command, RaiseSignal, command_kind, encode
from app.domain.timeday import local_time
from app.hub.clock import HubClock
from app.hub.journal import Journal
from app.hub.service import Hub
from app.reports.measures import report
from messaging.envelope import (
    T_ACCEPTED,
    T_CMD,
    Accepted,
    Rejected,
    decode_envelope,
    decode_payload,
    encode_envelope,
    make,
)
from messaging.sockets import Endpoint
from tests.helpers import TestStation, free_port_pair, journal_rows, wait_for

ACK_S = 2
"""``assist`` escalates ACK_S seconds after its raise (and again 2 × ACK_S after)."""
DAY_MS = 86_400_000
HOUR_NS = 3_600 * 10**9


class Wall:
    """The hub's ``time`` module: its wall clock is the real one moved by ``shift_ns``."""

    def __init__(self) -> None:
        self.shift_ns = 0

    def time_ns(self) -> int:
        return time.time_ns() + self.shift_ns

    def time(self) -> float:
        return self.time_ns() / 1e9

    def monotonic_ns(self) -> int:
        return time.monotonic_ns()

    def monotonic(self) -> float:
        return time.monotonic()


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> Wall:
    shifted = Wall()
    monkeypatch.setattr(app.hub.clock, "time", shifted)
    return shifted


@pytest.fixture
def fast(tmp_path: Path) -> Branch:
    from app.domain.config import default_config_path

    text = default_config_path().read_text(encoding="utf-8")
    return Branch(parse_config(text.replace("ack_s = 30", f"ack_s = {ACK_S}", 1)))


class ThreadHub:
    """A real hub (plain-text sockets, a SQLite journal) served on a thread."""

    def __init__(self, branch: Branch, db_url: str) -> None:
        self.branch, self.db_url = branch, db_url
        self.endpoint = Endpoint("127.0.0.1", free_port_pair())
        self.hub: Hub | None = None
        self.thread: threading.Thread | None = None
        self.serving_ms = 0
        """The real wall clock when the hub was built and began to serve."""

    def start(self) -> ThreadHub:
        ready = threading.Event()
        failed: list[BaseException] = []

        def run() -> None:
            journal = Journal(self.db_url)
            ctx = zmq.Context()
            try:
                self.hub = Hub(self.branch, journal, self.endpoint, ctx=ctx, clock=HubClock())
            except BaseException as exc:
                failed.append(exc)
                ready.set()
                journal.close()
                ctx.destroy(linger=0)
                return
            ready.set()
            try:
                self.hub.serve()
            finally:
                journal.close()
                ctx.destroy(linger=0)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(20), "the hub did not start"
        self.serving_ms = time.time_ns() // 10**6
        if failed:
            raise failed[0]
        return self

    def stop(self) -> None:
        if self.hub is not None and self.thread is not None:
            self.hub.stop()
            self.thread.join(15)
            assert not self.thread.is_alive(), "the hub did not stop"
        self.hub = self.thread = None


@pytest.fixture
def hubs(fast: Branch, db_url: str, wall: Wall) -> Iterator[list[ThreadHub]]:
    started: list[ThreadHub] = []
    yield started
    for hub in started:
        hub.stop()


def run_hub(hubs: list[ThreadHub], branch: Branch, db_url: str) -> ThreadHub:
    hub = ThreadHub(branch, db_url)
    if hubs:  # a restart listens where the stations look for it
        hub.endpoint = hubs[-1].endpoint
    hubs.append(hub.start())
    return hub


def rows(db_url: str, where: str = "1") -> list[tuple[int, int, str, int | None]]:
    """(seq, hub_ts_ms, kind, signal_id) of the journal's events, in seq order."""
    sql = f"SELECT seq, hub_ts_ms, kind, signal_id FROM events WHERE {where} ORDER BY seq"
    return [tuple(r) for r in journal_rows(db_url, sql)]


def escalated(db_url: str, sid: int) -> list[tuple[int, int, str, int | None]]:
    return rows(db_url, f"kind = 'signal_escalated' AND signal_id = {sid}")


def wait_escalated(db_url: str, sid: int, pump: Callable[[], object]) -> int:
    """The hub time of ``sid``'s first escalation, once it is journaled."""
    wait_for(lambda: bool(escalated(db_url, sid)), 10, pump, f"signal {sid}'s escalation")
    return escalated(db_url, sid)[0][1]


def test_hub_started_with_its_clock_a_day_behind_the_journal(
    hubs: list[ThreadHub], fast: Branch, db_url: str, wall: Wall, ctx: zmq.Context
) -> None:
    first = run_hub(hubs, fast, db_url)
    teller = TestStation(fast, "C01", first.endpoint, ctx)
    try:
        teller.accept(RaiseSignal(code="cash"))  # no escalation ladder: just a stamp
    finally:
        teller.close()
    first.stop()
    [(last_seq, last_ts, _, _)] = rows(db_url, "seq = (SELECT max(seq) FROM events)")

    wall.shift_ns = -DAY_MS * 10**6  # the hub PC's clock lost a day (a flat CMOS battery)
    hub = run_hub(hubs, fast, db_url)
    teller = TestStation(fast, "C01", hub.endpoint, ctx)
    supervisor = TestStation(fast, "S1", hub.endpoint, ctx)
    try:
        raised_at = time.monotonic()
        sid = teller.accept(RaiseSignal(code="assist"))
        teller.accept(RaiseSignal(code="cash"))
        wait_for(lambda: bool(escalated(db_url, sid)), 10, supervisor.pump, "the escalation")
        seen_after = time.monotonic() - raised_at
        after = rows(db_url, f"seq > {last_seq}")
        stamps = [ts for _, ts, _, _ in after]
        assert stamps == sorted(stamps) and stamps[-1] > stamps[0], (
            f"the stamps after the restart go on, not one frozen time: {after}"
        )
        assert stamps[0] >= last_ts, "the stamps go on from the journal's last one"
        assert stamps[-1] - stamps[0] < DAY_MS / 2, "not from the wall clock a day behind"
        assert seen_after >= ACK_S - 0.2, "not early"
        [(_, esc_ts, _, _)] = escalated(db_url, sid)[:1]
        [(_, raise_ts, _, _)] = rows(db_url, f"seq = {sid}")
        assert ACK_S * 1000 <= esc_ts - raise_ts < ACK_S * 1000 + 3000, "on time, in hub time"
    finally:
        teller.close()
        supervisor.close()


def test_wall_clock_stepped_forward_and_back_while_the_hub_runs(
    hubs: list[ThreadHub], fast: Branch, db_url: str, wall: Wall, ctx: zmq.Context
) -> None:
    hub = run_hub(hubs, fast, db_url)
    teller = TestStation(fast, "C01", hub.endpoint, ctx)
    other = TestStation(fast, "C02", hub.endpoint, ctx)
    supervisor = TestStation(fast, "S1", hub.endpoint, ctx)
    stations = (teller, other, supervisor)

    def pump() -> None:
        for station in stations:
            station.pump()

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pump()
            time.sleep(0.01)

    try:
        a_at = time.monotonic()
        a = teller.accept(RaiseSignal(code="assist"))
        settle(0.5)
        wall.shift_ns = HOUR_NS  # NTP steps the hub's clock an hour forward
        settle(0.3)
        b_at = time.monotonic()
        b = other.accept(RaiseSignal(code="assist"))
        [(_, b_ts, _, _)] = rows(db_url, f"seq = {b}")
        assert abs(b_ts - (time.time_ns() + HOUR_NS) // 10**6) < 5000, "stamps follow the wall"
        settle(0.5)
        wall.shift_ns = 0  # and back again
        wait_for(lambda: bool(escalated(db_url, a)), 10, pump, "signal A's escalation")
        a_after = time.monotonic() - a_at
        wait_for(lambda: bool(escalated(db_url, b)), 10, pump, "signal B's escalation")
        b_after = time.monotonic() - b_at
        # The forward step would have fired A early on the wall clock, the step back
        # would have held B for an hour: on the monotonic clock both come after ACK_S.
        assert ACK_S - 0.2 <= a_after < ACK_S + 5, a_after
        assert ACK_S - 0.2 <= b_after < ACK_S + 5, b_after
        [(_, a_esc_ts, _, _)] = escalated(db_url, a)[:1]
        assert abs(a_esc_ts - time.time_ns() // 10**6) < 5000, "stamped on the wall, back again"

        steps = journal_rows(
            db_url, "SELECT seq, body FROM events WHERE kind = 'clock_stepped' ORDER BY seq"
        )
        assert len(steps) == 2, "each step is journaled"
        from app.domain.events import ClockStepped
        from app.domain.record import read_event

        forward, back = (read_event(body) for _, body in steps)
        assert isinstance(forward, ClockStepped) and isinstance(back, ClockStepped)
        assert abs(forward.to_ms - forward.from_ms - HOUR_NS // 10**6) < 1000
        assert abs(back.to_ms - back.from_ms + HOUR_NS // 10**6) < 1000
        assert steps[0][0] < b < steps[1][0], "the note comes before what was stamped after it"
        seqs = [seq for seq, _, _, _ in rows(db_url)]
        assert seqs == list(range(1, len(seqs) + 1)), "the journal stays in seq order"
    finally:
        for station in stations:
            station.close()


def send_queued(
    endpoint: Endpoint,
    ctx: zmq.Context,
    station: str,
    command: Command,
    clicked_ms: int,
    pump: Callable[[], object],
    timeout: float = 15.0,
) -> int:
    """Send a command that was clicked at ``clicked_ms`` (the station's clock) and waited
    in its outbox, as docs/protocol.md §11.1 says: the envelope keeps the click's
    ``ts_ms`` on every (re)send. Resent each second until it is accepted; its seq."""
    env = make(command_kind(command), station, encode(command))
    body = encode_envelope(msgspec.structs.replace(env, ts_ms=clicked_ms))
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint.commands)
    deadline, resend = time.monotonic() + timeout, 0.0
    try:
        while time.monotonic() < deadline:
            if time.monotonic() >= resend:
                sock.send_multipart([T_CMD, body])
                resend = time.monotonic() + 1.0
            pump()
            if sock.poll(20):
                topic, reply = sock.recv_multipart()
                answer = decode_envelope(reply)
                if answer.msg_id != env.msg_id:
                    continue
                if topic == T_ACCEPTED:
                    return decode_payload(answer, Accepted).seq
                refused = decode_payload(answer, Rejected)
                assert refused.retry, f"refused: {refused}"
    finally:
        sock.close()
    raise AssertionError(f"{command!r} was not accepted in {timeout} s")


def test_escalations_due_while_the_hub_was_down_fire_at_restart(
    hubs: list[ThreadHub], fast: Branch, db_url: str, wall: Wall, ctx: zmq.Context
) -> None:
    hub = run_hub(hubs, fast, db_url)
    teller = TestStation(fast, "C01", hub.endpoint, ctx)
    try:
        before = teller.accept(RaiseSignal(code="assist"))
        hub.stop()
        # With the hub down, the teller clicks again: the command waits in its outbox.
        clicked = time.time_ns() // 10**6
        end = time.monotonic() + ACK_S + 1.5  # both deadlines pass while the hub is down
        while time.monotonic() < end:
            teller.pump()
            time.sleep(0.02)
        hub = run_hub(hubs, fast, db_url)
        queued = send_queued(
            hub.endpoint, ctx, "C01", RaiseSignal(code="assist"), clicked, teller.pump
        )
        [(_, arrived_ms, _, _)] = rows(db_url, f"seq = {queued}")
        # Each fires as soon as the hub can know of it: the one raised before the stop at
        # the restart, the queued one when its command arrives (held until the restarted
        # hub had heard C01's hello, to tell when it was clicked).
        # (the hub's clock is right here: wall.shift_ns is 0)
        for sid, known_ms in ((before, hub.serving_ms), (queued, arrived_ms)):
            esc_ts = wait_escalated(db_url, sid, teller.pump)
            assert esc_ts - known_ms < ACK_S * 1000 - 500, (
                f"signal {sid}: its deadline passed while the hub was down, it fires at once"
            )
        teller.sync_to(queued)
        sig = teller.state.signals[queued]
        assert abs(sig.raised_ms - clicked) < 1000, "raised when it was clicked"
    finally:
        teller.close()


def test_a_click_queued_offline_counts_from_the_click(
    hubs: list[ThreadHub], fast: Branch, db_url: str, wall: Wall, ctx: zmq.Context
) -> None:
    wall.shift_ns = 7 * 60 * 10**9  # the hub's clock is 7 minutes ahead of the stations'
    hub = run_hub(hubs, fast, db_url)
    manager = TestStation(fast, "L1", hub.endpoint, ctx)
    teller = TestStation(fast, "C01", hub.endpoint, ctx)  # its hello and pings: its clock
    try:
        teller.accept(RaiseSignal(code="cash"))
        # C01's cable is out when the raise is clicked; it reaches the hub 4 s later.
        clicked = time.time_ns() // 10**6
        click_hub_ms = clicked + wall.shift_ns // 10**6
        end = time.monotonic() + 4
        while time.monotonic() < end:
            teller.pump()
            manager.pump()
            time.sleep(0.02)
        sid = send_queued(
            hub.endpoint, ctx, "C01", RaiseSignal(code="assist"), clicked, teller.pump
        )
        manager.sync_to(sid)
        manager.accept(Acknowledge(signal_id=sid))
        [(_, raise_ts, _, _)] = rows(db_url, f"seq = {sid}")
        sig = manager.state.signals[sid]
        assert raise_ts - click_hub_ms >= 3500, "the command reached the hub seconds later"
        assert abs(sig.raised_ms - click_hub_ms) < 1000, "the signal was raised at the click"

        engine = create_engine(db_url)
        try:
            today = local_time(click_hub_ms, fast.timezone).date()
            found = report(engine, fast, today, today, now_ms=raise_ts + 60_000)
        finally:
            engine.dispose()
        [assist] = [g for g in found.groups if g.key == "assist"]
        assert assist.ack.max_s is not None and assist.ack.max_s >= 3.5, (
            "the time to acknowledge counts from the click, not from the command's arrival"
        )
    finally:
        teller.close()
        manager.close()
