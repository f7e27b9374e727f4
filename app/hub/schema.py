"""The journal's tables (SQLAlchemy Core). Changes go through an Alembic migration."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    Column("hub_ts_ms", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("station", String(64), nullable=False),
    Column("staff", String(64), nullable=False),
    Column("signal_id", BigInteger, nullable=True),
    Column("msg_id", String(64), nullable=True),
    Column("body", LargeBinary, nullable=False),
    Column("hash", LargeBinary, nullable=True),
    Index("ix_events_ts", "hub_ts_ms"),
    Index("ix_events_signal", "signal_id"),
)

commands = Table(
    "commands",
    metadata,
    Column("msg_id", String(64), primary_key=True),
    Column("station", String(64), nullable=False),
    Column("seq", BigInteger, nullable=True),
    Column("hub_ts_ms", BigInteger, nullable=False),
    Column("topic", String(16), nullable=False),
    Column("reply", LargeBinary, nullable=False),
    Index("ix_commands_seq", "seq"),
)

events_set_aside = Table(
    "events_set_aside",
    metadata,
    Column("seq", BigInteger, nullable=False),
    Column("hub_ts_ms", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("station", String(64), nullable=False),
    Column("staff", String(64), nullable=False),
    Column("signal_id", BigInteger, nullable=True),
    Column("msg_id", String(64), nullable=True),
    Column("body", LargeBinary, nullable=False),
    Column("hash", LargeBinary, nullable=True),
    Column("set_aside_ms", BigInteger, nullable=False),
    Column("term", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_events_set_aside_seq", "seq"),
)
"""Rows a returning hub held above a takeover's fork, never acknowledged (issue 14)."""

signals = Table(
    "signals",
    metadata,
    Column(
        "signal_id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("code", String(32), nullable=False),
    Column("station", String(64), nullable=False),
    Column("staff", String(64), nullable=False),
    Column("to_station", String(64), nullable=False),
    Column("ticket", String(32), nullable=False),
    Column("need", String(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("level", Integer, nullable=False),
    Column("raised_ms", BigInteger, nullable=False),
    Column("acked_ms", BigInteger, nullable=True),
    Column("acked_station", String(64), nullable=False),
    Column("acked_staff", String(64), nullable=False),
    Column("arrived_ms", BigInteger, nullable=True),
    Column("resolved_ms", BigInteger, nullable=True),
    Column("resolved_station", String(64), nullable=False),
    Column("resolved_staff", String(64), nullable=False),
    Column("cancelled_ms", BigInteger, nullable=True),
    Column("outcome", String(32), nullable=False),
    Column("product", String(32), nullable=False),
    Column("declines", Integer, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    Index("ix_signals_raised", "raised_ms"),
    Index("ix_signals_state", "state"),
)
