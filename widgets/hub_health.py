"""HubHealthLabel: one line on the branch head's board saying how the hub keeps.

From the hub's heartbeats (:meth:`StationModel.hub_health`): free space on the journal's
disk, how long since its last commit, how far the hub's clock is from its PC's wall
clock, and, when the hub ships its journal to head office, how that link is (up to date
or how far behind; unreachable since when; refused), and, of a standby pair, how the
other hub keeps (in step, catching up, away). Plain when all is well; amber, with the
reason first, when something needs the IT administrator (under 1 GiB free, a clock the
hub does not believe, head office unreachable or far behind, or refusing, the standby
hub away, the two hubs' clocks apart).
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.domain.timeday import local_time
from widgets.common import fmt_age, tr
from widgets.model import HubHealth, StationModel

LOW_DISK_MB = 1024
"""Less free space than this on the journal's disk is shown as a warning."""
CLOCK_WARN_MS = 2_000
"""A hub clock further than this from its PC's wall clock is shown as a warning."""
CENTRAL_LAG_WARN_MS = 15 * 60_000
"""Head office further behind than this (link up or down) is shown as a warning."""
PAIR_CLOCK_WARN_MS = 1_000
"""The two hubs of a pair further apart than this: shown as a warning (ages on screen
would jump at a switch)."""
OK_STYLE = "color: #455a64;"
WARN_STYLE = "color: #8d4e00; background: #fff3e0; padding: 2px 6px; border-radius: 3px;"


def health_text(health: HubHealth | None, now_ms: int, tz: str = "") -> tuple[str, bool]:
    """(the line, whether it warns) for ``health`` as the board shows it; times of day
    in the branch's zone ``tz`` ("": as ages)."""
    if health is None:
        return tr("Hub: no health report yet"), False
    parts: list[str] = []
    warn: list[str] = []
    if health.disk_free_mb >= 0:
        free = tr("journal disk {gb:.1f} GB free").format(gb=health.disk_free_mb / 1024)
        (warn if health.disk_free_mb < LOW_DISK_MB else parts).append(free)
    if health.last_commit_ms:
        parts.append(tr("last write {age} ago").format(age=fmt_age(now_ms - health.last_commit_ms)))
    if abs(health.clock_offset_ms) >= CLOCK_WARN_MS:
        warn.append(
            tr("hub clock {seconds:+.0f} s from its PC's clock").format(
                seconds=health.clock_offset_ms / 1000
            )
        )
    central_text(health, now_ms, parts, warn)
    pair_text(health, tz, parts, warn)
    line = tr("Hub: {details}").format(details=" · ".join(warn + parts) or "—")
    return line, bool(warn)


def central_text(health: HubHealth, now_ms: int, parts: list[str], warn: list[str]) -> None:
    """The link to head office, added to ``parts`` (plain) or ``warn``."""
    state, events = health.central, health.central_lag_events
    behind = fmt_age(health.central_lag_ms)
    if state == "connected" and not events:
        text = tr("head office up to date")
        if health.central_last_ms:
            text = tr("head office up to date, last sent {age} ago").format(
                age=fmt_age(now_ms - health.central_last_ms)
            )
        parts.append(text)
    elif state == "connected":
        text = tr("head office: {events} events to send ({age} behind)").format(
            events=events, age=behind
        )
        (warn if health.central_lag_ms >= CENTRAL_LAG_WARN_MS else parts).append(text)
    elif state == "connecting":
        parts.append(tr("head office: connecting"))
    elif state == "down" and events:
        warn.append(
            tr(
                "head office unreachable for {age}, {events} events waiting (the branch works on)"
            ).format(age=fmt_age(now_ms - health.central_since_ms), events=events)
        )
    elif state == "down":  # nothing waiting, or not known yet (never reached since start)
        warn.append(
            tr("head office unreachable for {age} (the branch works on)").format(
                age=fmt_age(now_ms - health.central_since_ms)
            )
        )
    elif state == "refused":
        warn.append(tr("head office refused this journal: shipping stopped, call IT"))


def pair_text(health: HubHealth, tz: str, parts: list[str], warn: list[str]) -> None:
    """The other hub of a standby pair (issue 14), added to ``parts`` or ``warn``."""
    state = health.pair
    if state == "in_sync":
        parts.append(tr("standby hub: in step"))
    elif state == "catching_up":
        parts.append(
            tr("standby hub: catching up, {events} behind").format(events=health.pair_lag_events)
        )
    elif state == "away":
        if tz and health.pair_since_ms:
            since = local_time(health.pair_since_ms, tz).strftime("%H:%M")
            warn.append(tr("standby hub away since {time}, running alone").format(time=since))
        else:
            warn.append(tr("standby hub away, running alone"))
    if state and abs(health.pair_clock_ms) > PAIR_CLOCK_WARN_MS:
        warn.append(
            tr("the hubs' clocks differ by {seconds:.0f} s").format(
                seconds=abs(health.pair_clock_ms) / 1000
            )
        )


class HubHealthLabel(QLabel):
    """The health line; :meth:`refresh` reads the model (the board's timer calls it)."""

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hubHealth")
        self.model = model
        self.warning = False
        self.refresh()

    def refresh(self) -> None:
        text, warn = health_text(
            self.model.hub_health(), self.model.hub_now_ms(), self.model.branch.timezone
        )
        self.setText(text)
        if warn != self.warning or not self.styleSheet():
            self.setStyleSheet(WARN_STYLE if warn else OK_STYLE)
        self.warning = warn
