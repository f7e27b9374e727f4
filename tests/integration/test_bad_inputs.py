"""Every subcommand with bad inputs: one line on stderr and exit 2 (3: no hub), never a
traceback. Before, each of these printed a Python traceback and exited 1 (or hung)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tests.helpers import ROOT, free_port_pair
from tests.integration.test_cli import lobbylink

BRANCH = (ROOT / "resources" / "branch.toml").read_text(encoding="utf-8")


def _configs(tmp: Path) -> dict[str, str]:
    files = {
        "tz": BRANCH.replace('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"'),
        "retention": BRANCH.replace("retention_days = 400", "retention_days = -5"),
    }
    out = {}
    for name, text in files.items():
        assert text != BRANCH
        (tmp / f"{name}.toml").write_text(text, encoding="utf-8")
        out[name] = str(tmp / f"{name}.toml")
    (tmp / "utf16.toml").write_bytes(codecs.BOM_UTF16_LE + BRANCH.encode("utf-16-le"))
    out["utf16"] = str(tmp / "utf16.toml")
    return out


CASES = [
    # (name, arguments, expected exit, words stderr must hold)
    ("plain path", ["report", "--db", "{tmp}/none.sqlite"], 2, "no Lobbylink journal"),
    ("driver", ["report", "--db", "postgresql+nosuch://u@localhost/x"], 2, "unknown database"),
    ("postgres down", ["report", "--db", "postgresql+psycopg://u:pw@127.0.0.1:1/x"], 2, "refused"),
    ("far day", ["report", "--day", "9999-12-31"], 2, "out of range"),
    ("bad day", ["report", "--day", "yesterday"], 2, "YYYY-MM-DD"),
    ("far before", ["archive", "--before", "9999-12-31", "--to", "{tmp}/a.sqlite"], 2, "range"),
    ("archive path", ["archive", "--db", "{tmp}/none.sqlite", "--to", "{tmp}/a.sqlite"], 2, ""),
    ("hub folder", ["hub", "--insecure", "--db", "sqlite:////missing/dir/x"], 2, "folder"),
    ("zone", ["report", "--config", "{tz}"], 2, "Mars/Olympus"),
    ("encoding", ["report", "--config", "{utf16}"], 2, "UTF-8"),
    ("retention", ["archive", "--config", "{retention}", "--to", "{tmp}/a.sqlite"], 2, "-5"),
    ("station config", ["station", "--config", "{tz}", "--station", "C01"], 2, "Mars"),
    ("board config", ["board", "--config", "{utf16}"], 2, "UTF-8"),
    ("demo db", ["demo", "--db", "sqlite:////missing/dir/x"], 2, "folder"),
    ("send station", ["send", "--station", "C99", "ack", "1"], 2, "stations: C01"),
    ("send type", ["send", "--insecure", "--station", "C01", "raise", "nope"], 2, "assist"),
    ("tail port", ["tail", "--insecure", "--hub", "127.0.0.1:1", "--timeout", "1"], 3, "1 s"),
    ("enrol id", ["enrol", "--station", "../hub", "--keys", "{tmp}/pc"], 2, "not a station id"),
    ("enrol key", ["enrol", "--station", "C03", "--hub-key", "x", "--keys", "{tmp}/k"], 2, "Z85"),
    ("enrol no key", ["enrol", "--station", "C03", "--keys", "{tmp}/pc"], 2, "--hub-key"),
    ("approve", ["keys", "approve", "C03", "12345", "--dir", "{tmp}/k"], 2, "fingerprint"),
    ("witness", ["witness", "--outbox", "{tmp}/none.sqlite"], 2, ""),
]


@pytest.mark.parametrize(("name", "argv", "code", "says"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line(
    tmp_path: Path, name: str, argv: list[str], code: int, says: str
) -> None:
    values = {"tmp": str(tmp_path), **_configs(tmp_path)}
    out = lobbylink(*(a.format(**values) for a in argv), timeout=60)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == code, out.stderr
    assert says in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr


@pytest.mark.parametrize("damage", ["newer schema", "garbled chain start"])
@pytest.mark.parametrize("command", ["report", "archive", "hub", "verify"])
def test_a_journal_this_version_cannot_read_is_one_line(
    tmp_path: Path, damage: str, command: str
) -> None:
    import sqlite3

    from app.domain.config import load_branch
    from tests.unit.test_reports import D, build

    path = tmp_path / "j.sqlite"
    build(f"sqlite:///{path}", load_branch()).close()
    with sqlite3.connect(path) as conn:
        if damage == "newer schema":
            conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
        else:
            conn.execute("UPDATE meta SET value = 'garbage' WHERE key = 'chain_start'")
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('chain_start', 'x')")
    argv = {
        "report": ["--day", D.isoformat()],
        "archive": ["--to", f"{tmp_path}/a.sqlite"],
        "hub": ["--insecure", "--listen", f"127.0.0.1:{free_port_pair()}"],
        "verify": [],
    }[command]
    out = lobbylink(command, "--db", str(path), *argv)
    assert "Traceback" not in out.stderr, out.stderr
    # verify finds damage (exit 1); the others refuse to work on it (exit 2)
    damaged = command == "verify" and damage != "newer schema"
    assert out.returncode == (1 if damaged else 2), out.stderr
    assert ("9999_future" if damage == "newer schema" else "chain_start") in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
