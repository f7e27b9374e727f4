"""RequestInbox: what the supervisor's queue and the wealth manager's inbox share.

A flat table of the requests for this station, most urgent first (the branch's order,
:meth:`StationModel.inbox`), one whole row each; the selection stays on what the person
chose while rows come and go, and falls on the most urgent when there is none, so Enter
takes it at once. Ages tick once a second. Claiming and resolving ask the branch's
policy (:meth:`StationModel.acts`); resolving a handoff asks its outcome
(:func:`widgets.dialogs.ask_outcome`).

A subclass builds its table with :meth:`_build_table` and gives each row's texts
(:meth:`_paint_row`), the line under the table (:meth:`_show_detail`) and which of its
buttons are enabled (:meth:`_update_actions`). It keeps every string it shows, so their
translations stay in its own context.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QTreeWidget, QTreeWidgetItem, QWidget

from app.domain.policy import Act
from app.domain.state import SignalRecord
from widgets.common import request_table
from widgets.dialog_host import DialogHost
from widgets.dialogs import ask_outcome
from widgets.model import StationModel

ID_ROLE = Qt.ItemDataRole.UserRole
TICK_MS = 1000


class RequestInbox(QWidget):
    """A station's requests over its StationModel (no signals of its own)."""

    PRODUCTS = False
    """Whether closing a handoff here also asks which product was sold."""

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.dialogs = DialogHost()
        self.table: QTreeWidget  # the subclass builds it with _build_table
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._on_tick)

    def _build_table(
        self, parent: QWidget, name: str, headers: list[str], stretch: int, min_height: int
    ) -> QTreeWidget:
        self.table = request_table(parent, name, headers, stretch, min_height)
        self.table.currentItemChanged.connect(self._on_current_changed)
        return self.table

    def _shortcut(self, keys: Sequence[str], slot: Callable[[], None]) -> None:
        shortcut = QShortcut(self)
        shortcut.setKeys([QKeySequence(k) for k in keys])
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)

    def _start(self) -> None:
        """Follow the model and show what it holds (the end of a subclass's __init__)."""
        model = self.model
        model.signal_changed.connect(self._on_signal_changed)
        model.state_reset.connect(self.refresh)
        model.staff_changed.connect(self._on_station_changed)
        self._ticker.start()
        self.refresh()

    # Queries -----------------------------------------------------------------------------
    @property
    def active_dialog(self) -> QDialog | None:
        """The question the view is asking now (a reason, an outcome), if any."""
        return self.dialogs.active

    def selected(self) -> SignalRecord | None:
        item = self.table.currentItem()
        if item is None:
            return None
        return self.model.state.signals.get(int(item.data(0, ID_ROLE)))

    def select(self, signal_id: int) -> bool:
        for row in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(row)
            if item is not None and item.data(0, ID_ROLE) == signal_id:
                self.table.setCurrentItem(item)
                return True
        return False

    def shown_ids(self) -> list[int]:
        return [
            int(item.data(0, ID_ROLE))
            for row in range(self.table.topLevelItemCount())
            if (item := self.table.topLevelItem(row)) is not None
        ]

    def shows(self, signal_id: int) -> bool:
        """Whether the table shows ``signal_id`` now (without changing the selection)."""
        return signal_id in self.shown_ids()

    def acts(self) -> frozenset[Act]:
        """What the policy lets this station do to the selected request now."""
        sig = self.selected()
        return self.model.acts(sig) if sig is not None else frozenset()

    # Actions -------------------------------------------------------------------------------
    def claim_selected(self) -> None:
        """Claim the selected request: first claim wins, everyone sees who."""
        sig = self.selected()
        if sig is not None and Act.CLAIM in self.model.acts(sig):
            self.model.acknowledge(sig.id)

    def resolve_selected(self) -> None:
        """Resolve the selected request; a handoff asks how it ended first."""
        sig = self.selected()
        if sig is None or Act.RESOLVE not in self.model.acts(sig):
            return

        def send(outcome: str, product: str, note: str) -> None:
            self.model.resolve(sig.id, outcome=outcome, product=product, note=note)

        ask_outcome(self.dialogs, self.model, sig, self, send, products=self.PRODUCTS)

    # Rendering ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the table from the model, keeping the selection."""
        keep = self.selected()
        table = self.table
        table.blockSignals(True)
        table.clear()
        for sig in self.model.inbox():
            item = QTreeWidgetItem()
            item.setData(0, ID_ROLE, sig.id)
            table.addTopLevelItem(item)
            if keep is not None and sig.id == keep.id:
                table.setCurrentItem(item)
        first = table.topLevelItem(0)
        if table.currentItem() is None and first is not None:
            table.setCurrentItem(first)  # Enter takes the most urgent at once
        table.blockSignals(False)
        self._on_tick()
        self._update_actions()

    def _paint_row(self, item: QTreeWidgetItem, sig: SignalRecord, now_ms: int) -> None:
        """Fill ``item``'s texts and colours for ``sig`` (the hub's clock is ``now_ms``)."""
        raise NotImplementedError

    def _show_detail(self) -> None:
        """The line under the table: the selected request's note and the like."""
        raise NotImplementedError

    def _update_actions(self) -> None:
        """Enable the buttons as the policy allows for the selected request."""
        raise NotImplementedError

    def _concerns(self, sig: SignalRecord) -> bool:
        """Whether a change to ``sig`` may change what this view shows."""
        return self.model.state.is_target(sig, self.model.station) or self.shows(sig.id)

    # Slots -------------------------------------------------------------------------------
    def _on_tick(self) -> None:
        now = self.model.hub_now_ms()
        signals = self.model.state.signals
        for row in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(row)
            sig = signals.get(int(item.data(0, ID_ROLE))) if item is not None else None
            if item is not None and sig is not None:
                self._paint_row(item, sig, now)
        self._show_detail()

    def _on_current_changed(self, *_args: object) -> None:
        self._update_actions()

    def _on_station_changed(self, _station: str) -> None:
        self._on_tick()

    def _on_signal_changed(self, sig: SignalRecord) -> None:
        if self._concerns(sig):
            self.refresh()
