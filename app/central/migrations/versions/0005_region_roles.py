"""Regional managers: a role per region that may read its region's branches only.

Revision ID: c0005
Revises: c0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0005"
down_revision = "c0004"
branch_labels = None
depends_on = None

GROUP = "lobbylink_regions"

# Followed: PostgreSQL docs "Row Security Policies" as in c0001 (a SELECT policy per
# table, TO a group role), and "Writing SECURITY DEFINER Functions Safely" (a pinned
# search_path): the function reads region_roles and branches as their owner, so the
# policies do not depend on what the region role itself may read of them (and do not
# recurse through the policy on branches). Inside a SECURITY DEFINER function
# current_user is the owner, so the policy passes the caller's role in; at worst a
# region role calling it by hand learns other regions' branch codes, never their rows.
RLS = f"""
CREATE FUNCTION lobbylink_region_branches(who name) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
    SELECT coalesce(array_agg(b.branch), ARRAY[]::text[]) FROM branches b
        JOIN region_roles r ON r.region = b.region WHERE r.role = who
$$;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GROUP}') THEN
        CREATE ROLE {GROUP} NOLOGIN;
    END IF;
END $$;
REVOKE ALL ON FUNCTION lobbylink_region_branches(name) FROM PUBLIC;
GRANT USAGE ON SCHEMA @SCHEMA@ TO {GROUP};
GRANT EXECUTE ON FUNCTION lobbylink_region_branches(name) TO {GROUP};
GRANT SELECT ON branches, events, signals, chain_marks, region_roles TO {GROUP};
ALTER TABLE region_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_region_role_read ON region_roles FOR SELECT TO {GROUP}
    USING (role = current_user);
CREATE POLICY region_branches_read ON branches FOR SELECT TO {GROUP}
    USING (branch = ANY (lobbylink_region_branches(current_user)));
CREATE POLICY region_events_read ON events FOR SELECT TO {GROUP}
    USING (branch = ANY (lobbylink_region_branches(current_user)));
CREATE POLICY region_signals_read ON signals FOR SELECT TO {GROUP}
    USING (branch = ANY (lobbylink_region_branches(current_user)));
CREATE POLICY region_marks_read ON chain_marks FOR SELECT TO {GROUP}
    USING (branch = ANY (lobbylink_region_branches(current_user)));
"""


def upgrade() -> None:
    op.create_table(
        "region_roles",
        sa.Column("role", sa.String(63), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("role", name="pk_region_roles"),
    )
    schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar() or "public"
    op.execute(sa.text(RLS.replace("@SCHEMA@", f'"{schema}"').replace(":", r"\:")))


def downgrade() -> None:
    for table, name in (
        ("branches", "region_branches_read"),
        ("events", "region_events_read"),
        ("signals", "region_signals_read"),
        ("chain_marks", "region_marks_read"),
    ):
        op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
    op.drop_table("region_roles")
    op.execute("DROP FUNCTION IF EXISTS lobbylink_region_branches(name)")
