"""Qt's messages and uncaught exceptions reach the log (app.client.crashlog)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QMessageLogContext, QObject, QTimer, QtMsgType, Signal, qInfo
from pytestqt.logging import _QtMessageCapture
from pytestqt.qtbot import QtBot

from app.client import crashlog


@pytest.fixture
def hooks() -> Iterator[None]:
    """The product's hooks for one test; pytest-qt's handler and pytest's hooks after."""
    uninstall = crashlog.install()
    try:
        yield
    finally:
        uninstall()


def records(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == name]


@pytest.mark.parametrize(
    ("kind", "level"),
    [
        (QtMsgType.QtDebugMsg, logging.DEBUG),
        (QtMsgType.QtInfoMsg, logging.INFO),
        (QtMsgType.QtWarningMsg, logging.WARNING),
        (QtMsgType.QtCriticalMsg, logging.ERROR),
    ],
)
def test_a_qt_message_is_logged_at_its_level(
    caplog: pytest.LogCaptureFixture, kind: QtMsgType, level: int
) -> None:
    caplog.set_level(logging.DEBUG, logger="lobbylink.qt")
    crashlog.qt_message_handler(kind, QMessageLogContext(), "QFont::setPixelSize: <= 0 (0)")
    (record,) = records(caplog, "lobbylink.qt")
    assert record.levelno == level
    assert record.getMessage() == "QFont::setPixelSize: <= 0 (0)"


def test_qt_messages_go_to_the_log_while_installed_and_to_pytest_qt_after(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture, qtlog: _QtMessageCapture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lobbylink.qt")
    uninstall = crashlog.install()
    try:
        qInfo("to the station's log")
    finally:
        uninstall()
    assert [r.getMessage() for r in records(caplog, "lobbylink.qt")] == ["to the station's log"]
    qInfo("to pytest-qt again")  # the handler it needs to fail tests on warnings is back
    assert [r.message for r in qtlog.records] == ["to pytest-qt again"]


class _Clicker(QObject):
    clicked = Signal()


def test_an_exception_in_a_slot_is_logged_with_its_traceback(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture, hooks: None
) -> None:
    def broken_slot() -> None:
        raise ValueError("a bug in a slot")

    clicker = _Clicker()
    clicker.clicked.connect(broken_slot)
    QTimer.singleShot(0, clicker.clicked.emit)  # from the event loop, as a click comes
    qtbot.waitUntil(lambda: bool(records(caplog, "lobbylink.ui")), timeout=2000)
    (record,) = records(caplog, "lobbylink.ui")
    assert record.levelno == logging.CRITICAL and record.exc_info is not None
    assert record.exc_info[0] is ValueError
    assert "broken_slot" in caplog.text and "a bug in a slot" in caplog.text


def test_an_exception_in_a_thread_is_logged_with_its_name(
    caplog: pytest.LogCaptureFixture, hooks: None
) -> None:
    def work() -> None:
        raise OSError("disk gone")

    worker = threading.Thread(target=work, name="report-writer")
    worker.start()
    worker.join()
    (record,) = records(caplog, "lobbylink.ui")
    assert record.getMessage() == "uncaught exception in thread report-writer"
    assert record.exc_info is not None and record.exc_info[0] is OSError
    assert "disk gone" in caplog.text


def test_uninstall_gives_the_hooks_back() -> None:
    import sys

    before = (sys.excepthook, threading.excepthook)
    crashlog.install()()
    assert (sys.excepthook, threading.excepthook) == before
