"""The hub's query worker: limits, refusals and failures, answered without the loop."""

from __future__ import annotations

import threading
import time

from app.hub.queries import MAX_WAITING, PER_STATION, QueryError, QueryHandler, QueryRunner

HEAD = frozenset({"branch_head"})


def wait_answers(runner: QueryRunner, n: int) -> list:
    got: list = []
    deadline = time.monotonic() + 10
    while len(got) < n and time.monotonic() < deadline:
        got += runner.finished()
        time.sleep(0.005)
    return got


def test_limits_per_station_and_in_all() -> None:
    gate = threading.Event()

    def slow(args: bytes) -> bytes:
        gate.wait(10)
        return args

    runner = QueryRunner({"report": QueryHandler(HEAD, slow)})
    try:
        for i in range(PER_STATION):
            assert runner.submit(b"id", f"m{i}", "H1", "branch_head", "report", b"x") is None
        busy = runner.submit(b"id", "over", "H1", "branch_head", "report", b"x")
        assert busy is not None and (busy.code, busy.retry) == ("busy", True)
        others = [f"H{n}" for n in range(2, 2 + MAX_WAITING - PER_STATION)]
        for station in others:
            assert runner.submit(b"id", station, station, "branch_head", "report", b"y") is None
        full = runner.submit(b"id", "full", "H9", "branch_head", "report", b"x")
        assert full is not None and full.code == "busy" and "other queries" in full.reason
        assert runner.running == MAX_WAITING
        gate.set()
        done = wait_answers(runner, MAX_WAITING)
        assert sorted(d.msg_id for d in done) == sorted([*(f"m{i}" for i in range(3)), *others])
        assert all(d.answer.ok for d in done) and runner.running == 0
        # and room again
        assert runner.submit(b"id", "again", "H1", "branch_head", "report", b"z") is None
        (again,) = wait_answers(runner, 1)
        assert (again.msg_id, again.answer.body) == ("again", b"z")
    finally:
        gate.set()
        runner.close()


def test_refusals_and_failures_are_answers() -> None:
    def fails(args: bytes) -> bytes:
        if args == b"bad":
            raise QueryError("bad_args", "report: nonsense")
        raise RuntimeError("disk on fire")

    runner = QueryRunner({"report": QueryHandler(HEAD, fails)})
    try:
        unknown = runner.submit(b"i", "a", "H1", "branch_head", "secrets", b"")
        assert unknown is not None and unknown.code == "unknown_query"
        forbidden = runner.submit(b"i", "b", "C01", "teller", "report", b"")
        assert forbidden is not None and forbidden.code == "forbidden"
        assert "teller" in forbidden.reason
        assert runner.submit(b"i", "c", "H1", "branch_head", "report", b"bad") is None
        assert runner.submit(b"i", "d", "H1", "branch_head", "report", b"boom") is None
        answers = {d.msg_id: d.answer for d in wait_answers(runner, 2)}
        assert (answers["c"].ok, answers["c"].code, answers["c"].reason) == (
            False,
            "bad_args",
            "report: nonsense",
        )
        assert answers["d"].code == "internal" and "disk on fire" in answers["d"].reason
    finally:
        runner.close()
