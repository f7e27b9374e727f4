"""A standby pair of hubs: rows set aside, and commands by seq.

``events_set_aside`` keeps the rows a hub held above a takeover's fork when it returns
as the follower: they were committed here but never acknowledged (the active died
before its peer stored them), so the new active's rows replace them in ``events``;
they are kept, not deleted, as evidence (``lobbylink verify`` lists them). The index
on ``commands.seq`` lets the active send a catching-up peer the replies of a range.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events_set_aside",
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hub_ts_ms", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("staff", sa.String(64), nullable=False),
        sa.Column("signal_id", sa.BigInteger, nullable=True),
        sa.Column("msg_id", sa.String(64), nullable=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("hash", sa.LargeBinary, nullable=True),
        sa.Column("set_aside_ms", sa.BigInteger, nullable=False),
        sa.Column("term", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_events_set_aside_seq", "events_set_aside", ["seq"])
    op.create_index("ix_commands_seq", "commands", ["seq"])


def downgrade() -> None:
    op.drop_index("ix_commands_seq", table_name="commands")
    op.drop_index("ix_events_set_aside_seq", table_name="events_set_aside")
    op.drop_table("events_set_aside")
