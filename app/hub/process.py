"""``lobbylink hub`` as a child process: the one starter the demo, benchmarks and tests share."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from messaging.sockets import Endpoint

ROOT = Path(__file__).resolve().parents[2]


class HubStartError(RuntimeError):
    """The hub exited or did not say "listening on" in time; the message holds its log."""


def free_port_pair(host: str = "127.0.0.1") -> int:
    """A port P such that P (commands) and P+1 (events) are both free on ``host`` now."""
    for _ in range(200):
        with socket.socket() as first:
            first.bind((host, 0))
            port = int(first.getsockname()[1])
            if port >= 65534:
                continue
            with socket.socket() as second:
                try:
                    second.bind((host, port + 1))
                except OSError:
                    continue
                return port
    raise HubStartError(f"no two consecutive free ports on {host}")


class HubProcess:
    """Start, SIGTERM or SIGKILL a hub on 127.0.0.1; its log lines are kept in ``log``.

    ``keys_dir=None`` runs it with --insecure. ``log_path`` also appends the log to a file;
    ``new_session`` keeps a terminal's Ctrl+C from reaching it (the owner stops it).
    ``nofile`` sets the child's (soft, hard) limit on open files before it starts, to
    try the hub on a small system (the hub raises its soft limit to the hard one).
    """

    def __init__(
        self,
        db_url: str,
        port: int,
        *,
        keys_dir: Path | None,
        config: str | None = None,
        extra: list[str] | None = None,
        log_path: Path | None = None,
        new_session: bool = False,
        nofile: tuple[int, int] | None = None,
    ) -> None:
        self.db_url = db_url
        self.port = port
        self.keys_dir = keys_dir
        self.config = config
        self.extra = extra or []
        self.log_path = log_path
        self.new_session = new_session
        self.nofile = nofile
        self.proc: subprocess.Popen[str] | None = None
        self.log: list[str] = []
        self._reader: threading.Thread | None = None

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint("127.0.0.1", self.port)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "app.cli", "hub", "--db", self.db_url]
        cmd += ["--listen", f"127.0.0.1:{self.port}"]
        cmd += ["--keys", str(self.keys_dir)] if self.keys_dir else ["--insecure"]
        if self.config:
            cmd += ["--config", str(self.config)]
        return [*cmd, *self.extra]

    def start(self, timeout: float = 20.0) -> HubProcess:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        nofile = self.nofile

        def limit_files() -> None:  # in the child, before it runs the hub
            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, nofile)

        self.proc = proc = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=self.new_session,
            preexec_fn=limit_files if nofile is not None else None,
        )
        ready = threading.Event()

        def read() -> None:
            assert proc.stderr is not None
            out = self.log_path.open("a", encoding="utf-8") if self.log_path else None
            try:
                for line in proc.stderr:
                    self.log.append(line.rstrip("\n"))
                    if out is not None:
                        out.write(line)
                        out.flush()
                    if "listening on" in line:
                        ready.set()
            finally:
                if out is not None:
                    out.close()
                ready.set()

        self._reader = threading.Thread(target=read, name="hub-log", daemon=True)
        self._reader.start()
        if not ready.wait(timeout) or proc.poll() is not None:
            self.stop()
            raise HubStartError("the hub did not start:\n" + "\n".join(self.log[-30:]))
        return self

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no flush."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._join()

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM and wait (the hub finishes its batch and closes the journal)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self._join()
        return self.proc.returncode

    def _join(self) -> None:
        if self._reader is not None:
            self._reader.join(5)
            self._reader = None
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()
