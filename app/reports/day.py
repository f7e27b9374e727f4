"""A day's signals with their raise, claim, arrival and close times and who acted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, inspect, select

from app.domain.config import Branch
from app.domain.timeday import day_bounds_ms, local_time
from app.hub import schema


class ReportError(Exception):
    """The journal cannot be read for a report (missing, not a journal, unreadable)."""


@dataclass
class SignalLine:
    signal_id: int
    code: str
    label: str
    station: str
    staff: str
    state: str
    level: int
    raised: str
    acked: str | None
    acked_by: str
    ack_s: float | None
    arrived: str | None
    resolved: str | None
    resolved_by: str
    resolve_s: float | None
    cancelled: str | None
    outcome: str
    product: str
    ticket: str
    to: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _iso(ts_ms: int | None, tz: str) -> str | None:
    if ts_ms is None:
        return None
    return local_time(ts_ms, tz).isoformat(timespec="seconds")


def _who(station: str, staff: str) -> str:
    if not station:
        return ""
    return f"{staff}@{station}" if staff else station


def day_signals(engine: Engine, branch: Branch, day: date, lang: str = "en") -> list[SignalLine]:
    """Every signal raised on ``day`` (local, in the branch's time zone), oldest first."""
    return range_signals(engine, branch, day, day, lang)


def range_signals(
    engine: Engine,
    branch: Branch,
    first: date,
    last: date,
    lang: str = "en",
    progress: Callable[[int, int], None] | None = None,
) -> list[SignalLine]:
    """Every signal raised on the local days ``first`` to ``last``, oldest first.

    ``progress(done, total)`` is called as rows are read (for a terminal's progress bar).
    """
    tz = branch.timezone
    start, end = day_bounds_ms(first, tz)[0], day_bounds_ms(last, tz)[1]
    try:
        if not inspect(engine).has_table("signals"):
            raise ReportError(f"{engine.url!r} holds no Lobbylink journal")
        s = schema.signals.c
        with engine.connect() as conn:
            total = 0
            if progress is not None:
                total = int(
                    conn.execute(
                        select(func.count())
                        .select_from(schema.signals)
                        .where(s.raised_ms >= start, s.raised_ms < end)
                    ).scalar()
                    or 0
                )
                progress(0, total)
            rows = conn.execute(
                select(schema.signals)
                .where(s.raised_ms >= start, s.raised_ms < end)
                .order_by(s.raised_ms, s.signal_id)
            ).mappings()
            out = []
            for r in rows:
                kind = branch.signal_type(r["code"])
                acked, resolved = r["acked_ms"], r["resolved_ms"]
                out.append(
                    SignalLine(
                        signal_id=r["signal_id"],
                        code=r["code"],
                        label=kind.label.get(lang) if kind else r["code"],
                        station=r["station"],
                        staff=r["staff"],
                        state=r["state"],
                        level=r["level"],
                        raised=_iso(r["raised_ms"], tz) or "",
                        acked=_iso(acked, tz),
                        acked_by=_who(r["acked_station"], r["acked_staff"]),
                        ack_s=None if acked is None else round((acked - r["raised_ms"]) / 1000, 3),
                        arrived=_iso(r["arrived_ms"], tz),
                        resolved=_iso(resolved, tz),
                        resolved_by=_who(r["resolved_station"], r["resolved_staff"]),
                        resolve_s=None
                        if resolved is None
                        else round((resolved - r["raised_ms"]) / 1000, 3),
                        cancelled=_iso(r["cancelled_ms"], tz),
                        outcome=r["outcome"],
                        product=r["product"],
                        ticket=r["ticket"],
                        to=r["to_station"],
                    )
                )
                if progress is not None and len(out) % 1000 == 0:
                    progress(len(out), total)
            if progress is not None:
                progress(len(out), max(total, len(out)))
            return out
    except ReportError:
        raise
    except Exception as exc:  # an unreadable file, a wrong URL: say so, plainly
        raise ReportError(f"cannot read the journal at {engine.url!r}: {exc}") from exc
