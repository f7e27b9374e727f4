"""Head office's database: every branch's journal, in one PostgreSQL (SQLAlchemy Core).

This module is the one place the central tables are defined; changes go through an
Alembic migration in ``app/central/migrations`` (version table ``lobbylink_central_version``,
never the branch journal's ``alembic_version``). ``lobbylink central init`` creates or
upgrades it; docs/headoffice.md says how to run it.

Every primary key starts with the branch code, so the same tables distribute on Citus by
``branch`` (``create_distributed_table('events', 'branch')``; ``branches`` and
``branch_roles`` become reference tables). Times are the hub's (UTC milliseconds), as in
the branch journal.

Row-level security (created by the migration, see :data:`RLS_SQL`): a branch connects
with its own PostgreSQL role, listed in :data:`branch_roles`; it may read and insert only
the rows of its own branch. The chain of each (branch, epoch) is checked in the database
itself by a trigger on :data:`events` (:data:`CHAIN_SQL`): a row that does not continue the
stored chain is refused and the whole transaction rolls back.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY

VERSION_TABLE = "lobbylink_central_version"
"""Alembic's version table here: never ``alembic_version``, the branch journal's."""
BRANCHES_GROUP = "lobbylink_branches"
"""The PostgreSQL role every branch's role is a member of: it holds the grants."""
CHAIN_BROKEN = "LL001"
"""SQLSTATE the chain trigger raises when a row does not continue the stored chain."""

metadata = MetaData()

branches = Table(
    "branches",
    metadata,
    Column("branch", String(32), nullable=False, comment="the branch code: [branch] id"),
    Column("region", String(64), nullable=False, server_default=""),
    Column("name", String(128), nullable=False, server_default=""),
    Column("timezone", String(64), nullable=False, server_default="Asia/Shanghai"),
    Column("first_seen_ms", BigInteger, nullable=False, server_default="0"),
    Column("last_seen_ms", BigInteger, nullable=False, server_default="0"),
    Column("head_seq", BigInteger, nullable=False, server_default="0"),
    Column("head_ts_ms", BigInteger, nullable=False, server_default="0"),
    PrimaryKeyConstraint("branch", name="pk_branches"),
    Index("ix_branches_region", "region"),
    comment="One row per branch: its code, its region (set by head office), when its "
    "shipper last reached the server (server time, UTC ms).",
)
"""Every branch head office knows of. ``region`` is head office's word: a branch's config
says its region too, and its shipper logs a warning when the two differ. ``timezone`` is
the branch's (``[branch] timezone``, kept current by its shipper): a branch's day, in
reports, is its local day, as in the branch reports. ``head_seq`` and ``head_ts_ms``
(migration c0006) are the branch journal's newest committed seq and its hub time as its
shipper last saw them (on connecting, every ``SEEN_EVERY_S`` when idle, with each
batch): the region board's lag is these minus the central mark (``chain_marks``)."""

branch_roles = Table(
    "branch_roles",
    metadata,
    Column("branch", String(32), nullable=False),
    Column("role", String(63), nullable=False),
    PrimaryKeyConstraint("branch", "role", name="pk_branch_roles"),
    UniqueConstraint("role", name="uq_branch_roles_role"),
    comment="Which PostgreSQL role ships for which branch (row-level security keys on it).",
)
"""The PostgreSQL role of each branch: ``lobbylink_branch()`` (SQL) maps
``current_user`` to its branch, and every policy compares the row's branch to it."""

region_roles = Table(
    "region_roles",
    metadata,
    Column("role", String(63), nullable=False),
    Column("region", String(64), nullable=False),
    PrimaryKeyConstraint("role", name="pk_region_roles"),
    comment="Which PostgreSQL role reads which region (a regional manager's reports).",
)
"""A regional manager's role (migration c0005): a member of ``lobbylink_regions``, it
may SELECT the rows of the branches whose ``branches.region`` is its region, nothing
else (``lobbylink central add-region-role``)."""
REGIONS_GROUP = "lobbylink_regions"

