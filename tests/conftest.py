from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

import app.client  # noqa: F401  (guards PySide6's reference leak before any QApplication)
from app.devtools.pgserver import PgServer
from app.domain.config import Branch, load_branch
from tests.helpers import HubProcess, free_port_pair


@pytest.fixture(scope="session")
def branch() -> Branch:
    return load_branch()


@pytest.fixture
def ctx() -> Iterator[zmq.Context]:
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'journal.sqlite'}"


@pytest.fixture
def hub(db_url: str) -> Iterator[HubProcess]:
    proc = HubProcess(db_url, free_port_pair()).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throw-away PostgreSQL server for the session (app.devtools.pgserver)."""
    server = PgServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh journal URL on each engine the hub runs on."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'journal.sqlite'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.database()
