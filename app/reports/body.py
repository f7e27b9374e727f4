"""The journal's event bodies as the reports read and the generator writes them.

The record is the domain's (app.domain.record), shared with the hub's journal writer
and ``lobbylink verify``; the reports may not import the wire package, and need not.
"""

from __future__ import annotations

from app.domain.record import event_body, read_event, reader

__all__ = ["event_body", "read_event", "reader"]
