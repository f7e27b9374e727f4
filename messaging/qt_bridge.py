"""Drive a StationLink from the Qt event loop without ever blocking it.

ZeroMQ's ``FD`` is edge-triggered: a QSocketNotifier fires once when the socket
*becomes* readable, so we drain while ``EVENTS & POLLIN`` (the link reads until
EAGAIN), drain again after every send (a send can consume the edge), and keep a
slow timer as a safety net. See pyzmq's ``Socket.fileno`` notes. A link with two hubs
opens new sockets when it moves to the other one: the notifiers follow.
"""

from __future__ import annotations

import zmq
from PySide6.QtCore import QObject, QSocketNotifier, QTimer

from messaging.link import StationLink

TICK_MS = 100
BUDGET = 300
"""Messages handled before the event loop gets a turn (paints, timers, clicks)."""


class LinkDriver(QObject):
    """Owns the notifiers and the timer of one StationLink. No signals of its own."""

    def __init__(self, link: StationLink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self._notifiers: list[QSocketNotifier] = []
        self._switches = -1
        self._stopped = False
        self._watch()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self._again = False

    def start(self) -> None:
        self.link.start()
        self._timer.start()
        self.drain()

    def stop(self) -> None:
        """Before the link closes its sockets: nothing of this driver runs after it (no
        tick, no drain queued for the next loop turn, no notifier on a closed socket)."""
        self._stopped = True
        self._timer.stop()
        for notifier in self._notifiers:
            notifier.setEnabled(False)
            notifier.setParent(None)
        self._notifiers = []

    def _watch(self) -> None:
        """One notifier per socket of the link (again after it moved to the other hub:
        the old sockets are closed, their notifiers go with them)."""
        if self._switches == self.link.switches or self._stopped:
            return
        self._switches = self.link.switches
        for notifier in self._notifiers:  # deleted now (not later: no event of theirs
            notifier.setEnabled(False)  # may outlive the driver, nor watch a reused fd)
            notifier.setParent(None)
        self._notifiers = []
        for sock in self.link.sockets:
            notifier = QSocketNotifier(sock.getsockopt(zmq.FD), QSocketNotifier.Type.Read, self)
            notifier.activated.connect(self.drain)
            self._notifiers.append(notifier)

    def submit(self, kind: str, payload: bytes) -> str:
        msg_id = self.link.submit(kind, payload)
        self.drain()
        return msg_id

    def drain(self) -> None:
        """Handle everything readable; hand the rest to the next loop turn if busy."""
        if self._stopped:
            return
        more = self.link.process(BUDGET)
        # A message that arrived while we were busy raised no new edge: keep going
        # while EVENTS says POLLIN (reading EVENTS also re-arms the notifier).
        while not more and any(
            int(s.getsockopt(zmq.EVENTS)) & zmq.POLLIN for s in self.link.sockets
        ):
            more = self.link.process(BUDGET)
        if more and not self._again:
            self._again = True
            QTimer.singleShot(0, self._drain_again)

    def _drain_again(self) -> None:
        self._again = False
        self.drain()

    def _on_tick(self) -> None:
        if self._stopped:
            return
        self.link.tick()
        self._watch()
        self.drain()
