"""Creating and upgrading the central database, its monthly partitions and branch roles.

Followed: Alembic's "sharing a connection with a series of migration commands"
cookbook (the caller's connection in ``config.attributes``), as app.hub.journal does,
with a version table of its own (``version_table`` in env.py).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.central.schema import (
    BRANCHES_GROUP,
    PARTITIONED,
    PARTITIONS_AHEAD,
    VERSION_TABLE,
    chain_marks,
)

MIGRATIONS = Path(__file__).with_name("migrations")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
"""A branch code: letters, digits, ``-`` and ``_``, at most 32."""


class CentralError(Exception):
    """The central database cannot be used as asked; the message says why."""


def central_url(url: str) -> str:
    """An SQLAlchemy URL for psycopg 3 (``postgresql://`` is taken to mean it); TLS and
    the rest pass through as they are (``?sslmode=verify-full&sslrootcert=…``)."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise CentralError(f"{url!r} is not a database URL ({exc})") from None
    if parsed.get_backend_name() != "postgresql":
        raise CentralError(f"the central database must be PostgreSQL, not {parsed.drivername}")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


KEEPALIVE = {"idle_s": 30, "interval_s": 10, "count": 3, "user_timeout_ms": 30_000}
"""TCP keepalive and user timeout of a central session, at both ends (client: libpq's
``keepalives_*`` and ``tcp_user_timeout``; server: the session's own ``tcp_*`` settings)."""


def make_engine(url: str, timeout_s: int = 10, idle_in_transaction_s: int = 0) -> Engine:
    """An engine that gives up on an unreachable server after ``timeout_s``.

    ``idle_in_transaction_s`` (0: leave the server's settings alone) makes each session
    ask the server to give up on *it*: to end it after that long idle inside a
    transaction (``idle_in_transaction_session_timeout``), and to probe its TCP
    connection as the client does (``tcp_keepalives_*``, ``tcp_user_timeout``: a
    minute, not the system's two hours). A branch that vanished in the middle of a
    batch while its WAN was down (its goodbye lost with the link) would otherwise leave
    head office a backend holding the batch's locks — the chain mark's row among them —
    and the restarted shipper's next batch would wait behind it. The keepalive also
    covers a batch cut off mid-pipeline (psycopg sends ``executemany`` as a pipeline):
    the server then waits for the rest "active", where no idle timeout runs.
    """
    engine = create_engine(
        central_url(url),
        pool_pre_ping=True,
        pool_size=1,
        max_overflow=1,
        connect_args={
            "connect_timeout": timeout_s,
            "application_name": "lobbylink",
            "keepalives": 1,
            "keepalives_idle": KEEPALIVE["idle_s"],
            "keepalives_interval": KEEPALIVE["interval_s"],
            "keepalives_count": KEEPALIVE["count"],
            "tcp_user_timeout": KEEPALIVE["user_timeout_ms"],  # a send the WAN swallows fails
        },
    )
    if idle_in_transaction_s > 0:
        # Set per session on connect, not as ``options`` in connect_args, which would
        # replace any ``options`` the URL itself carries. A setting the server lacks
        # (tcp_user_timeout before PostgreSQL 12) is left out, not fatal.
        settings = (
            ("idle_in_transaction_session_timeout", int(idle_in_transaction_s * 1000)),
            ("tcp_keepalives_idle", KEEPALIVE["idle_s"]),
            ("tcp_keepalives_interval", KEEPALIVE["interval_s"]),
            ("tcp_keepalives_count", KEEPALIVE["count"]),
            ("tcp_user_timeout", KEEPALIVE["user_timeout_ms"]),
        )

        @event.listens_for(engine, "connect")
        def _session(dbapi_conn: Any, _record: Any) -> None:
            for name, value in settings:
                try:
                    with dbapi_conn.cursor() as cursor:
                        cursor.execute(f"SET {name} = {int(value)}")
                    dbapi_conn.commit()
                except psycopg.Error:
                    dbapi_conn.rollback()

    return engine


def _config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    return str(ScriptDirectory.from_config(_config()).get_current_head())


def revision(conn: Connection) -> str | None:
    ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    return ctx.get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the schema; (revision before, revision now)."""
    cfg = _config()
    with engine.begin() as conn:
        before = revision(conn)
        cfg.attributes["connection"] = conn
        alembic_command.upgrade(cfg, "head")
    return before, head()


def month_start_ms(year: int, month: int) -> int:
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp() * 1000)


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def ensure_partitions(
    conn: Connection, now: datetime | None = None, ahead: int = PARTITIONS_AHEAD
) -> list[str]:
    """Create the monthly partitions of ``events`` and ``signals`` from this month to ``ahead`` months
    after it that do not exist yet; return the names created.

    A month whose rows already sit in ``events_default`` cannot get its partition
    (PostgreSQL refuses it): docs/headoffice.md says how to move them.
    """
    now = now or datetime.now(UTC)
    created: list[str] = []
    for table in PARTITIONED:
        year, month = now.year, now.month
        for _ in range(ahead + 1):
            name = f"{table}_{year:04d}{month:02d}"
            following = _next(year, month)
            exists = conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar()
            if exists is None:
                low, high = month_start_ms(year, month), month_start_ms(*following)
                conn.execute(
                    text(
                        f"CREATE TABLE {name} PARTITION OF {table} "
                        f"FOR VALUES FROM ({low}) TO ({high})"
                    )
                )
                created.append(name)
            year, month = following
    return created


def role_for(code: str) -> str:
    """The default PostgreSQL role of a branch: ``lobbylink_branch_<code>``."""
    return "lobbylink_branch_" + code.lower().replace("-", "_")


def add_branch(conn: Connection, code: str, region: str, name: str, role: str) -> None:
    """Register a branch, create its login role (no password: set one, or use
    certificates, as the bank's policy says) and map the role to the branch."""
    if not CODE.match(code):
        raise CentralError(f"{code!r} is not a branch code (letters, digits, - and _, ≤ 32)")
    if not re.match(r"^[a-z_][a-z0-9_]{0,62}$", role):
        raise CentralError(f"{role!r} is not a role name (lower-case letters, digits, _)")
    conn.execute(
        text(
            "INSERT INTO branches (branch, region, name) VALUES (:b, :r, :n) "
            "ON CONFLICT (branch) DO UPDATE SET region = EXCLUDED.region, "
            "name = CASE WHEN EXCLUDED.name = '' THEN branches.name ELSE EXCLUDED.name END"
        ),
        {"b": code, "r": region, "n": name},
    )
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
    if not exists:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    conn.execute(text(f'GRANT {BRANCHES_GROUP} TO "{role}"'))
    taken = conn.execute(
        text("SELECT branch FROM branch_roles WHERE role = :r"), {"r": role}
    ).scalar()
    if taken is not None and taken != code:
        raise CentralError(f"role {role} already ships for branch {taken}")
    if taken is None:
        conn.execute(
            text("INSERT INTO branch_roles (branch, role) VALUES (:b, :r)"), {"b": code, "r": role}
        )


def shipped_up_to(url: str, branch: str, epoch: str, timeout_s: int = 5) -> int | None:
    """The central mark of (``branch``, ``epoch``): the last seq head office holds, or
    None when it holds none of that journal yet. Read-only, in a transaction that is
    rolled back; with the branch's own role, row-level security lets it see its own
    mark only. Raises :class:`CentralError` (one line) when the server cannot be reached
    or has no Lobbylink schema: then nothing is known to be shipped."""
    engine = make_engine(url, timeout_s=timeout_s)
    m = chain_marks.c
    try:
        with engine.connect() as conn:
            conn.execute(text("SET TRANSACTION READ ONLY"))
            if conn.execute(text("SELECT to_regclass('chain_marks')")).scalar() is None:
                raise CentralError("head office's database has no Lobbylink schema yet")
            found = conn.execute(
                select(m.last_seq).where(m.branch == branch, m.epoch == epoch)
            ).scalar()
            conn.rollback()
    except SQLAlchemyError as exc:
        lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise CentralError(lines[0] if lines else type(exc).__name__) from None
    finally:
        engine.dispose()
    return None if found is None else int(found)
