"""``lobbylink bench faults``: run the cases, one after the other, each on its own hub."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from app.devtools.common import (
    make_keys,
    write_big_branch,
)
from app.devtools.faults.central import case_central
from app.devtools.faults.common import (
    Say,
)
from app.devtools.faults.disk import case_disk
from app.devtools.faults.kill import case_kill
from app.devtools.faults.netcut import case_netcut
from app.devtools.faults.offline import case_offline
from app.devtools.faults.pair import case_pairkill
from app.devtools.faults.paircut import case_paircut
from app.devtools.faults.readonly import case_readonly
from app.devtools.faults.slow import case_slow
from app.devtools.faults.soak import case_soak

CASES = {
    "kill": case_kill,
    "offline": case_offline,
    "slow": case_slow,
    "disk": case_disk,
    "readonly": case_readonly,
    "netcut": case_netcut,
    "soak": case_soak,
    "central": case_central,
    "pairkill": case_pairkill,
    "paircut": case_paircut,
}


def run_faults(quick: bool, only: list[str] | None = None, say: Say = print) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="lobbylink-faults-"))
    out: dict[str, Any] = {"mode": "quick" if quick else "full", "cases": {}}
    try:
        config = write_big_branch(base, 420)
        keys = make_keys(base, config)
        for name, case in CASES.items():
            if only and name not in only:
                continue
            start = time.monotonic()
            try:
                out["cases"][name] = case(base, config, keys, quick, say)
            except Exception as exc:
                say(f"{name}: FAILED: {exc!r}")
                out["cases"][name] = {"ok": False, "error": repr(exc)}
            out["cases"][name]["seconds"] = round(time.monotonic() - start, 1)
        return out
    finally:
        shutil.rmtree(base, ignore_errors=True)
