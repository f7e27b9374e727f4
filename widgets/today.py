"""TodayView: the calls handled today, for every role, not only the open ones.

A teller asked "did the lobby manager come at ten?" had no answer once the call was
closed. The branch's state keeps closed signals until the local midnight
(BranchState.roll_day), so this list reads them from there: no new query, nothing
journaled twice. Rows are painted as every list of calls is (widgets/rows.py's
TwoLineDelegate): what, with the time it ended on the right; then how it ended, who
handled it and who raised it.

Which calls: those this station raised, claimed, resolved or received; the supervisor
and the branch head, who oversee the floor, see every call their role may read. A
silent signal shows only where its role may read it, and never at its raiser.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.domain import policy
from app.domain.roles import Role, SignalState
from app.domain.state import SignalRecord
from app.domain.timeday import day_start_ms, local_time
from widgets.common import outcome_text, scaled_font, signal_label, staff_name, station_name
from widgets.model import StationModel
from widgets.plain import plain_labels
from widgets.rows import DONE_COLOUR, WAITING_COLOUR, TwoLineDelegate, set_row, two_line_height

ID_ROLE = Qt.ItemDataRole.UserRole
OVERSEERS = frozenset({Role.SUPERVISOR, Role.BRANCH_HEAD})
"""Roles whose Today list is the whole floor's (what their role may read)."""


class TodayView(QWidget):
    """Today's closed calls that concern this station, the latest first."""

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("todayView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        self.title = QLabel(self)
        self.title.setObjectName("todayTitle")
        self.title.setFont(scaled_font(1.3, bold=True))
        layout.addWidget(self.title)
        self.list = QListWidget(self)
        self.list.setObjectName("todayList")
        self.list.setFont(scaled_font(1.2))
        self.list.setMinimumHeight(two_line_height(scaled_font(1.2)))
        self.list.setItemDelegate(TwoLineDelegate(self.list))
        layout.addWidget(self.list, 1)
        self.empty_label = QLabel(self.tr("Nothing handled yet today."), self)
        self.empty_label.setObjectName("todayEmpty")
        self.empty_label.setStyleSheet("color: #607d8b;")
        layout.addWidget(self.empty_label)
        model.signal_changed.connect(self._on_signal_changed)
        model.state_reset.connect(self.refresh)
        self.refresh()
        plain_labels(self)

    # What is listed ---------------------------------------------------------------------
    def concerns(self, sig: SignalRecord) -> bool:
        model = self.model
        station = model.station
        kind = model.branch.signal_type(sig.code)
        if kind is not None and kind.silent and sig.station == station.id:
            return False  # the raiser's screen never names a silent call
        if not model.may_show(sig.code):
            return False
        if station.role in OVERSEERS:
            return True
        me = station.id
        return me in (sig.station, sig.acked_station, sig.resolved_station) or policy.is_target(
            sig, station
        )

    def signals(self) -> list[SignalRecord]:
        """Today's closed calls for this station, the latest closed first."""
        start = day_start_ms(self.model.hub_now_ms(), self.model.branch.timezone)
        found = [
            s
            for s in self.model.state.signals.values()
            if s.state.terminal and (s.closed_ms or 0) >= start and self.concerns(s)
        ]
        return sorted(found, key=lambda s: (s.closed_ms or 0, s.id), reverse=True)

    def row_texts(self, sig: SignalRecord) -> tuple[str, str, str]:
        """(what, how it ended · who handled · who raised, the time it ended)."""
        branch, lang, tz = self.model.branch, self.model.lang, self.model.branch.timezone

        def who(station: str, staff: str) -> str:
            name = station_name(branch, station, lang)
            if not staff:
                return name
            return self.tr("{staff} ({station})").format(
                staff=staff_name(branch, staff, lang), station=name
            )

        raised = local_time(sig.raised_ms, tz).strftime("%H:%M")
        ended = local_time(sig.closed_ms or 0, tz).strftime("%H:%M")
        raiser = self.tr("raised {time} by {who}").format(
            time=raised, who=who(sig.station, sig.staff)
        )
        if sig.state is SignalState.CANCELLED:
            detail = "✗ " + self.tr("Cancelled") + " · " + raiser
        else:
            handler = who(sig.resolved_station, sig.resolved_staff)
            how = outcome_text(sig.outcome) if sig.outcome not in ("", "done") else ""
            head = self.tr("Handled by {who}").format(who=handler)
            detail = "✓ " + (f"{head} · {how}" if how else head) + " · " + raiser
        return (
            signal_label(branch, sig.code, lang),
            detail,
            self.tr("ended {time}").format(time=ended),
        )

    # Rendering --------------------------------------------------------------------------
    def refresh(self) -> None:
        signals = self.signals()
        self.list.clear()
        for sig in signals:
            item = QListWidgetItem()
            item.setData(ID_ROLE, sig.id)
            title, detail, ended = self.row_texts(sig)
            colour = DONE_COLOUR if sig.state is SignalState.RESOLVED else WAITING_COLOUR
            set_row(item, title, detail, ended, colour)
            self.list.addItem(item)
        self.title.setText(self.tr("Handled today · %n", "", len(signals)))
        self.list.setVisible(bool(signals))
        self.empty_label.setVisible(not signals)

    def row_lines(self, row: int) -> tuple[str, str, str]:
        """A row as painted: label, how it ended and who, the time it ended."""
        delegate = self.list.itemDelegate()
        assert isinstance(delegate, TwoLineDelegate)
        return delegate.painted(self.list.model().index(row, 0))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Rows filled while hidden were measured at another width: measure them again
        # once the list has its width on screen.
        QTimer.singleShot(0, self, self._relayout)

    def _relayout(self) -> None:
        self.list.doItemsLayout()

    def _on_signal_changed(self, sig: SignalRecord) -> None:
        if sig.state.terminal:
            self.refresh()
