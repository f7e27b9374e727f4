"""DialogHost: one question at a time for a view, and the link keeps running meanwhile.

A view that asks the person something (a pause reason, a decline reason, a handoff's
outcome, a raise form) hands the dialog to its host. The dialog opens window-modal but
non-blocking (``open()``, never ``exec()``): the event loop, and with it the link to the
hub, keeps running while the person thinks. Opening a second one closes the first;
the host forgets a dialog as soon as it finishes, and Qt deletes it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog


class DialogHost:
    """The dialog a view has open (``active``), at most one.

    The dialog's connections hold the host, never the view's callback: a dialog that Qt
    deletes later must not be what drops the last reference to its parent view (PySide
    would delete the view from inside the dialog's destructor).
    """

    def __init__(self) -> None:
        self.active: QDialog | None = None
        self._on_accept: Callable[[], None] | None = None

    def open(self, dialog: QDialog, on_accept: Callable[[], None]) -> None:
        """Show ``dialog``; ``on_accept`` runs when the person confirms it (not on Cancel)."""
        if self.active is not None:
            self.active.close()
        self.active, self._on_accept = dialog, on_accept
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(partial(self._on_finished, dialog))
        dialog.open()

    def _on_finished(self, dialog: QDialog, result: int) -> None:
        if self.active is not dialog:
            return
        on_accept = self._on_accept
        self.active = self._on_accept = None
        if result == QDialog.DialogCode.Accepted and on_accept is not None:
            on_accept()
