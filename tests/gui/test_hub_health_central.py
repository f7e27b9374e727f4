"""The board's health line shows the link to head office (issue 13)."""

from __future__ import annotations

from widgets.hub_health import CENTRAL_LAG_WARN_MS, health_text
from widgets.model import HubHealth

NOW = 1_764_000_000_000


def test_the_link_to_head_office_reads_plainly_and_warns_when_down_or_refused() -> None:
    base = HubHealth(20_480, NOW - 3_000, 0)
    text, warn = health_text(base, NOW)
    assert "head office" not in text  # a hub that does not ship says nothing of it
    text, warn = health_text(base._replace(central="connected", central_last_ms=NOW - 5_000), NOW)
    assert not warn and "head office up to date" in text and "00:05" in text
    text, warn = health_text(
        base._replace(central="connected", central_lag_events=120, central_lag_ms=40_000), NOW
    )
    assert not warn and "120 events to send" in text and "00:40" in text
    text, warn = health_text(
        base._replace(
            central="connected", central_lag_events=9, central_lag_ms=CENTRAL_LAG_WARN_MS
        ),
        NOW,
    )
    assert warn  # far behind: the IT administrator should look
    text, warn = health_text(
        base._replace(central="down", central_since_ms=NOW - 125_000, central_lag_events=42), NOW
    )
    assert warn and text.index("unreachable for 02:05") < text.index("20.0 GB")  # reason first
    assert "42 events waiting" in text and "works on" in text
    text, warn = health_text(base._replace(central="down", central_since_ms=NOW - 9_000), NOW)
    assert warn and "unreachable for 00:09" in text and "events" not in text
    text, warn = health_text(base._replace(central="refused"), NOW)
    assert warn and "refused" in text
