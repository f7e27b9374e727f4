"""The central database: branches, their roles, events by month, chain marks, RLS.

Revision ID: c0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None

GROUP = "lobbylink_branches"

# The chain, checked where the rows are stored. Followed: PostgreSQL's documented pattern
# of a BEFORE ROW trigger that validates and may skip a row (return NULL), and a
# SECURITY DEFINER function with a pinned search_path (docs "Writing SECURITY DEFINER
# Functions Safely").
CHAIN = r"""
CREATE FUNCTION lobbylink_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = @SCHEMA@, pg_temp AS $$
DECLARE
    m chain_marks%ROWTYPE;
    stored bytea;
    xact bigint := txid_current();
BEGIN
    IF NEW.hash IS NULL OR length(NEW.hash) <> 32 THEN
        RAISE EXCEPTION 'lobbylink chain: % epoch % seq %: no chain hash',
            NEW.branch, NEW.epoch, NEW.seq USING ERRCODE = 'LL001';
    END IF;
    SELECT * INTO m FROM chain_marks
        WHERE branch = NEW.branch AND epoch = NEW.epoch FOR UPDATE;
    IF NOT FOUND THEN
        IF NEW.prev_hash IS NULL OR length(NEW.prev_hash) <> 32 THEN
            RAISE EXCEPTION 'lobbylink chain: % epoch % seq %: no previous hash',
                NEW.branch, NEW.epoch, NEW.seq USING ERRCODE = 'LL001';
        END IF;
        INSERT INTO chain_marks (branch, epoch, first_seq, start_hash, last_seq, last_hash,
                                 last_ts_ms, last_xact, shipped_ms, events)
            VALUES (NEW.branch, NEW.epoch, NEW.seq, NEW.prev_hash, NEW.seq - 1,
                    NEW.prev_hash, 0, xact, 0, 0)
            RETURNING * INTO m;
    END IF;
    IF NEW.seq <= m.last_seq THEN  -- sent again: stored once, and it must be the same row
        SELECT hash INTO stored FROM events
            WHERE branch = NEW.branch AND epoch = NEW.epoch AND seq = NEW.seq
              AND hub_ts_ms = NEW.hub_ts_ms;
        IF stored IS DISTINCT FROM NEW.hash THEN
            RAISE EXCEPTION 'lobbylink chain: % epoch % seq % differs from the row stored',
                NEW.branch, NEW.epoch, NEW.seq USING ERRCODE = 'LL001';
        END IF;
        RETURN NULL;
    END IF;
    IF NEW.seq <> m.last_seq + 1 THEN
        RAISE EXCEPTION 'lobbylink chain: % epoch %: seq % does not follow seq %',
            NEW.branch, NEW.epoch, NEW.seq, m.last_seq USING ERRCODE = 'LL001';
    END IF;
    IF NEW.prev_hash IS DISTINCT FROM m.last_hash THEN
        RAISE EXCEPTION 'lobbylink chain: % epoch % seq %: the chain breaks (previous hash '
            '% here, % from the branch)', NEW.branch, NEW.epoch, NEW.seq,
            encode(m.last_hash, 'hex'), encode(NEW.prev_hash, 'hex') USING ERRCODE = 'LL001';
    END IF;
    IF m.last_xact <> xact AND m.last_seq >= m.first_seq THEN
        -- once per transaction: the stored row at the mark still carries the mark's hash
        SELECT hash INTO stored FROM events
            WHERE branch = NEW.branch AND epoch = NEW.epoch AND seq = m.last_seq
              AND hub_ts_ms = m.last_ts_ms;
        IF stored IS DISTINCT FROM m.last_hash THEN
            RAISE EXCEPTION 'lobbylink chain: % epoch %: the stored row at seq % was altered',
                NEW.branch, NEW.epoch, m.last_seq USING ERRCODE = 'LL001';
        END IF;
    END IF;
    IF NEW.personal
       AND NEW.hash <> sha256(m.last_hash || int8send(NEW.seq) || NEW.body) THEN
        RAISE EXCEPTION 'lobbylink chain: % epoch % seq %: the hash does not match the body',
            NEW.branch, NEW.epoch, NEW.seq USING ERRCODE = 'LL001';
    END IF;
    UPDATE chain_marks SET last_seq = NEW.seq, last_hash = NEW.hash,
            last_ts_ms = NEW.hub_ts_ms, last_xact = xact,
            shipped_ms = (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
            events = events + 1
        WHERE branch = NEW.branch AND epoch = NEW.epoch;
    NEW.prev_hash := NULL;
    RETURN NEW;
END $$;
CREATE TRIGGER events_chain BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION lobbylink_chain();
"""

# Row-level security. Followed: PostgreSQL docs "Row Security Policies" (a policy per
# command; a STABLE lookup of the current role in a mapping table, which a branch's role
# may read only its own row of).
RLS = f"""
CREATE FUNCTION lobbylink_branch() RETURNS text
LANGUAGE sql STABLE SET search_path = @SCHEMA@, pg_temp AS $$
    SELECT branch FROM branch_roles WHERE role = current_user
$$;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GROUP}') THEN
        CREATE ROLE {GROUP} NOLOGIN;
    END IF;
