"""CallsModel: the lobby desk's calls as a Qt list model, one SignalRecord per row.

The view gives the rows already in the branch's order (:func:`app.domain.policy.waiting_first_key`);
the model only holds them for the list and its delegate.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.domain.state import SignalRecord

SIGNAL_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's SignalRecord (in the calls list) or signal id (in My signals)."""


class CallsModel(QAbstractListModel):
    """The calls shown in the lobby list: a plain list of SignalRecords, one per row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SignalRecord] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        sig = self.rows[index.row()]
        if role == SIGNAL_ROLE:
            return sig
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{sig.code} {sig.station} #{sig.id}"
        return None

    def set_rows(self, rows: list[SignalRecord]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def ages_changed(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0), self.index(len(self.rows) - 1))
