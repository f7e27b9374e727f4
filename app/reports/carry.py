"""What an archive takes away that the days after its cut still need: each counter's
status and presence at the cut.

A pause (``counter_status`` paused) or an offline spell (``presence`` online false)
that began before the cut and goes on after it starts with an event that the archive
moves out of the journal. So that the reports over the days after the cut keep the
same figures, ``lobbylink archive`` keeps, in the journal's ``meta`` under
``carry_over``, the last event of each of these kinds of each station among the
archived rows: its seq, hub time and body, byte for byte (the archive file holds the
same row, chained). The reports read it where the journal has no earlier event of
that station. The archive file gets the journal's previous ``carry_over``: the state
at its own first row.

    {"seq": LAST_ARCHIVED_SEQ,
     "events": {"counter_status": {"C04": [SEQ, HUB_TS_MS, "BASE64 BODY"], ...},
                "presence": {...}}}
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, inspect, select

from app.hub import schema

KEY = "carry_over"
KINDS = ("counter_status", "presence")


@dataclass(frozen=True)
class Carried:
    seq: int
    ts_ms: int
    body: bytes


@dataclass
class CarryOver:
    """The last archived event of each kind of ``KINDS``, per station."""

    seq: int = 0
    """The last archived row (0: nothing archived yet)."""
    events: dict[str, dict[str, Carried]] = field(default_factory=dict)

    def of(self, kind: str) -> dict[str, Carried]:
        return self.events.get(kind, {})

    def to_json(self) -> str:
        return json.dumps(
            {
                "seq": self.seq,
                "events": {
                    kind: {
                        station: [c.seq, c.ts_ms, base64.b64encode(c.body).decode()]
                        for station, c in sorted(by_station.items())
                    }
                    for kind, by_station in sorted(self.events.items())
                },
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> CarryOver:
        """Raises ValueError when ``text`` is not a carry-over."""
        try:
            raw: Any = json.loads(text)
            return cls(
                int(raw["seq"]),
                {
                    str(kind): {
                        str(station): Carried(int(seq), int(ts), base64.b64decode(body))
                        for station, (seq, ts, body) in by_station.items()
                    }
                    for kind, by_station in raw["events"].items()
                },
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"meta {KEY!r} does not decode: {exc}") from None


def load(conn: Connection) -> CarryOver:
    """The journal's carry-over (empty when nothing was archived, or no ``meta``)."""
    if not inspect(conn).has_table("meta"):
        return CarryOver()
    m = schema.meta.c
    text = conn.execute(select(m.value).where(m.key == KEY)).scalar()
    return CarryOver() if not text else CarryOver.from_json(str(text))


def after_cut(conn: Connection, previous: CarryOver, last_seq: int) -> CarryOver:
    """``previous`` updated with the last event of each kind and station at or before
    ``last_seq``: the carry-over once the rows up to ``last_seq`` are archived."""
    e = schema.events.c
    events = {kind: dict(previous.of(kind)) for kind in KINDS}
    for kind in KINDS:
        lasts = (
            select(func.max(e.seq).label("seq"))
            .where(e.kind == kind, e.seq > previous.seq, e.seq <= last_seq)
            .group_by(e.station)
            .subquery()
        )
        for seq, station, ts, body in conn.execute(
            select(e.seq, e.station, e.hub_ts_ms, e.body).where(e.seq.in_(select(lasts.c.seq)))
        ):
            events[kind][str(station)] = Carried(int(seq), int(ts), bytes(body))
    return CarryOver(max(last_seq, previous.seq), {k: v for k, v in events.items() if v})
