"""The board's hub health line: plain when all is well, a warning first when not."""

from __future__ import annotations

from widgets.hub_health import health_text
from widgets.model import HubHealth

NOW = 1_764_000_000_000


def test_health_line_reads_plainly_and_warns_first() -> None:
    text, warn = health_text(HubHealth(20_480, NOW - 3_000, 0), NOW)
    assert not warn and "20.0 GB" in text and "00:03" in text
    text, warn = health_text(HubHealth(300, NOW - 1_000, 0), NOW)
    assert warn and text.index("0.3 GB") < text.index("00:01")  # the reason first
    text, warn = health_text(HubHealth(-1, 0, 86_400_000), NOW)
    assert warn and "+86400 s" in text and "GB" not in text  # PostgreSQL: disk unknown
    text, warn = health_text(None, NOW)
    assert not warn and text
