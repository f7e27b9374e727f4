"""DuressAlarm: a silent emergency, pinned full width at the stations that watch for one.

At the supervisor and on the branch head's own board a duress is not a row among others:
it is a red band across the whole window, above every tab, that stays until someone
acknowledges it (claims it: "I am handling it"), as a hospital's code alarm or an
alarm-receiving centre's panel keeps an alarm up until an operator accepts it. Its own
sound is the alert manager's (app/client/alerts.py, ``duress.wav``).

Which signals are alarms is the branch's audience rule: a type anyone may read is a
call, one only its audience may read is an alarm (:meth:`StationModel.may_show`). A
public screen never builds this band (the board does not on a public screen, and a
raiser is never in a duress's audience).
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.policy import Act
from app.domain.roles import SignalState
from app.domain.state import SignalRecord
from widgets.common import fmt_age, scaled_font, signal_label, staff_name, station_name, tr
from widgets.model import StationModel
from widgets.plain import plain_labels

TICK_MS = 1000


def unacknowledged_alarms(model: StationModel) -> list[SignalRecord]:
    """Open silent signals this station may read and nobody has claimed yet, oldest first."""
    return sorted(
        (
            s
            for s in model.state.signals.values()
            if s.state is SignalState.OPEN
            and not model.may_show(s.code, public=True)
            and model.may_show(s.code)
            and s.station != model.station.id
        ),
        key=lambda s: (s.raised_ms, s.id),
    )


class DuressAlarm(QFrame):
    """The pinned band: one line per unacknowledged alarm, each with its Acknowledge."""

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("duressAlarm")
        self.model = model
        self.setStyleSheet(
            "#duressAlarm { background: #b71c1c; border: 3px solid #ffeb3b; border-radius: 4px; }"
            " #duressAlarm QLabel { color: white; }"
            " #duressAlarm QPushButton { background: #ffeb3b; color: #b71c1c; font-weight: bold;"
            " padding: 4px 14px; border-radius: 4px; }"
        )
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(10, 6, 10, 6)
        self._rows.setSpacing(4)
        self._shown: list[int] = []
        self.lines: dict[int, QLabel] = {}
        self.buttons: dict[int, QPushButton] = {}
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        model.signal_changed.connect(self._on_changed)
        model.state_reset.connect(self.refresh)
        self.hide()
        self.refresh()

    def alarm_ids(self) -> list[int]:
        """The alarms shown now, oldest first."""
        return list(self._shown)

    def acknowledge(self, signal_id: int) -> str:
        """Claim the alarm: this person is handling it (everyone watching sees who)."""
        sig = self.model.state.signals.get(signal_id)
        if sig is None or Act.CLAIM not in self.model.acts(sig):
            return ""
        return self.model.acknowledge(signal_id)

    def refresh(self) -> None:
        alarms = unacknowledged_alarms(self.model)
        ids = [s.id for s in alarms]
        if ids != self._shown:
            while self._rows.count():
                item = self._rows.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.deleteLater()
            self.lines.clear()
            self.buttons.clear()
            for sig in alarms:
                self._add_row(sig)
            self._shown = ids
        self._tick()
        self.setVisible(bool(ids))

    def _add_row(self, sig: SignalRecord) -> None:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(row)
        label.setFont(scaled_font(1.5, bold=True))
        label.setTextFormat(Qt.TextFormat.PlainText)
        # Wraps rather than widening the window: a 640 px station still shows all of it.
        label.setWordWrap(True)
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        label.setMinimumWidth(120)
        layout.addWidget(label, 1)
        button = QPushButton(tr("Acknowledge: I am handling it"), row)
        button.setObjectName(f"ackAlarm_{sig.id}")
        button.setFont(scaled_font(1.2, bold=True))
        button.setEnabled(Act.CLAIM in self.model.acts(sig))
        button.clicked.connect(partial(self.acknowledge, sig.id))
        layout.addWidget(button)
        self._rows.addWidget(row)
        self.lines[sig.id] = label
        self.buttons[sig.id] = button
        plain_labels(row)

    def _tick(self) -> None:
        branch, lang = self.model.branch, self.model.lang
        now = self.model.hub_now_ms()
        for sid, label in self.lines.items():
            sig = self.model.state.signals.get(sid)
            if sig is None:
                continue
            where = station_name(branch, sig.station, lang)
            if sig.staff:
                where += " · " + staff_name(branch, sig.staff, lang)
            label.setText(
                "⚠ "
                + tr("{signal} at {where} · {age} · not yet acknowledged").format(
                    signal=signal_label(branch, sig.code, lang),
                    where=where,
                    age=fmt_age(now - sig.raised_ms),
                )
            )

    def _on_changed(self, sig: SignalRecord) -> None:
        if sig.id in self._shown or not self.model.may_show(sig.code, public=True):
            self.refresh()
