"""StationWindow: the frame every role view sits in.

A header (station, who is signed in, clock, mute, sign in/out), a red banner while the
hub is unreachable (amber while the branch runs on its standby hub), the role view, and a status line that says why the hub refused a
command, so a click never fails silently.
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import log
from app.domain.timeday import local_time
from widgets.broadcast import BroadcastBanner, BroadcastDialog, BroadcastTally
from widgets.common import rejection_text, staff_name, station_name
from widgets.dialog_host import DialogHost
from widgets.model import StationModel
from widgets.plain import plain_labels
from widgets.signin import SignInDialog
from widgets.today import TodayView

STARTUP_GRACE_MS = 3000
"""Not connected this long after the window opened: show the banner (the link needs 3 s
of silence to declare the hub lost, so the first connection gets the same grace)."""
BANNER_COLOURS = {"offline": ("#c62828", "white"), "standby": ("#ffb300", "#3e2723")}
"""The banner's (background, text) colours: red when the hub is unreachable, amber
while the branch runs on its standby hub."""
STATUS_CLEAR_MS = 30_000
"""A rejection stays on the status line this long, or until a later command succeeds."""


class StationWindow(QMainWindow):
    """The main window of a station: header, offline banner, role view, status line.

    Signals:
      mute_toggled(bool): the user muted (True) or unmuted (False) the alert sounds.
    """

    mute_toggled = Signal(bool)

    def __init__(self, model: StationModel, view: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.view = view
        # Commands whose outcome this window must not show (the teller's silent alarm).
        self._quiet: Collection[str] = getattr(view, "quiet_msg_ids", frozenset())
        self._lost = False
        self._uptime = QElapsedTimer()
        self._uptime.start()
        self.sign_in_dialog: SignInDialog | None = None
        self.dialogs = DialogHost()
        """The window's own questions (the broadcast form)."""
        # A public screen shows no staff message; the board (its own big clock) keeps its
        # whole space, without a Today toggle.
        self._staff_screen = not (model.station.public or getattr(view, "public", False))
        self._has_today = self._staff_screen and not getattr(view, "shows_clock", False)

        self.setObjectName("stationWindow")
        self.setWindowTitle(
            self.tr("Lobbylink · {station}").format(
                station=station_name(model.branch, model.station.id, model.lang)
            )
        )
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header())
        layout.addWidget(self._build_banner())
        self.broadcast_banner: BroadcastBanner | None = None
        self.broadcast_tally: BroadcastTally | None = None
        if self._staff_screen:
            self.broadcast_banner = BroadcastBanner(model, central)
            layout.addWidget(self.broadcast_banner)
        if self._staff_screen and model.may_broadcast():
            self.broadcast_tally = BroadcastTally(model, central)
            layout.addWidget(self.broadcast_tally)
        # Today opens beside the role view, not instead of it: the view's keys (a teller's
        # F1) act only while it is on screen.
        self.pages = QSplitter(Qt.Orientation.Horizontal, central)
        self.pages.setObjectName("pages")
        self.pages.setChildrenCollapsible(False)
        view.setParent(self.pages)
        self.pages.addWidget(view)
        self.today_view: TodayView | None = None
        if self._has_today:
            self.today_view = TodayView(model, self.pages)
            self.pages.addWidget(self.today_view)
            self.pages.setStretchFactor(0, 3)
            self.pages.setStretchFactor(1, 2)
            self.today_view.hide()
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self._build_status_line()
        self._fit_to_screen()

        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(STATUS_CLEAR_MS)
        self._status_timer.timeout.connect(self.clear_status)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._on_tick)
        self._clock.start()

        model.connection_changed.connect(self._on_connection_changed)
        model.pair_changed.connect(self._refresh_banner)
        model.state_reset.connect(self._refresh_banner)
        model.command_rejected.connect(self._on_command_rejected)
        model.command_accepted.connect(self._on_command_accepted)
        model.staff_changed.connect(self._on_staff_changed)
        model.state_reset.connect(self._show_staff)
        model.pending_changed.connect(self._show_staff)
        self._show_staff()
        self._on_tick()

        # Building -------------------------------------------------------------------------
        plain_labels(self)

    def _build_header(self) -> QFrame:
        header = QFrame(self)
        header.setObjectName("header")
        header.setFrameShape(QFrame.Shape.StyledPanel)
        header.setStyleSheet("QFrame#header { background: #eceff1; border: none; }")
        row = QHBoxLayout(header)
        row.setContentsMargins(10, 6, 10, 6)
        base = QApplication.font().pointSizeF()

        self.station_label = QLabel(
            station_name(self.model.branch, self.model.station.id, self.model.lang), header
        )
        self.station_label.setObjectName("stationLabel")
        big = QFont(QApplication.font())
        big.setPointSizeF(base * 1.5)
        big.setBold(True)
        self.station_label.setFont(big)
        row.addWidget(self.station_label)

        self.staff_label = QLabel(header)
        self.staff_label.setObjectName("staffLabel")
        mid = QFont(QApplication.font())
        mid.setPointSizeF(base * 1.25)
        self.staff_label.setFont(mid)
        self.staff_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.staff_label, 1)

        self.clock_label = QLabel(header)
        self.clock_label.setObjectName("clockLabel")
        self.clock_label.setFont(mid)
        self.clock_label.setToolTip(self.tr("Branch time"))
        # A view with its own big clock (the board, read from across the room) is not
        # given a second, small one here.
        self.clock_label.setVisible(not getattr(self.view, "shows_clock", False))
        row.addWidget(self.clock_label)

        self.today_button = QPushButton(self.tr("Today"), header)
        self.today_button.setObjectName("todayButton")
        self.today_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the role view
        self.today_button.setCheckable(True)
        self.today_button.setToolTip(
            self.tr("Show the calls handled today; click again to hide them")
        )
        self.today_button.toggled.connect(self.show_today)
        self.today_button.setVisible(self._has_today)
        row.addWidget(self.today_button)

        self.broadcast_button = QPushButton(self.tr("Broadcast…"), header)
        self.broadcast_button.setObjectName("broadcastButton")
        self.broadcast_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.broadcast_button.setToolTip(
            self.tr("Send a short message to all stations or one zone")
        )
        self.broadcast_button.clicked.connect(self.ask_broadcast)
        self.broadcast_button.setVisible(self._staff_screen and self.model.may_broadcast())
        row.addWidget(self.broadcast_button)

        self.mute_button = QToolButton(header)
        self.mute_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the role view
        self.mute_button.setObjectName("muteButton")
        self.mute_button.setCheckable(True)
        self.mute_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.mute_button.toggled.connect(self._on_mute_toggled)
        self._show_mute(False)
        row.addWidget(self.mute_button)

        self.sign_out_button = QPushButton(self.tr("Sign out"), header)
        self.sign_out_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the role view
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.setToolTip(self.tr("Sign out of this station"))
        self.sign_out_button.clicked.connect(self.sign_out)
        row.addWidget(self.sign_out_button)

        self.sign_in_button = QPushButton(self.tr("Sign in…"), header)
        self.sign_in_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the role view
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.clicked.connect(self.ask_sign_in)
        row.addWidget(self.sign_in_button)
        return header

    def _build_banner(self) -> QFrame:
        banner = QFrame(self)
        banner.setObjectName("offlineBanner")
        self._banner_kind = ""
        """What the banner says: "offline" (red), "standby" (amber) or "" (hidden)."""
        row = QHBoxLayout(banner)
        row.setContentsMargins(10, 6, 10, 6)
        icon = QLabel(banner)
        icon.setObjectName("offlineIcon")
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_LargeIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size)
        )
        row.addWidget(icon)
        self.banner_text = QLabel(banner)
        self.banner_text.setObjectName("offlineText")
        self.banner_text.setWordWrap(True)
        bold = QFont(QApplication.font())
        bold.setPointSizeF(QApplication.font().pointSizeF() * 1.2)
        bold.setBold(True)
        self.banner_text.setFont(bold)
        row.addWidget(self.banner_text, 1)
        banner.hide()
        self.banner = banner
        return banner

    def _build_status_line(self) -> QFrame:
        """The rejection line: a permanent part of the status bar, so the short notices
        other parts show there (``statusBar().showMessage``) never hide it."""
        line = QFrame(self)
        line.setObjectName("statusLine")
        line.setStyleSheet("QFrame#statusLine { background: #fff3e0; }")
        row = QHBoxLayout(line)
        row.setContentsMargins(6, 2, 6, 2)
        icon = QLabel(line)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size)
        )
        row.addWidget(icon)
        self.status_text = QLabel(line)
        self.status_text.setObjectName("statusText")
        self.status_text.setWordWrap(True)
        self.status_text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.status_text, 1)
        dismiss = QToolButton(line)
        dismiss.setObjectName("statusDismiss")
        dismiss.setText(self.tr("Dismiss"))
        dismiss.clicked.connect(self.clear_status)
        row.addWidget(dismiss)
        line.hide()
        self.status_line = line
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        bar.addPermanentWidget(line, 1)
        bar.messageChanged.connect(self._update_status_bar)
        bar.hide()  # shown only while it has something to say: room for the view
        return line

    def _fit_to_screen(self) -> None:
        """1280×800 where it fits; smaller screens get 90 % of their space."""
        width, height = 1280, 800
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry()
            width = min(width, int(room.width() * 0.9))
            height = min(height, int(room.height() * 0.9))
        self.resize(width, height)

    # Public ---------------------------------------------------------------------------
    @property
    def muted(self) -> bool:
        return self.mute_button.isChecked()

    def set_muted(self, muted: bool) -> None:
        """Show the remembered mute state (emits ``mute_toggled`` only if it changes)."""
        self.mute_button.setChecked(muted)
        self._show_mute(muted)

    @property
    def offline(self) -> bool:
        """Whether the hub-unreachable banner is up."""
        return self._banner_kind == "offline" and not self.banner.isHidden()

    @property
    def on_standby_banner(self) -> bool:
        """Whether the banner says the branch runs on its standby hub."""
        return self._banner_kind == "standby" and not self.banner.isHidden()

    def status_message(self) -> str:
        """The rejection on the status line, '' when there is none."""
        return "" if self.status_line.isHidden() else self.status_text.text()

    def show_status(self, text: str) -> None:
        self.status_text.setText(text)
        self.status_text.setToolTip(text)
        self.status_line.show()
        self._update_status_bar()
        self._status_timer.start()

    def clear_status(self) -> None:
        self._status_timer.stop()
        self.status_text.clear()
        self.status_line.hide()
        self._update_status_bar()

    def sign_out(self) -> None:
        if self.model.staff:
            self.model.sign_out()

    def ask_sign_in(self) -> None:
        """Open the sign-in dialog (window-modal, it does not block the event loop)."""
        if self.sign_in_dialog is not None and self.sign_in_dialog.isVisible():
            self.sign_in_dialog.raise_()
            return
        dialog = SignInDialog(self.model, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._forget_sign_in)
        self.sign_in_dialog = dialog
        dialog.open()

    def show_today(self, on: bool) -> None:
        """Show today's handled calls beside the role view (True), or hide them."""
        if self.today_view is None:
            return
        if on:
            self.today_view.refresh()
        self.today_view.setVisible(on)
        if self.today_button.isChecked() != on:
            self.today_button.setChecked(on)

    def ask_broadcast(self) -> None:
        """Open the broadcast form (window-modal, non-blocking); Send sends it."""
        dialog = BroadcastDialog(self.model, self)
        self.dialogs.open(dialog, lambda: self._send_broadcast(dialog))

    def _send_broadcast(self, dialog: BroadcastDialog) -> None:
        self.model.broadcast(dialog.text(), dialog.zone())

    # Slots -----------------------------------------------------------------------------
    def _update_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setVisible(bool(bar.currentMessage()) or not self.status_line.isHidden())

    def _forget_sign_in(self) -> None:
        self.sign_in_dialog = None

    def _on_mute_toggled(self, muted: bool) -> None:
        self._show_mute(muted)
        self.mute_toggled.emit(muted)

    def _show_mute(self, muted: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaVolumeMuted
            if muted
            else QStyle.StandardPixmap.SP_MediaVolume
        )
        self.mute_button.setIcon(self.style().standardIcon(icon))
        self.mute_button.setText(self.tr("Muted") if muted else self.tr("Sound on"))
        self.mute_button.setToolTip(
            self.tr("Alert sounds are off: click to turn them on")
            if muted
            else self.tr("Alert sounds are on: click to mute them")
        )

    def _on_staff_changed(self, station: str) -> None:
        if station == self.model.station.id:
            self._show_staff()

    def _show_staff(self) -> None:
        staff = self.model.staff
        coming = self.model.pending_sign_in()
        if coming and coming != staff:  # signed in offline: the hub has not answered yet
            name = staff_name(self.model.branch, coming, self.model.lang)
            self.staff_label.setText(
                self.tr("{name} · signing in (waiting for the hub)").format(name=name)
            )
            self.staff_label.setStyleSheet("color: #ef6c00;")
            self.sign_out_button.setVisible(False)
            self.sign_in_button.setVisible(False)
            return
        if staff:
            self.staff_label.setText(staff_name(self.model.branch, staff, self.model.lang))
            self.staff_label.setStyleSheet("")
        else:
            self.staff_label.setText(self.tr("Nobody signed in"))
            self.staff_label.setStyleSheet("color: #c62828;")
        self.sign_out_button.setVisible(bool(staff))
        self.sign_in_button.setVisible(not staff)

    def _on_connection_changed(self, up: bool) -> None:
        self._lost = not up
        self._refresh_banner()

    def _on_command_rejected(self, msg_id: str, code: str, reason: str) -> None:
        if msg_id in self._quiet:
            return  # the view logs it; nothing may show on screen
        log.ui.info("command %s refused: %s: %s", msg_id, code, reason)
        self.show_status(rejection_text(code, reason))

    def _on_command_accepted(self, msg_id: str, _seq: int) -> None:
        if msg_id not in self._quiet:
            self.clear_status()

    def _on_tick(self) -> None:
        now = local_time(self.model.hub_now_ms(), self.model.branch.timezone)
        self.clock_label.setText(now.strftime("%H:%M:%S"))
        self._refresh_banner()

    def _refresh_banner(self) -> None:
        """One banner, two looks: red while the hub is unreachable; else amber while the
        branch runs on its standby hub (issue 14), which works as usual."""
        connected = self.model.connected
        offline = not connected and (self._lost or self._uptime.elapsed() >= STARTUP_GRACE_MS)
        if offline:
            waiting = self._waiting_count()
            text = self.tr("Hub unreachable: your calls are kept and sent when it returns")
            if waiting:
                text += "\n" + self.tr("%n action(s) waiting to be sent", "", waiting)
            self.banner_text.setText(text)
            self._banner_look("offline")
        elif self.model.on_standby:
            self.banner_text.setText(self.tr("Running on the standby hub; work goes on as usual"))
            self._banner_look("standby")
        else:
            self._banner_look("")
        self.banner.setVisible(bool(self._banner_kind))

    def _banner_look(self, kind: str) -> None:
        if kind == self._banner_kind and self.banner.styleSheet():
            return
        self._banner_kind = kind
        back, fore = BANNER_COLOURS.get(kind, BANNER_COLOURS["offline"])
        self.banner.setStyleSheet(
            f"QFrame#offlineBanner {{ background: {back}; }}"
            f"QFrame#offlineBanner QLabel {{ color: {fore}; }}"
        )

    def _waiting_count(self) -> int:
        return self.model.waiting_count(frozenset(self._quiet))
