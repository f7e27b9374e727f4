"""The inputs a raise can ask for, shared by the teller's dialog and the lobby's bar.

A type that goes to one station asks which (and the customer's ticket); a handoff asks
the customer's need and ticket, and which wealth manager it is for (专属客户经理: each
desk with who is there and whether they are with a customer or away) or any; every form
takes a note. Any other type is raised with
one click. :class:`RaiseForm` builds the inputs once and gives
``StationModel.raise_signal``'s keywords; the teller lays them out in a
:class:`RaiseDialog`, the lobby in one line under its raise buttons.
"""

from __future__ import annotations

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import policy
from app.domain.config import SignalType
from app.domain.policy import MAX_NOTE, MAX_TICKET
from app.domain.roles import Availability, CounterStatus
from widgets.common import scaled_font, signal_label, staff_name, status_text, tr
from widgets.dialogs import manager_text
from widgets.model import StationModel


def needs_form(kind: SignalType) -> bool:
    """Whether raising ``kind`` asks for input first (a station to go to, a handoff's need)."""
    return kind.to_station or kind.handoff


class RaiseForm:
    """The inputs of a raise, for one signal type at a time (:meth:`start`).

    ``target`` (the station a to-station type goes to), ``need`` (a handoff's),
    ``ticket`` and ``note``; the inputs a type does not ask for are hidden. The owner
    places them, names them and gives their hints.
    """

    def __init__(self, model: StationModel, parent: QWidget, *, blank_need: str = "") -> None:
        self.model = model
        self.kind: SignalType | None = None
        lang = model.lang
        self.target = QComboBox(parent)
        self.need = QComboBox(parent)
        if blank_need:  # the need may be left open
            self.need.addItem(blank_need, "")
        for need in model.branch.config.needs:
            self.need.addItem(need.label.get(lang), need.code)
        self.ticket = QLineEdit(parent)
        self.ticket.setMaxLength(MAX_TICKET)
        self.note = QLineEdit(parent)
        self.note.setMaxLength(MAX_NOTE)

    def asks_target(self) -> bool:
        return self.kind is not None and (self.kind.to_station or self.names_manager())

    def names_manager(self) -> bool:
        """Whether the type is a handoff that may name one wealth manager (or any)."""
        return self.kind is not None and bool(self.model.offer_choices(self.kind.code))

    def asks_need(self) -> bool:
        return self.kind is not None and self.kind.handoff and bool(self.model.branch.config.needs)

    def asks_ticket(self) -> bool:
        return self.kind is not None and needs_form(self.kind)

    def start(self, kind: SignalType) -> None:
        """Clear the inputs for raising ``kind`` and show the ones it asks for."""
        self.kind = kind
        if kind.to_station:
            self._fill_targets(kind)
            self.target.setToolTip(tr("Counter to send the customer to"))
        elif self.names_manager():
            self._fill_managers(kind)
            self.target.setToolTip(
                tr("The wealth manager to offer the customer to, or any of them")
            )
        self.need.setCurrentIndex(0)
        self.ticket.clear()
        self.note.clear()
        self.target.setVisible(self.asks_target())
        self.need.setVisible(self.asks_need())
        self.ticket.setVisible(self.asks_ticket())

    def fields(self) -> dict[str, str]:
        """Keyword arguments for ``StationModel.raise_signal``."""
        return {
            "note": self.note.text().strip(),
            "to": str(self.target.currentData() or "") if self.asks_target() else "",
            "ticket": self.ticket.text().strip() if self.asks_ticket() else "",
            "need": str(self.need.currentData() or "") if self.asks_need() else "",
        }

    def _fill_managers(self, kind: SignalType) -> None:
        """Any wealth manager (chosen), then each desk the handoff may name, with who is
        there and whether they are busy; a desk whose person is away cannot be chosen
        (the hub refuses an offer to them, :func:`app.domain.policy.offer_refusal`)."""
        self.target.clear()
        self.target.addItem(tr("Any wealth manager"), "")
        for st in self.model.offer_choices(kind.code):
            self.target.addItem(manager_text(self.model, st.id), st.id)
            if self.model.availability_of(st.id) is Availability.AWAY:
                items = self.target.model()
                assert isinstance(items, QStandardItemModel)  # a QComboBox's own
                items.item(self.target.count() - 1).setEnabled(False)
        self.target.setCurrentIndex(0)

    def _fill_targets(self, kind: SignalType) -> None:
        """The stations ``kind`` may go to (the policy's), who is there and how they are;
        the first that can take a customer now (staffed, online, open) is chosen."""
        model = self.model
        state, branch, lang = model.state, model.branch, model.lang
        self.target.clear()
        best = -1
        for st in policy.destinations(branch, kind.code):
            if st.id == model.station.id:
                continue  # never offered to send to oneself
            who = state.staff_of(st.id)
            rec = state.counters.get(st.id)
            parts = [f"{st.id} {st.name.get(lang)}"]
            parts.append(staff_name(branch, who, lang) if who else tr("nobody"))
            if rec is not None:
                parts.append(status_text(rec.status))
            if not state.presence.get(st.id):
                parts.append(tr("Offline"))
            self.target.addItem(" · ".join(parts), st.id)
            usable = (
                bool(who)
                and bool(state.presence.get(st.id))
                and (rec is None or rec.status is CounterStatus.OPEN)
            )
            if best < 0 and usable:
                best = self.target.count() - 1
        self.target.setCurrentIndex(max(0, best))


class RaiseDialog(QDialog):
    """The small form a handoff (need, note, ticket) or a to-station call needs. Enter sends."""

    def __init__(
        self, model: StationModel, kind: SignalType, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName("raiseDialog")
        self.setWindowTitle(signal_label(model.branch, kind.code, model.lang))
        self.setFont(scaled_font(1.2))
        self.form = RaiseForm(model, self)
        self.form.start(kind)
        self.target = self.form.target if self.form.asks_target() else None
        self.need = self.form.need if self.form.asks_need() else None
        self.ticket = self.form.ticket if self.form.asks_ticket() else None
        self.note = self.form.note
        layout = QVBoxLayout(self)
        rows = QFormLayout()
        layout.addLayout(rows)
        if self.target is not None:
            self.target.setObjectName("targetCombo")
            rows.addRow(self.tr("&To:"), self.target)
        if self.need is not None:
            self.need.setObjectName("needCombo")
            rows.addRow(self.tr("&Need:"), self.need)
        self.note.setObjectName("noteEdit")
        self.note.setPlaceholderText(self.tr("Optional"))
        rows.addRow(self.tr("N&ote:"), self.note)
        if self.ticket is not None:
            self.ticket.setObjectName("ticketEdit")
            self.ticket.setPlaceholderText(self.tr("Customer's queue ticket, optional"))
            rows.addRow(self.tr("&Ticket no.:"), self.ticket)
        buttons = QDialogButtonBox(self)
        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.target is not None and self.target.count() == 0:
            self.send_button.setEnabled(False)
        (self.target or self.need or self.note).setFocus()

    def fields(self) -> dict[str, str]:
        """Keyword arguments for ``StationModel.raise_signal``."""
        return self.form.fields()
