"""Writing an exported report off the UI thread, on Qt's own machinery.

An :class:`ExportJob` starts an :class:`ExportTask`, a QRunnable run by the export pool
(:func:`export_pool`, one thread named ``report-export``): it renders the report with
the renderer it was given and writes it through a QSaveFile, which writes next to the target and moves the file
into place only on ``commit()``. A cancelled or failed export therefore leaves nothing
behind, and whatever was at the path before stays as it was. Progress and the outcome
come back through :class:`ExportSignals`, a QObject living on the UI thread, so its
signals are delivered there (queued).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QIODevice,
    QObject,
    QRunnable,
    QSaveFile,
    QThreadPool,
    Signal,
)

from app import log
from widgets.common import tr
from widgets.model import ReportRenderer

CHUNK = 64 * 1024
POOL_NAME = "report-export"
"""The export pool's name: also the name of its thread (Qt names pooled threads so)."""

_pool: QThreadPool | None = None


def export_pool() -> QThreadPool:
    """The pool exports run on: one thread, so exports never race each other for a disk.

    Owned by the application, which waits for a running export when it quits.
    """
    global _pool
    if _pool is None or not shiboken6.isValid(_pool):  # (gone with an earlier application)
        _pool = QThreadPool(QCoreApplication.instance())
        _pool.setObjectName(POOL_NAME)
        _pool.setMaxThreadCount(1)
    return _pool


class ExportSignals(QObject):
    """What an export says back (delivered queued, on the thread this object lives on).

    Signals:
      progress(int): percent written.
      saved(str): the file is complete at this path.
      failed(str): why nothing was saved (already worded for the user).
    """

    progress = Signal(int)
    saved = Signal(str)
    failed = Signal(str)


@dataclass
class ExportJob:
    """One export to ``path`` as ``fmt``: what the UI thread keeps of it.

    The task that does the work belongs to the pool once started; the UI keeps only
    this: the signals it listens to and the flag that cancels.
    """

    path: Path
    fmt: str
    signals: ExportSignals = field(default_factory=ExportSignals)
    cancelled: threading.Event = field(default_factory=threading.Event)

    def start(self, data: dict[str, Any], render: ReportRenderer) -> None:
        """Render and write on the export pool (call from the UI thread)."""
        export_pool().start(ExportTask(self, data, render))

    def cancel(self) -> None:
        """Stop at the next chunk and keep nothing (safe from any thread)."""
        self.cancelled.set()


class ExportTask(QRunnable):
    """Render a report and write it for an :class:`ExportJob`, on a pool thread."""

    def __init__(self, job: ExportJob, data: dict[str, Any], render: ReportRenderer) -> None:
        super().__init__()
        self.job = job
        self.data = data
        self.render = render

    def run(self) -> None:
        job = self.job
        try:
            text = self.render(self.data, job.fmt)
            problem = write_file(job.path, text, job.cancelled, job.signals.progress.emit)
        except Exception as exc:  # a report that will not render: say so, keep the window
            log.ui.exception("export to %s failed", job.path)
            job.signals.failed.emit(tr("Export failed: {why}").format(why=exc))
            return
        if problem:
            job.signals.failed.emit(
                tr("Export failed: cannot write {path}: {why}").format(path=job.path, why=problem)
            )
        elif not job.cancelled.is_set():
            job.signals.saved.emit(str(job.path))


def write_file(
    path: Path, text: str, cancelled: threading.Event, progress: Callable[[int], None]
) -> str:
    """Write ``text`` to ``path`` in chunks through a QSaveFile.

    Returns '' when the file is in place or the write was cancelled, else the reason it
    could not be written. Nothing is left at ``path`` unless every byte was written and
    committed; a cancelled or failed write keeps whatever was there before.
    """
    data = text.encode("utf-8")
    out = QSaveFile(str(path))
    if not out.open(QIODevice.OpenModeFlag.WriteOnly):
        return out.errorString()
    total = max(len(data), 1)
    for start in range(0, total, CHUNK):
        if cancelled.is_set() or out.write(data[start : start + CHUNK]) < 0:
            break
        progress(min(100, (start + CHUNK) * 100 // total))
    if cancelled.is_set():
        out.cancelWriting()  # commit() now only removes the temporary file
    if out.commit():
        return ""
    return "" if cancelled.is_set() else out.errorString()
