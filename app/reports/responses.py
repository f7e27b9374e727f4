"""Per group: counts, escalations and response times; per type: the acknowledge deadline."""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from typing import Any

from app.domain.config import Branch
from app.reports.figures import Deadline, Durations, Group
from app.reports.scan import ACKED, CANCELLED, DECLINED, LEVEL, NO_SHOW, SERVED, Tally


def _merged(runs: list[list[int]]) -> list[int]:
    """One sorted list of sorted runs (sorting sorted runs merges them)."""
    return runs[0] if len(runs) == 1 else sorted(itertools.chain.from_iterable(runs))


def build_groups(
    found: Tally, by: str, handoff_codes: set[str]
) -> tuple[dict[str, Group], dict[str, Group], Group]:
    """The groups by type, by ``by`` and in all, from the tallied signals."""
    by_type: dict[str, Group] = {}
    grouped: dict[str, Group] = by_type if by == "type" else {}
    total = Group("(all)")

    def name(g: str) -> str:
        return f"{int(g):02d}" if by == "hour" else g

    def targets(code: str, g: str) -> list[Group]:
        mine = [by_type.setdefault(code, Group(code)), total]
        if grouped is not by_type:
            mine.append(grouped.setdefault(name(g), Group(name(g))))
        return mine

    for (code, g, mark), n in found.counts.items():
        handoff = code in handoff_codes
        level, flags = divmod(mark, LEVEL)
        for grp in targets(code, g):
            grp.signals += n
            if flags & ACKED:
                grp.acknowledged += n
            if level > 0:
                grp.escalated += n
                grp.levels[str(level)] = grp.levels.get(str(level), 0) + n
            if not flags & (ACKED | CANCELLED):
                grp.unanswered += n
            if flags & CANCELLED:
                grp.cancelled += n
            if handoff:
                grp.handoffs_offered += n
                grp.handoffs_accepted += n if flags & ACKED else 0
                grp.handoffs_declined += n if flags & DECLINED else 0
                grp.handoffs_served += n if flags & SERVED else 0
                grp.handoffs_no_show += n if flags & NO_SHOW else 0
    for grp in [*by_type.values(), *([] if grouped is by_type else grouped.values()), total]:
        grp.levels = {k: grp.levels[k] for k in sorted(grp.levels, key=int)}

    # durations: each group's from its sorted runs, the total from the groups' (fewer
    # runs to merge); of the types, when they are not the groups, only what the
    # deadlines show (acknowledge)
    def runs() -> tuple[list[list[int]], list[list[int]], list[list[int]]]:
        return [], [], []

    of_type: dict[str, tuple[list[list[int]], ...]] = defaultdict(runs)
    of_group: dict[str, tuple[list[list[int]], ...]] = defaultdict(runs)
    for (code, g), lists in found.durations.items():
        for i, values in enumerate(lists):
            of_type[code][i].append(values)
            if grouped is not by_type:
                of_group[name(g)][i].append(values)
    everything = runs()
    for g, group_runs in (of_type if grouped is by_type else of_group).items():
        grp = grouped[g]
        merged = [_merged(r) for r in group_runs]
        grp.ack, grp.arrive, grp.resolve = (Durations.of(m) for m in merged)
        for into, values in zip(everything, merged, strict=True):
            into.append(values)
    if everything[0]:
        total.ack, total.arrive, total.resolve = (Durations.of(_merged(r)) for r in everything)
    if grouped is not by_type:
        for code, type_runs in of_type.items():
            by_type[code].ack = Durations.of(_merged(type_runs[0]))
    return by_type, grouped, total


def late_by_type(branch: Branch, found: Tally) -> dict[str, int]:
    """Per type with a deadline: acknowledged after it, or never (and not cancelled)."""
    limits = {c: t.ack_s * 1000 for c, t in branch.signal_types.items() if t.ack_s}
    late: dict[str, int] = {}
    for (code, _g, mark), n in found.counts.items():
        if code in limits:
            late[code] = late.get(code, 0) + (0 if mark & (ACKED | CANCELLED) else n)
    for (code, _g), (acks, _arrive, _resolve) in found.durations.items():
        if code in limits:
            late[code] += len(acks) - bisect.bisect_right(acks, limits[code])
    return late


def deadlines(branch: Branch, by_type: dict[Any, Group], late: dict[str, int]) -> list[Deadline]:
    """Each type with a deadline (``ack_s``): its acknowledge times and how many were late."""
    out = []
    for code in sorted(by_type):
        kind = branch.signal_type(code)
        if kind is None or not kind.ack_s:
            continue
        g = by_type[code]
        out.append(
            Deadline(
                code=code,
                deadline_s=kind.ack_s,
                signals=g.signals,
                acknowledged=g.acknowledged,
                p50_s=g.ack.p50_s,
                p90_s=g.ack.p90_s,
                max_s=g.ack.max_s,
                late=late.get(code, 0),
            )
        )
    return out