events = Table(
    "events",
    metadata,
    Column("branch", String(32), nullable=False),
    Column("epoch", String(32), nullable=False, comment="the branch journal's epoch"),
    Column("seq", BigInteger, nullable=False),
    Column("hub_ts_ms", BigInteger, nullable=False, comment="hub time, UTC ms"),
    Column("kind", String(32), nullable=False),
    Column("station", String(64), nullable=False),
    Column("staff", String(64), nullable=False),
    Column("signal_id", BigInteger, nullable=True),
    Column("body", LargeBinary, nullable=False, comment="the event as shipped (msgpack)"),
    Column("personal", Boolean, nullable=False, server_default="false"),
    Column("hash", LargeBinary, nullable=False, comment="the branch chain's hash of this row"),
    Column("prev_hash", LargeBinary, nullable=True),
    PrimaryKeyConstraint("branch", "epoch", "seq", "hub_ts_ms", name="pk_events"),
    Index("ix_events_branch_ts", "branch", "hub_ts_ms"),
    postgresql_partition_by="RANGE (hub_ts_ms)",
    comment="Every branch's journal events, partitioned by month of hub time.",
)
"""The branches' journal events, one row per (branch, epoch, seq).

- ``body`` is the event envelope exactly as the hub journaled it when ``personal`` is
  true (``[central] ship_personal = true``); otherwise the same envelope with typed text
  emptied (notes, tickets, reasons: app.central.redact). Its ``hash`` is always the
  branch chain's hash of the *original* row, so the chain can be compared with the
  branch's journal; the trigger recomputes it from the body when the body is whole.
- ``prev_hash`` travels with each inserted row (the hash of the row before) so that the
  trigger can check the chain; the trigger stores NULL in its place.
- Partitioned by ``RANGE (hub_ts_ms)``, one partition per calendar month (UTC), named
  ``events_YYYYMM``, plus ``events_default`` for anything outside them.
  ``lobbylink central init`` creates the months from the current one to
  ``PARTITIONS_AHEAD`` ahead, and so does every connected shipper twice a day through
  the SQL function ``lobbylink_ensure_partitions(ahead)`` (owner's rights; migration
  c0003), so the coming months are always there before their rows.
  PostgreSQL requires the partition key in the primary key, hence ``hub_ts_ms`` in it;
  the uniqueness of (branch, epoch, seq) itself is kept by the chain trigger, which lets
  each seq in only once (a row already stored is skipped, and must be identical).
"""

chain_marks = Table(
    "chain_marks",
    metadata,
    Column("branch", String(32), nullable=False),
    Column("epoch", String(32), nullable=False),
    Column("first_seq", BigInteger, nullable=False, comment="first seq shipped here"),
    Column("start_hash", LargeBinary, nullable=False, comment="the chain hash before it"),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_hash", LargeBinary, nullable=False),
    Column("last_ts_ms", BigInteger, nullable=False, server_default="0"),
    Column("last_xact", BigInteger, nullable=False, server_default="0"),
    Column("shipped_ms", BigInteger, nullable=False, server_default="0"),
    Column("events", BigInteger, nullable=False, server_default="0"),
    PrimaryKeyConstraint("branch", "epoch", name="pk_chain_marks"),
    comment="The high-water mark of each (branch, epoch): where its shipper resumes.",
)
"""Per (branch, epoch): the last seq stored centrally and its chain hash. It *is* the
shipper's mark: a shipper reads it at every (re)connection and resumes after it, so a
crash between the central commit and anything the branch keeps loses and repeats
nothing. Only the chain trigger writes it. ``last_xact`` (the transaction that last
moved it) lets the trigger recheck the stored row once per transaction;
``shipped_ms`` is server time (UTC ms) of that move."""

