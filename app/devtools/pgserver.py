"""A throw-away PostgreSQL server for the tests and benchmarks that need one: Debian's postgresql
(installed by scripts/setup.sh), initdb and pg_ctl in a temporary folder, a free port on
127.0.0.1, run as the ``postgres`` user when the tests run as root (the server refuses
root), stopped with ``pg_ctl stop -m immediate`` at the end.

Followed: the pattern of testing.postgresql / pytest-postgresql (initdb into a temp dir,
a private socket directory, ``-c listen_addresses=127.0.0.1``), without their extra
dependencies.

A fault run may put the server in a network namespace of its own (``netns``) listening on
addresses there (``listen``: a veth end per branch); the run itself then reaches it over
its Unix socket, which no namespace hides (:meth:`PgServer.url_of`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import create_engine, text


class PgServerError(RuntimeError):
    """The server could not be started; the message says why and what to install."""


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    path = found[-1] if found else shutil.which(name)
    if path is None:
        raise PgServerError(
            f"PostgreSQL's {name} is not installed: run scripts/setup.sh (Debian: postgresql)"
        )
    return path


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One server; :meth:`database` makes a fresh database and returns its URL."""

    def __init__(
        self,
        listen: Sequence[str] = ("127.0.0.1",),
        netns: str | None = None,
        clients: Sequence[str] = (),
    ) -> None:
        """``listen``: the addresses it listens on (``listen_addresses``); ``netns``: the
        network namespace it runs in (None: the machine's), where those addresses are;
        ``clients``: networks (CIDR) let in besides 127.0.0.1, as trust like it."""
        self.root = Path(tempfile.mkdtemp(prefix="lobbylink-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.listen = tuple(listen)
        self.netns = netns
        self.clients = tuple(clients)
        self._as_root = os.geteuid() == 0
        self._count = 0

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_root else []
        if self.netns is not None:  # the postmaster pg_ctl starts stays in it
            prefix = ["ip", "netns", "exec", self.netns, *prefix]
        done = subprocess.run(
            [*prefix, *argv], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise PgServerError(f"{Path(argv[0]).name} failed: {done.stderr or done.stdout}")
        return done

    def start(self) -> PgServer:
        if self._as_root:
            shutil.chown(self.root, "postgres")
        self._run(
            _bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )
        if self.clients:
            with (self.data / "pg_hba.conf").open("a", encoding="utf-8") as hba:
                hba.writelines(f"host all all {net} trust\n" for net in self.clients)
        return self.resume()

    def halt(self) -> None:
        """Stop the server as a crash would (``pg_ctl stop -m immediate``), keeping its
        data: :meth:`resume` starts it again on the same port (a fault test's cut)."""
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def resume(self) -> PgServer:
        """Start the (initialised) server; after :meth:`halt`, it recovers from its WAL."""
        listen = ",".join(self.listen)
        options = f"-p {self.port} -k {self.root} -c listen_addresses={listen} -c fsync=on"
        self._run(
            _bin("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )
        return self

    def server_log(self) -> str:
        """What the server logged (its errors among them)."""
        try:
            return (self.root / "log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    @property
    def url(self) -> str:
        """The server over TCP on 127.0.0.1 (without a database); not in a ``netns``."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def url_of(self, database: str, user: str = "postgres", host: str | None = None) -> str:
        """The URL of ``database`` as ``user``: over TCP to ``host`` (one of ``listen``),
        else 127.0.0.1, or the Unix socket when the server runs in a namespace."""
        if host is not None:
            return f"postgresql+psycopg://{user}@{host}:{self.port}/{database}"
        if self.netns is None:
            return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"
        return f"postgresql+psycopg://{user}@/{database}?host={self.root}&port={self.port}"

    def database(self) -> str:
        """A new, empty database on this server: its SQLAlchemy URL."""
        self._count += 1
        name = f"journal{self._count}"
        engine = create_engine(self.url_of("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url_of(name)

    def stop(self) -> None:
        with contextlib.suppress(PgServerError):  # never started
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    @classmethod
    def kept_in(cls, root: Path) -> PgServer:
        """A server whose data and port stay in ``root`` (for scripts that start it in one
        command and stop it in another); initialised by :meth:`start` when new."""
        server = cls()
        shutil.rmtree(server.root, ignore_errors=True)
        server.root, server.data = root, root / "data"
        port_file = root / "port"
        if port_file.exists():
            server.port = int(port_file.read_text(encoding="utf-8"))
        else:
            root.mkdir(parents=True, exist_ok=True)
            port_file.write_text(str(server.port), encoding="utf-8")
        return server


def main(argv: list[str] | None = None) -> int:
    """``python -m app.devtools.pgserver up|halt|resume|down DIR``: a throw-away server
    for trying head office by hand (scripts/headoffice-try.sh); ``up`` prints the URL of
    a new database ``lobbylink`` on it."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m app.devtools.pgserver")
    parser.add_argument("action", choices=("up", "halt", "resume", "down"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    server = PgServer.kept_in(args.folder.resolve())
    try:
        if args.action == "up":
            server.start()
            engine = create_engine(f"{server.url}/postgres", isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text('CREATE DATABASE "lobbylink"'))
            engine.dispose()
            print(f"{server.url}/lobbylink")
        elif args.action == "halt":
            server.halt()
        elif args.action == "resume":
            server.resume()
        else:
            server.stop()
    except PgServerError as exc:
        print(f"pgserver: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
