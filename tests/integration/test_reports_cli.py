"""``lobbylink report`` (every format) and ``lobbylink archive`` on a hand-built journal."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from app.domain.config import Branch
from app.hub.journal import Journal
from app.hub.verify import verify
from tests.integration.test_cli import lobbylink
from tests.unit.test_reports import D, build


def _journal(where: Path | str, branch: Branch) -> str:
    """The hand-built journal in a folder (SQLite, j.sqlite) or at a database URL."""
    url = f"sqlite:///{where / 'j.sqlite'}" if isinstance(where, Path) else where
    build(url, branch).close()
    return url


def test_every_format_has_the_same_numbers(tmp_path: Path, branch: Branch, any_db_url: str) -> None:
    url = _journal(any_db_url, branch)
    day = D.isoformat()
    out = lobbylink("report", "--db", url, "--day", day, "--by", "type", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["total"]["signals"] == 7 and data["handoffs"]["conversion"] == 0.5
    assist = {g["key"]: g for g in data["groups"]}["assist"]
    assert assist["ack"] == {"n": 3, "p50_s": 10.0, "p90_s": 40.0, "max_s": 40.0}

    html_file = tmp_path / "r.html"
    out = lobbylink(
        "report",
        "--db",
        url,
        "--day",
        day,
        "--by",
        "type",
        "--format",
        "html",
        "-o",
        str(html_file),
    )
    assert out.returncode == 0, out.stderr
    page = html_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 3
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    cells = re.findall(r"<td>([^<]*)</td>", page)
    # the assist row of the table: the same figures as the JSON
    i = cells.index("assist")
    assert cells[i : i + 7] == ["assist", "3", "3", "10", "40", "40", "60"]
    assert "50.0%" in page  # conversion
    for reason in ("busy", "fund", "meal", "training", "C01"):
        assert f"<td>{reason}</td>" in page

    out = lobbylink("report", "--db", url, "--day", day, "--by", "staff", "--format", "csv")
    assert out.returncode == 0, out.stderr
    groups, spans = out.stdout.split("\n\n")
    rows = {line.split(",")[0]: line.split(",") for line in groups.splitlines()[1:]}
    assert rows["wangfang"][1:4] == ["3", "3", "10.0"]
    assert "pause,meal,2,4500.0,2700.0" in spans
    assert "presence_gap,C01,1,120.0,120.0" in spans

    out = lobbylink("report", "--db", url, "--day", day, "--by", "hour")
    assert out.returncode == 0, out.stderr
    assert re.search(r"^09\s+2\s", out.stdout, re.M) and "(all)" in out.stdout

    # without --by: the per-signal listing, now over a range too
    out = lobbylink("report", "--db", url, "--from", "2026-03-09", "--to", day, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)) == 8
    bad = lobbylink("report", "--db", url, "--from", day, "--to", "2026-03-01")
    assert bad.returncode == 2 and "before" in bad.stderr


def test_archive_round_trip(tmp_path: Path, branch: Branch, any_db_url: str) -> None:
    url = _journal(any_db_url, branch)
    day = D.isoformat()
    ok = lobbylink("verify", "--db", url)
    assert ok.returncode == 0 and "journal OK" in ok.stdout, ok.stderr
    before = lobbylink("report", "--db", url, "--day", day, "--by", "type", "--format", "json")
    listing = lobbylink("report", "--db", url, "--day", day, "--format", "json")
    target = tmp_path / "old.sqlite"
    # everything before D-1 local: signal X (3 events) of D-2
    out = lobbylink("archive", "--db", url, "--before", "2026-03-09", "--to", str(target))
    assert out.returncode == 0, out.stderr
    assert "archived rows 1 to 3 (3 events, 1 signals" in out.stdout
    ok = lobbylink("verify", "--db", url)
    assert ok.returncode == 0 and "journal OK" in ok.stdout, ok.stderr
    with sqlite3.connect(target) as db:
        assert [r[0] for r in db.execute("SELECT seq FROM events ORDER BY seq")] == [1, 2, 3]
        assert db.execute("SELECT code, state FROM signals").fetchall() == [("assist", "resolved")]
        end = db.execute("SELECT value FROM meta WHERE key = 'chain_end'").fetchone()[0]
    journal = Journal(url)
    try:
        assert f"{journal.chain_start()[0]}:{journal.chain_start()[1].hex()}" == end
        assert journal.chain_start()[0] == 3 and verify(journal, branch) == []
    finally:
        journal.close()
    after = lobbylink("report", "--db", url, "--day", day, "--by", "type", "--format", "json")
    assert json.loads(after.stdout) == json.loads(before.stdout)
    again = lobbylink("report", "--db", url, "--day", day, "--format", "json")
    assert json.loads(again.stdout) == json.loads(listing.stdout)
    # a second archive into the same file is refused; nothing older is left anyway
    out = lobbylink("archive", "--db", url, "--before", "2026-03-09", "--to", str(target))
    assert out.returncode == 2 and "exists" in out.stderr
    out = lobbylink(
        "archive", "--db", url, "--before", "2026-03-09", "--to", str(tmp_path / "b.sqlite")
    )
    assert out.returncode == 0 and "nothing to archive" in out.stdout


def test_archive_at_a_running_pause_keeps_the_day_after(
    tmp_path: Path, branch: Branch, any_db_url: str
) -> None:
    """C04 is paused for training from 23:00 on D-1 to 01:00 on D. Archiving everything
    before D takes the start of that pause away; D still counts its first hour."""
    url = _journal(any_db_url, branch)
    day = D.isoformat()
    before = lobbylink("report", "--db", url, "--day", day, "--by", "staff", "--format", "json")
    assert before.returncode == 0, before.stderr
    out = lobbylink("archive", "--db", url, "--before", day, "--to", str(tmp_path / "a.sqlite"))
    assert out.returncode == 0, out.stderr
    assert "archived rows 1 to 7 (7 events, 2 signals" in out.stdout
    ok = lobbylink("verify", "--db", url)
    assert ok.returncode == 0 and "journal OK" in ok.stdout, ok.stderr
    after = lobbylink("report", "--db", url, "--day", day, "--by", "staff", "--format", "json")
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout)
    pauses = {p["key"]: p for p in json.loads(after.stdout)["pauses"]}
    assert (pauses["training"]["count"], pauses["training"]["total_s"]) == (1, 3600.0)


def test_csv_cells_that_look_like_formulas_are_text(tmp_path: Path, branch: Branch) -> None:
    """A ticket ``=1+2`` reached the day's CSV as a live formula (OWASP CSV injection)."""
    from app.domain.events import SignalRaised
    from app.reports.render import csv_cell
    from app.reports.writer import JournalWriter
    from tests.unit.test_reports import T0

    url = f"sqlite:///{tmp_path / 'j.sqlite'}"
    journal = Journal(url)
    w = JournalWriter(journal, branch)
    for ticket in ("=1+2", "@SUM(A1)", "+7", "-3+1", "\tx", "A023"):
        w.add(
            T0,
            SignalRaised(
                station="C01",
                staff="lina",
                signal_id=w.next_seq,
                code="refer_wealth",
                targets=("wealth_manager",),
                ticket=ticket,
            ),
        )
    w.flush()
    journal.close()
    out = lobbylink("report", "--db", url, "--day", D.isoformat(), "--format", "csv")
    assert out.returncode == 0, out.stderr
    import csv as csvlib
    import io

    tickets = [row["ticket"] for row in csvlib.DictReader(io.StringIO(out.stdout))]
    assert tickets == ["'=1+2", "'@SUM(A1)", "'+7", "'-3+1", "'\tx", "A023"]
    assert csv_cell("-") == "-" and csv_cell(-5) == -5 and csv_cell("\rx") == "'\rx"


