"""Indexes for the reports: events by kind and time, and by kind, station and time.

The reports read pauses, presence and declines from ``events`` by kind within a time
range, and each counter's last status before a range starts. Without these, a day's
report on a multi-million-row journal scans the table. No column changes: the
integrity chain (seq + body) is untouched.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_kind_ts", "events", ["kind", "hub_ts_ms"])
    op.create_index("ix_events_kind_station_ts", "events", ["kind", "station", "hub_ts_ms"])


def downgrade() -> None:
    op.drop_index("ix_events_kind_station_ts", table_name="events")
    op.drop_index("ix_events_kind_ts", table_name="events")
