"""The hub's ZAP handler: a CURVE allow-list whose User-Id is the station id.

It runs in the hub's ZeroMQ context before the sockets bind, so no connection is ever
accepted unchecked. The allow-list is re-read from the key folder every second; a
revoked key cannot handshake again.
"""

from __future__ import annotations

from pathlib import Path

import zmq
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils import z85

from app import log
from messaging import keys as keyfiles
from messaging.sockets import ZAP_DOMAIN


class StationAuthenticator(ThreadAuthenticator):
    """Allows the station keys in ``<keys>/stations``; reports each one's station id."""

    def __init__(self, ctx: zmq.Context, folder: str | Path) -> None:
        super().__init__(ctx, log=log.wire.getChild("zap"))  # pyzmq's own ZAP messages
        self.folder = Path(folder)
        self._stamp = -1
        self.allowed: dict[bytes, str] = {}
        self.reload()

    def start(self) -> None:
        super().start()
        self.configure_curve_callback(ZAP_DOMAIN.decode(), credentials_provider=self)

    def callback(self, domain: str, key: bytes) -> bool:
        """Called by the ZAP thread with the client's Z85 public key."""
        allowed = key in self.allowed
        if not allowed:
            log.wire.warning("refused a connection with an unknown or revoked key")
        return allowed

    def curve_user_id(self, client_public_key: bytes) -> str:
        return self.allowed.get(z85.encode(client_public_key), "")

    def reload(self) -> set[str]:
        """Re-read the allow-list if the folder changed; return the ids that lost their key."""
        stations = self.folder / "stations"
        stamp = stations.stat().st_mtime_ns if stations.exists() else 0
        if stamp == self._stamp:
            return set()  # a key is added or revoked by adding or moving a file
        self._stamp = stamp
        fresh = keyfiles.allowlist(self.folder)
        gone = set(self.allowed.values()) - set(fresh.values())
        added = set(fresh.values()) - set(self.allowed.values())
        self.allowed = fresh  # one assignment: the ZAP thread sees old or new, never half
        if added:
            log.hub.info("station keys added: %s", ", ".join(sorted(added)))
        if gone:
            log.hub.warning("station keys revoked: %s", ", ".join(sorted(gone)))
        return gone
