"""MySignals: the signals the lobby desk raised and who took each, with Cancel and Resolve.

A row shows what was raised (and to which counter, for which ticket), its progress and
its age; the progress is never cut (:class:`widgets.rows.TwoLineDelegate`). Silent
signals are never listed. The buttons are enabled as the branch's policy allows
(:meth:`widgets.model.StationModel.acts`); the view that holds the panel connects them.

Loops closed (issue 12): a handoff's row says who declined it and why, or that nobody
can take it; Re-offer… offers it again (the panel asks and sends itself). A raise made
while the hub is away is listed at once as waiting to be sent, with its click time
(:func:`pending_rows`), until the hub takes it. At the lobby desk a line above the list
names every handoff nobody can take, whoever raised it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.events import RaiseSignal
from app.domain.policy import Act
from app.domain.roles import Role, SignalState
from app.domain.state import SignalRecord
from app.domain.timeday import local_time
from widgets.common import fmt_age, progress_text, signal_label, staff_name, station_name, tr
from widgets.dialog_host import DialogHost
from widgets.dialogs import ask_reoffer, nobody_why, offer_text
from widgets.lobby_model import SIGNAL_ROLE
from widgets.model import StationModel
from widgets.plain import plain_labels
from widgets.rows import ALERT_COLOUR, DONE_COLOUR, WAITING_COLOUR, TwoLineDelegate, set_row

PENDING = -1
"""The SIGNAL_ROLE of a row of a raise still waiting to be sent (it has no id yet)."""
PENDING_COLOUR = QColor("#ef6c00")


# As messengers show an outgoing message (Telegram's client guidelines: queued even
# with no connection, listed at once with a clock mark until the server has it).
def pending_rows(model: StationModel) -> list[tuple[str, str, str]]:
    """While the hub is away, the raises of this station waiting to be sent, oldest
    first, as rows: (label,
    "waiting to be sent · clicked at 10:31:05", no age: the click time says it). Silent
    types never."""
    branch, lang = model.branch, model.lang
    rows: list[tuple[str, str, str]] = []
    if model.connected:  # sent at once: the hub's answer follows within a moment
        return rows
    for item in model.pending_commands():
        cmd = item.command
        if not isinstance(cmd, RaiseSignal):
            continue
        kind = branch.signal_type(cmd.code)
        if kind is None or kind.silent:
            continue
        label = signal_label(branch, cmd.code, lang)
        if cmd.to:
            named = branch.station(cmd.to)
            who = station_name(branch, cmd.to, lang) if named else staff_name(branch, cmd.to, lang)
            label += " → " + who
        if cmd.ticket:
            label += " · " + tr("No. {ticket}").format(ticket=cmd.ticket)
        clicked = local_time(item.clicked_ms, branch.timezone).strftime("%H:%M:%S")
        progress = "◷ " + tr("Waiting to be sent · clicked at {time}").format(time=clicked)
        rows.append((label, progress, ""))
    return rows


def row_progress(model: StationModel, sig: SignalRecord) -> tuple[str, QColor]:
    """A raised signal's progress line and its colour, as the raiser's lists show it: a
    handoff's offer (who declined and why, nobody can take it) before the plain state."""
    progress = progress_text(sig, model.branch, model.lang)
    offer = offer_text(model, sig)
    if offer is not None:
        text, alarm = offer
        return text, ALERT_COLOUR if alarm else WAITING_COLOUR
    if sig.state is not SignalState.OPEN:
        return f"✓ {progress}", DONE_COLOUR
    if sig.level:
        return f"▲ {progress}", ALERT_COLOUR
    return progress, WAITING_COLOUR


