"""The hub's ZAP handler: a CURVE allow-list whose User-Id is the station id and key.

It runs in the hub's ZeroMQ context before the sockets bind, so no connection is ever
accepted unchecked. The allow-list is re-read about every second when any key file's
(mtime_ns, size, inode) changed (a file copied over another in place leaves the folder's
mtime alone); a revoked key cannot handshake again, and a station whose key changed in
any way (revoked, rotated, overwritten) is reported so the hub cuts the old key's
connections. A junk or unreadable entry is skipped with one log line.

On the command socket (ZAP domain ``lobbylink-commands``) an unknown key completes the
handshake too, with the User-Id ``? <Z85 key>``: admission lets it ask for enrolment and
nothing else. The event socket admits known keys only, so an unknown key reads nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from pathlib import Path

import zmq
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils import z85

from app import log
from messaging import keys as keyfiles
from messaging.sockets import COMMANDS_DOMAIN, ZAP_DOMAIN

UNKNOWN = "?"
"""The User-Id's station part for a key that is not (yet) a station's."""


class StationAuthenticator(ThreadAuthenticator):
    """Allows the station keys in ``<keys>/stations``; reports each one's station id."""

    def __init__(self, ctx: zmq.Context, folder: str | Path) -> None:
        super().__init__(ctx, log=log.wire.getChild("zap"))  # pyzmq's own ZAP messages
        self.folder = Path(folder)
        self._stamps: dict[str, keyfiles.Stamp] | None = None
        self._stamps_seen = False
        self._broken: dict[str, str] = {}
        self.allowed: dict[bytes, str] = {}
        self._address: dict[bytes, str] = {}
        """Z85 key -> the address it last handshook from (allowed keys only)."""
        self._shared: set[bytes] = set()
        self.shared: deque[tuple[str, str, str]] = deque()
        """Keys seen from a second address: (station, first, second). Appended on the ZAP
        thread, taken by the hub's loop (a deque's append and popleft are thread-safe)."""
        self.changes: list[str] = []
        """What changed in the allow-list since the hub last journaled it."""
        self.complain: Callable[[str, str, str], None] | None = None
        """The hub's throttled refusal log (code, reason, who); set before start."""
        self.reload()

    def start(self) -> None:
        super().start()
        for domain in (ZAP_DOMAIN, COMMANDS_DOMAIN):
            self.configure_curve_callback(domain.decode(), credentials_provider=self)

    async def handle_zap_message(self, msg: list[bytes]) -> None:
        """Note the peer address of a CURVE handshake, then answer as pyzmq does."""
        if len(msg) >= 7 and msg[5] == b"CURVE" and len(msg[6]) == 32:
            self._note_address(z85.encode(msg[6]), msg[3].decode("ascii", "replace"))
        await super().handle_zap_message(msg)

    def _note_address(self, key: bytes, address: str) -> None:
        """A key handshaking from a second address: one key on two PCs? Logged once."""
        station = self.allowed.get(key)
        if station is None:
            return
        before = self._address.get(key)
        self._address[key] = address
        if before is not None and before != address and key not in self._shared:
            self._shared.add(key)
            self.shared.append((station, before, address))  # for the hub to journal
            log.hub.warning(
                "%s's key is in use from %s and %s: one key on two PCs? "
                "(revoke it and add a new one if this was not a move)",
                station,
                before,
                address,
            )

    def callback(self, domain: str, key: bytes) -> bool:
        """Called by the ZAP thread with the client's Z85 public key."""
        allowed = key in self.allowed
        if not allowed and domain == COMMANDS_DOMAIN.decode():
            return True  # may ask for enrolment only (app.hub.admission)
        if not allowed:
            reason = "a connection with an unknown or revoked key"
            if self.complain is not None:
                self.complain("zap_unknown_key", reason, "zap")  # throttled, counted
            else:
                log.wire.warning("refused %s", reason)
        return allowed

    def curve_user_id(self, client_public_key: bytes) -> str:
        """``<station> <Z85 key>``: admission compares the key, not only the id.

        ``? <Z85 key>`` for an unknown key (admitted on the command socket only)."""
        key = z85.encode(client_public_key)
        station = self.allowed.get(key)
        return f"{station or UNKNOWN} {key.decode()}"

    def reload(self) -> set[str]:
        """Re-read the allow-list if a key file changed; return the ids whose key changed.

        An id is returned when its old key is gone (revoked, replaced, overwritten) even
        if the id itself still has a key: connections are admitted by key, not by id.
        """
        stamps = keyfiles.stamps(self.folder)
        if stamps == self._stamps:
            return set()
        self._stamps = stamps
        fresh, broken = keyfiles.read_allowlist(self.folder)
        for name, why in broken.items():
            if self._broken.get(name) != why:
                log.hub.error("skipped a broken station key file: %s", why)
        self._broken = broken
        before = self.allowed
        gone = {station for key, station in before.items() if fresh.get(key) != station}
        added = set(fresh.values()) - set(before.values())
        self._address = {k: a for k, a in self._address.items() if k in fresh}
        self.allowed = fresh  # one assignment: the ZAP thread sees old or new, never half
        if added:
            log.hub.info("station keys added: %s", ", ".join(sorted(added)))
        if gone:
            log.hub.warning("station keys revoked or changed: %s", ", ".join(sorted(gone)))
        if self._stamps_seen:  # the hub's start is no change
            for key, station in sorted(fresh.items(), key=lambda kv: kv[1]):
                if before.get(key) != station:
                    fp = keyfiles.fingerprint(key)
                    self.changes.append(f"station key of {station} allowed: {fp}")
            for key, station in sorted(before.items(), key=lambda kv: kv[1]):
                if fresh.get(key) != station:
                    fp = keyfiles.fingerprint(key)
                    self.changes.append(f"station key of {station} no longer allowed: {fp}")
        self._stamps_seen = True
        return gone
