from __future__ import annotations

import msgspec
import pytest

from messaging.envelope import (
    MAX_BODY,
    Envelope,
    WireError,
    decode_envelope,
    encode_envelope,
    make,
)
from messaging.sockets import Endpoint


def test_round_trip_and_unknown_fields_tolerated() -> None:
    env = make("ping", "C01")
    assert decode_envelope(encode_envelope(env)) == env
    as_map = msgspec.msgpack.decode(encode_envelope(env))
    as_map["future_field"] = [1, 2, 3]
    assert decode_envelope(msgspec.msgpack.encode(as_map)).msg_id == env.msg_id


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"\x00garbage", "bad_frame"),
        (msgspec.msgpack.encode({"v": 1, "kind": "raise"}), "bad_frame"),
        (
            msgspec.msgpack.encode(
                {"v": "1", "kind": "x", "msg_id": "a", "station": "C01", "ts_ms": 0}
            ),
            "bad_frame",
        ),
        (
            msgspec.msgpack.encode(
                {"v": 2, "kind": "x", "msg_id": "a", "station": "C01", "ts_ms": 0}
            ),
            "bad_version",
        ),
        (
            msgspec.msgpack.encode(
                {"v": 1, "kind": "", "msg_id": "a", "station": "C01", "ts_ms": 0}
            ),
            "bad_frame",
        ),
        (b"\x91" * (MAX_BODY + 1), "too_large"),
    ],
)
def test_bad_frames_are_rejected_with_a_reason(body: bytes, code: str) -> None:
    with pytest.raises(WireError) as info:
        decode_envelope(body, max_body=MAX_BODY)
    assert info.value.code == code and info.value.reason


def test_envelope_fields() -> None:
    assert set(Envelope.__struct_fields__) >= {
        "v",
        "kind",
        "msg_id",
        "station",
        "ts_ms",
        "payload",
        "seq",
        "epoch",
        "hub_ts_ms",
    }


def test_endpoint_parsing() -> None:
    assert Endpoint.parse("10.0.0.5:5560").events == "tcp://10.0.0.5:5561"
    assert Endpoint.parse("5560").commands == "tcp://127.0.0.1:5560"
    with pytest.raises(ValueError, match="number"):
        Endpoint.parse("host:abc")
    with pytest.raises(ValueError, match="1 to 65534"):
        Endpoint.parse("host:65535")
