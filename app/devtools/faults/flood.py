"""Loader stations in a thread of this process, raising and cancelling as fast as allowed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import zmq

from app.domain.events import Cancel, Command, RaiseSignal, command_kind, encode
from messaging.envelope import Accepted, Rejected
from messaging.keys import station_keys
from messaging.link import StationLink
from messaging.sockets import Endpoint


class Flood:
    """Loader stations in a thread of this process: raise and cancel as fast as allowed.

    Each station has one command in flight: a raise (with ``note``), then the cancel of
    the signal it opened, and again; so the open signals stay few.
    """

    def __init__(
        self, endpoint: Endpoint, keys: Path, ids: list[str], note: str = "", sample: int = 2000
    ) -> None:
        self.endpoint, self.keys, self.ids, self.note = endpoint, keys, ids, note
        self.accepted = 0
        self.acked_ids: list[str] = []
        self.sample = sample
        self.error = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _run(self) -> None:
        ctx = zmq.Context()
        links: list[StationLink] = []
        try:
            for sid in self.ids:
                link = StationLink(
                    ctx, self.endpoint, sid, keys=station_keys(self.keys, sid), subscribe=False
                )
                raised: dict[str, bool] = {}

                def on_reply(
                    mid: str,
                    res: Accepted | Rejected,
                    _l: StationLink = link,
                    _raised: dict[str, bool] = raised,
                ) -> None:
                    if isinstance(res, Rejected) and res.retry:
                        return  # the link sends it again
                    was_raise = _raised.pop(mid, False)
                    if isinstance(res, Accepted):
                        self.accepted += 1
                        if len(self.acked_ids) < self.sample:
                            self.acked_ids.append(mid)
                    if self._stop.is_set():
                        return
                    if was_raise and isinstance(res, Accepted):
                        cmd: Command = Cancel(signal_id=res.seq)
                    else:
                        cmd = RaiseSignal(code="cash", note=self.note)
                    mid2 = _l.submit(command_kind(cmd), encode(cmd))
                    if isinstance(cmd, RaiseSignal):
                        _raised[mid2] = True

                link.on_reply = on_reply
                links.append(link)
                first = RaiseSignal(code="cash", note=self.note)
                raised[link.submit(command_kind(first), encode(first))] = True
            poller = zmq.Poller()
            for link in links:
                poller.register(link.dealer, zmq.POLLIN)
            next_tick = 0.0
            while not self._stop.is_set():
                events = dict(poller.poll(5))
                for link in links:
                    if link.dealer in events:
                        link.process()
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + 0.2
                    for link in links:
                        link.tick()
        except Exception as exc:
            self.error = repr(exc)
        finally:
            for link in links:
                link.close()
            ctx.destroy(linger=0)
