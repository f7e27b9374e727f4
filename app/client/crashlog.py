"""Qt's own messages and uncaught exceptions go to the log, never only to a console.

A station PC runs without a terminal: a warning from Qt (a missing font, a plugin that
will not load) or an exception raised in a slot (PySide prints it and carries on) would
otherwise be lost. :func:`install` routes Qt's messages to ``log.qt`` at the matching
level and every uncaught exception, in any thread, to ``log.ui`` with its traceback, as
qutebrowser's ``log.qt_message_handler`` and crash handler do. Only the product's main
installs it: pytest-qt installs its own Qt message handler to fail tests on warnings.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

from app import log

QT_LEVELS: dict[QtMsgType, int] = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message_handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Log one of Qt's messages to ``log.qt`` (Qt's category, where it names one, first)."""
    level = QT_LEVELS.get(kind, logging.WARNING)
    category = context.category or ""
    if category and category != "default":
        log.qt.log(level, "%s: %s", category, message)
    else:
        log.qt.log(level, "%s", message)


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def log_uncaught(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """``sys.excepthook``: an exception nobody caught (in a slot, a timer, the main
    code), with its traceback. Ctrl+C keeps Python's usual behaviour."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    log.ui.critical("uncaught exception", exc_info=(kind, error, tb))


def log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    """``threading.excepthook``: the same for a thread's uncaught exception."""
    if args.exc_type is SystemExit:  # a thread's normal way out
        return
    name = args.thread.name if args.thread is not None else "?"
    error = args.exc_value if args.exc_value is not None else args.exc_type()
    log.ui.critical(
        "uncaught exception in thread %s", name, exc_info=(args.exc_type, error, args.exc_traceback)
    )


def install() -> Callable[[], None]:
    """Route Qt's messages and uncaught exceptions to the log; returns what undoes it."""
    previous_qt = qInstallMessageHandler(qt_message_handler)
    previous_hook: ExceptHook = sys.excepthook
    previous_thread_hook = threading.excepthook
    sys.excepthook = log_uncaught
    threading.excepthook = log_uncaught_in_thread

    def uninstall() -> None:
        qInstallMessageHandler(previous_qt)
        sys.excepthook = previous_hook
        threading.excepthook = previous_thread_hook

    return uninstall
