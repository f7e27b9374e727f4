"""A station's witness of the hub's journal: the chain heads it keeps.

The hub publishes the head of its journal's hash chain in its heartbeats (seq and
hash, per epoch; docs/protocol.md §5.5). :class:`HeadWitness` keeps the newest one per
epoch in the station's outbox, so that it survives restarts, and says loudly when a
head goes back or changes its hash: the rows were deleted or rewritten, and the head
kept before stays as evidence for ``lobbylink verify --witness-from``. StationLink owns
one, hands it each head a heartbeat carries and tells it of each new connection; it
holds no socket.
"""

from __future__ import annotations

import logging

from messaging.envelope import HEAD_HASH_BYTES, now_ms
from messaging.outbox import Head, Outbox, OutboxError

wire_log = logging.getLogger("lobbylink.wire")
"""The ``wire`` category of app/log.py, by its name: messaging imports no app code."""


class HeadWitness:
    """The chain heads of the hub's journal seen by one station, kept in its outbox."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._heads: dict[str, Head] = {}
        """The newest chain head kept per epoch (the witness), as in the outbox."""
        self._latest: Head | None = None
        """The head kept last, whatever its epoch."""
        for head in self._outbox.heads():
            self._heads[head.epoch] = self._latest = head
        self._new_stretch = True
        """The next head starts a row of its own (a new connection: the hub may have
        restarted on a journal changed meanwhile; the head before stays as evidence)."""
        self._alarmed: set[tuple[str, int, bytes]] = set()
        """Heads whose going back was logged already (each is logged once)."""
        self._bad_head = False
        self._unsaved: bool | None = None
        """The newest head is not in the outbox yet (a write failed); whether it is
        to start a row of its own."""

    def head(self, epoch: str) -> Head | None:
        """The newest head kept of ``epoch``, else the head kept last (None: none yet)."""
        return self._heads.get(epoch, self._latest)

    def new_stretch(self) -> None:
        """A new connection (or another hub): the next head starts a row of its own."""
        self._new_stretch = True

    def seen(self, epoch: str, seq: int, digest: bytes) -> None:
        """Keep the chain head the hub published (durably: the station's witness).

        As the Go checksum database's client keeps its latest tree head
        (golang.org/x/mod/sumdb, ``mergeLatest``): a head that moves forward replaces
        the one kept; one that goes back, or comes back at the same seq with another
        hash, is misbehaviour: logged once, loudly, and the head kept before stays as
        evidence (a row of its own) for ``lobbylink verify --witness-from``.
        """
        if len(digest) != HEAD_HASH_BYTES or seq <= 0:
            if not self._bad_head:  # once: a hub that sends one sends it every second
                wire_log.warning("ignored a chain head of %d bytes at seq %d", len(digest), seq)
            self._bad_head = True
            return
        kept = self._heads.get(epoch)
        if kept is not None and (kept.seq, kept.hash) == (seq, digest):
            if self._unsaved is not None:  # the write failed: try again
                self._keep(Head(epoch, seq, digest, now_ms()), new_row=False)
            self._new_stretch = False
            return
        new_row = self._new_stretch
        if kept is not None and seq <= kept.seq:
            evidence = (epoch, kept.seq, kept.hash)
            new_row = evidence not in self._alarmed
            if new_row:
                self._alarmed.add(evidence)
                what = "went back" if seq < kept.seq else "changed its hash"
                wire_log.error(
                    "SECURITY: the chain head of the hub's journal (epoch %s) %s from "
                    "%d:%s to %d:%s: its rows were deleted or rewritten; this station keeps "
                    "both heads: check the journal with lobbylink verify --witness-from",
                    epoch,
                    what,
                    kept.seq,
                    kept.hash.hex(),
                    seq,
                    digest.hex(),
                )
        self._new_stretch = False
        self._keep(Head(epoch, seq, digest, now_ms()), new_row=new_row)

    def _keep(self, head: Head, *, new_row: bool) -> None:
        self._heads[head.epoch] = self._latest = head
        new_row = new_row or bool(self._unsaved)  # a row the failed write was to start
        try:
            self._outbox.keep_head(head, new_row=new_row)
        except OutboxError as exc:
            if self._unsaved is None:
                wire_log.warning("the outbox cannot keep the chain head: %s", exc)
            self._unsaved = new_row
            return
        self._unsaved = None
