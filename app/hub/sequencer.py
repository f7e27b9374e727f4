"""Sequencing and the journal write: every event's seq, its row, one commit per step."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from app.domain.events import ClockStepped, Event, SignalRaised
from app.domain.record import event_row
from app.domain.state import BranchState
from app.domain.timeday import day_start_ms
from app.hub.clock import HubClock, StationClocks
from app.hub.journal import Batch, Journal
from app.hub.sync import Sync
from messaging.envelope import Envelope


class Sequencer:
    """Gives each event the next seq and the hub's time, applies it to the state, keeps
    its body for sync, and gathers the step's rows for one group commit."""

    def __init__(self, state: BranchState, journal: Journal, clock: HubClock, sync: Sync) -> None:
        self.state, self.journal, self.clock, self.sync = state, journal, clock, sync
        self.epoch = journal.epoch
        self.batch = Batch()
        self.published: list[bytes] = []
        """What the PUB carries for the batch's events, once they are stored."""
        self.stations = StationClocks()
        """The stations' clocks, for when a queued raise was clicked."""
        self.replicate: Callable[[Batch], list[Event]] | None = None
        """A standby pair's active (app.hub.pairing): called after each commit; returns
        what to journal before the batch is acknowledged (its peer is away)."""

    def note_steps(self) -> None:
        """Journal the hub clock's steps (a ``clock_stepped`` event each), before any
        event stamped after them."""
        self.clock.now_ms()  # a step is seen when the clock is read
        for from_ms, to_ms in self.clock.take_steps():
            self.sequence(ClockStepped(from_ms=from_ms, to_ms=to_ms))

    def sequence(self, event: Event, origin: Envelope | None = None) -> int:
        """Sequence ``event`` (caused by the command ``origin``, if any); its seq."""
        state = self.state
        ts = self.clock.now_ms()
        if self.clock.stepped and not isinstance(event, ClockStepped):
            self.note_steps()
            ts = self.clock.now_ms()
        seq = state.last_seq + 1
        if origin is None:
            row = event_row(seq, ts, event, self.epoch)
        else:
            if isinstance(event, SignalRaised):
                event = self._clicked(event, origin, ts)
            row = event_row(seq, ts, event, self.epoch, origin.msg_id, origin.ts_ms)
        sig = state.apply(seq, ts, event)
        batch = self.batch
        if sig is not None:
            batch.touch(sig, new=isinstance(event, SignalRaised))
        batch.events.append(row)
        self.published.append(self.sync.record(seq, ts, row.body, event))
        return seq

    def _clicked(self, event: SignalRaised, origin: Envelope, ts: int) -> SignalRaised:
        """``event`` with the time its raise was clicked, if the command waited at the
        station: its ``ts_ms`` mapped onto hub time by the station's measured offset, no
        earlier than the start of the branch's day."""
        day_start = day_start_ms(ts, self.state.branch.timezone)
        mono_ms = int(self.clock.mono() * 1000)
        clicked = self.stations.clicked_ms(origin.station, origin.ts_ms, ts, mono_ms, day_start)
        if not clicked:
            return event
        return msgspec.structs.replace(event, clicked_ms=clicked)

    def commit(self) -> tuple[Batch, list[bytes]]:
        """Write the batch in one transaction; return it and what to publish for it.

        Raises JournalUnavailable (the batch is then dropped: the state holds events
        that were not stored, and must be rebuilt).
        """
        batch, published = self.batch, self.published
        self.batch, self.published = Batch(), []
        self.journal.commit(batch)
        if self.replicate is not None:
            notes = self.replicate(batch)
            if notes:  # said (journaled, and published with the batch) before any reply
                for event in notes:
                    self.sequence(event)
                _said, more = self.commit()
                published = published + more
        return batch, published
