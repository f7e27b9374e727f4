"""The teller's counter-status questions: how long a pause is expected to last, and
whether to end service while calls or customers are still open.

The words say what happens to the *service* (暂停对外服务, 结束本窗口营业), never
"close": at a counter, 关闭窗口 reads as "close this window" of the program. Both are
asked through the view's DialogHost (window-modal, non-blocking), like every question a
view asks. Ending service asks only when something is still open, as mail clients ask
before quitting with a message unsent and not otherwise; the safe answer (keep serving)
is the default, so a stray Enter changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import policy
from app.domain.config import Reason
from widgets.common import fmt_age, scaled_font, tr
from widgets.dialogs import ReasonDialog
from widgets.plain import plain_labels


def pause_action_text() -> str:
    return tr("Pause service…")


def close_action_text() -> str:
    return tr("End service…")


def resume_action_text() -> str:
    return tr("Resume service")


class PauseDialog(ReasonDialog):
    """Why the counter pauses (required), and for how long (optional: 5, 10, 15, 30 min)."""

    def __init__(self, reasons: Sequence[Reason], lang: str, parent: QWidget | None = None) -> None:
        super().__init__(
            tr("Pause counter service"),
            tr("Why is the counter pausing?"),
            reasons,
            lang,
            tr("Pause"),
            parent,
        )
        self.setObjectName("pauseDialog")
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        label = QLabel(tr("Expected length (optional):"), self)
        layout.insertWidget(layout.count() - 1, label)
        row = QHBoxLayout()
        self.lengths = QButtonGroup(self)
        self.lengths.setExclusive(True)
        for minutes in (0, *policy.PAUSE_LENGTHS_MIN):
            text = tr("Not sure") if not minutes else tr("%n min", "", minutes)
            button = QPushButton(text, self)
            button.setObjectName(f"pauseLength{minutes}")
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setChecked(minutes == 0)
            self.lengths.addButton(button, minutes)
            row.addWidget(button)
        layout.insertLayout(layout.count() - 1, row)
        plain_labels(self)

    def expected_min(self) -> int:
        """The chosen expected length in minutes (0: not said)."""
        return max(0, self.lengths.checkedId())

    def set_expected(self, minutes: int) -> None:
        button = self.lengths.button(minutes)
        if button is not None:
            button.setChecked(True)


class EndServiceDialog(QDialog):
    """Are you sure? Asked before ending service with ``calls`` of this counter's own
    calls and ``customers`` sent to it still open."""

    def __init__(self, calls: int, customers: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("endServiceDialog")
        self.setWindowTitle(tr("End counter service?"))
        self.setFont(scaled_font(1.2))
        layout = QVBoxLayout(self)
        parts = []
        if calls:
            parts.append(tr("%n call(s) of this counter are still open.", "", calls))
        if customers:
            parts.append(tr("%n customer(s) sent to this counter are still open.", "", customers))
        parts.append(tr("End service at this counter anyway? The program stays open."))
        self.message = QLabel("\n".join(parts), self)
        self.message.setObjectName("endServiceText")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.keep_button = QPushButton(tr("Keep serving"), self)
        self.keep_button.setObjectName("keepServingButton")
        self.keep_button.setDefault(True)
        self.keep_button.clicked.connect(self.reject)
        self.end_button = QPushButton(tr("End service"), self)
        self.end_button.setObjectName("endServiceButton")
        self.end_button.setAutoDefault(False)
        self.end_button.clicked.connect(self.accept)
        row.addWidget(self.keep_button)
        row.addWidget(self.end_button)
        layout.addLayout(row)
        self.keep_button.setFocus()
        plain_labels(self)


def pause_line(elapsed_ms: int, expected_min: int) -> tuple[str, bool]:
    """The running pause as a teller reads it: (text, whether it is over its length).

    ``12:03``; with a length, ``03:12 / 10 min``; past it, ``12:03 · 02:03 over``.
    """
    clock = fmt_age(elapsed_ms)
    if not expected_min:
        return clock, False
    over_ms = elapsed_ms - expected_min * 60_000
    if over_ms < 0:
        return tr("{clock} of {minutes} min").format(clock=clock, minutes=expected_min), False
    return tr("{clock} · {over} over").format(clock=clock, over=fmt_age(over_ms)), True
