"""What of an event leaves the branch (PIPL): typed text emptied, codes and times kept."""

from __future__ import annotations

import msgspec

from app.central.redact import Redactor
from app.domain.config import load_branch
from app.domain.events import (
    CounterStatusChanged,
    Event,
    SignalDeclined,
    SignalRaised,
    SignalResolved,
)
from app.domain.roles import CounterStatus
from messaging.envelope import decode_envelope, encode_envelope, make, raw


def body(event: Event) -> bytes:
    env = make(str(type(event).__struct_config__.tag), "C01", raw(event))
    env.seq, env.epoch, env.hub_ts_ms = 7, "e1", 1_764_000_000_000
    return encode_envelope(env)


def payload(data: bytes) -> dict[str, object]:
    found = msgspec.msgpack.decode(decode_envelope(data).payload)
    assert isinstance(found, dict)
    return found


def test_typed_text_stays_in_the_branch_codes_and_times_leave() -> None:
    branch = load_branch()
    redact = Redactor(branch, personal=False)
    raised = body(
        SignalRaised(
            signal_id=3, code="assist", targets=("lobby",), note="王先生 138…", ticket="A-0417"
        )
    )
    out = redact.body(raised)
    found = payload(out)
    assert found["note"] == "" and found["ticket"] == ""
    assert found["code"] == "assist" and found["signal_id"] == 3 and found["targets"] == ["lobby"]
    env = decode_envelope(out)
    assert (env.seq, env.epoch, env.hub_ts_ms, env.station) == (7, "e1", 1_764_000_000_000, "C01")
    resolved = payload(redact.body(body(SignalResolved(signal_id=3, note="客户很满意"))))
    assert resolved["note"] == ""
    code = branch.config.decline_reasons[0].code
    assert payload(redact.body(body(SignalDeclined(signal_id=3, reason=code))))["reason"] == code
    typed = payload(redact.body(body(SignalDeclined(signal_id=3, reason="客户姓李"))))
    assert typed["reason"] == ""
    pause = branch.config.pause_reasons[0].code
    status = body(CounterStatusChanged(status=CounterStatus.PAUSED, reason=pause))
    assert redact.body(status) == status  # nothing typed: the very bytes
    assert Redactor(branch, personal=True).body(raised) == raised