signals = Table(
    "signals",
    metadata,
    Column("branch", String(32), nullable=False),
    Column("epoch", String(32), nullable=False),
    Column("signal_id", BigInteger, nullable=False),
    Column("code", String(32), nullable=False),
    Column("station", String(64), nullable=False),
    Column("staff", String(64), nullable=False),
    Column("to_station", String(64), nullable=False),
    Column("ticket", String(32), nullable=False),
    Column("need", String(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("level", Integer, nullable=False),
    Column("raised_ms", BigInteger, nullable=False),
    Column("acked_ms", BigInteger, nullable=True),
    Column("acked_station", String(64), nullable=False),
    Column("acked_staff", String(64), nullable=False),
    Column("arrived_ms", BigInteger, nullable=True),
    Column("resolved_ms", BigInteger, nullable=True),
    Column("resolved_station", String(64), nullable=False),
    Column("resolved_staff", String(64), nullable=False),
    Column("cancelled_ms", BigInteger, nullable=True),
    Column("outcome", String(32), nullable=False),
    Column("product", String(32), nullable=False),
    Column("declines", Integer, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False, comment="the last shipped event's seq"),
    PrimaryKeyConstraint("branch", "epoch", "signal_id", "raised_ms", name="pk_signals"),
    Index("ix_signals_branch_raised", "branch", "raised_ms"),
    postgresql_partition_by="RANGE (raised_ms)",
    comment="Each branch's signals projection (the branch journal's signals table).",
)
"""Every signal of every branch: the branch journal's ``signals`` row (app.hub.schema,
same columns, same meaning) keyed by (branch, epoch, signal_id), as it stood when the
shipper sent the batch that last touched it (``seq``: that batch's last event). The
shipper upserts it in the batch's transaction, so it is as current as ``events`` when the
branch is caught up. ``ticket`` and ``note`` are "" unless the branch ships personal text
(app.central.redact). Partitioned by month of ``raised_ms`` (``signals_YYYYMM``, as
``events``); reports read it for the branch reports' measures.

Its daily rollups are :data:`daily`."""

daily = Table(
    "daily",
    metadata,
    Column("branch", String(32), nullable=False),
    Column("day", Date, nullable=False, comment="the branch's local day (branches.timezone)"),
    Column("code", String(32), nullable=False, comment="the signal type"),
    Column("signals", Integer, nullable=False),
    Column("marks", ARRAY(Integer), nullable=False, comment="level * 32 + flags, ascending"),
    Column("mark_counts", ARRAY(Integer), nullable=False, comment="signals of each mark"),
    Column("hours", ARRAY(Integer), nullable=False, comment="signals raised each local hour"),
    Column("ack_ms", ARRAY(BigInteger), nullable=False, comment="sorted ms raise to ack"),
    Column("arrive_ms", ARRAY(BigInteger), nullable=False),
    Column("resolve_ms", ARRAY(BigInteger), nullable=False),
    Column("declined", ARRAY(BigInteger), nullable=False, comment="ids declined at least once"),
    Column("declined_until", BigInteger, nullable=True),
    Column("products", ARRAY(Text), nullable=False, comment="product of each served one"),
    Column("updated_ms", BigInteger, nullable=False, comment="server time of the recompute"),
    PrimaryKeyConstraint("branch", "day", "code", name="pk_daily"),
    comment="Per branch, local day and signal type: what the reports' measures need.",
)
"""Daily rollups per branch (migration c0007): for each (branch, local day, signal type)
exactly what app.reports.scan's ``Tally`` holds of those signals, so that a report
grouped by branch, region or type adds the days up instead of reading every signal:

- ``marks``/``mark_counts``: how many signals of each mark (app.reports.scan:
  ``level * 32 + flags``), two arrays in step, ascending by mark;
- ``hours``: 24 counts, the signals raised in each local hour;
- ``ack_ms``, ``arrive_ms``, ``resolve_ms``: the ms from the raise of each signal that
  was acknowledged, arrived at, resolved, sorted ascending (PostgreSQL ``bigint[]``):
  percentiles stay exact (merged across days and branches, never averaged);
- ``declined`` (ids of the signals declined at least once), ``declined_until`` (their
  last change) and ``products`` (the product of each signal resolved "served"): the
  handoff funnel's, kept for every type; a report keeps those of its handoff types.

A day of a branch is recomputed from :data:`signals`, whole, by the SQL function
``lobbylink_daily_refresh(branch, days)``: the shipper calls it (through
``lobbylink_daily_touch(branch, raise times)``) in each batch's transaction for the days
the batch's signals were raised on, so a signal acknowledged after midnight recomputes
the day it was raised; ``lobbylink central rollup`` rebuilds any range (app.central.rollup).
Row-level security as on ``signals``: a branch's role reads and writes its own rows, a
region role reads its region's. Not partitioned: one row per branch, day and type."""

SEEN_EVERY_S = 10.0
"""How often an idle shipper tells head office its branch is alive (``branches.last_seen_ms``
and the journal's head): the shipper's beat, and what the region board's "connected"
is measured against (app.reports.region)."""

PARTITIONS_AHEAD = 3
"""Months after the current one that ``central init`` creates partitions for."""

RLS_TABLES = ("branches", "chain_marks", "events", "signals", "daily")
PARTITIONED = {"events": "hub_ts_ms", "signals": "raised_ms"}
"""The tables partitioned by month, and the column (UTC ms) they are partitioned on."""
