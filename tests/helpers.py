"""Shared test helpers: a real hub process on loopback, and synced test stations."""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import zmq

from app.domain.config import Branch, load_branch
from app.domain.events import Command
from app.hub.process import ROOT as ROOT  # re-exported: the tests run commands from it
from app.hub.process import HubProcess as BaseHubProcess
from app.station import StationSession
from messaging import keys as keyfiles
from messaging.envelope import Accepted, Rejected
from messaging.keys import StationKeys
from messaging.outbox import Outbox
from messaging.sockets import Endpoint


def free_port_pair(count: int = 2) -> int:
    """A port P such that P .. P+count-1 are all free on 127.0.0.1 right now (a paired
    hub needs three: commands, events, the pair port)."""
    for _ in range(200):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            if port + count > 65535:
                continue
            free = True
            for offset in range(1, count):
                with socket.socket() as b:
                    try:
                        b.bind(("127.0.0.1", port + offset))
                    except OSError:
                        free = False
                        break
            if free:
                return int(port)
    raise RuntimeError(f"no {count} consecutive free ports on 127.0.0.1")


def wait_for(
    predicate: Callable[[], bool],
    timeout: float = 10.0,
    step: Callable[[], object] | None = None,
    what: str = "condition",
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if step is not None:
            step()
        if predicate():
            return
        time.sleep(0.005)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


KEYS_BY_PORT: dict[int, Path] = {}
"""The key folder of the test hub listening on each port, for its stations to find."""


def keys_for(endpoint: Endpoint | Sequence[Endpoint], station: str) -> StationKeys | None:
    """The station's keys for the test hub at ``endpoint`` (of a pair: the first one
    that has keys; both hubs of a pair use one key folder)."""
    for one in [endpoint] if isinstance(endpoint, Endpoint) else endpoint:
        folder = KEYS_BY_PORT.get(one.port)
        if folder is not None:
            return keyfiles.station_keys(folder, station)
    return None


class HubProcess(BaseHubProcess):
    """``lobbylink hub`` as a real child process, killable with SIGKILL.

    CURVE is on, as by default: keys for every configured station are made next to the
    journal (or in ``keys_dir``). ``insecure=True`` runs the hub with --insecure.
    """

    def __init__(
        self,
        db_url: str,
        port: int,
        config: str | None = None,
        extra: list[str] | None = None,
        keys_dir: Path | None = None,
        insecure: bool = False,
    ) -> None:
        folder = None
        if not insecure:
            if keys_dir is not None:
                folder = keys_dir
            elif db_url.startswith("sqlite:///"):
                folder = Path(db_url.removeprefix("sqlite:///")).parent / "keys"
            else:  # a database server: the keys go in a folder of their own, never the cwd
                folder = Path(tempfile.mkdtemp(prefix="lobbylink-keys-")) / "keys"
            keyfiles.init(folder, sorted(load_branch(config).stations))
            KEYS_BY_PORT[port] = folder
        super().__init__(db_url, port, keys_dir=folder, config=config, extra=extra)

    def start(self, timeout: float = 15.0) -> HubProcess:
        super().start(timeout)
        return self


class TestStation:
    __test__ = False  # a helper, not a test class

    """A StationSession driven by hand, recording every reply."""

    def __init__(
        self,
        branch: Branch,
        station: str,
        endpoint: Endpoint | Sequence[Endpoint],
        ctx: zmq.Context,
        outbox: Outbox | None = None,
        keys: StationKeys | None = None,
    ) -> None:
        keys = keys or keys_for(endpoint, station)
        self.session = StationSession(branch, station, endpoint, ctx, outbox, keys)
        self.replies: dict[str, Accepted | Rejected] = {}
        self.session.on_reply = self._on_reply
        self.session.start()

    def _on_reply(self, msg_id: str, result: Accepted | Rejected) -> None:
        if isinstance(result, Rejected) and result.retry:
            return
        self.replies[msg_id] = result

    @property
    def state(self):
        return self.session.state

    def pump(self) -> bool:
        self.session.pump()
        return True

    def send(self, command: Command, timeout: float = 10.0) -> Accepted | Rejected:
        msg_id = self.session.send(command)
        wait_for(lambda: msg_id in self.replies, timeout, self.pump, f"reply to {command!r}")
        return self.replies[msg_id]

    def accept(self, command: Command) -> int:
        result = self.send(command)
        assert isinstance(result, Accepted), f"{command!r} was rejected: {result!r}"
        return result.seq

    def sync_to(self, seq: int, timeout: float = 10.0) -> None:
        wait_for(
            lambda: self.state.last_seq >= seq,
            timeout,
            self.pump,
            f"{self.session.station} at seq {seq}",
        )

    def close(self) -> None:
        self.session.close()


def demo_branch() -> Branch:
    return load_branch()


def journal_state(db_url: str, branch: Branch | None = None):
    """The branch state rebuilt from the journal alone (what the truth is)."""
    from app.domain.events import decode_event
    from app.domain.state import BranchState
    from app.hub.journal import Journal
    from messaging.envelope import decode_envelope

    journal = Journal(db_url)
    state = BranchState(branch or load_branch())
    try:
        for seq, body in journal.bodies():
            env = decode_envelope(body)
            state.apply(seq, env.hub_ts_ms, decode_event(env.kind, bytes(env.payload)))
    finally:
        journal.close()
    return state


def journal_rows(db_url: str, sql: str, **params: Any) -> list[tuple]:
    """Rows of a query on the journal, on any engine (SQLAlchemy text(), ``:name`` params)."""
    from sqlalchemy import create_engine, text

    from app.hub.readonly import engine_url

    engine = create_engine(engine_url(db_url))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def journal_exec(db_url: str, sql: str, **params: Any) -> None:
    """Change the journal behind the hub's back (a tamper, a test's set-up), on any engine:
    one statement in its own committed transaction."""
    from sqlalchemy import create_engine, text

    from app.hub.readonly import engine_url

    engine = create_engine(engine_url(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def assert_converged(
    stations: list[TestStation], db_url: str, branch: Branch | None = None, timeout: float = 15.0
) -> None:
    """Every station's state equals the journal's at the same seq (retried while events flow)."""
    deadline = time.monotonic() + timeout
    while True:
        truth = journal_state(db_url, branch)
        for station in stations:
            station.sync_to(truth.last_seq, timeout=max(0.1, deadline - time.monotonic()))
        if all(s.state.last_seq == truth.last_seq for s in stations):
            for station in stations:
                assert station.state.fingerprint() == truth.fingerprint(), (
                    f"{station.session.station} differs from the journal"
                )
            return
        if time.monotonic() > deadline:
            raise AssertionError("stations did not settle on the journal's seq")


def needs_root(why: str) -> pytest.MarkDecorator:
    """Skip a test that needs root (``why``: for what) outside CI; CI runs as root, so it
    is never skipped there (and fails there if root were missing)."""
    return pytest.mark.skipif(
        os.geteuid() != 0 and not os.environ.get("CI"),
        reason=f"needs root {why} (CI runs as root: never skipped there)",
    )
