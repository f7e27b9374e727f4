"""What the real-window tests share: station windows side by side on the X server, signed
in, and xdotool."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import zmq
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.client.main import StationParts, build_station
from app.domain.config import Branch
from tests.helpers import HubProcess, keys_for

WAIT = 10_000


def signed_in(parts: StationParts) -> bool:
    return bool(parts.bridge.staff)


def xdotool(*args: str) -> str:
    done = subprocess.run(["xdotool", *args], check=True, timeout=10, capture_output=True)
    return done.stdout.decode().strip()


@contextmanager
def open_windows(
    qtbot: QtBot,
    hub: HubProcess,
    branch: Branch,
    ctx: zmq.Context,
    tmp_path: Path,
    people: dict[str, str],
    width: int,
    desk: frozenset[str] = frozenset(),
    lang: str = "en",
) -> Iterator[dict[str, StationParts]]:
    """One window per ``station: staff`` of ``people``, ``width`` pixels wide side by side,
    shown and signed in (``desk``: the stations built as on a shared desk, with their
    system-wide keys and call bar); closed afterwards."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    made = {
        sid: build_station(
            branch,
            hub.endpoint,
            sid,
            ctx,
            lang=lang,
            staff=staff,
            settings=settings,
            keys=keys_for(hub.endpoint, sid),
            desk=sid in desk,
        )
        for sid, staff in people.items()
    }
    try:
        for x, parts in enumerate(made.values()):
            parts.window.setGeometry(20 + x * (width + 20), 40, width, 560)
            parts.window.show()
            qtbot.waitExposed(parts.window, timeout=WAIT)
        for parts in made.values():
            qtbot.waitUntil(partial(signed_in, parts), timeout=WAIT)
        yield made
    finally:
        for parts in made.values():
            parts.close()
