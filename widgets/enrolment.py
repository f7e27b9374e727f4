"""EnrolmentPanel: the branch head approves the station PCs that ask to join the branch.

A new station PC makes its own key and asks the hub to enrol it (``lobbylink enrol``),
showing its key's fingerprint. Here the branch head sees the waiting requests with the
same fingerprint and approves one only when the PC's screen shows it, the way a person
checks an SSH host key's fingerprint. The hub decides who may (the branch head), keeps
the keys and journals every approval; this panel only asks and shows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QFontMetrics, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from widgets.dialog_host import DialogHost
from widgets.model import StationModel

POLL_MS = 5_000
"""How often the waiting requests are asked for while the panel is shown."""


class EnrolmentPanel(QWidget):
    """The waiting enrolment requests, with Approve and Refuse."""

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolmentPanel")
        self.model = model
        self.rows: list[tuple[str, str, int]] = []
        self.dialogs = DialogHost()
        intro = QLabel(
            self.tr(
                "Station PCs asking to join the branch. Approve one only when its screen "
                "shows the same fingerprint."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("enrolmentTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Station"), self.tr("Fingerprint"), self.tr("Asked at")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._fingerprint_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._fingerprint_font.setPointSizeF(self.font().pointSizeF() * 1.5)
        self._fingerprint_font.setBold(True)
        self.table.verticalHeader().setDefaultSectionSize(
            QFontMetrics(self._fingerprint_font).height() + 12
        )
        self.approve_button = QPushButton(self.tr("&Approve…"), self)
        self.approve_button.setObjectName("approveEnrolment")
        self.approve_button.clicked.connect(lambda: self._confirm("approve"))
        self.drop_button = QPushButton(self.tr("&Refuse…"), self)
        self.drop_button.setObjectName("dropEnrolment")
        self.drop_button.clicked.connect(lambda: self._confirm("drop"))
        self.status = QLabel(self)
        self.status.setObjectName("enrolmentStatus")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.drop_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        model.enrolments_ready.connect(self._on_ready)
        model.enrolment_failed.connect(self._on_failed)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.refresh)
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
        self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._timer.stop()

    def refresh(self) -> None:
        self.model.request_enrolments()

    def selected(self) -> tuple[str, str, int] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _station_name(self, station: str) -> str:
        found = self.model.branch.station(station)
        if found is None:
            return station
        return self.tr("{name} ({station})").format(
            name=found.name.get(self.model.lang), station=station
        )

    def _on_ready(self, rows: list[tuple[str, str, int]]) -> None:
        chosen = self.selected()
        self.rows = list(rows)
        zone = ZoneInfo(self.model.branch.timezone)
        self.table.setRowCount(len(self.rows))
        for i, (station, fp, since_ms) in enumerate(self.rows):
            at = datetime.fromtimestamp(since_ms / 1000, UTC).astimezone(zone)
            cells = (self._station_name(station), fp, at.strftime("%m-%d %H:%M"))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:  # what a person compares, character by character
                    item.setFont(self._fingerprint_font)
                self.table.setItem(i, column, item)
            if chosen is not None and chosen[:2] == (station, fp):
                self.table.selectRow(i)
        if not self.rows and not self.status.text():  # never over what was just done
            self.status.setText(self.tr("No station PC is waiting."))
        self._update_buttons()

    def _on_failed(self, _code: str, reason: str) -> None:
        self.status.setText(self.tr("The hub refused: {reason}").format(reason=reason))

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.approve_button.setEnabled(chosen)
        self.drop_button.setEnabled(chosen)

    def _confirm(self, action: str) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        station, fp, _ = chosen
        name = self._station_name(station)
        if action == "approve":
            text = self.tr(
                "Does the screen of {station} show this fingerprint? Approve only if it "
                "does: this PC will then act as {station}."
            ).format(station=name)
        else:
            text = self.tr("Refuse the request of {station} with this fingerprint?").format(
                station=name
            )
        box = QDialog(self)
        box.setObjectName("enrolmentConfirm")
        box.setWindowTitle(self.tr("Station enrolment"))
        question = QLabel(text, box)
        question.setWordWrap(True)
        question.setTextFormat(Qt.TextFormat.PlainText)
        shown = QLabel(fp, box)
        shown.setObjectName("enrolmentFingerprint")
        shown.setFont(self._fingerprint_font)
        shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        answer = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No, box
        )
        answer.accepted.connect(box.accept)  # Yes
        answer.rejected.connect(box.reject)  # No, Esc
        no = answer.button(QDialogButtonBox.StandardButton.No)
        no.setDefault(True)  # Enter alone never approves a key
        no.setFocus()
        form = QVBoxLayout(box)
        form.addWidget(question)
        form.addWidget(shown)
        form.addWidget(answer)
        box.setMinimumWidth(420)

        def done() -> None:
            self.model.request_enrolments(action, station, fp)
            self.status.setText(
                self.tr("{station} approved.").format(station=name)
                if action == "approve"
                else self.tr("The request of {station} was refused.").format(station=name)
            )

        self.dialogs.open(box, done)
