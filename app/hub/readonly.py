"""Opening a journal or an archive for reading only (``lobbylink verify``).

SQLite opens the file with ``mode=ro``: a missing file is an error, never a new
journal, and nothing is migrated; the schema must already be this version's.
PostgreSQL opens sessions with ``default_transaction_read_only=on``: the server
refuses any write in them, whatever the role may do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from app.hub import schema

MIGRATIONS = Path(__file__).with_name("migrations")


class NotReadable(Exception):
    """Not a journal this version can read as it is (the journal makes it
    JournalUnavailable)."""


PG_DRIVER = "postgresql+psycopg"
"""The PostgreSQL driver Lobbylink ships with (psycopg 3); a bare ``postgresql://`` URL
means it (SQLAlchemy alone would reach for psycopg2, which is not installed)."""


def engine_url(url: str) -> str:
    """``url`` with the driver Lobbylink uses: ``postgresql://`` becomes
    ``postgresql+psycopg://``; anything else is returned as it is."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername=PG_DRIVER).render_as_string(hide_password=False)
    return url


def pg_options(*settings: str) -> dict[str, Any]:
    """``connect_args`` that set these server settings (``name=value``) in every session
    of a psycopg connection, from its start (libpq's ``options``: nothing can run first)."""
    return {"options": " ".join(f"-c {setting}" for setting in settings)}


def read_only_engine(url: str) -> Engine:
    """An engine that cannot create or change the database: SQLite opens the file
    with ``mode=ro`` (a missing file is an error, not a new journal); PostgreSQL's
    sessions are read-only transactions (``default_transaction_read_only``)."""
    url = engine_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args=pg_options("default_transaction_read_only=on", "lock_timeout=1000"),
        )
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    path = Path(parsed.database or "").expanduser().resolve()
    if not path.is_file():
        raise NotReadable(f"there is no journal file at {path}")
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    event.listen(engine, "connect", _read_only_pragmas)
    return engine


def _read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA busy_timeout=1000")


def chain_end(engine: Engine) -> str | None:
    """An archive's ``meta.chain_end`` ("SEQ:HEXHASH"); None for a journal."""
    try:
        with engine.connect() as conn:
            found = conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == "chain_end")
            ).scalar()
    except (OperationalError, DBAPIError):
        return None
    return None if found is None else str(found)


def check_revision(engine: Engine) -> None:
    """Raise NotReadable unless the schema is exactly this version's newest."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:
        found = MigrationContext.configure(conn).get_current_revision()
    if found is None and chain_end(engine) is None:
        raise NotReadable("not a Lobbylink journal (no schema version in it)")
    if found is None:
        return  # an archive (app.reports.archive): this version's tables, its chain's end
    if found != head:
        raise NotReadable(
            f"the journal's schema is version {found}, this Lobbylink reads {head}; "
            "use the Lobbylink that wrote it (or let this hub upgrade a copy)"
        )
