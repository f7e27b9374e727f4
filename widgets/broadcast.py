"""Broadcasts on screen: the banner a receiving station acknowledges, the sender's form,
and the sender's tally of who has read it.

A broadcast (十分钟后开晨会) is a short line from the lobby manager or the branch head
to every station or one zone. It stands above the role view as a banner, the oldest
first, until someone at the station presses OK, which is the acknowledgement the hub
journals; a new one also asks for the gentle reminder sound. The sender sees, per
broadcast, how many stations acknowledged. Who may send, where and how long is the
branch's rule (app.domain.policy): the form only offers what the hub accepts.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import policy
from app.domain.state import BroadcastRecord
from widgets.common import scaled_font, staff_name, station_name
from widgets.model import StationModel
from widgets.plain import plain_labels

TALLY_SHOWN = 3
"""The sender's latest broadcasts shown with their tally."""


def sender_name(model: StationModel, sent: BroadcastRecord) -> str:
    branch, lang = model.branch, model.lang
    name = station_name(branch, sent.station, lang)
    return f"{name} · {staff_name(branch, sent.staff, lang)}" if sent.staff else name


class BroadcastBanner(QFrame):
    """The oldest broadcast this station has not acknowledged, with an OK button."""

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("broadcastBanner")
        self.setStyleSheet(
            "QFrame#broadcastBanner { background: #fff8e1; border-bottom: 2px solid #f9a825; }"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        self.text = QLabel(self)
        self.text.setObjectName("broadcastText")
        self.text.setWordWrap(True)
        self.text.setFont(scaled_font(1.3, bold=True))
        row.addWidget(self.text, 1)
        self.ok_button = QPushButton(self.tr("OK, read"), self)
        self.ok_button.setObjectName("broadcastOk")
        self.ok_button.setMinimumHeight(36)
        self.ok_button.clicked.connect(self.acknowledge)
        row.addWidget(self.ok_button)
        self.current: int | None = None
        self._reminded: set[int] = set()
        model.broadcast_changed.connect(self.refresh)
        model.state_reset.connect(self.refresh)
        self.refresh()

    def waiting(self) -> list[BroadcastRecord]:
        me = self.model.station.id
        found = [b for b in self.model.state.broadcasts.values() if b.waiting_at(me)]
        return sorted(found, key=lambda b: b.id)

    def refresh(self, *_args: object) -> None:
        waiting = self.waiting()
        if not waiting:
            self.current = None
            self.hide()
            return
        first = waiting[0]
        self.current = first.id
        text = self.tr("Broadcast from {who}: {text}").format(
            who=sender_name(self.model, first), text=first.text
        )
        if len(waiting) > 1:
            text += "  " + self.tr("(+%n more)", "", len(waiting) - 1)
        self.text.setText(text)
        self.text.setToolTip(first.text)
        self.show()
        for sent in waiting:
            if sent.id not in self._reminded:
                self._reminded.add(sent.id)
                self.model.remind(sent.text)

    def acknowledge(self) -> None:
        """Say this station read the broadcast shown (the banner goes when the hub has it)."""
        if self.current is not None:
            self.model.ack_broadcast(self.current)


class BroadcastDialog(QDialog):
    """Write a broadcast: one short line, to every station or to one zone."""

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("broadcastDialog")
        self.setWindowTitle(self.tr("Broadcast to the stations"))
        self.setFont(scaled_font(1.2))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("broadcastEdit")
        self.text_edit.setMaxLength(policy.MAX_BROADCAST)
        self.text_edit.setPlaceholderText(self.tr("e.g. Morning meeting in ten minutes"))
        self.text_edit.setMinimumWidth(self.fontMetrics().averageCharWidth() * 40)
        form.addRow(self.tr("Message:"), self.text_edit)
        self.zone_box = QComboBox(self)
        self.zone_box.setObjectName("broadcastZone")
        self.zone_box.addItem(self.tr("All stations"), "")
        for zone in model.branch.config.zones:
            if policy.broadcast_recipients(model.branch, model.station, zone.id):
                self.zone_box.addItem(zone.label.get(model.lang), zone.id)
        form.addRow(self.tr("To:"), self.zone_box)
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("broadcastSend")
        self.send_button.setDefault(True)
        self.send_button.setEnabled(False)
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.text_edit.textChanged.connect(self._on_text)
        self.text_edit.setFocus()
        plain_labels(self)

    def text(self) -> str:
        return self.text_edit.text().strip()

    def zone(self) -> str:
        return str(self.zone_box.currentData() or "")

    def accept(self) -> None:
        if not self.text():
            return
        super().accept()

    def _on_text(self) -> None:
        self.send_button.setEnabled(bool(self.text()))


class BroadcastTally(QFrame):
    """The sender's latest broadcasts today and how many stations acknowledged each."""

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setObjectName("broadcastTally")
        self.setStyleSheet("QFrame#broadcastTally { background: #f1f8e9; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(2)
        self.lines: list[QLabel] = []
        self._layout = layout
        model.broadcast_changed.connect(self.refresh)
        model.state_reset.connect(self.refresh)
        self.refresh()

    def mine(self) -> list[BroadcastRecord]:
        me = self.model.station.id
        sent = [b for b in self.model.state.broadcasts.values() if b.station == me]
        return sorted(sent, key=lambda b: b.id, reverse=True)[:TALLY_SHOWN]

    def texts(self) -> list[str]:
        return [
            self.tr("Sent “{text}” · {acked}/{total} acknowledged").format(
                text=b.text, acked=len(b.acks), total=len(b.recipients)
            )
            for b in self.mine()
        ]

    def waiting_tip(self, sent: BroadcastRecord) -> str:
        """Who has not acknowledged ``sent`` yet (the line's tooltip)."""
        branch, lang = self.model.branch, self.model.lang
        names = [station_name(branch, s, lang) for s in sent.recipients if s not in sent.acks]
        if not names:
            return self.tr("Every station acknowledged")
        sep = "、" if lang.startswith("zh") else ", "  # a Chinese list takes the enumeration comma
        return self.tr("Not yet acknowledged: {stations}").format(stations=sep.join(names))

    def refresh(self, *_args: object) -> None:
        texts = self.texts()
        while len(self.lines) < len(texts):
            label = QLabel(self)
            label.setObjectName("broadcastTallyLine")
            self._layout.addWidget(label)
            self.lines.append(label)
        for label, text, sent in zip(self.lines, texts, self.mine(), strict=False):
            label.setText(text)
            label.setToolTip(self.waiting_tip(sent))
        for index, label in enumerate(self.lines):
            label.setVisible(index < len(texts))
        self.setVisible(bool(texts))
