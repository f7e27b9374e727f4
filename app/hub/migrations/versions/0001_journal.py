"""The journal: events, command replies, the signals projection and meta.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("seq", _seq, primary_key=True, autoincrement=False),
        sa.Column("hub_ts_ms", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("staff", sa.String(64), nullable=False),
        sa.Column("signal_id", sa.BigInteger, nullable=True),
        sa.Column("msg_id", sa.String(64), nullable=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_events_ts", "events", ["hub_ts_ms"])
    op.create_index("ix_events_signal", "events", ["signal_id"])
    op.create_table(
        "commands",
        sa.Column("msg_id", sa.String(64), primary_key=True),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=True),
        sa.Column("hub_ts_ms", sa.BigInteger, nullable=False),
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("reply", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "signals",
        sa.Column("signal_id", _seq, primary_key=True, autoincrement=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("staff", sa.String(64), nullable=False),
        sa.Column("to_station", sa.String(64), nullable=False),
        sa.Column("ticket", sa.String(32), nullable=False),
        sa.Column("need", sa.String(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("raised_ms", sa.BigInteger, nullable=False),
        sa.Column("acked_ms", sa.BigInteger, nullable=True),
        sa.Column("acked_station", sa.String(64), nullable=False),
        sa.Column("acked_staff", sa.String(64), nullable=False),
        sa.Column("arrived_ms", sa.BigInteger, nullable=True),
        sa.Column("resolved_ms", sa.BigInteger, nullable=True),
        sa.Column("resolved_station", sa.String(64), nullable=False),
        sa.Column("resolved_staff", sa.String(64), nullable=False),
        sa.Column("cancelled_ms", sa.BigInteger, nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("product", sa.String(32), nullable=False),
        sa.Column("declines", sa.Integer, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_signals_raised", "signals", ["raised_ms"])
    op.create_index("ix_signals_state", "signals", ["state"])


def downgrade() -> None:
    op.drop_table("signals")
    op.drop_table("commands")
    op.drop_table("events")
    op.drop_table("meta")
