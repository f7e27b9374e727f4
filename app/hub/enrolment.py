"""Enrolment: a station PC's own key becomes a station's only when a person approves it.

A station PC makes its own keypair (its secret never leaves it) and asks, over the
command socket, to be enrolled as a station of the branch. Any key may ask (the ZAP
handler lets unknown keys reach the command socket, admission lets them reach this
and nothing else, at the branch's enrolment rate). The hub keeps the public key as a
pending request in its key folder and answers ``pending`` with the key's fingerprint,
which the station PC shows; the branch head compares it and approves on the board or
with ``lobbylink keys approve``; from then on the key is on the allow-list like any
other and the answer is ``enrolled``. Followed: SSH's fingerprint check of a new host
key, and ZeroMQ's ZAP User-Id as the only source of who a connection is.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from app import log
from app.domain.roles import ENROLLERS
from app.hub.auth import StationAuthenticator
from app.hub.queries import Answer
from messaging import keys as keyfiles
from messaging.envelope import (
    BranchSettings,
    Enrolment,
    EnrolmentAction,
    EnrolmentRequest,
    encode,
)


class Enrolments:
    """Answers ``enrol`` requests from the hub's key folder."""

    def __init__(
        self, keys_dir: Path | None, auth: StationAuthenticator | None, settings: BranchSettings
    ) -> None:
        self.keys_dir, self.auth, self.settings = keys_dir, auth, settings

    def answer(self, station: str, key: bytes) -> Answer:
        """``station``'s request with ``key`` (the Z85 key its connection handshook with)."""
        if self.keys_dir is None or self.auth is None or not key:
            return Answer(False, code="no_enrolment", reason="this hub runs without keys")
        fp = keyfiles.fingerprint(key)
        if self.auth.allowed.get(key) == station:
            return Answer(True, encode(Enrolment("enrolled", fp, self.settings)))
        try:
            fp, new = keyfiles.request(self.keys_dir, station, key)
        except (keyfiles.KeyFileError, OSError) as exc:
            log.hub.error("enrolment request of %s not kept: %s", station, exc)
            return Answer(False, code="enrol_refused", reason=str(exc), retry=True)
        if new:
            log.hub.warning(
                "enrolment request: %s, key fingerprint %s; approve it on the board or "
                "with `lobbylink keys approve %s %s` once the station PC shows the same",
                station,
                fp,
                station,
                fp,
            )
        return Answer(True, encode(Enrolment("pending", fp)))

    def query(self, asker: str, role: str, args: bytes) -> tuple[Answer, str]:
        """The board's ``enrolments`` query: (the answer, a note for the journal or "")."""
        if role not in {r.value for r in ENROLLERS}:
            return Answer(False, code="forbidden", reason="only the branch head enrols"), ""
        if self.keys_dir is None:
            return Answer(False, code="no_enrolment", reason="this hub runs without keys"), ""
        try:
            act = msgspec.msgpack.decode(args, type=EnrolmentAction) if args else EnrolmentAction()
        except msgspec.DecodeError as exc:
            return Answer(False, code="bad_payload", reason=str(exc)), ""
        note = ""
        try:
            if act.action == "approve":
                keyfiles.approve(self.keys_dir, act.station, act.fingerprint)
                note = f"key {act.fingerprint} of {act.station} approved at {asker}"
            elif act.action == "drop":
                keyfiles.drop(self.keys_dir, act.station, act.fingerprint)
                note = f"enrolment request {act.fingerprint} of {act.station} refused at {asker}"
            elif act.action != "list":
                return Answer(False, code="bad_payload", reason=f"no action {act.action!r}"), ""
            waiting = [
                EnrolmentRequest(station, fp, round(since * 1000))
                for station, fp, since in keyfiles.pending(self.keys_dir)
            ]
        except (keyfiles.KeyFileError, OSError) as exc:
            return Answer(False, code="not_found", reason=str(exc)), ""
        if note:
            log.hub.warning("%s", note)
        return Answer(True, encode(waiting)), note
