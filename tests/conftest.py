from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

import app.client  # noqa: F401  (guards PySide6's reference leak before any QApplication)
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
