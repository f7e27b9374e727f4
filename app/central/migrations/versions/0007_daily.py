"""Daily rollups per branch: what the reports' signal measures need of each local day.

Revision ID: c0007
Revises: c0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "c0007"
down_revision = "c0006"
branch_labels = None
depends_on = None

BRANCHES = "lobbylink_branches"
REGIONS = "lobbylink_regions"

# A branch's local day and hour of a raise (``branches.timezone``), exactly: an
# interval of milliseconds added to the epoch, no floating point.
LOCAL = "((timestamptz 'epoch' + {ms} * interval '1 millisecond') AT TIME ZONE {tz})"
HOURS = ", ".join(f"count(*) FILTER (WHERE x.hr = {h})::integer" for h in range(24))

# Followed: Citus's "Safe incremental rollups on Postgres and Citus" (Marco Slot): a
# rollup table keyed by the distribution column, filled by a plpgsql aggregation
# function, concurrent runs ordered by an advisory lock. Signals change after they are
# raised (acknowledged, resolved), so instead of aggregating only new rows it recomputes
# whole days: one SQL function recomputes a branch's days from the signals projection,
# called by the shipper in each batch's transaction and by ``lobbylink central
# rollup``. SECURITY INVOKER (the default): a branch's role recomputes its own rows
# only, row-level security on ``signals`` and ``daily`` sees to it. Its first argument
# is the branch, so Citus can distribute it with ``daily`` (create_distributed_function
# … distribution_arg_name 'b', colocate_with 'daily'). The advisory lock keeps two
# recomputations of one branch (a shipper and a repair) from colliding on the key.
REFRESH = rf"""
CREATE FUNCTION lobbylink_daily_refresh(b text, days date[]) RETURNS integer
LANGUAGE plpgsql SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    tz text;
    n integer;
BEGIN
    SELECT timezone INTO tz FROM branches WHERE branch = b;
    IF tz IS NULL OR days IS NULL OR cardinality(days) = 0 THEN
        RETURN 0;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('lobbylink_daily'), hashtext(b));
    DELETE FROM daily WHERE branch = b AND day = ANY (days);
    WITH x AS (
        SELECT d.day, s.code,
               s.level * 32
                 + CASE WHEN s.acked_ms IS NOT NULL THEN 1 ELSE 0 END
                 + CASE WHEN s.cancelled_ms IS NOT NULL THEN 2 ELSE 0 END
                 + CASE WHEN s.declines > 0 THEN 4 ELSE 0 END
                 + CASE WHEN s.outcome = 'served' THEN 8 ELSE 0 END
                 + CASE WHEN s.outcome = 'no_show' THEN 16 ELSE 0 END AS mark,
               extract(hour FROM {LOCAL.format(ms="s.raised_ms", tz="tz")})::integer AS hr,
               s.acked_ms - s.raised_ms AS ack,
               s.arrived_ms - s.raised_ms AS arrive,
               s.resolved_ms - s.raised_ms AS resolve,
               CASE WHEN s.declines > 0 THEN s.signal_id END AS declined,
               CASE WHEN s.declines > 0 THEN s.updated_ms END AS declined_until,
               CASE WHEN s.outcome = 'served' THEN s.product END AS product
        FROM unnest(days) AS d(day)
        JOIN signals s ON s.branch = b
            AND s.raised_ms >= (d.day - DATE '1970-01-01')::bigint * 86400000 - 86400000
            AND s.raised_ms < (d.day - DATE '1970-01-01')::bigint * 86400000 + 172800000
            AND {LOCAL.format(ms="s.raised_ms", tz="tz")}::date = d.day
    ), m AS (
        SELECT t.day, t.code, array_agg(t.mark ORDER BY t.mark) AS marks,
               array_agg(t.n ORDER BY t.mark) AS mark_counts
        FROM (SELECT x.day, x.code, x.mark, count(*)::integer AS n
              FROM x GROUP BY x.day, x.code, x.mark) t
        GROUP BY t.day, t.code
    ), a AS (
        SELECT x.day, x.code, count(*)::integer AS signals,
               ARRAY[{HOURS}] AS hours,
               coalesce(array_agg(x.ack ORDER BY x.ack) FILTER (WHERE x.ack >= 0),
                        '{{}}') AS ack_ms,
               coalesce(array_agg(x.arrive ORDER BY x.arrive) FILTER (WHERE x.arrive >= 0),
                        '{{}}') AS arrive_ms,
               coalesce(array_agg(x.resolve ORDER BY x.resolve) FILTER (WHERE x.resolve >= 0),
                        '{{}}') AS resolve_ms,
               coalesce(array_agg(x.declined ORDER BY x.declined)
                        FILTER (WHERE x.declined IS NOT NULL), '{{}}') AS declined,
               max(x.declined_until) AS declined_until,
               coalesce(array_agg(x.product ORDER BY x.product)
                        FILTER (WHERE x.product IS NOT NULL), '{{}}') AS products
        FROM x GROUP BY x.day, x.code
    )
    INSERT INTO daily (branch, day, code, signals, marks, mark_counts, hours, ack_ms,
                       arrive_ms, resolve_ms, declined, declined_until, products, updated_ms)
    SELECT b, a.day, a.code, a.signals, m.marks, m.mark_counts, a.hours, a.ack_ms,
           a.arrive_ms, a.resolve_ms, a.declined, a.declined_until, a.products,
           (extract(epoch FROM clock_timestamp()) * 1000)::bigint
    FROM a JOIN m ON m.day = a.day AND m.code = a.code;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