def test_a_chinese_table_has_chinese_headings_and_aligned_columns(
    tmp_path: Path, branch: Branch, any_db_url: str
) -> None:
    """``report --format table --lang zh_CN``: headings in Chinese, and every column starts
    at the same terminal column on every line, although CJK labels take two columns a
    character (padding by len() put the station of each Chinese row too far left)."""
    from app.reports.render import display_width

    url = _journal(any_db_url, branch)
    day = D.isoformat()
    listing = json.loads(
        lobbylink("report", "--db", url, "--day", day, "--format", "json", "--lang", "zh_CN").stdout
    )
    out = lobbylink("report", "--db", url, "--day", day, "--format", "table", "--lang", "zh_CN")
    assert out.returncode == 0, out.stderr
    head, *lines = out.stdout.splitlines()
    assert head.split()[:4] == ["编号", "类型代码", "类型", "发起站点"]
    assert "signal_id" not in head and "station" not in head
    assert len(lines) == len(listing)
    assert any("呼叫大堂经理" in line for line in lines)
    column = display_width(head[: head.index("发起站点")])
    for line, row in zip(lines, listing, strict=True):
        assert display_width(line[: line.index(row["station"], len(str(row["signal_id"])))]) == (
            column
        ), line

    out = lobbylink("report", "--db", url, "--day", day, "--by", "type", "--lang", "zh_CN")
    assert out.returncode == 0, out.stderr
    assert "分组" in out.stdout and "呼叫数" in out.stdout and "ack_p50_s" not in out.stdout
    english = lobbylink("report", "--db", url, "--day", day, "--by", "type")
    assert "ack_p50_s" in english.stdout  # English stays as it was


def test_display_width_counts_wide_characters_twice() -> None:
    from app.reports.render import display_width, pad

    assert display_width("C01") == 3
    assert display_width("呼叫大堂经理") == 12
    assert display_width("（秒）") == 6  # full-width punctuation is wide too
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    assert display_width(pad("王芳", 6)) == 6
