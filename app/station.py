"""A station's state, kept equal to the hub's: the glue between the link and the domain.

Qt-free, so the clients, the simulator, the benchmarks and the tests all use it.
"""

from __future__ import annotations

from collections.abc import Callable

import zmq

from app import log
from app.domain.config import Branch
from app.domain.events import Command, command_kind, decode_event, encode
from app.domain.state import BranchState, decode_snapshot
from messaging.envelope import PRIVATE, Accepted, Envelope, Rejected
from messaging.keys import StationKeys
from messaging.link import StationLink
from messaging.outbox import Outbox
from messaging.sockets import Hubs


class StationSession:
    """A StationLink feeding a BranchState.

    ``on_reply(msg_id, result)`` and ``on_connection(up)`` are forwarded from the link;
    changes to the state reach its ``listeners`` / ``reset_listeners``.
    """

    def __init__(
        self,
        branch: Branch,
        station: str,
        endpoint: Hubs,
        ctx: zmq.Context,
        outbox: Outbox | None = None,
        keys: StationKeys | None = None,
    ) -> None:
        self.branch = branch
        self.station = station
        self.state = BranchState(branch)
        me = branch.station(station)
        reads_private = me is not None and me.role.value in branch.private_readers
        self.link = StationLink(
            ctx, endpoint, station, outbox, keys=keys, fetch_private=reads_private
        )
        self.link.on_event = self._on_event
        self.link.on_snapshot = self._on_snapshot
        self.on_reply: Callable[[str, Accepted | Rejected], None] = lambda mid, res: None
        self.on_connection: Callable[[bool], None] = lambda up: None
        self.link.on_reply = lambda mid, res: self.on_reply(mid, res)
        self.link.on_connection = lambda up: self.on_connection(up)

    def start(self) -> None:
        self.link.start()

    def send(self, command: Command) -> str:
        """Queue a command in the outbox; returns its msg_id."""
        return self.link.submit(command_kind(command), encode(command))

    def pump(self) -> None:
        """Drain the sockets and run the link's timers (for loops without Qt)."""
        while self.link.process():
            pass
        self.link.tick()
        while self.link.process():
            pass

    def close(self) -> None:
        self.link.close()

    def _on_event(self, env: Envelope) -> None:
        if env.kind == PRIVATE:  # a silent signal's event this station may not read
            self.state.skip(env.seq, env.hub_ts_ms)
            return
        try:
            event = decode_event(env.kind, bytes(env.payload))
        except ValueError as exc:
            # A newer hub may publish kinds this station does not know: skip, keep order.
            log.wire.warning("skipped event %d: %s", env.seq, exc)
            self.state.last_seq = env.seq
            return
        self.state.apply(env.seq, env.hub_ts_ms, event)
        # Like the hub, set aside closed signals of earlier days (a station runs for weeks).
        self.state.roll_day(env.hub_ts_ms)

    def _on_snapshot(self, env: Envelope) -> None:
        self.state.restore(env.seq, decode_snapshot(env.payload))  # a buffer: no copy
