"""The command line as a person uses it: hub + send + report, across a SIGKILL."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import KEYS_BY_PORT, ROOT, HubProcess


def lobbylink(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run the command line; talking to a test hub, it uses that hub's key folder."""
    env = dict(os.environ)
    if "--hub" in args:
        port = args[args.index("--hub") + 1].rsplit(":", 1)[-1]
        if port.isdigit() and int(port) in KEYS_BY_PORT:
            env["LOBBYLINK_KEYS"] = str(KEYS_BY_PORT[int(port)])
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_send_ack_kill_resolve_report(hub: HubProcess, db_url: str) -> None:
    at = f"127.0.0.1:{hub.port}"
    raised = lobbylink(
        "send",
        "--hub",
        at,
        "--station",
        "C01",
        "--staff",
        "lina",
        "raise",
        "assist",
        "--note",
        "需要协助",
    )
    assert raised.returncode == 0, raised.stderr
    sid = raised.stdout.strip()
    assert sid.isdigit()
    ack = lobbylink("send", "--hub", at, "--station", "L1", "--staff", "wangfang", "ack", sid)
    assert ack.returncode == 0, ack.stderr
    hub.kill()
    hub.start()
    done = lobbylink("send", "--hub", at, "--station", "L1", "--staff", "wangfang", "resolve", sid)
    assert done.returncode == 0, done.stderr
    report = lobbylink("report", "--db", db_url, "--format", "json", "--day", _today())
    assert report.returncode == 0, report.stderr
    (line,) = json.loads(report.stdout)
    assert line["signal_id"] == int(sid)
    assert line["state"] == "resolved"
    assert line["acked_by"] == "wangfang@L1" and line["resolved_by"] == "wangfang@L1"
    assert (
        line["acked"]
        and line["resolved"]
        and line["ack_s"] >= 0
        and line["resolve_s"] >= line["ack_s"]
    )
    csv = lobbylink("report", "--db", db_url, "--format", "csv", "--day", _today())
    assert csv.stdout.splitlines()[0].startswith("signal_id,code,label")
    table = lobbylink("report", "--db", db_url, "--day", _today())
    assert "assist" in table.stdout and "wangfang@L1" in table.stdout


def _today() -> str:
    import time

    from app.domain.config import load_branch
    from app.domain.timeday import local_time

    return local_time(int(time.time() * 1000), load_branch().timezone).date().isoformat()


def test_send_reports_rejections_and_a_missing_hub(hub: HubProcess) -> None:
    at = f"127.0.0.1:{hub.port}"
    refused = lobbylink("send", "--hub", at, "--station", "C01", "raise", "vip")
    assert refused.returncode == 1
    assert "forbidden" in refused.stderr and "cannot raise 'vip'" in refused.stderr
    hub.stop()
    nobody = lobbylink("send", "--hub", at, "--station", "C01", "--timeout", "1", "raise", "assist")
    assert nobody.returncode == 3
    assert "no answer from the hub" in nobody.stderr


def test_clear_errors_for_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "branch.toml"
    bad.write_text("[branch]\nid = 3\n", encoding="utf-8")
    out = lobbylink(
        "hub", "--config", str(bad), "--db", f"sqlite:///{tmp_path / 'j.sqlite'}", "--insecure"
    )
    assert out.returncode == 2 and "branch" in out.stderr and "Traceback" not in out.stderr
    out = lobbylink("send", "--hub", "nowhere:port", "--station", "C01", "ack", "1")
    assert out.returncode == 2 and "port must be a number" in out.stderr
    out = lobbylink(
        "report", "--db", f"sqlite:///{tmp_path / 'empty.sqlite'}", "--day", "2026-01-01"
    )
    assert out.returncode == 2 and "no Lobbylink journal" in out.stderr
    out = lobbylink("report", "--db", f"sqlite:///{tmp_path / 'j.sqlite'}", "--day", "yesterday")
    assert out.returncode == 2 and "YYYY-MM-DD" in out.stderr
    commands = ("hub", "send", "tail", "report", "demo", "station", "board", "keys", "enrol")
    for command in (*commands, "verify", "witness"):
        helped = lobbylink(command, "--help")
        assert helped.returncode == 0 and "usage:" in helped.stdout


def test_tail_prints_events_as_json_lines(hub: HubProcess) -> None:
    at = f"127.0.0.1:{hub.port}"
    tail = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "tail", "--hub", at, "--count", "1", "--seconds", "20"],
        env=dict(os.environ, LOBBYLINK_KEYS=str(hub.keys_dir)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # the SUB may join late: keep raising until tail prints one
        for _ in range(20):
            lobbylink("send", "--hub", at, "--station", "C03", "raise", "cash")
            if tail.poll() is not None:
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                tail.wait(0.5)
        out, _ = tail.communicate(timeout=20)
    finally:
        tail.kill()
    event = json.loads(out.splitlines()[0])
    assert (
        event["kind"] == "signal_raised" and event["code"] == "cash" and event["station"] == "C03"
    )


def test_send_cannot_act_as_someone_not_signed_in(hub: HubProcess, db_url: str) -> None:
    """With wugang signed in at S1, an ack naming zhenghua was accepted and the journal
    blamed zhenghua."""
    at = f"127.0.0.1:{hub.port}"
    signed = lobbylink("send", "--hub", at, "--station", "S1", "sign-in", "wugang")
    assert signed.returncode == 0, signed.stderr
    raised = lobbylink("send", "--hub", at, "--station", "C01", "raise", "authorize")
    assert raised.returncode == 0, raised.stderr
    sid = raised.stdout.strip()
    spoof = lobbylink("send", "--hub", at, "--station", "S1", "--staff", "zhenghua", "ack", sid)
    assert spoof.returncode != 0
    assert "rejected (forbidden): zhenghua is not signed in at S1; sign in first" in spoof.stderr
    own = lobbylink("send", "--hub", at, "--station", "S1", "--staff", "wugang", "ack", sid)
    assert own.returncode == 0, own.stderr
    report = lobbylink("report", "--db", db_url, "--format", "json", "--day", _today())
    (line,) = json.loads(report.stdout)
    assert line["acked_by"] == "wugang@S1"
