"""Tests that need a real X server (Xvfb) and real key presses (xdotool).

Collected only when Qt runs on X (``QT_QPA_PLATFORM=xcb`` and ``DISPLAY`` set), so the
normal offscreen run leaves them out instead of skipping them. scripts/demo-smoke.sh
runs them under xvfb-run and fails unless they all pass.
"""

from __future__ import annotations

import os

ON_X = os.environ.get("QT_QPA_PLATFORM") == "xcb" and bool(os.environ.get("DISPLAY"))

collect_ignore_glob = [] if ON_X else ["test_*.py"]
