"""Whatever bytes arrive, decoding either succeeds or says why: never another error."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from app.devtools.fuzz import mutate
from app.domain.events import COMMAND_KINDS, RaiseSignal, decode_command, encode
from messaging.envelope import MAX_BODY, WireError, decode_envelope, encode_envelope, make

VALID = encode_envelope(make("raise", "C01", encode(RaiseSignal(code="assist", note="n"))))


def decode_all(body: bytes) -> None:
    try:
        env = decode_envelope(body, max_body=MAX_BODY)
    except WireError as exc:
        assert exc.code and exc.reason
        return
    try:
        decode_command(env.kind, bytes(env.payload))
    except ValueError as exc:
        assert str(exc)


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes(body: bytes) -> None:
    decode_all(body)


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 2**32))
def test_mutated_envelopes(seed: int) -> None:
    decode_all(mutate(random.Random(seed), VALID))


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(sorted(COMMAND_KINDS)), st.binary(max_size=256))
def test_every_command_kind_with_junk_payload(kind: str, payload: bytes) -> None:
    try:
        decode_command(kind, payload)
    except ValueError as exc:
        assert kind in str(exc)
