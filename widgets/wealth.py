"""WealthView: a wealth manager's handoff inbox and today's referred customers.

A handoff (转介理财客户, 贵宾到店) is accepted, declined with a reason (the domain then
offers it to the other wealth managers) or closed with an outcome: served (with an
optional product and note) or no-show. Counter-help requests from the branch head
(支援柜台) are claimed and marked done. Which of these the buttons offer is the branch's
policy (:meth:`StationModel.acts`).

The wealth manager sets their availability (available / with a customer / away) with
three buttons above the inbox; tellers and the lobby see it where they choose whom to
offer a customer to, and an offer naming someone away is refused (issue 12).
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import policy
from app.domain.config import SignalType
from app.domain.policy import Act
from app.domain.roles import Availability, Outcome, SignalState
from app.domain.state import SignalRecord
from app.domain.timeday import day_start_ms, local_time
from widgets.common import (
    fmt_age,
    outcome_text,
    priority_colour,
    reason_label,
    scaled_font,
    signal_label,
    staff_name,
    station_name,
)
from widgets.dialogs import ReasonDialog, availability_text
from widgets.model import StationModel
from widgets.plain import plain_labels, plain_tip
from widgets.request_inbox import ID_ROLE, RequestInbox

MUTED = QColor("#78909c")


class WealthView(RequestInbox):
    """Handoff inbox (accept / decline / outcome), counter-help requests, today's customers."""

    PRODUCTS = True
    INBOX_COLUMNS = 6
    COL_REQUEST, COL_NEED, COL_TICKET, COL_FROM, COL_AGE, COL_STATE = range(INBOX_COLUMNS)

    def __init__(self, model: StationModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self._day_start = 0
        self.setObjectName("wealthView")
        self.setFont(scaled_font(1.2))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(self._build_availability())
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_inbox())
        splitter.addWidget(self._build_today())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter)

        self._shortcut(("Return", "Enter"), self.accept_selected)
        self._shortcut(("Ctrl+Return", "Ctrl+Enter"), self.finish_selected)
        self._shortcut(("Delete",), self.request_decline)
        model.availability_changed.connect(self._on_availability_changed)
        self._start()
        self._show_availability()

        # Building ----------------------------------------------------------------------------
        plain_labels(self)

    def _build_availability(self) -> QHBoxLayout:
        """Three buttons, one pressed: what tellers and the lobby see of this desk."""
        row = QHBoxLayout()
        label = QLabel(self.tr("I am:"), self)
        label.setObjectName("availabilityLabel")
        row.addWidget(label)
        self.availability_group = QButtonGroup(self)
        self.availability_group.setExclusive(True)
        self.availability_buttons: dict[Availability, QPushButton] = {}
        colours = {
            Availability.AVAILABLE: "#2e7d32",
            Availability.BUSY: "#ef6c00",
            Availability.AWAY: "#546e7a",
        }
        for availability in Availability:
            button = QPushButton(availability_text(availability), self)
            button.setObjectName(f"availability_{availability.value}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Enter belongs to the inbox
            button.setMinimumHeight(34)
            button.setStyleSheet(
                f"QPushButton:checked {{ background: {colours[availability]}; color: white;"
                " font-weight: bold; }"
            )
            button.clicked.connect(partial(self.set_availability, availability))
            self.availability_group.addButton(button)
            self.availability_buttons[availability] = button
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _build_inbox(self) -> QGroupBox:
        group = QGroupBox(self.tr("Referrals and requests"), self)
        group.setObjectName("inboxGroup")
        layout = QVBoxLayout(group)
        layout.setContentsMargins(6, 6, 6, 6)
        self.inbox = self._build_table(
            group,
            "inboxList",
            [
                self.tr("Request"),
                self.tr("Need"),
                self.tr("Ticket"),
                self.tr("Referred by"),
                self.tr("Age"),
                self.tr("Status"),
            ],
            self.COL_FROM,
            90,
        )
        self.inbox.itemDoubleClicked.connect(self.accept_selected)
        layout.addWidget(self.inbox, 1)

        self.detail = QLabel(group)
        self.detail.setObjectName("detailLabel")
        self.detail.setWordWrap(True)
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.detail)

        row = QHBoxLayout()
        self.accept_button = QPushButton(group)
        self.accept_button.setObjectName("acceptButton")
        self.accept_button.clicked.connect(self.accept_selected)
        self.decline_button = QPushButton(self.tr("Decline… (Del)"), group)
        self.decline_button.setObjectName("declineButton")
        self.decline_button.setToolTip(
            self.tr("Decline with a reason; the referral goes to the other wealth managers")
        )
        self.decline_button.clicked.connect(self.request_decline)
        self.finish_button = QPushButton(group)
        self.finish_button.setObjectName("finishButton")
        self.finish_button.clicked.connect(self.finish_selected)
        for button in (self.accept_button, self.decline_button, self.finish_button):
            button.setMinimumHeight(40)
            button.setFont(scaled_font(1.25, bold=True))
            row.addWidget(button)
        layout.addLayout(row)
        return group

    def _build_today(self) -> QGroupBox:
        group = QGroupBox(self.tr("Today's customers"), self)
        group.setObjectName("todayGroup")
        self.today_group = group
        layout = QVBoxLayout(group)
        layout.setContentsMargins(6, 6, 6, 6)
        self.today = QTreeWidget(group)
        self.today.setObjectName("todayList")
        self.today.setRootIsDecorated(False)
        self.today.setUniformRowHeights(True)
        self.today.setHeaderLabels(
            [
                self.tr("Time"),
                self.tr("Request"),
                self.tr("Need"),
                self.tr("Outcome"),
                self.tr("Product"),
                self.tr("Ticket"),
                self.tr("Referred by"),
            ]
        )
        header = self.today.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.today.setMinimumHeight(70)
        layout.addWidget(self.today, 1)
        return group

    # Queries -----------------------------------------------------------------------------
    def kind(self, sig: SignalRecord) -> SignalType | None:
        return self.model.branch.signal_type(sig.code)

    def mine(self, sig: SignalRecord) -> bool:
        """Claimed (accepted) by this station."""
        return sig.state is not SignalState.OPEN and sig.acked_station == self.model.station.id

    def todays_customers(self) -> list[SignalRecord]:
        """Handoffs this station closed today (branch time), newest first."""
        start = day_start_ms(self.model.hub_now_ms(), self.model.branch.timezone)
        me = self.model.station.id
        done = [
            s
            for s in self.model.state.signals.values()
            if s.state is SignalState.RESOLVED
            and s.resolved_station == me
            and (s.resolved_ms or 0) >= start
            and (kind := self.kind(s)) is not None
            and kind.handoff
        ]
        return sorted(done, key=lambda s: (s.resolved_ms or 0, s.id), reverse=True)

    def availability(self) -> Availability | None:
        return self.model.availability_of(self.model.station.id)

    # Actions -------------------------------------------------------------------------------
    def set_availability(self, availability: Availability) -> None:
        """Say whether this desk can take a customer now (nothing sent if unchanged)."""
        if availability is not self.availability():
            self.model.set_availability(availability)
        self._show_availability()  # the pressed button follows the journal, not the click

    def _show_availability(self) -> None:
        now = self.availability()
        for availability, button in self.availability_buttons.items():
            button.setChecked(availability is now)

    def _on_availability_changed(self, station: str) -> None:
        if station == self.model.station.id:
            self._show_availability()

    def accept_selected(self) -> None:
        """Accept the selected referral (or claim a request): first claim wins."""
        self.claim_selected()

    def request_decline(self) -> None:
        """Ask for the reason, then decline the selected referral."""
        sig = self.selected()
        if sig is None or Act.DECLINE not in self.model.acts(sig):
            return
        me = self.model.station.id
        others = [
            st
            for st in policy.takers(self.model.branch, sig)
            if st.id != me
            and not sig.declined_by(st.id)
            and self.model.availability_of(st.id) is not Availability.AWAY
        ]
        if not others:  # offered to this desk by name, or the last one who could take it
            prompt = self.tr(
                "Why can you not take this customer? It goes back to {who}, who may offer "
                "it to someone else."
            ).format(who=self._referrer(sig))
        else:
            prompt = self.tr(
                "Why can you not take this customer? It goes to the other wealth managers."
            )
        dialog = ReasonDialog(
            self.tr("Decline the referral"),
            prompt,
            self.model.branch.config.decline_reasons,
            self.model.lang,
            self.tr("Decline"),
            self,
        )
        dialog.setObjectName("declineDialog")
        self.dialogs.open(dialog, partial(self._decline_from, sig.id, dialog))

    def _decline_from(self, signal_id: int, dialog: ReasonDialog) -> None:
        self.decline(signal_id, dialog.reason())

    def decline(self, signal_id: int, reason: str) -> bool:
        """Decline with ``reason``; without one nothing is sent (returns False)."""
        if not reason:
            return False
        self.model.decline(signal_id, reason)
        return True

    def finish_selected(self) -> None:
        """A handoff: ask for the outcome (and product). A request: mark it done."""
        self.resolve_selected()

    # Rendering ---------------------------------------------------------------------------
    def refresh(self) -> None:
        super().refresh()
        self._fill_today()

    def _fill_today(self) -> None:
        branch, lang, tz = self.model.branch, self.model.lang, self.model.branch.timezone
        self._day_start = day_start_ms(self.model.hub_now_ms(), tz)
        customers = self.todays_customers()
        self.today.clear()
        for sig in customers:
            product = reason_label(branch.config.products, sig.product, lang) if sig.product else ""
            item = QTreeWidgetItem(
                [
                    local_time(sig.resolved_ms or 0, tz).strftime("%H:%M"),
                    signal_label(branch, sig.code, lang),
                    reason_label(branch.config.needs, sig.need, lang) if sig.need else "",
                    outcome_text(sig.outcome),
                    product,
                    sig.ticket,
                    self._referrer(sig),
                ]
            )
            item.setData(0, ID_ROLE, sig.id)
            if sig.result_note:
                for col in range(item.columnCount()):
                    item.setToolTip(col, plain_tip(sig.result_note))
            self.today.addTopLevelItem(item)
        served = sum(1 for s in customers if s.outcome == Outcome.SERVED.value)
        self.today_group.setTitle(
            self.tr("Today's customers: %n served", "", served)
            + " · "
            + self.tr("%n no-show(s)", "", len(customers) - served)
        )

    def _referrer(self, sig: SignalRecord) -> str:
        branch, lang = self.model.branch, self.model.lang
        where = station_name(branch, sig.station, lang)
        who = staff_name(branch, sig.staff, lang) if sig.staff else ""
        return f"{who} · {where}" if who else where

    def _state_text(self, sig: SignalRecord) -> str:
        branch, lang = self.model.branch, self.model.lang
        who = staff_name(branch, sig.acked_staff, lang) or station_name(
            branch, sig.acked_station, lang
        )
        if sig.state is SignalState.OPEN:
            if sig.to == self.model.station.id:
                return self.tr("New · for you")
            return self.tr("New · offered again") if sig.declines else self.tr("New")
        if self.mine(sig):
            return self.tr("Accepted by you")
        return self.tr("Taken by {who}").format(who=who)

    def _paint_row(self, item: QTreeWidgetItem, sig: SignalRecord, now_ms: int) -> None:
        branch, lang = self.model.branch, self.model.lang
        texts = [
            signal_label(branch, sig.code, lang),
            reason_label(branch.config.needs, sig.need, lang) if sig.need else "",
            sig.ticket,
            self._referrer(sig),
            fmt_age(now_ms - sig.raised_ms),
            self._state_text(sig),
        ]
        for col, text in enumerate(texts):
            item.setText(col, text)
        taken = sig.state is not SignalState.OPEN and not self.mine(sig)
        colour = MUTED if taken else QColor("#263238")
        for col in range(self.INBOX_COLUMNS):
            item.setForeground(col, QBrush(colour))
        if not taken:
            urgency = priority_colour(policy.priority(branch, sig.code))
            item.setForeground(self.COL_REQUEST, QBrush(urgency))
        font = QFont(self.inbox.font())
        font.setBold(sig.state is SignalState.OPEN)
        item.setFont(self.COL_REQUEST, font)
        if sig.note:
            item.setToolTip(self.COL_REQUEST, plain_tip(sig.note))

    def _show_detail(self) -> None:
        sig = self.selected()
        if sig is None:
            self.detail.setText(self.tr("Nothing waiting."))
            return
        branch, lang = self.model.branch, self.model.lang
        parts = []
        if sig.note:
            parts.append(self.tr("Note: {note}").format(note=sig.note))
        for decision in sig.declines:
            who = staff_name(branch, decision.staff, lang) or station_name(
                branch, decision.station, lang
            )
            reason = reason_label(branch.config.decline_reasons, decision.reason, lang)
            parts.append(self.tr("Declined by {who}: {reason}").format(who=who, reason=reason))
        self.detail.setText("\n".join(parts) if parts else self.tr("No note."))

    def _update_actions(self) -> None:
        sig = self.selected()
        kind = self.kind(sig) if sig is not None else None
        handoff = kind is not None and kind.handoff
        self.accept_button.setText(
            self.tr("Accept (Enter)") if handoff or kind is None else self.tr("Claim (Enter)")
        )
        self.finish_button.setText(
            self.tr("Outcome… (Ctrl+Enter)")
            if handoff or kind is None
            else self.tr("Done (Ctrl+Enter)")
        )
        acts = self.acts()
        self.accept_button.setEnabled(Act.CLAIM in acts)
        self.decline_button.setEnabled(Act.DECLINE in acts)
        self.decline_button.setVisible(kind is None or handoff)
        self.finish_button.setEnabled(Act.RESOLVE in acts)
        self._show_detail()

    def _concerns(self, sig: SignalRecord) -> bool:
        return super()._concerns(sig) or sig.resolved_station == self.model.station.id

    # Slots -------------------------------------------------------------------------------
    def _on_tick(self) -> None:
        super()._on_tick()
        if day_start_ms(self.model.hub_now_ms(), self.model.branch.timezone) != self._day_start:
            self._fill_today()
