"""What a shipper tells head office about its branch: its ``branches`` row (app.central.schema).

Registered at each connection (code, region, name, time zone), then, in one UPDATE, when
it was last heard from and the branch journal's head (the region board's link and lag,
app.reports.region). Row-level security lets a branch's role write its own row only.
"""

from __future__ import annotations

from sqlalchemy import Connection, case, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.central import schema as cs

SERVER_NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
"""The server's clock in UTC ms: when the branch was heard is head office's time."""


def register(conn: Connection, code: str, region: str, name: str, timezone: str) -> str | None:
    """Insert or refresh the branch's row; the region head office files it under.
    Head office's region and name win (a branch added without a name gets its own);
    the time zone is the branch's."""
    b = cs.branches.c
    now = text(SERVER_NOW_MS)
    stmt = pg_insert(cs.branches).values(
        branch=code,
        region=region,
        name=name,
        timezone=timezone,
        first_seen_ms=now,
        last_seen_ms=now,
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[b.branch],
            set_={
                "last_seen_ms": stmt.excluded.last_seen_ms,
                "timezone": timezone,
                "name": case((b.name == "", stmt.excluded.name), else_=b.name),
            },
        )
    )
    found = conn.execute(select(b.region).where(b.branch == code)).scalar()
    return None if found is None else str(found)


def has_head(conn: Connection) -> bool:
    """Whether head office's schema has ``branches.head_seq`` and ``head_ts_ms``
    (migration c0006; an older one has not: shipping goes on without them)."""
    found = conn.execute(
        text(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'branches' "
            "AND column_name IN ('head_seq', 'head_ts_ms') "
            "AND table_schema = current_schema()"
        )
    ).scalar()
    return found == 2


def seen(conn: Connection, code: str, head: tuple[int, int] | None) -> None:
    """The branch is heard now; with ``head`` (seq, hub ms), its journal's head too."""
    b = cs.branches.c
    values: dict[str, object] = {"last_seen_ms": text(SERVER_NOW_MS)}
    if head is not None:
        values.update(head_seq=head[0], head_ts_ms=head[1])
    conn.execute(cs.branches.update().where(b.branch == code).values(**values))
