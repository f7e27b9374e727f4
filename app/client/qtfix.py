"""Workaround: PySide6 6.12.0 on CPython 3.11 drops references to None and True.

Measured here with ``sys.getrefcount``: every PySide6 call that returns ``None``
(``QLabel.setText``, ``QCoreApplication.processEvents``…) takes one reference from
``None``, and every ``Signal.emit`` takes one from ``True``. After some thousands of
calls CPython frees them and aborts ("Fatal Python error: bool_dealloc" /
"deallocating None"); a station would die within minutes of normal use.

CPython 3.12 made these objects immortal (PEP 683), which is why the same wheel works
there. Debian 12 ships 3.11, so we give the three singletons the same property here:
a reference count so large that no leak can bring it to zero. Remove this module once
the pinned PySide6 no longer leaks (tests/unit/test_qtfix.py shows whether it does).
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 60
_done = False


def immortalize() -> bool:
    """Raise the reference counts of None, True and False out of reach (once).

    Returns True when it acted (CPython before 3.12), False when not needed.
    """
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every PyObject in a release build.
        ctypes.c_ssize_t.from_address(id(obj)).value += _HEADROOM
    _done = True
    return True
