"""What of an event leaves the branch for head office (PIPL; docs/headoffice.md).

By default (``[central] ship_personal = false``) every event's envelope is shipped with the
text staff type emptied: notes, ticket numbers, broadcast and journal-note texts, and a
reason that is not one of the config's reason codes. Times, kinds, stations, staff ids,
signal types, targets, needs, products, outcomes and levels are kept. The chain hash
shipped beside the body is the one of the branch's original row.
"""

from __future__ import annotations

from typing import Any

import msgspec

from app.domain.config import Branch
from messaging.envelope import decode_envelope, encode_envelope

TYPED = frozenset({"note", "ticket", "text"})
"""Payload fields that hold what a person typed: always emptied."""
CODED = frozenset({"reason"})
"""Payload fields that hold a code of the config, or typed text: emptied unless a code."""


class Redactor:
    """Empties the typed text of event bodies (``personal``: ship them as they are)."""

    def __init__(self, branch: Branch, personal: bool) -> None:
        self.personal = personal
        config = branch.config
        self.codes = frozenset(r.code for r in (*config.pause_reasons, *config.decline_reasons))

    def body(self, body: bytes) -> bytes:
        """The body as it leaves the branch."""
        if self.personal:
            return body
        env = decode_envelope(body)
        payload: Any = msgspec.msgpack.decode(env.payload)
        if not isinstance(payload, dict):
            return body
        changed = False
        for key, value in payload.items():
            if not isinstance(value, str) or not value:
                continue
            if key in TYPED or (key in CODED and value not in self.codes):
                payload[key] = ""
                changed = True
        if not changed:
            return body
        env.payload = msgspec.Raw(msgspec.msgpack.encode(payload))
        return encode_envelope(env)
