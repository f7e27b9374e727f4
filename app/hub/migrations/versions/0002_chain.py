"""Integrity chain: a SHA-256 per event row, chained to the previous row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.hub.chain import GENESIS, link

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("hash", sa.LargeBinary, nullable=True))
    conn = op.get_bind()
    events = sa.table("events", sa.column("seq"), sa.column("body"), sa.column("hash"))
    prev = GENESIS
    rows = conn.execute(sa.select(events.c.seq, events.c.body).order_by(events.c.seq)).all()
    for seq, body in rows:  # chain what a journal of revision 0001 already holds
        prev = link(prev, int(seq), bytes(body))
        conn.execute(sa.update(events).where(events.c.seq == seq).values(hash=prev))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("hash")
