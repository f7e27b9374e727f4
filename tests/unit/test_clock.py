"""The hub's clock and the stations' clocks on their own: a fake ``time``, values out."""

from __future__ import annotations

import msgspec
import pytest

import app.hub.clock
from app.domain.config import Branch
from app.domain.events import ClockStepped, SignalRaised, decode_event, encode
from app.domain.state import BranchState
from app.hub.clock import QUEUED_MS, STEP_MS, HubClock, StationClocks

MS = 1_000_000
T0 = 1_800_000_000_000


class FakeTime:
    """A wall clock and a monotonic clock moved by hand (ms)."""

    def __init__(self) -> None:
        self.wall_ms = T0
        self.mono_ms = 5_000

    def tick(self, ms: int) -> None:
        self.wall_ms += ms
        self.mono_ms += ms

    def time_ns(self) -> int:
        return self.wall_ms * MS

    def monotonic_ns(self) -> int:
        return self.mono_ms * MS

    def monotonic(self) -> float:
        return self.mono_ms / 1000


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    clock = FakeTime()
    monkeypatch.setattr(app.hub.clock, "time", clock)
    return clock


def test_steps_are_followed_and_reported(fake: FakeTime) -> None:
    clock = HubClock()
    assert clock.now_ms() == T0
    fake.tick(500)
    assert clock.now_ms() == T0 + 500 and not clock.stepped
    fake.wall_ms += 3_600_000  # NTP steps the wall an hour on
    assert clock.now_ms() == fake.wall_ms
    fake.tick(10)
    fake.wall_ms -= 7_200_000  # and two hours back
    assert clock.now_ms() == fake.wall_ms
    assert clock.take_steps() == [
        (T0 + 500, T0 + 500 + 3_600_000),
        (T0 + 510 + 3_600_000, T0 + 510 - 3_600_000),
    ]
    assert clock.take_steps() == []


def test_small_differences_are_slewed_never_backwards(fake: FakeTime) -> None:
    clock = HubClock()
    fake.wall_ms -= STEP_MS // 2  # within the step threshold: slewed, not stepped
    seen = []
    for _ in range(200):
        fake.tick(1_000)
        seen.append(clock.now_ms())
    assert not clock.stepped
    assert seen == sorted(seen) and len(set(seen)) == len(seen), "always forwards"
    assert seen[-1] == fake.wall_ms, "caught up with the wall (1 % of 200 s > 0.5 s)"


def test_a_wall_clock_behind_the_journal_is_not_believed(fake: FakeTime) -> None:
    clock = HubClock()
    journal_last = T0 + 86_400_000  # the journal was stamped a day later
    clock.start_from(journal_last)
    assert clock.started_ms == journal_last
    stamps = []
    for _ in range(5):
        fake.tick(100)
        stamps.append(clock.now_ms())
    assert stamps == [journal_last + 100 * i for i in range(1, 6)], "on, never frozen"
    fake.wall_ms -= 3_600_000  # any further step back while behind: still ignored
    fake.tick(100)
    assert clock.now_ms() == journal_last + 600 and not clock.stepped
    fake.wall_ms = journal_last + 3_600_000  # NTP puts it right, past the journal
    assert clock.now_ms() == fake.wall_ms
    assert clock.take_steps() == [(journal_last + 600, journal_last + 3_600_000)]


def test_a_wall_clock_ahead_of_the_journal_is_believed(fake: FakeTime) -> None:
    clock = HubClock()
    clock.start_from(T0 - 1_000)
    assert clock.started_ms == T0 and clock.now_ms() == T0


def test_station_offsets_and_the_click_of_a_queued_command() -> None:
    stations = StationClocks()
    m0 = 5_000  # the hub's monotonic clock, ms; its hub time is T0 + 60 s then
    assert stations.offset_ms("C01") is None
    assert stations.clicked_ms("C01", T0, T0, m0, 0) == 0, "unknown clock: no guess"
    # C01's clock reads T0 - 7 s at m0; its pings take 2 to 40 ms to arrive
    for delay in (40, 2, 15):
        stations.sample("C01", T0 - 7_000, m0 + delay)
    assert stations.offset_ms("C01") == T0 - 7_000 - m0 - 2, "the sample that waited least"
    hub_now, mono = T0 + 60_000, m0 + 60_000
    straight = T0 - 7_000 + 60_000 - 20  # stamped 20 ms before it arrived
    assert stations.clicked_ms("C01", straight, hub_now, mono, 0) == 0
    queued = straight - 5_000 + 20  # clicked 5 s before it arrived
    assert stations.clicked_ms("C01", queued, hub_now, mono, 0) == hub_now - 5_000 + 2
    assert stations.clicked_ms("C01", queued, hub_now, mono, hub_now - 1_500) == hub_now - 1_500
    ahead = queued + 3_600_000  # never after now
    assert stations.clicked_ms("C01", ahead, hub_now, mono, 0) == 0
    # the hub's wall clock steps an hour on: the same wait, from the new hub time
    assert stations.clicked_ms("C01", queued, hub_now + 3_600_000, mono, 0) == (
        hub_now + 3_600_000 - 5_000 + 2
    )
    assert QUEUED_MS >= 500


def test_a_station_clock_stepped_back_is_followed() -> None:
    stations = StationClocks()
    for i in range(10):
        stations.sample("C01", T0 + i * 1_000, i * 1_000 + 5)
    assert stations.offset_ms("C01") == T0 - 5
    stations.sample("C01", T0 + 9_000, 30_000)  # one ping held up on the way: ignored
    stations.sample("C01", T0 + 10_000 - 60_000, 10_000 + 5)  # the station: a minute back
    stations.sample("C01", T0 + 11_000 - 60_000, 11_000 + 5)
    assert stations.offset_ms("C01") == T0 - 5, "not yet: two samples"
    stations.sample("C01", T0 + 12_000 - 60_000, 12_000 + 5)
    assert stations.offset_ms("C01") == T0 - 60_005


def test_clicked_ms_travels_only_when_set(branch: Branch) -> None:
    plain = SignalRaised(signal_id=2, code="assist", targets=("lobby_manager",), station="C01")
    assert b"clicked_ms" not in encode(plain), "the payload older readers know"
    clicked = msgspec.structs.replace(plain, clicked_ms=T0 - 4_000)
    assert decode_event("signal_raised", encode(clicked)) == clicked
    state = BranchState(branch)
    state.apply(2, T0, clicked)
    assert state.signals[2].raised_ms == T0 - 4_000
    state.apply(3, T0 + 10, _raised(3))
    assert state.signals[3].raised_ms == T0 + 10


def _raised(sid: int) -> SignalRaised:
    return SignalRaised(signal_id=sid, code="assist", targets=("lobby_manager",), station="C01")


def test_clock_stepped_is_a_note_and_stamps_may_go_back(branch: Branch) -> None:
    state = BranchState(branch)
    before = state.fingerprint()
    note = ClockStepped(from_ms=T0, to_ms=T0 - 3_600_000)
    assert decode_event("clock_stepped", encode(note)) == note
    state.apply(1, T0, _raised(1))
    state.apply(2, T0 - 3_600_000, note)
    state.apply(3, T0 - 3_599_000, _raised(3))
    assert state.last_ts_ms == T0 - 3_599_000, "the last stamp as it is, not the largest"
    assert state.signals[3].raised_ms == T0 - 3_599_000
    assert before != state.fingerprint()
