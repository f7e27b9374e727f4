"""The questions a role view asks before it sends: a reason from the branch's list, and
how a handoff ended.

Closing a handoff means choosing its outcome (:func:`app.domain.policy.outcomes`): no
click means "served" without asking. :func:`ask_outcome` is the one way a view closes a
signal: at once when the signal takes no outcome, after an :class:`OutcomeDialog` when
it does; Cancel sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import policy
from app.domain.config import Reason
from app.domain.roles import Availability, Outcome
from app.domain.state import Decision, SignalRecord
from widgets.common import (
    outcome_text,
    reason_label,
    scaled_font,
    signal_label,
    staff_name,
    station_name,
    tr,
)
from widgets.dialog_host import DialogHost
from widgets.model import StationModel
from widgets.plain import plain_labels

ID_ROLE = Qt.ItemDataRole.UserRole

Resolution = Callable[[str, str, str], None]
"""What a view does with a chosen (outcome, product, note): send the resolve."""


class ReasonDialog(QDialog):
    """Pick one reason from the branch's list; OK stays disabled until one is chosen."""

    def __init__(
        self,
        title: str,
        prompt: str,
        reasons: Sequence[Reason],
        lang: str,
        ok_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title)
        self.setFont(scaled_font(1.2))
        layout = QVBoxLayout(self)
        label = QLabel(prompt, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.reasons = QListWidget(self)
        self.reasons.setObjectName("reasonList")
        for reason in reasons:
            item = QListWidgetItem(reason.label.get(lang))
            item.setData(ID_ROLE, reason.code)
            self.reasons.addItem(item)
        # No reason is preselected, and the first Down arrow picks the first one.
        # (an explicit invalid current index stops the view choosing row 0 on focus).
        self.reasons.setCurrentIndex(QModelIndex())
        self.reasons.itemDoubleClicked.connect(self.accept)
        layout.addWidget(self.reasons, 1)
        label.setBuddy(self.reasons)
        buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(ok_text, self)
        self.ok_button.setObjectName("okButton")
        self.ok_button.setDefault(True)
        self.ok_button.setEnabled(False)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reasons.currentItemChanged.connect(self._on_current_changed)
        self.reasons.setFocus()
        plain_labels(self)

    def reason(self) -> str:
        """The chosen reason's code ('' if none)."""
        item = self.reasons.currentItem()
        return str(item.data(ID_ROLE)) if item is not None and item.isSelected() else ""

    def select(self, code: str) -> None:
        for row in range(self.reasons.count()):
            if self.reasons.item(row).data(ID_ROLE) == code:
                self.reasons.setCurrentRow(row)

    def accept(self) -> None:
        if not self.reason():
            return  # no reason, no pause / decline: the rule of the branch
        super().accept()

    def _on_current_changed(self) -> None:
        self.ok_button.setEnabled(bool(self.reason()))


class OutcomeDialog(QDialog):
    """How a handoff ended, one of the outcomes the branch allows (served, no-show), with
    a note, and the product sold when ``products`` is set (the wealth manager's). Enter
    records it."""

    def __init__(
        self,
        model: StationModel,
        sig: SignalRecord,
        parent: QWidget | None = None,
        *,
        products: bool = False,
    ) -> None:
        super().__init__(parent)
        self.signal_id = sig.id
        branch, lang = model.branch, model.lang
        self.setObjectName("outcomeDialog")
        self.setWindowTitle(self.tr("Outcome of the referral"))
        self.setFont(scaled_font(1.2))
        layout = QVBoxLayout(self)
        about = signal_label(branch, sig.code, lang)
        if sig.ticket:
            about += " · " + self.tr("ticket {ticket}").format(ticket=sig.ticket)
        layout.addWidget(QLabel(about, self))

        labels = {Outcome.SERVED: self.tr("&Served"), Outcome.NO_SHOW: self.tr("&No-show")}
        self.choices: dict[str, QRadioButton] = {}
        group = QButtonGroup(self)
        row = QHBoxLayout()
        for outcome in policy.outcomes(branch, sig.code):
            button = QRadioButton(labels.get(outcome) or outcome_text(outcome), self)
            button.setObjectName(f"outcome_{outcome.value}")
            group.addButton(button)
            row.addWidget(button)
            self.choices[outcome.value] = button
        row.addStretch(1)
        layout.addLayout(row)
        first = next(iter(self.choices.values()))
        first.setChecked(True)
        self.served = self.choices.get(Outcome.SERVED.value, first)
        self.no_show = self.choices.get(Outcome.NO_SHOW.value, first)

        form = QFormLayout()
        self.product = QComboBox(self)
        self.product.setObjectName("productCombo")
        self.product.addItem(self.tr("No product"), "")
        for product in branch.config.products:
            self.product.addItem(product.label.get(lang), product.code)
        if products:
            form.addRow(self.tr("&Product:"), self.product)
        else:
            self.product.hide()
        self.note = QLineEdit(self)
        self.note.setObjectName("outcomeNote")
        self.note.setMaxLength(policy.MAX_NOTE)
        self.note.setPlaceholderText(self.tr("Optional"))
        form.addRow(self.tr("N&ote:"), self.note)
        layout.addLayout(form)
        self.served.toggled.connect(self._on_served_toggled)

        buttons = QDialogButtonBox(self)
        self.record_button = QPushButton(self.tr("Record outcome"), self)
        self.record_button.setObjectName("recordButton")
        self.record_button.setDefault(True)
        buttons.addButton(self.record_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._with_products = products
        first.setFocus()
        plain_labels(self)

    def outcome(self) -> str:
        return next(code for code, button in self.choices.items() if button.isChecked())

    def values(self) -> tuple[str, str, str]:
        """(outcome, product, note) for ``StationModel.resolve``: a product only when served."""
        outcome, note = self.outcome(), self.note.text().strip()
        product = ""
        if self._with_products and outcome == Outcome.SERVED.value:
            product = str(self.product.currentData() or "")
        return outcome, product, note

    def _on_served_toggled(self, on: bool) -> None:
        self.product.setEnabled(on)


def ask_outcome(
    host: DialogHost,
    model: StationModel,
    sig: SignalRecord,
    parent: QWidget,
    resolve: Resolution,
    *,
    products: bool = False,
) -> None:
    """Close ``sig``: ``resolve("", "", "")`` at once when it takes no outcome; otherwise
    ask in an :class:`OutcomeDialog` and call ``resolve`` with the person's choice (never
    when they cancel)."""
    if not policy.needs_outcome(model.branch, sig.code):
        resolve("", "", "")
        return
    dialog = OutcomeDialog(model, sig, parent, products=products)
    host.open(dialog, lambda: resolve(*dialog.values()))


# Loops closed (issue 12): offers to a wealth manager, their availability -----------------
def availability_text(availability: Availability | None) -> str:
    """A wealth manager's availability in a few words ('' for a station without one)."""
    if availability is None:
        return ""
    return {
        Availability.AVAILABLE: tr("Available"),
        Availability.BUSY: tr("With a customer"),
        Availability.AWAY: tr("Away"),
    }[availability]


def manager_text(model: StationModel, station_id: str) -> str:
    """A wealth manager's desk as a choice reads: "理财1 · 孙丽 · 接待客户中"."""
    branch, lang = model.branch, model.lang
    who = model.state.staff_of(station_id)
    parts = [station_name(branch, station_id, lang)]
    parts.append(staff_name(branch, who, lang) if who else tr("nobody"))
    availability = model.availability_of(station_id)
    if availability is not None and availability is not Availability.AVAILABLE:
        parts.append(availability_text(availability))
    return " · ".join(parts)


def decline_text(model: StationModel, decision: Decision) -> str:
    """ "孙丽 declined: 正在服务其他客户" (the reason's label from the branch's list)."""
    branch, lang = model.branch, model.lang
    who = staff_name(branch, decision.staff, lang) or station_name(branch, decision.station, lang)
    reason = reason_label(branch.config.decline_reasons, decision.reason, lang)
    return tr("{who} declined: {reason}").format(who=who, reason=reason)


def offer_text(model: StationModel, sig: SignalRecord) -> tuple[str, bool] | None:
    """What the raiser of an open handoff is told of its offer, and whether it is an
    alarm (nobody can take it): who declined and why, who it is offered to and whether
    they are busy. None: nothing to add (not an open handoff, or claimed)."""
    if not sig.open or policy.serving_role(model.branch, sig.code) is None:
        return None
    if sig.acked_station:
        return None
    decline = sig.last_decline
    if model.nobody_can_take(sig):
        why = nobody_why(model, sig)
        return tr("⚠ Nobody can take it: {why} · offer it again").format(why=why), True
    if decline is not None:
        return decline_text(model, decline) + " · " + tr("offered to the others"), False
    if sig.to:
        return tr("Offered to {who}").format(who=manager_text(model, sig.to)), False
    return None


def nobody_why(model: StationModel, sig: SignalRecord) -> str:
    """Why nobody can take ``sig``: the newest decline, or who is away."""
    decline = sig.last_decline
    if sig.to and not sig.declined_by(sig.to):
        return tr("{who} is away").format(who=manager_text(model, sig.to))
    if decline is None:
        return tr("every wealth manager is away")
    return decline_text(model, decline)


class ReofferDialog(QDialog):
    """Offer a handoff again: to one wealth manager (their desk, who is there, whether
    they are with a customer) or to any. A desk whose person is away cannot be chosen:
    the hub would refuse it (:func:`app.domain.policy.offer_refusal`)."""

    def __init__(self, model: StationModel, sig: SignalRecord, parent: QWidget | None = None):
        super().__init__(parent)
        self.signal_id = sig.id
        self.setObjectName("reofferDialog")
        self.setWindowTitle(self.tr("Offer the customer again"))
        self.setFont(scaled_font(1.2))
        layout = QVBoxLayout(self)
        about = signal_label(model.branch, sig.code, model.lang)
        if sig.ticket:
            about += " · " + self.tr("ticket {ticket}").format(ticket=sig.ticket)
        layout.addWidget(QLabel(about, self))
        if sig.last_decline is not None:
            why = QLabel(decline_text(model, sig.last_decline), self)
            why.setObjectName("reofferWhy")
            why.setWordWrap(True)
            why.setStyleSheet("color: #c62828;")
            layout.addWidget(why)
        prompt = QLabel(self.tr("&Offer it to:"), self)
        layout.addWidget(prompt)
        self.choices = QListWidget(self)
        self.choices.setObjectName("reofferChoices")
        anyone = QListWidgetItem(self.tr("Any wealth manager"))
        anyone.setData(ID_ROLE, "")
        self.choices.addItem(anyone)
        for station in model.offer_choices(sig.code):
            item = QListWidgetItem(manager_text(model, station.id))
            item.setData(ID_ROLE, station.id)
            if model.availability_of(station.id) is Availability.AWAY:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.choices.addItem(item)
        self.choices.setCurrentRow(0)
        self.choices.itemDoubleClicked.connect(self.accept)
        prompt.setBuddy(self.choices)
        layout.addWidget(self.choices, 1)
        buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(self.tr("Offer"), self)
        self.ok_button.setObjectName("okButton")
        self.ok_button.setDefault(True)
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.choices.setFocus()
        plain_labels(self)

    def target(self) -> str:
        """The chosen desk's station id ('' = any)."""
        item = self.choices.currentItem()
        return str(item.data(ID_ROLE) or "") if item is not None else ""

    def select(self, station_id: str) -> bool:
        for row in range(self.choices.count()):
            item = self.choices.item(row)
            if item.data(ID_ROLE) == station_id and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                self.choices.setCurrentRow(row)
                return True
        return False


def ask_reoffer(host: DialogHost, model: StationModel, sig: SignalRecord, parent: QWidget) -> None:
    """Ask to whom the raiser offers ``sig`` again, then send the re-offer (never when
    they cancel)."""
    dialog = ReofferDialog(model, sig, parent)

    def send() -> None:
        model.reoffer(sig.id, dialog.target())

    host.open(dialog, send)