class MySignals(QWidget):
    """The desk's own signals, oldest first: ``list``, ``cancel_button``, ``resolve_button``."""

    def __init__(self, model: StationModel, title_font: QFont, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.title = QLabel(tr("My signals"), self)
        self.title.setObjectName("mineTitle")
        self.title.setFont(title_font)
        self.list = QListWidget(self)
        self.list.setObjectName("mySignals")
        self.list.setAccessibleName(tr("Signals I raised"))
        self.list.setItemDelegate(TwoLineDelegate(self.list))  # who took it, never cut
        self.cancel_button = QPushButton(tr("Cancel signal"), self)
        self.cancel_button.setObjectName("cancelMine")
        self.cancel_button.setToolTip(tr("Withdraw the selected signal you raised (Del)"))
        self.resolve_button = QPushButton(tr("Resolve"), self)
        self.resolve_button.setObjectName("resolveMine")
        self.resolve_button.setToolTip(
            tr("Close the selected signal you raised, once someone has taken it")
        )
        self.reoffer_button = QPushButton(tr("Re-offer…"), self)
        self.reoffer_button.setObjectName("reofferMine")
        self.reoffer_button.setToolTip(
            tr("Offer the selected referral again, to one wealth manager or to any")
        )
        self.reoffer_button.clicked.connect(self.request_reoffer)
        self.dialogs = DialogHost()
        for button in (self.cancel_button, self.resolve_button, self.reoffer_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.unplaced_line = QLabel(self)
        self.unplaced_line.setObjectName("unplacedLine")
        self.unplaced_line.setWordWrap(True)
        self.unplaced_line.setStyleSheet(
            "QLabel { color: white; background: #c62828; padding: 3px 6px; font-weight: bold; }"
        )
        self.unplaced_line.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.reoffer_button)
        head.addWidget(self.resolve_button)
        head.addWidget(self.cancel_button)
        layout.addLayout(head)
        layout.addWidget(self.unplaced_line)
        layout.addWidget(self.list, 1)

        # Kept up to date by themselves: a wealth manager going away, a click queued.
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self.refresh)
        model.availability_changed.connect(self._soon.start)
        model.pending_changed.connect(self._soon.start)
        model.connection_changed.connect(self._soon.start)
        plain_labels(self)

    # Queries ------------------------------------------------------------------------------
    def signal_ids(self) -> list[int]:
        """The signals listed (not the raises still waiting to be sent)."""
        ids = [int(self.list.item(i).data(SIGNAL_ROLE)) for i in range(self.list.count())]
        return [i for i in ids if i != PENDING]

    def pending_count(self) -> int:
        """Rows of raises waiting to be sent."""
        ids = [int(self.list.item(i).data(SIGNAL_ROLE)) for i in range(self.list.count())]
        return ids.count(PENDING)

    def selected(self) -> SignalRecord | None:
        item = self.list.currentItem()
        if item is None:
            return None
        return self.model.state.signals.get(int(item.data(SIGNAL_ROLE)))

    def lines(self, row: int) -> tuple[str, str, str]:
        """A row as painted: label, progress, age."""
        delegate = self.list.itemDelegate()
        assert isinstance(delegate, TwoLineDelegate)
        return delegate.painted(self.list.model().index(row, 0))

    # Rendering ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the rows from the model, keeping the selection."""
        model = self.model
        branch, lang = model.branch, model.lang
        current = self.list.currentItem()
        keep = int(current.data(SIGNAL_ROLE)) if current is not None else None
        self.list.blockSignals(True)
        self.list.clear()
        now = model.hub_now_ms()
        for sig in model.my_signals():
            kind = branch.signal_type(sig.code)
            if kind is not None and kind.silent:
                continue
            label = signal_label(branch, sig.code, lang)
            if sig.to:
                label += " → " + station_name(branch, sig.to, lang)
            if sig.ticket:
                label += " · " + tr("No. {ticket}").format(ticket=sig.ticket)
            progress, colour = row_progress(model, sig)
            item = QListWidgetItem()
            item.setData(SIGNAL_ROLE, sig.id)
            set_row(item, label, progress, fmt_age(now - sig.raised_ms), colour)
            self.list.addItem(item)
            if sig.id == keep:
                self.list.setCurrentItem(item)
        for label, progress, age in pending_rows(model):
            item = QListWidgetItem()
            item.setData(SIGNAL_ROLE, PENDING)
            set_row(item, label, progress, age, PENDING_COLOUR)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._show_unplaced()
        self.update_buttons()

    def _show_unplaced(self) -> None:
        """At the lobby desk: every handoff nobody can take, whoever raised it."""
        model = self.model
        if model.station.role is not Role.LOBBY_MANAGER:
            return
        branch, lang = model.branch, model.lang
        lines = []
        for sig in model.unplaced():
            if not model.may_show(sig.code):
                continue
            who = staff_name(branch, sig.staff, lang) or station_name(branch, sig.station, lang)
            text = signal_label(branch, sig.code, lang) + " · " + who
            if sig.ticket:
                text += " · " + tr("No. {ticket}").format(ticket=sig.ticket)
            lines.append(text + " — " + nobody_why(model, sig))
        self.unplaced_line.setText(
            "\n".join("⚠ " + tr("Nobody can take: {what}").format(what=line) for line in lines)
        )
        self.unplaced_line.setVisible(bool(lines))

    def request_reoffer(self) -> None:
        """Ask to whom, then offer the selected handoff again."""
        sig = self.selected()
        if sig is not None and Act.REOFFER in self.model.acts(sig):
            ask_reoffer(self.dialogs, self.model, sig, self)

    def update_buttons(self) -> None:
        sig = self.selected()
        acts = self.model.acts(sig) if sig is not None else frozenset()
        self.cancel_button.setEnabled(Act.CANCEL in acts)
        self.resolve_button.setEnabled(Act.RESOLVE in acts)
        self.reoffer_button.setEnabled(Act.REOFFER in acts)
        kind = self.model.branch.signal_type(sig.code) if sig is not None else None
        self.reoffer_button.setVisible(
            any(k.handoff for k in self.model.branch.raisable_by(self.model.station.role))
        )
        self.reoffer_button.setToolTip(
            tr("Offer the selected referral again, to one wealth manager or to any")
            if kind is None or kind.handoff
            else tr("Only a referral can be offered again")
        )

    def _on_current_changed(self, *_args: object) -> None:
        self.update_buttons()
