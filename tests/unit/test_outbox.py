from __future__ import annotations

from pathlib import Path

from messaging.outbox import Outbox, Pending


def test_outbox_keeps_order_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite"
    box = Outbox(path)
    for i in range(5):
        box.add(Pending(f"m{i}", "raise", bytes([i]), i))
    assert box.head() == Pending("m0", "raise", b"\x00", 0)
    assert box.remove("m0")
    box.close()  # as if the station crashed here
    again = Outbox(path)
    assert len(again) == 4
    assert [p.msg_id for p in again.items()] == ["m1", "m2", "m3", "m4"]
    assert again.head() is not None and again.head().msg_id == "m1"  # type: ignore[union-attr]
    assert not again.remove("nope")
    again.close()
