"""Alembic environment of the central database: the caller passes its connection in
``config.attributes``; the version table is ``lobbylink_central_version``."""

from __future__ import annotations

from alembic import context

from app.central.schema import VERSION_TABLE, metadata

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
