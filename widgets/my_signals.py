"""MySignals: the signals the lobby desk raised and who took each, with Cancel and Resolve.

A row shows what was raised (and to which counter, for which ticket), its progress and
its age; the progress is never cut (:class:`widgets.rows.TwoLineDelegate`). Silent
signals are never listed. The buttons are enabled as the branch's policy allows
(:meth:`widgets.model.StationModel.acts`); the view that holds the panel connects them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.policy import Act
from app.domain.roles import SignalState
from app.domain.state import SignalRecord
from widgets.common import fmt_age, progress_text, signal_label, station_name, tr
from widgets.lobby_model import SIGNAL_ROLE
from widgets.model import StationModel
from widgets.plain import plain_labels
from widgets.rows import ALERT_COLOUR, DONE_COLOUR, WAITING_COLOUR, TwoLineDelegate, set_row


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
        for button in (self.cancel_button, self.resolve_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.currentItemChanged.connect(self._on_current_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.resolve_button)
        head.addWidget(self.cancel_button)
        layout.addLayout(head)
        layout.addWidget(self.list, 1)

        plain_labels(self)

    # Queries ------------------------------------------------------------------------------
    def signal_ids(self) -> list[int]:
        return [int(self.list.item(i).data(SIGNAL_ROLE)) for i in range(self.list.count())]

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
            progress = progress_text(sig, branch, lang)
            colour = WAITING_COLOUR
            if sig.state is not SignalState.OPEN:
                progress, colour = f"✓ {progress}", DONE_COLOUR
            elif sig.level:
                progress, colour = f"▲ {progress}", ALERT_COLOUR
            item = QListWidgetItem()
            item.setData(SIGNAL_ROLE, sig.id)
            set_row(item, label, progress, fmt_age(now - sig.raised_ms), colour)
            self.list.addItem(item)
            if sig.id == keep:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.update_buttons()

    def update_buttons(self) -> None:
        sig = self.selected()
        acts = self.model.acts(sig) if sig is not None else frozenset()
        self.cancel_button.setEnabled(Act.CANCEL in acts)
        self.resolve_button.setEnabled(Act.RESOLVE in acts)

    def _on_current_changed(self, *_args: object) -> None:
        self.update_buttons()
