"""``disk``: the journal's tmpfs fills up, then space returns (needs root)."""

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
    Say,
    Stations,
    lost_and_duplicated,
)
from app.domain.config import load_branch
from app.domain.events import RaiseSignal, command_kind, encode


def case_disk(base: Path, config: Path, keys: Path, quick: bool, say: Say) -> dict[str, Any]:
    """The journal's filesystem fills up; then space returns (read-only: case_readonly)."""
    mnt = base / "small-disk"
    mnt.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "lobbylink-bench", str(mnt)],
            check=True,
            capture_output=True,
            text=True,
        )
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        reason = getattr(exc, "stderr", "") or str(exc)
        say(f"disk: skipped: cannot mount a small tmpfs here ({reason.strip()})")
        return {"skipped": f"mount failed: {reason.strip()}"}
    hub = Hub(mnt, config, keys)
    branch = load_branch(config)
    st: Stations | None = None
    try:
        hub.start()
        st = group = Stations(branch, hub.endpoint, keys)
        ids = extra_ids(40)
        for sid in ids:
            st.add(sid)
        st.start()
        sent: list[str] = []

        def raise_all(note: str) -> None:
            for sid in ids:
                cmd = RaiseSignal(code="cash", note=note)
                sent.append(group.sessions[sid].link.submit(command_kind(cmd), encode(cmd)))

        filler = "x" * 400
        full_at = None
        for _ in range(400):  # 3 MB of ~1 kB events and their rows: full within a few hundred
            st.call(lambda: raise_all(filler))
            time.sleep(0.05)
            if any("full" in line for line in hub.log):
                full_at = len(st.acked)
                break
        time.sleep(2)
        refused_full = [ln for ln in hub.log if "full" in ln][:1]
        acked_while_full = len(st.acked)
        subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], check=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(len(s.link.outbox) for s in st.sessions.values()):
            time.sleep(0.2)
        recovered = not any(len(s.link.outbox) for s in st.sessions.values())
        st_ref = st
        st = None
        st_ref.stop()
        hub.stop()
        acked = list(st_ref.acked)
        lost, dup = lost_and_duplicated(hub.db_path, acked)
        result = {
            "acknowledged_before_full": full_at,
            "acknowledged_while_full": acked_while_full,
            "hub_said_full": refused_full,
            "recovered_after_space": recovered,
            "commands": len(sent),
            "acknowledged": len(acked),
            "acknowledged_lost": lost,
            "duplicated": dup,
        }
        result["ok"] = lost == 0 and dup == 0 and recovered
        say(
            f"disk: journal on a 3 MB tmpfs; hub said {refused_full or 'nothing'}; after "
            f"growing it recovered={recovered}; {len(acked)} acknowledged in all, {lost} "
            f"lost, {dup} duplicated"
        )
        return result
    finally:
        if st is not None:
            st.stop()
        hub.stop()
        with contextlib.suppress(Exception):
            subprocess.run(["umount", str(mnt)], check=False, capture_output=True)
