"""Loggers by category, not by module: hub, wire, journal, ui, qt, cli, sim."""

from __future__ import annotations

import logging
import sys

hub = logging.getLogger("lobbylink.hub")
wire = logging.getLogger("lobbylink.wire")  # messaging/ asks for it by name: it imports no app code
journal = logging.getLogger("lobbylink.journal")
ui = logging.getLogger("lobbylink.ui")
qt = logging.getLogger("lobbylink.qt")  # Qt's own messages (app.client.crashlog)
cli = logging.getLogger("lobbylink.cli")
sim = logging.getLogger("lobbylink.sim")  # the demo's simulated staff (app.sim)


def setup(verbose: bool = False, quiet: bool = False) -> None:
    """Plain, timestamped lines on stderr; ``quiet`` keeps only warnings (one-shot tools)."""
    root = logging.getLogger("lobbylink")
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname).1s %(name)s: %(message)s", "%H:%M:%S")
    )
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
