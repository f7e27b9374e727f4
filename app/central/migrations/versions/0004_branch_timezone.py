"""Each branch's time zone, so head office counts days as the branch does.

Revision ID: c0004
Revises: c0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "branches",
        sa.Column("timezone", sa.String(64), nullable=False, server_default="Asia/Shanghai"),
    )
    op.execute("GRANT UPDATE (timezone) ON branches TO lobbylink_branches")


def downgrade() -> None:
    op.drop_column("branches", "timezone")