END $$;
GRANT USAGE ON SCHEMA @SCHEMA@ TO {GROUP};
GRANT EXECUTE ON FUNCTION lobbylink_branch() TO {GROUP};
GRANT SELECT, INSERT ON events TO {GROUP};
GRANT SELECT ON chain_marks TO {GROUP};
GRANT SELECT ON branch_roles TO {GROUP};
GRANT SELECT, INSERT ON branches TO {GROUP};
GRANT UPDATE (name, last_seen_ms) ON branches TO {GROUP};
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE chain_marks ENABLE ROW LEVEL SECURITY;
ALTER TABLE branches ENABLE ROW LEVEL SECURITY;
ALTER TABLE branch_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_role_read ON branch_roles FOR SELECT TO {GROUP}
    USING (role = current_user);
CREATE POLICY own_rows_read ON events FOR SELECT TO {GROUP}
    USING (branch = lobbylink_branch());
CREATE POLICY own_rows_insert ON events FOR INSERT TO {GROUP}
    WITH CHECK (branch = lobbylink_branch());
CREATE POLICY own_mark_read ON chain_marks FOR SELECT TO {GROUP}
    USING (branch = lobbylink_branch());
CREATE POLICY own_branch_read ON branches FOR SELECT TO {GROUP}
    USING (branch = lobbylink_branch());
CREATE POLICY own_branch_insert ON branches FOR INSERT TO {GROUP}
    WITH CHECK (branch = lobbylink_branch());
CREATE POLICY own_branch_update ON branches FOR UPDATE TO {GROUP}
    USING (branch = lobbylink_branch()) WITH CHECK (branch = lobbylink_branch());
"""


def _sql(text: str) -> None:
    schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar() or "public"
    op.execute(sa.text(text.replace("@SCHEMA@", f'"{schema}"').replace(":", r"\:")))


def upgrade() -> None:
    op.create_table(
        "branches",
        sa.Column("branch", sa.String(32), nullable=False),
        sa.Column("region", sa.String(64), nullable=False, server_default=""),
        sa.Column("name", sa.String(128), nullable=False, server_default=""),
        sa.Column("first_seen_ms", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_seen_ms", sa.BigInteger, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("branch", name="pk_branches"),
    )
    op.create_index("ix_branches_region", "branches", ["region"])
    op.create_table(
        "branch_roles",
        sa.Column("branch", sa.String(32), nullable=False),
        sa.Column("role", sa.String(63), nullable=False),
        sa.PrimaryKeyConstraint("branch", "role", name="pk_branch_roles"),
        sa.UniqueConstraint("role", name="uq_branch_roles_role"),
    )
    op.create_table(
        "events",
        sa.Column("branch", sa.String(32), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hub_ts_ms", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("staff", sa.String(64), nullable=False),
        sa.Column("signal_id", sa.BigInteger, nullable=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("personal", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("hash", sa.LargeBinary, nullable=False),
        sa.Column("prev_hash", sa.LargeBinary, nullable=True),
        sa.PrimaryKeyConstraint("branch", "epoch", "seq", "hub_ts_ms", name="pk_events"),
        postgresql_partition_by="RANGE (hub_ts_ms)",
    )
    op.create_index("ix_events_branch_ts", "events", ["branch", "hub_ts_ms"])
    op.execute("CREATE TABLE events_default PARTITION OF events DEFAULT")
    op.create_table(
        "chain_marks",
        sa.Column("branch", sa.String(32), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
        sa.Column("first_seq", sa.BigInteger, nullable=False),
        sa.Column("start_hash", sa.LargeBinary, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("last_hash", sa.LargeBinary, nullable=False),
        sa.Column("last_ts_ms", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_xact", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("shipped_ms", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("events", sa.BigInteger, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("branch", "epoch", name="pk_chain_marks"),
    )
    _sql(CHAIN)
    _sql(RLS)


def downgrade() -> None:
    for table in ("chain_marks", "events", "branch_roles", "branches"):
        op.drop_table(table)
    op.execute("DROP FUNCTION IF EXISTS lobbylink_chain()")
    op.execute("DROP FUNCTION IF EXISTS lobbylink_branch()")
