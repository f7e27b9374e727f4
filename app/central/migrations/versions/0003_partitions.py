"""Monthly partitions made ahead from inside the database, so shippers keep them coming.

Revision ID: c0003
Revises: c0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None

# Followed: the create-ahead maintenance of pg_partman (run_maintenance), reduced to what
# this schema needs: a SECURITY DEFINER function (owner's rights, pinned search_path) that
# creates the missing months of ``events`` and ``signals``; a concurrent creator or a
# default partition holding that month's rows are not errors.
ENSURE = r"""
CREATE FUNCTION lobbylink_ensure_partitions(ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    first timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
    t text;
    name text;
    low bigint;
    high bigint;
    made integer := 0;
BEGIN
    IF ahead < 0 OR ahead > 24 THEN
        RAISE EXCEPTION 'lobbylink: ahead must be 0 to 24 months, not %', ahead;
    END IF;
    FOR i IN 0..ahead LOOP
        FOREACH t IN ARRAY ARRAY['events', 'signals'] LOOP
            name := t || '_' || to_char(first + make_interval(months => i), 'YYYYMM');
            CONTINUE WHEN to_regclass(name) IS NOT NULL;
            low := (extract(epoch FROM (first + make_interval(months => i)) AT TIME ZONE 'UTC')
                    * 1000)::bigint;
            high := (extract(epoch FROM (first + make_interval(months => i + 1))
                     AT TIME ZONE 'UTC') * 1000)::bigint;
            BEGIN
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
                               name, t, low, high);
                made := made + 1;
            EXCEPTION
                WHEN duplicate_table THEN NULL;  -- another branch made it just now
                WHEN check_violation THEN
                    RAISE WARNING 'lobbylink: % cannot be made: rows of that month are in %',
                        name, t || '_default';
            END;
        END LOOP;
    END LOOP;
    RETURN made;
END $$;
REVOKE EXECUTE ON FUNCTION lobbylink_ensure_partitions(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lobbylink_ensure_partitions(integer) TO lobbylink_branches;
"""


def upgrade() -> None:
    schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar() or "public"
    op.execute(sa.text(ENSURE.replace("@SCHEMA@", f'"{schema}"').replace(":", r"\:")))


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS lobbylink_ensure_partitions(integer)")
