"""Business days in the branch's time zone (the hub's clock is UTC milliseconds)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def day_start_ms(ts_ms: int, tz: str) -> int:
    """Milliseconds of the local midnight that starts the day containing ``ts_ms``."""
    zone = ZoneInfo(tz)
    local = datetime.fromtimestamp(ts_ms / 1000, zone)
    return day_bounds_ms(local.date(), tz)[0]


def day_bounds_ms(day: date, tz: str) -> tuple[int, int]:
    """[start, end) of a local calendar day, in UTC milliseconds."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def local_time(ts_ms: int, tz: str) -> datetime:
    return datetime.fromtimestamp(ts_ms / 1000, ZoneInfo(tz))
