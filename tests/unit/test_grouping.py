"""The local hour of a report's raises (app.reports.grouping.hour_expr), evaluated by
SQLite, against Python's own time zone conversion, through the changes of DST: the
repeated hour of a clock going back, the skipped one, a half-hour change."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Integer, create_engine, insert, select

from app.domain.timeday import local_time
from app.hub import schema
from app.reports.grouping import hour_expr


@pytest.mark.parametrize(
    ("tz", "first", "last"),
    [
        ("Europe/London", date(2026, 10, 24), date(2026, 10, 26)),  # back at 01:00 UTC
        ("Europe/London", date(2026, 3, 28), date(2026, 3, 30)),  # forward
        ("Australia/Lord_Howe", date(2026, 4, 4), date(2026, 4, 6)),  # back half an hour
        ("America/St_Johns", date(2026, 11, 1), date(2026, 11, 2)),  # -03:30 to -02:30
        ("Asia/Shanghai", date(2026, 12, 1), date(2026, 12, 1)),
    ],
)
def test_local_hour_in_sql_is_the_hour_on_the_wall(tz: str, first: date, last: date) -> None:
    engine = create_engine("sqlite://")
    schema.metadata.create_all(engine, tables=[schema.signals])
    start = int(datetime.combine(first, datetime.min.time(), UTC).timestamp() * 1000) - 86_400_000
    end = start + ((last - first).days + 3) * 86_400_000
    stamps = list(range(start, end, 5 * 60_000))  # every five minutes
    row = {c.name: 0 if isinstance(c.type, Integer) else "" for c in schema.signals.columns}
    with engine.begin() as conn:
        conn.execute(
            insert(schema.signals),
            [{**row, "signal_id": i, "raised_ms": ms} for i, ms in enumerate(stamps, 1)],
        )
        found = conn.execute(
            select(schema.signals.c.raised_ms, hour_expr(first, last, tz)).order_by(
                schema.signals.c.raised_ms
            )
        ).all()
    wrong = [(ms, h) for ms, h in found if local_time(ms, tz).hour != h]
    assert not wrong, f"{len(wrong)} raises in the wrong hour, first {wrong[:2]}"
