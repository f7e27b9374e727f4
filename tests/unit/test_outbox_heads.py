"""The outbox keeps the station's witness: the chain heads the hub published."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest

from messaging.envelope import Heartbeat
from messaging.outbox import MAX_HEADS, Head, Outbox, OutboxError, Pending, read_heads

H1, H2, H3 = bytes([1]) * 32, bytes([2]) * 32, bytes([3]) * 32


def test_heads_survive_a_restart_and_read_only(tmp_path: Path) -> None:
    path = tmp_path / "outbox-C01.sqlite"
    box = Outbox(path)
    box.keep_head(Head("e1", 5, H1, 100), new_row=False)
    box.keep_head(Head("e1", 9, H2, 200), new_row=False)  # forward: over the row
    box.keep_head(Head("e1", 12, H3, 300), new_row=True)  # a row of its own
    assert [h.text() for h in box.heads()] == [f"9:{H2.hex()}", f"12:{H3.hex()}"]
    box.close()
    files = sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir())
    assert [h.seq for h in read_heads(path)] == [9, 12]
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir()) == files, (
        "read-only: nothing made or changed"
    )
    again = Outbox(path)
    assert [h.seq for h in again.heads()] == [9, 12]
    again.close()


def test_read_heads_refuses_what_is_not_an_outbox(tmp_path: Path) -> None:
    with pytest.raises(OutboxError, match="no outbox file"):
        read_heads(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(OutboxError, match="cannot be read"):
        read_heads(junk)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(OutboxError, match="not a station outbox"):
        read_heads(other)


def test_an_outbox_of_an_older_version_gets_the_table(tmp_path: Path) -> None:
    path = tmp_path / "outbox-C01.sqlite"
    with sqlite3.connect(path) as conn:  # the table as older versions made it
        conn.execute(
            "CREATE TABLE outbox (pos INTEGER PRIMARY KEY AUTOINCREMENT,"
            " msg_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
            " payload BLOB NOT NULL, ts_ms INTEGER NOT NULL)"
        )
        conn.execute(
            "INSERT INTO outbox (msg_id, kind, payload, ts_ms) VALUES ('m1', 'raise', x'00', 1)"
        )
    conn.close()
    with pytest.raises(OutboxError, match="before chain heads were kept"):
        read_heads(path)
    box = Outbox(path)
    assert [p.msg_id for p in box.items()] == ["m1"], "the unsent command is still there"
    assert box.heads() == []
    box.keep_head(Head("e1", 3, H1, 1), new_row=False)
    box.close()
    assert read_heads(path) == [Head("e1", 3, H1, 1)]


def test_old_heads_are_trimmed_but_each_epochs_newest_stays(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    box.keep_head(Head("old", 1, H1, 1), new_row=True)
    for i in range(MAX_HEADS + 20):
        box.keep_head(Head("e1", i + 1, H2, i), new_row=True)
    heads = box.heads()
    assert heads[0] == Head("old", 1, H1, 1)
    assert len(heads) == MAX_HEADS + 1 and heads[-1].seq == MAX_HEADS + 20
    box.add(Pending("m", "raise", b"", 1))
    box.close()


def test_a_heartbeat_of_the_old_shape_still_decodes_and_old_stations_ignore_the_head() -> None:
    old = msgspec.msgpack.encode({"last_seq": 7})
    assert msgspec.msgpack.decode(old, type=Heartbeat) == Heartbeat(7)
    new = msgspec.msgpack.encode(Heartbeat(7, head_seq=7, head_hash=H1))

    class OldHeartbeat(msgspec.Struct):
        last_seq: int

    assert msgspec.msgpack.decode(new, type=OldHeartbeat) == OldHeartbeat(7)
    assert msgspec.msgpack.encode(Heartbeat(7)) == old, "no head: the old bytes exactly"
