"""The journal's integrity chain: each event row carries a hash of the one before.

    hash(seq) = SHA-256(hash(seq - 1) || seq as 8 bytes big-endian || body)

``body`` is the event exactly as published (it carries seq, kind, station and times),
so editing, deleting or reordering a row breaks the chain from that row on. The chain
starts from GENESIS, or from the last hash of an archived range recorded in ``meta``.
"""

from __future__ import annotations

import hashlib

GENESIS = bytes(32)


def link(prev: bytes, seq: int, body: bytes) -> bytes:
    digest = hashlib.sha256(prev)
    digest.update(seq.to_bytes(8, "big"))
    digest.update(body)
    return digest.digest()
