"""``lobbylink bench run`` and ``lobbylink bench faults``: figures and survival, measured.

:func:`add_bench_parsers` registers both on the ``bench`` sub-command's subparsers
(the command line wires it). Nothing here imports Qt at module level; only
:mod:`app.devtools.bench.board`, run as a child process, does.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def cmd_run(args: argparse.Namespace) -> int:
    from app.devtools.bench.run import print_result, run

    result = run(args.quick, keep=args.keep)
    print_result(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        print(f"\nwritten to {args.json}")
    return 0


def cmd_faults(args: argparse.Namespace) -> int:
    from app.devtools.faults.driver import run_faults

    result = run_faults(args.quick, only=args.only)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        print(f"\nwritten to {args.json}")
    lost = sum(int(case.get("acknowledged_lost", 0)) for case in result["cases"].values())
    return 0 if lost == 0 and all(c.get("ok", True) for c in result["cases"].values()) else 1


def add_bench_parsers(runs: Any) -> None:
    """Add ``run`` and ``faults`` to the ``lobbylink bench`` subparsers object ``runs``."""
    p = runs.add_parser(
        "run",
        help="latency, capacity, resync, board and memory, next to raw baselines",
        description="Start a real hub and simulated stations as separate processes and "
        "measure the figures of DESIGN.md, each with a raw pyzmq / sqlite3 baseline from "
        "the same run (see docs/performance.md).",
    )
    p.add_argument("--quick", action="store_true", help="fewer samples (under two minutes)")
    p.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.set_defaults(func=cmd_run)

    f = runs.add_parser(
        "faults",
        help="hub SIGKILLs, offline stations, slow subscribers, a full or read-only disk, "
        "a network cut, a soak: what was lost",
        description="Inject faults against a real hub and report acknowledged events lost "
        "or duplicated (must be zero); see docs/reliability.md.",
    )
    f.add_argument("--quick", action="store_true", help="shorter, fewer repetitions")
    f.add_argument(
        "--only",
        action="append",
        choices=["kill", "offline", "slow", "disk", "readonly", "netcut", "soak"],
        help="run only this case (repeatable)",
    )
    f.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    f.set_defaults(func=cmd_faults)
