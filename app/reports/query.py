"""The ``report`` query's arguments, shared by the board (asks) and the hub (answers).

No SQL here: a station imports it without loading the journal's libraries.
"""

from __future__ import annotations

from datetime import date

import msgspec

NAME = "report"
MAX_DAYS = 366
"""The longest range one query may cover (a year)."""


class ReportArgs(msgspec.Struct, forbid_unknown_fields=True):
    first: str
    """First local day, YYYY-MM-DD."""
    last: str
    """Last local day, inclusive."""
    by: str = "type"
    """type, station, staff or hour."""


def encode_args(first: date, last: date, by: str = "type") -> bytes:
    return msgspec.msgpack.encode(ReportArgs(first.isoformat(), last.isoformat(), by))
