"""The signals projection per branch, partitioned by month of raising; its policies.

Revision ID: c0002
Revises: c0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None

GROUP = "lobbylink_branches"


def upgrade() -> None:
    op.create_table(
        "signals",
        sa.Column("branch", sa.String(32), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("signal_id", sa.BigInteger, nullable=False),
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
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("branch", "epoch", "signal_id", "raised_ms", name="pk_signals"),
        postgresql_partition_by="RANGE (raised_ms)",
    )
    op.create_index("ix_signals_branch_raised", "signals", ["branch", "raised_ms"])
    op.execute("CREATE TABLE signals_default PARTITION OF signals DEFAULT")
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON signals TO {GROUP}")
    op.execute("ALTER TABLE signals ENABLE ROW LEVEL SECURITY")
    for name, command, clause in (
        ("own_signals_read", "SELECT", "USING (branch = lobbylink_branch())"),
        ("own_signals_insert", "INSERT", "WITH CHECK (branch = lobbylink_branch())"),
        (
            "own_signals_update",
            "UPDATE",
            "USING (branch = lobbylink_branch()) WITH CHECK (branch = lobbylink_branch())",
        ),
    ):
        op.execute(f"CREATE POLICY {name} ON signals FOR {command} TO {GROUP} {clause}")


def downgrade() -> None:
    op.drop_table("signals")
