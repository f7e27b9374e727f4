"""One writer per journal: a second hub on the same journal exits 2 naming the holder;
a hub killed with SIGKILL leaves no lock that stops the next start."""

from __future__ import annotations

import socket
import subprocess

from tests.helpers import ROOT, HubProcess, free_port_pair
from tests.integration.test_cli import lobbylink


def test_second_hub_on_one_journal_exits_2_naming_the_holder(any_db_url: str) -> None:
    hub = HubProcess(any_db_url, free_port_pair()).start()
    try:
        _second_hub_is_refused(hub)
    finally:
        hub.stop()


def _second_hub_is_refused(hub: HubProcess) -> None:
    other = HubProcess(hub.db_url, free_port_pair(), insecure=True)
    done = subprocess.run(
        other.command(), cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"PID {hub.pid}" in done.stderr
    assert f"host {socket.gethostname()}" in done.stderr
    assert "in use by another hub" in done.stderr

    hub.kill()  # SIGKILL: no clean release
    hub.start()  # the kernel dropped the lock with the process
    assert hub.proc is not None and hub.proc.poll() is None


def test_the_hub_logs_its_chain_head_at_start_and_stop(hub: HubProcess) -> None:
    """An operator can note the head and witness it later with verify --witness."""
    assert any("chain head at seq 0: " + "0" * 64 in line for line in hub.log)
    hub.stop()
    heads = [line for line in hub.log if "chain head at seq" in line]
    assert len(heads) == 2, hub.log
    seq, digest = heads[-1].rsplit("chain head at seq ", 1)[1].split(": ")
    done = lobbylink("verify", "--db", hub.db_url, "--witness", f"{seq}:{digest}")
    assert done.returncode == 0, done.stderr
