"""An outbox file that is not a database is set aside, not a traceback at start."""

from __future__ import annotations

from pathlib import Path

import pytest

from messaging.outbox import Outbox, OutboxError, Pending


def test_a_corrupt_outbox_is_moved_aside_and_a_fresh_one_made(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    path.write_bytes(b"this is not SQLite" * 100)
    box = Outbox(path)
    assert box.set_aside is not None and box.set_aside.name.startswith("outbox.sqlite.corrupt-")
    assert box.set_aside.read_bytes().startswith(b"this is not SQLite")
    box.add(Pending("m1", "raise", b"\x80", 1))
    assert len(box) == 1
    box.close()
    again = Outbox(path)
    assert again.set_aside is None and len(again) == 1
    again.close()


def test_an_outbox_that_cannot_write_raises_outbox_error(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox.sqlite")
    box._db.execute("PRAGMA query_only = ON")
    with pytest.raises(OutboxError):
        box.add(Pending("m1", "raise", b"\x80", 1))
    assert len(box) == 0
    box.close()
