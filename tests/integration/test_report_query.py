"""The board's reports come from the hub: the ``report`` query over the wire."""

from __future__ import annotations

from datetime import date

import msgspec
import zmq

from app.domain.config import Branch
from app.domain.events import Acknowledge, RaiseSignal, Resolve
from app.domain.timeday import local_time
from app.hub.journal import make_engine
from app.reports.measures import report
from app.reports.query import encode_args
from app.reports.remote import decode_answer
from messaging.envelope import Answer
from messaging.sockets import Endpoint
from tests.helpers import HubProcess, TestStation, free_port_pair, wait_for


def ask(station: TestStation, name: str, args: bytes) -> Answer:
    answers: dict[str, Answer] = {}
    station.session.link.on_answer = lambda mid, answer: answers.__setitem__(mid, answer)
    msg_id = station.session.link.query(name, args)
    wait_for(lambda: msg_id in answers, 15, station.pump, f"answer to {name}")
    return answers[msg_id]


def test_branch_head_gets_the_same_report_as_the_cli(
    hub: HubProcess, db_url: str, branch: Branch, ctx: zmq.Context
) -> None:
    teller = TestStation(branch, "C01", hub.endpoint, ctx)
    lobby = TestStation(branch, "L1", hub.endpoint, ctx)
    head = TestStation(branch, "H1", hub.endpoint, ctx)
    try:
        stations = (teller, lobby, head)
        wait_for(
            lambda: all(s.session.link.synced for s in stations),
            10,
            lambda: [s.pump() for s in stations],
            "synced",
        )
        first = teller.accept(RaiseSignal(code="assist"))
        lobby.accept(Acknowledge(signal_id=first))
        lobby.accept(Resolve(signal_id=first))
        teller.accept(RaiseSignal(code="cash"))
        today = local_time(head.session.link.hub_now_ms(), branch.timezone).date()

        answer = ask(head, "report", encode_args(today, today, "station"))
        assert answer.ok, answer
        got = decode_answer(answer.body)
        engine = make_engine(db_url)
        try:
            direct = report(engine, branch, today, today, "station", now_ms=None)
        finally:
            engine.dispose()
        assert got.total.signals == 2
        assert [g.key for g in got.groups] == ["C01"]
        # the same measures the CLI prints (pauses/gaps are cut at "now": none here)
        assert msgspec.to_builtins(got) == msgspec.to_builtins(direct)

        # refusals, each with its reason, and the hub carries on
        forbidden = ask(teller, "report", encode_args(today, today))
        assert (forbidden.ok, forbidden.code) == (False, "forbidden")
        unknown = ask(head, "secrets", b"")
        assert (unknown.ok, unknown.code) == (False, "unknown_query")
        bad = ask(head, "report", b"\x93\x01\x02\x03")
        assert (bad.ok, bad.code) == (False, "bad_args")
        backwards = ask(head, "report", encode_args(today, date(2020, 1, 1)))
        assert (backwards.ok, backwards.code) == (False, "bad_args")
        assert "before it starts" in backwards.reason
        too_long = ask(head, "report", encode_args(date(2020, 1, 1), date(2022, 1, 1)))
        assert (too_long.ok, too_long.code) == (False, "too_long")
        again = ask(head, "report", encode_args(today, today, "hour"))
        assert again.ok and decode_answer(again.body).total.signals == 2
    finally:
        for station in (teller, lobby, head):
            station.close()


def test_query_without_a_hub_is_answered_at_once(branch: Branch, ctx: zmq.Context) -> None:
    station = TestStation(branch, "H1", Endpoint("127.0.0.1", free_port_pair()), ctx)
    try:
        answers: list[Answer] = []
        station.session.link.on_answer = lambda _mid, answer: answers.append(answer)
        station.session.link.query("report", b"")
        assert [a.code for a in answers] == ["not_sent"]
    finally:
        station.close()
