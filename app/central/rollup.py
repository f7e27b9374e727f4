"""Head office's daily rollups (``daily``, app.central.schema): recomputed per branch and
local day from the signals projection by the SQL functions of migration c0007.

The shipper recomputes the days its batch touched (:func:`touch`, in the batch's
transaction); ``lobbylink central rollup`` rebuilds a range or everything (:func:`rebuild`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import BigInteger, Date

_TOUCH = text("SELECT lobbylink_daily_touch(:b, :raised)").bindparams(
    bindparam("raised", type_=ARRAY(BigInteger))
)
_REFRESH = text("SELECT lobbylink_daily_refresh(:b, :days)").bindparams(
    bindparam("days", type_=ARRAY(Date))
)
DAY_MS = 86_400_000
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_LOCAL_DAY = (
    "((timestamptz 'epoch' + s.raised_ms * interval '1 millisecond') AT TIME ZONE b.timezone)::date"
)


def available(conn: Connection) -> bool:
    """Whether head office's schema has the rollups (migration c0007)."""
    found = conn.execute(text("SELECT to_regprocedure('lobbylink_daily_touch(text,bigint[])')"))
    return found.scalar() is not None


def touch(conn: Connection, branch: str, raised_ms: Iterable[int]) -> int:
    """Recompute ``branch``'s local days on which these signals were raised (whole days,
    from the signals projection as ``conn`` sees it); the rows written."""
    raised = sorted({int(r) for r in raised_ms})
    if not raised:
        return 0
    return int(conn.execute(_TOUCH, {"b": branch, "raised": raised}).scalar() or 0)


def refresh(conn: Connection, branch: str, days: list[date]) -> int:
    """Recompute ``branch``'s ``days`` (a day with no signal loses its rows)."""
    if not days:
        return 0
    return int(conn.execute(_REFRESH, {"b": branch, "days": days}).scalar() or 0)


def days_of(conn: Connection, branch: str, first: date | None, last: date | None) -> list[date]:
    """The days to rebuild of ``branch``: those of ``first`` to ``last`` with a signal or
    a rollup row (every such day when no range is given)."""
    where, near = "", ""
    params: dict[str, object] = {"b": branch, "first": first, "last": last}
    if first is not None and last is not None:
        where = "AND d BETWEEN :first AND :last"
        # the raises near the range (a local day lies within a UTC day either side)
        near = "AND s.raised_ms >= :lo AND s.raised_ms < :hi"
        params["lo"] = (first.toordinal() - _EPOCH_DAY - 1) * DAY_MS
        params["hi"] = (last.toordinal() - _EPOCH_DAY + 2) * DAY_MS
    found = conn.execute(
        text(
            f"SELECT DISTINCT d FROM ("
            f"  SELECT {_LOCAL_DAY} AS d FROM signals s JOIN branches b USING (branch)"
            f"  WHERE s.branch = :b {near}"
            f"  UNION SELECT day FROM daily WHERE branch = :b) t "
            f"WHERE true {where} ORDER BY d"
        ),
        params,
    )
    return [r[0] for r in found]


def rebuild(
    conn: Connection,
    first: date | None = None,
    last: date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[int, int, int]:
    """Rebuild the rollups of every branch ``conn`` may see, one branch at a time
    (``conn`` commits after each); (branches, days, rows)."""
    branches = list(conn.execute(text("SELECT branch FROM branches ORDER BY branch")).scalars())
    conn.commit()
    total_days = total_rows = 0
    for code in branches:
        days = days_of(conn, code, first, last)
        rows = 0
        for i in range(0, len(days), 31):  # a month a statement: short transactions
            rows += refresh(conn, code, days[i : i + 31])
            conn.commit()
        total_days += len(days)
        total_rows += rows
        if progress is not None:
            progress(code, len(days), rows)
    return len(branches), total_days, total_rows