CREATE FUNCTION lobbylink_daily_touch(b text, raised bigint[]) RETURNS integer
LANGUAGE plpgsql SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    tz text;
BEGIN
    SELECT timezone INTO tz FROM branches WHERE branch = b;
    IF tz IS NULL THEN
        RETURN 0;
    END IF;
    RETURN lobbylink_daily_refresh(b, ARRAY(
        SELECT DISTINCT {LOCAL.format(ms="r", tz="tz")}::date FROM unnest(raised) AS r));
END $$;

REVOKE EXECUTE ON FUNCTION lobbylink_daily_refresh(text, date[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION lobbylink_daily_touch(text, bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lobbylink_daily_refresh(text, date[]) TO {BRANCHES};
GRANT EXECUTE ON FUNCTION lobbylink_daily_touch(text, bigint[]) TO {BRANCHES};
GRANT SELECT, INSERT, UPDATE, DELETE ON daily TO {BRANCHES};
GRANT SELECT ON daily TO {REGIONS};
ALTER TABLE daily ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_daily_read ON daily FOR SELECT TO {BRANCHES}
    USING (branch = lobbylink_branch());
CREATE POLICY own_daily_insert ON daily FOR INSERT TO {BRANCHES}
    WITH CHECK (branch = lobbylink_branch());
CREATE POLICY own_daily_update ON daily FOR UPDATE TO {BRANCHES}
    USING (branch = lobbylink_branch()) WITH CHECK (branch = lobbylink_branch());
CREATE POLICY own_daily_delete ON daily FOR DELETE TO {BRANCHES}
    USING (branch = lobbylink_branch());
CREATE POLICY region_daily_read ON daily FOR SELECT TO {REGIONS}
    USING (branch = ANY (lobbylink_region_branches(current_user)));
"""

# The rows of the signals already stored: every (branch, local day) that has any.
BACKFILL = rf"""
SELECT lobbylink_daily_refresh(b.branch, ARRAY(
    SELECT DISTINCT {LOCAL.format(ms="s.raised_ms", tz="b.timezone")}::date
    FROM signals s WHERE s.branch = b.branch))
FROM branches b
"""


def upgrade() -> None:
    op.create_table(
        "daily",
        sa.Column("branch", sa.String(32), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("signals", sa.Integer, nullable=False),
        sa.Column("marks", pg.ARRAY(sa.Integer), nullable=False),
        sa.Column("mark_counts", pg.ARRAY(sa.Integer), nullable=False),
        sa.Column("hours", pg.ARRAY(sa.Integer), nullable=False),
        sa.Column("ack_ms", pg.ARRAY(sa.BigInteger), nullable=False),
        sa.Column("arrive_ms", pg.ARRAY(sa.BigInteger), nullable=False),
        sa.Column("resolve_ms", pg.ARRAY(sa.BigInteger), nullable=False),
        sa.Column("declined", pg.ARRAY(sa.BigInteger), nullable=False),
        sa.Column("declined_until", sa.BigInteger, nullable=True),
        sa.Column("products", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("branch", "day", "code", name="pk_daily"),
    )
    schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar() or "public"
    op.execute(sa.text(REFRESH.replace("@SCHEMA@", f'"{schema}"').replace(":", r"\:")))
    op.execute(sa.text(BACKFILL.replace(":", r"\:")))


def downgrade() -> None:
    op.drop_table("daily")
    op.execute("DROP FUNCTION IF EXISTS lobbylink_daily_touch(text, bigint[])")
    op.execute("DROP FUNCTION IF EXISTS lobbylink_daily_refresh(text, date[])")
