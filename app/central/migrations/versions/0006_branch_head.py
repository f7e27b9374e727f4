"""Each branch journal's head as its shipper last saw it, for the region board's lag.

Revision ID: c0006
Revises: c0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None

GROUP = "lobbylink_branches"


def upgrade() -> None:
    for column in ("head_seq", "head_ts_ms"):
        op.add_column(
            "branches", sa.Column(column, sa.BigInteger, nullable=False, server_default="0")
        )
    # a branch's role already may UPDATE its own row (policy own_branch_update, c0001):
    # the column grant is what it lacks
    op.execute(f"GRANT UPDATE (head_seq, head_ts_ms) ON branches TO {GROUP}")


def downgrade() -> None:
    op.drop_column("branches", "head_ts_ms")
    op.drop_column("branches", "head_seq")
