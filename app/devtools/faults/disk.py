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
    journal_counts,
    lost_and_duplicated,
)
from app.domain.config import load_branch


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
        st = Stations(branch, hub.endpoint, keys)
        ids = extra_ids(40)
        for sid in ids:
            st.add(sid)
        st.start()
        sent: list[str] = []
        filler = "x" * 400
        full_at = None
        for _ in range(400):  # 3 MB of ~1 kB events and their rows: full within a few hundred
            sent += st.raise_signals(ids, filler)  # in the outboxes when this returns
            time.sleep(0.05)
            if any("full" in line for line in hub.log):
                full_at = len(st.acked_ids())
                break
        time.sleep(2)
        refused_full = [ln for ln in hub.log if "full" in ln][:1]
        acked_while_full = len(st.acked_ids())
        subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], check=True)
        recovered = st.drained(60) is not None
        acked = st.acked_ids()
        group = st
        rejected = st.call(lambda: dict(group.rejected))
        st_ref, st = st, None
        st_ref.stop()
        hub.stop()
        lost, _ = lost_and_duplicated(hub.db_path, acked)
        counts = journal_counts(hub.db_path, sent)
        result: dict[str, Any] = {
            "acknowledged_before_full": full_at,
            "acknowledged_while_full": acked_while_full,
            "hub_said_full": refused_full,
            "recovered_after_space": recovered,
            "commands": len(sent),
            "acknowledged": len(acked),
            "stored_once": sum(1 for c in counts.values() if c == 1),
            "rejected": rejected,
            "acknowledged_lost": lost,
            "duplicated": sum(1 for c in counts.values() if c > 1),
        }
        result["ok"] = (
            lost == 0
            and result["duplicated"] == 0
            and recovered
            and result["stored_once"] + sum(rejected.values()) == len(sent)
        )
        say(
            f"disk: journal on a 3 MB tmpfs; hub said {refused_full or 'nothing'}; after "
            f"growing it recovered={recovered}; {len(sent)} commands, {len(acked)} "
            f"acknowledged, {result['stored_once']} stored once, {lost} acknowledged lost, "
            f"{result['duplicated']} duplicated"
        )
        return result
    finally:
        if st is not None:
            st.stop()
        hub.stop()
        with contextlib.suppress(Exception):
            subprocess.run(["umount", str(mnt)], check=False, capture_output=True)
