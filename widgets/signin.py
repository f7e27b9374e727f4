"""SignInDialog: who is working at this station.

Lists the roster members who may work in the station's role; the hub checks the PIN.
With the hub reachable, the dialog closes when the journal shows the person signed in
here, and shows the hub's reason when it refuses. With the hub away, offline is normal:
the sign-in waits in the outbox like any click, the dialog closes at once, and the
window shows the person as signing in (pending) until the hub answers; a refusal then
shows on the window's status line.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.config import Staff
from widgets.common import rejection_text, role_text, station_name
from widgets.model import StationModel
from widgets.plain import plain_labels

STAFF_ROLE = Qt.ItemDataRole.UserRole


class SignInDialog(QDialog):
    """Pick your name (arrow keys), type a PIN if you have one, Enter.

    ``accept()``-s once the hub has signed the person in at this station, or at once
    when the hub is away (``queued`` is then True: the sign-in waits in the outbox);
    ``staff_id()`` is who it was.
    """

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._msg_id = ""
        self._waiting_for = ""
        self.queued = False
        """The dialog closed with the sign-in still waiting for the hub."""
        where = station_name(model.branch, model.station.id, model.lang)
        self.setObjectName("signInDialog")
        self.setWindowTitle(self.tr("Sign in at {station}").format(station=where))
        font = QFont(QApplication.font())
        font.setPointSizeF(QApplication.font().pointSizeF() * 1.2)
        self.setFont(font)

        layout = QVBoxLayout(self)
        prompt = QLabel(
            self.tr("Who is working at {station} ({role})?").format(
                station=where, role=role_text(model.station.role)
            ),
            self,
        )
        prompt.setWordWrap(True)
        layout.addWidget(prompt)

        self.roster = QListWidget(self)
        self.roster.setObjectName("rosterList")
        for person in self.eligible_staff():
            item = QListWidgetItem(person.name.get(model.lang))
            item.setData(STAFF_ROLE, person.id)
            self.roster.addItem(item)
        current = model.staff
        rows = [self.roster.item(i).data(STAFF_ROLE) for i in range(self.roster.count())]
        if rows:
            self.roster.setCurrentRow(rows.index(current) if current in rows else 0)
        self.roster.itemDoubleClicked.connect(self.submit)
        self.roster.currentItemChanged.connect(self._clear_error)
        layout.addWidget(self.roster, 1)
        prompt.setBuddy(self.roster)

        pin_label = QLabel(self.tr("&PIN (leave empty if you have none)"), self)
        layout.addWidget(pin_label)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("pinEdit")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(32)
        self.pin.textEdited.connect(self._clear_error)
        pin_label.setBuddy(self.pin)
        layout.addWidget(self.pin)

        self.message = QLabel(self)
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)

        buttons = QDialogButtonBox(self)
        self.sign_in_button = QPushButton(self.tr("Sign in"), self)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAutoDefault(True)
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.roster.setFocus()

        model.staff_changed.connect(self._on_staff_changed)
        model.state_reset.connect(self._check_signed_in)
        model.command_rejected.connect(self._on_command_rejected)
        model.connection_changed.connect(self._on_connection_changed)
        plain_labels(self)

    def eligible_staff(self) -> list[Staff]:
        """Roster members who may work in this station's role, in roster order."""
        role = self.model.station.role
        return [p for p in self.model.branch.config.staff if role in p.roles]

    def staff_id(self) -> str:
        """The selected person's id ('' if nobody is selected)."""
        item = self.roster.currentItem()
        return str(item.data(STAFF_ROLE)) if item is not None else ""

    def submit(self) -> None:
        """Ask the hub to sign the selected person in; wait for the journal to say so."""
        staff = self.staff_id()
        if not staff:
            self._show_error(self.tr("Choose your name first."))
            self.roster.setFocus()
            return
        self._waiting_for = staff
        self._msg_id = self.model.sign_in(staff, self.pin.text())
        if self._msg_id and not self.model.connected:
            # The hub is away: the sign-in is kept like any click; work starts now.
            self._waiting_for = ""
            self.queued = True
            self.accept()
            return
        self.sign_in_button.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(
            self.tr("Signing in…")
            if self.model.connected
            else self.tr("Signing in… (waiting for the hub)")
        )
        self.message.show()

    # Slots ---------------------------------------------------------------------------------
    def _on_staff_changed(self, station: str) -> None:
        if station == self.model.station.id:
            self._check_signed_in()

    def _check_signed_in(self) -> None:
        if self._waiting_for and self.model.staff == self._waiting_for:
            self._waiting_for = ""
            self.accept()

    def _on_connection_changed(self, up: bool) -> None:
        if not up and self._waiting_for and self._msg_id:
            # The hub went away while we waited: the sign-in stays queued; work on.
            self._waiting_for = ""
            self.queued = True
            self.accept()

    def _on_command_rejected(self, msg_id: str, code: str, reason: str) -> None:
        if msg_id != self._msg_id:
            return
        self._waiting_for = ""
        self._msg_id = ""
        self.sign_in_button.setEnabled(True)
        self._show_error(rejection_text(code, reason))
        self.pin.clear()
        self.pin.setFocus()

    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #c62828; font-weight: bold;")
        self.message.setText("⚠ " + text)
        self.message.show()

    def _clear_error(self) -> None:
        if not self._waiting_for:
            self.message.hide()
