"""The journal turns read-only under a running hub: refused, nothing acknowledged, recovered.

The journal lives on a small ext4 filesystem in a file (loop device), which needs root;
CI runs as root, and there the test never skips. Two ways the journal goes read-only:

1. its files become immutable (``chattr +i``): every write through the hub's open file
   fails, and ``chattr -i`` makes it writable again with the hub running on;
2. an ext4 error: the kernel makes the whole filesystem read-only (``errors=remount-ro``),
   which lasts until an operator stops the hub, runs e2fsck and mounts it again.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import zmq

from app.devtools.faults.readonly import LoopDisk
from app.domain.config import Branch
from app.domain.events import RaiseSignal
from messaging.envelope import Accepted
from messaging.outbox import Outbox
from tests.helpers import (
    HubProcess,
    TestStation,
    assert_converged,
    free_port_pair,
    journal_rows,
    needs_root,
    wait_for,
)

pytestmark = needs_root("to mount a loop ext4 filesystem")


def pump_for(seconds: float, *stations: TestStation) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for station in stations:
            station.pump()
        time.sleep(0.01)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_read_only_journal_is_refused_and_recovers(
    tmp_path: Path, branch: Branch, ctx: zmq.Context
) -> None:
    disk = LoopDisk(tmp_path / "disk", size_mb=32).create()
    db_url = f"sqlite:///{disk.mnt / 'journal.sqlite'}"
    hub = HubProcess(db_url, free_port_pair(), keys_dir=tmp_path / "keys")
    stations: list[TestStation] = []
    try:
        hub.start()
        teller = TestStation(branch, "C01", hub.endpoint, ctx, Outbox(tmp_path / "C01.sqlite"))
        lobby = TestStation(branch, "L1", hub.endpoint, ctx)
        stations += [teller, lobby]
        teller.accept(RaiseSignal(code="cash", note="before"))

        # 1. Immutable journal files: refused with a reason, kept in the outbox.
        disk.immutable(True)
        try:
            first = [teller.session.send(RaiseSignal(code="cash", note=f"i{i}")) for i in range(3)]
            pump_for(3.0, teller, lobby)
            assert not set(first) & set(teller.replies), "acknowledged while read-only"
            assert len(teller.session.link.outbox) == 3
            assert any("cannot write" in line and "I/O error" in line for line in hub.log)
        finally:
            disk.immutable(False)
        wait_for(
            lambda: set(first) <= set(teller.replies), 30, teller.pump, "delivery after chattr -i"
        )
        assert any("writable again" in line for line in hub.log)

        # 2. An ext4 error: the filesystem is read-only until e2fsck and a new mount.
        disk.fs_error()
        mark = len(hub.log)
        second = [teller.session.send(RaiseSignal(code="cash", note=f"e{i}")) for i in range(2)]
        pump_for(3.0, teller, lobby)
        assert not set(second) & set(teller.replies), "acknowledged on a read-only filesystem"
        assert any("cannot write" in line for line in hub.log[mark:])
        hub.stop()
        disk.repair()
        hub.start()
        wait_for(
            lambda: set(second) <= set(teller.replies), 60, teller.pump, "delivery after repair"
        )

        replies = [teller.replies[mid] for mid in first + second]
        assert all(isinstance(r, Accepted) for r in replies), replies
        notes = journal_rows(db_url, "SELECT note FROM signals ORDER BY signal_id")
        assert [n for (n,) in notes] == ["before", "i0", "i1", "i2", "e0", "e1"], (
            "each stored once, in the order raised"
        )
        assert_converged(stations, db_url, branch)
    finally:
        for station in stations:
            station.close()
        hub.stop()
        disk.destroy()
