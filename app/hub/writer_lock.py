"""One writer per journal: the hub holds an exclusive lock on its journal while it runs.

SQLite: an OS lock (``fcntl.flock``; ``msvcrt.locking`` on Windows) on a
``<journal>.lock`` file beside it, which holds the holder's host and PID. The kernel
drops the lock when the process ends, however it ends (SIGKILL included), so a stale
file never stops the next start. SQLite's own ``locking_mode=EXCLUSIVE`` was not used:
in WAL mode it keeps readers such as ``verify`` and ``report`` out too.

PostgreSQL: a session-level ``pg_try_advisory_lock`` keyed by the database, held on a
connection of its own for as long as the hub runs; the server drops it with the session.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sys
from pathlib import Path
from typing import IO, Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

LOCK_NAMESPACE = "lobbylink journal"
APP = "lobbylink hub"


class JournalTaken(Exception):
    """Another hub holds the journal; the message names it (host, PID)."""


def _me() -> str:
    return f"host {socket.gethostname()}, PID {os.getpid()}"


def lock_path(url: str) -> Path | None:
    """The lock file beside an SQLite journal; None for other databases or memory."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
    return Path(database).expanduser().with_name(Path(database).name + ".lock")


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class WriterLock:
    """Held from ``acquire`` to ``release`` (or to the end of the process)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._file: IO[str] | None = None
        self._pg: Any = None
        self._pg_wanted = False
        """Acquired on PostgreSQL: check() takes the lock again if its session is gone."""

    def acquire(self) -> None:
        """Take the lock or raise JournalTaken naming the holder."""
        if make_url(self.url).get_backend_name() == "postgresql":
            self._acquire_pg()
            return
        path = lock_path(self.url)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)  # as the journal's engine does
        handle = path.open("a+", encoding="utf-8")
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise JournalTaken(f"the journal is in use by another hub ({holder}); lock {path}")
        handle.seek(0)
        handle.truncate()
        handle.write(_me() + "\n")
        handle.flush()
        self._file = handle

    def _acquire_pg(self) -> None:
        parsed = make_url(self.url)
        where = f"{parsed.host}:{parsed.port}/{parsed.database}"
        digest = hashlib.sha256(f"{LOCK_NAMESPACE}:{parsed.database}".encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        # The session says whose it is (pg_stat_activity.application_name), so a second
        # hub can name the holder as the SQLite lock file does.
        engine = create_engine(self.url, connect_args={"application_name": f"{APP} {_me()}"})
        try:
            conn = engine.connect()
            taken = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            conn.commit()
        except SQLAlchemyError as exc:  # the server down, a wrong role or database
            engine.dispose()
            from app.hub.journal import explain

            raise OSError(explain(exc)) from exc
        if not taken:
            # A bigint advisory key shows in pg_locks as classid (high 32 bits) and objid
            # (low 32 bits), objsubid 1 (PostgreSQL manual, "pg_locks").
            holder = conn.execute(
                text(
                    "SELECT a.application_name, a.client_addr, a.pid FROM pg_locks l "
                    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                    "AND l.granted AND l.objsubid = 1 "
                    "AND l.classid = CAST(:hi AS oid) AND l.objid = CAST(:lo AS oid)"
                ),
                {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF},
            ).first()
            conn.close()
            engine.dispose()
            if holder is None:
                named = "unknown"
            elif str(holder[0]).startswith(APP):
                named = str(holder[0])[len(APP) + 1 :]
            else:
                named = f"address {holder[1]}, server PID {holder[2]}"
            raise JournalTaken(f"the journal {where} is in use by another hub ({named})")
        self._pg = (engine, conn)
        self._pg_wanted = True

    def check(self) -> None:
        """Still ours? PostgreSQL's lock lives in one session, which a restart of the
        server ends (and the lock with it): take it again on a new session. Raises
        JournalTaken if another hub took it meanwhile (this one must stop serving),
        OSError while the server cannot be reached (call again later). SQLite: the OS
        lock cannot be lost while the process lives; nothing to do. For the hub's
        periodic health tick."""
        if not self._pg_wanted:
            return
        if self._pg is not None:
            engine, conn = self._pg
            try:
                conn.execute(text("SELECT 1")).scalar()
                conn.commit()
                return
            except SQLAlchemyError:
                with contextlib.suppress(Exception):
                    conn.close()
                engine.dispose()
                self._pg = None
        self._acquire_pg()

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the OS lock
            self._file = None
        if self._pg is not None:
            engine, conn = self._pg
            conn.close()  # ending the session drops the advisory lock
            engine.dispose()
            self._pg = None
        self._pg_wanted = False
