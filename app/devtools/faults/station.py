"""A station in a child process, driven by JSON lines: :class:`StationProcess` and its child.

``python -m app.devtools.faults.station --hub HOST:PORT --station ID …`` is the child
(:func:`station_main`); it may run inside a network namespace (:func:`in_netns`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import zmq

from app.devtools.common import (
    ROOT,
    rss_mb,
)
from app.domain.config import load_branch
from app.domain.events import RaiseSignal
from app.station import StationSession
from messaging.envelope import Accepted, Rejected
from messaging.keys import station_keys
from messaging.outbox import Outbox
from messaging.sockets import Endpoint


def in_netns(ns: str) -> list[str]:
    """The command prefix that runs a program inside network namespace ``ns``."""
    return ["ip", "netns", "exec", ns]


class StationProcess:
    """A station in a child process (``python -m app.devtools.faults.station``), maybe in a
    network namespace; driven by one JSON line per request, answered by one line."""

    def __init__(
        self,
        folder: Path,
        sid: str,
        endpoint: Endpoint | Sequence[Endpoint],
        config: Path,
        keys: Path,
        *,
        netns: str | None = None,
        outbox: Path | None = None,
    ) -> None:
        cmd = [sys.executable, "-m", "app.devtools.faults.station", "--station", sid]
        hubs = [endpoint] if isinstance(endpoint, Endpoint) else list(endpoint)
        cmd += ["--hub", ",".join(map(str, hubs)), "--keys", str(keys), "--config", str(config)]
        if outbox is not None:
            cmd += ["--outbox", str(outbox)]
        if netns is not None:
            cmd = [*in_netns(netns), *cmd]
        self.sid = sid
        self.log_path = folder / f"station-{sid}.log"
        with self.log_path.open("w", encoding="utf-8") as log_file:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_file,
                text=True,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            tail = self.log_path.read_text(encoding="utf-8")[-2000:]
            raise RuntimeError(f"station {self.sid} ended:\n{tail}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def raise_signals(self, count: int, note: str) -> list[str]:
        sent: list[str] = self.ask(raise_=count, note=note)["sent"]
        return sent

    def status(self) -> dict[str, Any]:
        return self.ask(status=True)

    def wait(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float, what: str
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if predicate(status):
                return status
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out after {timeout:g} s waiting for {self.sid}: {what}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                self.ask(quit=True)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def station_main(argv: list[str]) -> int:
    """The child side of StationProcess: a StationSession answering JSON lines on stdin.

    Requests: ``{"raise_": N, "note": text}`` (N cash signals, noted ``text i``),
    ``{"status": true}``, ``{"quit": true}``. Every request gets one line back.
    """
    import argparse

    p = argparse.ArgumentParser(prog="python -m app.devtools.faults.station")
    p.add_argument("--hub", required=True, help="HOST:PORT, or a standby pair's two, A,B")
    p.add_argument("--station", required=True)
    p.add_argument("--keys", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--outbox", help="durable outbox file (default: in memory)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    ctx = zmq.Context()
    branch = load_branch(args.config)
    hubs = [Endpoint.parse(one) for one in args.hub.split(",")]
    session = StationSession(
        branch,
        args.station,
        hubs[0] if len(hubs) == 1 else hubs,
        ctx,
        Outbox(Path(args.outbox)) if args.outbox else None,
        station_keys(Path(args.keys), args.station),
    )
    acked: dict[str, int] = {}
    deferred: Counter[str] = Counter()

    def on_reply(mid: str, res: Accepted | Rejected) -> None:
        if isinstance(res, Accepted):
            acked[mid] = res.seq
        else:
            deferred[res.code] += 1

    session.on_reply = on_reply
    session.start()
    stdin = sys.stdin.fileno()
    poller = zmq.Poller()
    watched: list[zmq.Socket] = []

    def watch() -> None:  # a link that moved to the other hub of a pair has new sockets
        for sock in watched:
            with contextlib.suppress(KeyError, zmq.ZMQError):
                poller.unregister(sock)
        watched[:] = session.link.sockets
        for sock in watched:
            poller.register(sock, zmq.POLLIN)

    watch()
    poller.register(stdin, zmq.POLLIN)
    buffered = b""

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        if "raise_" in request:
            sent = [
                session.send(RaiseSignal(code="cash", note=f"{request.get('note', '')} {i}"))
                for i in range(int(request["raise_"]))
            ]
            return {"sent": sent}
        state = session.state
        return {
            "station": args.station,
            "outbox": len(session.link.outbox),
            "acked": acked,
            "deferred": dict(deferred),
            "last_seq": state.last_seq,
            "synced": session.link.synced,
            "connected": session.link.connected,
            "hub": str(session.link.endpoint),
            "switches": session.link.switches,
            "fingerprint": state.fingerprint().hex(),
            "signals": len(state.signals),
            "rss_mb": rss_mb(os.getpid()),
        }

    try:
        while True:
            ready = dict(poller.poll(50))
            if stdin in ready:
                chunk = os.read(stdin, 65536)
                if not chunk:
                    return 0
                buffered += chunk
                while b"\n" in buffered:
                    line, buffered = buffered.split(b"\n", 1)
                    request = json.loads(line)
                    if request.get("quit"):
                        print(json.dumps({"bye": True}), flush=True)
                        return 0
                    print(json.dumps(answer(request)), flush=True)
            session.pump()
            if watched != session.link.sockets:
                watch()
    finally:
        session.close()
        ctx.destroy(linger=0)


if __name__ == "__main__":
    sys.exit(station_main(sys.argv[1:]))
