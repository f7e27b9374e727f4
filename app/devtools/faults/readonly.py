"""``readonly``: the journal's filesystem turns read-only under the hub (needs root).

:class:`LoopDisk` (an ext4 image on a loop device) is shared with
tests/integration/test_fault_readonly.py.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path
from typing import Any

from app.devtools.common import (
    Hub,
    extra_ids,
)
from app.devtools.faults.common import (
    FaultSetupError,
    Say,
    Stations,
    converge,
    journal_counts,
    lost_and_duplicated,
    run_tool,
)
from app.domain.config import load_branch
from messaging.outbox import Outbox


class LoopDisk:
    """A small ext4 filesystem in a file, mounted through a loop device (needs root).

    ``errors=remount-ro``: an error makes the kernel turn the filesystem read-only
    under the processes writing to it, as a failing disk does.
    """

    def __init__(self, folder: Path, size_mb: int = 64) -> None:
        self.image = folder / "disk.ext4"
        self.mnt = folder / "mnt"
        self.size_mb = size_mb
        self.device = ""
        self.mounted = False

    def create(self) -> LoopDisk:
        self.mnt.mkdir(parents=True, exist_ok=True)
        with self.image.open("wb") as f:
            f.truncate(self.size_mb << 20)
        run_tool("mkfs.ext4", "-q", "-F", str(self.image))
        self.mount()
        return self

    def mount(self) -> None:
        # A new loop device each time, never ``mount -o loop``: that reuses the device
        # already bound to the image, and if another mount namespace (``ip netns exec``
        # copies the mounts) still holds the old filesystem, the kernel hands back that
        # same aborted, read-only superblock instead of mounting the repaired one.
        self.device = run_tool("losetup", "--find", "--show", str(self.image)).strip()
        try:
            run_tool("mount", "-o", "errors=remount-ro", self.device, str(self.mnt))
        except FaultSetupError:
            run_tool("losetup", "--detach", self.device)
            raise
        self.mounted = True

    def immutable(self, on: bool) -> list[str]:
        """``chattr ±i`` on the folder and its files but SQLite's ``-shm``; the names changed.

        Not the ``-shm``: SQLite writes it through a shared memory map, and a write fault
        on an immutable file kills the writer with SIGBUS (seen: the hub exited -7).
        """
        files = [p for p in self.mnt.iterdir() if p.is_file() and not p.name.endswith("-shm")]
        paths = [self.mnt, *sorted(files)]
        run_tool("chattr", "+i" if on else "-i", *map(str, paths))
        return [p.name for p in paths]

    def fs_error(self) -> None:
        """An ext4 error (ext4's own test hook): the kernel makes the filesystem read-only."""
        name = Path(self.device).name
        Path(f"/sys/fs/ext4/{name}/trigger_fs_error").write_text("lobbylink fault test\n")

    def mount_options(self) -> str:
        return run_tool("findmnt", "-n", "-o", "OPTIONS", str(self.mnt)).strip()

    def repair(self) -> str:
        """What an operator does: unmount, e2fsck, mount again. Returns e2fsck's verdict."""
        self.umount()
        done = subprocess.run(
            ["e2fsck", "-f", "-y", str(self.image)], capture_output=True, text=True, timeout=300
        )
        if done.returncode not in (0, 1):  # 0: clean, 1: errors corrected
            raise FaultSetupError(f"e2fsck exited {done.returncode}: {done.stderr.strip()}")
        self.mount()
        last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        return f"exit {done.returncode}, {last.split(': ', 1)[-1]}"  # "…, 13517/65536 blocks"

    def umount(self) -> None:
        if not self.mounted:
            return
        for attempt in range(20):  # a process that just exited may hold it a moment longer
            try:
                run_tool("umount", str(self.mnt))
                break
            except FaultSetupError:
                if attempt == 19:
                    raise
                time.sleep(0.25)
        self.mounted = False
        with contextlib.suppress(FaultSetupError):  # if still busy, it goes when released
            run_tool("losetup", "--detach", self.device)

    def destroy(self) -> None:
        with contextlib.suppress(FaultSetupError, OSError):
            if self.mnt.exists():
                run_tool("chattr", "-i", str(self.mnt))
                for p in self.mnt.iterdir():
                    run_tool("chattr", "-i", str(p))
        try:
            self.umount()
        except FaultSetupError:
            with contextlib.suppress(FaultSetupError):  # never leave a mount behind
                run_tool("umount", "--lazy", str(self.mnt))
                run_tool("losetup", "--detach", self.device)


def case_readonly(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """The journal turns read-only under the running hub, twice, while stations raise.

    1. Its files and folder become immutable (``chattr +i`` on ext4: every write through
       the hub's open file descriptors fails), then writable again, the hub running on.
    2. The kernel turns the filesystem read-only after an ext4 error (``errors=remount-
       ro``); the operator stops the hub, runs e2fsck, mounts again and restarts it.
    """
    stations_n, ro_s = (20, 3.0) if quick else (60, 20.0)
    folder = base / "readonly"
    folder.mkdir()
    disk = LoopDisk(folder)
    try:
        disk.create()
    except FaultSetupError as exc:
        disk.destroy()
        say(f"readonly: skipped: cannot mount a loop ext4 filesystem here ({exc})")
        return {"skipped": str(exc)}
    hub = Hub(disk.mnt, config, keys)
    branch = load_branch(config)
    st: Stations | None = None
    try:
        hub.start()
        st = group = Stations(branch, hub.endpoint, keys)
        ids = extra_ids(stations_n)
        for sid in ids:
            st.add(sid, Outbox(folder / f"outbox-{sid}.sqlite"))
        st.start()
        sent: list[str] = []

        def raise_for(seconds: float, note: str) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                sent.extend(group.raise_signals(ids, note))  # in the outboxes on return
                time.sleep(0.5)

        def acked_since(mark: int) -> int:
            return len(group.acked_ids()) - mark

        raise_for(1.0, "before")
        if group.drained(30) is None:
            raise RuntimeError("the stations' first signals were not delivered")
        result: dict[str, Any] = {"stations": stations_n, "read_only_s": ro_s}

        # 1. immutable files: writes fail on the open descriptors; reversible in place.
        log_mark, ack_mark = len(hub.log), len(group.acked_ids())
        group.take_deferred()
        names = disk.immutable(True)
        raise_for(ro_s, "immutable")
        result["immutable_files"] = names
        result["immutable_acknowledged"] = acked_since(ack_mark)
        deferred, told = group.take_deferred()
        result["immutable_deferred"] = deferred
        result["immutable_hub_said"] = first_line(hub.log[log_mark:], "cannot write")
        result["immutable_stations_told"] = told
        queued = group.queued()
        disk.immutable(False)
        took = group.drained(60)
        result["immutable_queued_in_outboxes"] = queued
        result["immutable_recovered_s"] = None if took is None else round(took, 2)
        result["immutable_hub_recovery"] = first_line(hub.log[log_mark:], "writable again")

        # 2. ext4 error: the kernel makes the filesystem read-only for good.
        log_mark, ack_mark = len(hub.log), len(group.acked_ids())
        group.take_deferred()
        disk.fs_error()
        result["fs_error_mount"] = disk.mount_options()
        raise_for(ro_s, "fs error")
        result["fs_error_acknowledged"] = acked_since(ack_mark)
        deferred, told = group.take_deferred()
        result["fs_error_deferred"] = deferred
        result["fs_error_hub_said"] = first_line(hub.log[log_mark:], "cannot write")
        result["fs_error_stations_told"] = told
        result["fs_error_queued_in_outboxes"] = group.queued()
        still = len(group.acked_ids())
        time.sleep(2)  # the hub keeps refusing: no "writable again" without a restart
        result["fs_error_acknowledged_later"] = acked_since(still)
        hub.stop()
        result["e2fsck"] = disk.repair()
        restart = time.monotonic()
        hub.start()
        took = group.drained(120)
        result["fs_error_recovered_s"] = (
            None if took is None else round(time.monotonic() - restart, 2)
        )
        converge_s, diverging = converge(group, hub, config)
        st_ref, st = st, None
        st_ref.stop()
        hub.stop()
        acked = list(group.acked)  # the pumping thread has ended: read directly
        lost, _ = lost_and_duplicated(hub.db_path, acked)
        counts = journal_counts(hub.db_path, sent)
        result.update(
            {
                "commands": len(sent),
                "acknowledged": len(acked),
                "stored_once": sum(1 for c in counts.values() if c == 1),
                "acknowledged_lost": lost,
                "duplicated": sum(1 for c in counts.values() if c > 1),
                "stations_diverging": diverging,
                "converge_s": round(converge_s, 2),
            }
        )
        result["ok"] = (
            lost == 0
            and result["duplicated"] == 0
            and result["stored_once"] == len(sent)
            and result["immutable_acknowledged"] == 0
            and result["fs_error_acknowledged"] == 0
            and result["immutable_recovered_s"] is not None
            and result["fs_error_recovered_s"] is not None
            and diverging == 0
        )
        if not result["ok"]:
            result["hub_log_tail"] = hub.log[-30:]
            result["stations_told"] = dict(group.reasons)
        say(
            f"readonly: {stations_n} stations raising every 0.5 s. (1) chattr +i on the "
            f"journal for {ro_s:g} s: {result['immutable_acknowledged']} acknowledged, "
            f"{result['immutable_deferred']} deferred, {queued} waiting in outboxes; hub "
            f"said {result['immutable_hub_said']!r}; chattr -i: delivered in "
            f"{result['immutable_recovered_s']} s. (2) ext4 error → {result['fs_error_mount']}"
            f" for {ro_s:g} s: {result['fs_error_acknowledged']} acknowledged, hub said "
            f"{result['fs_error_hub_said']!r}; stop, e2fsck ({result['e2fsck']}), mount, "
            f"start: delivered {result['fs_error_recovered_s']} s after the restart. "
            f"{len(sent)} commands, {result['stored_once']} stored once, {lost} acknowledged "
            f"lost, {result['duplicated']} duplicated, {diverging} stations diverging"
        )
        return result
    finally:
        if st is not None:
            st.stop()
        hub.stop()
        disk.destroy()


def first_line(lines: list[str], needle: str) -> str:
    found = next((ln for ln in lines if needle in ln), "")
    return found.split(": ", 1)[-1] if found else ""
