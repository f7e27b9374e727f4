from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.config import default_config_path, load_config, parse_config
from app.domain.errors import ConfigError
from app.domain.roles import Role


def test_default_branch_matches_the_design() -> None:
    config = load_config()
    ids = [s.id for s in config.stations]
    assert ids == ["C01", "C02", "C03", "C04", "C05", "C06", "L1", "S1", "W1", "W2", "H1"]
    codes = {s.code for s in config.signals}
    assert codes == {
        "assist",
        "authorize",
        "refer_wealth",
        "vip",
        "direct_counter",
        "cash",
        "complaint",
        "queue_alert",
        "cover_counter",
        "device_fault",
        "duress",
    }
    assist = next(s for s in config.signals if s.code == "assist")
    assert assist.label.zh_CN == "呼叫大堂经理"
    assert assist.ack_s == 30 and assist.escalate == (Role.SUPERVISOR, Role.BRANCH_HEAD)
    assert next(s for s in config.signals if s.code == "duress").silent


def _edit(old: str, new: str) -> str:
    text = default_config_path().read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def test_wrong_type_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"\$\.signals\[0\]\.ack_s"):
        parse_config(_edit("ack_s = 30", 'ack_s = "thirty"'))


def test_unknown_zone_names_the_station() -> None:
    with pytest.raises(ConfigError, match=r"stations\[0\]\.zone: unknown zone 'nowhere'"):
        parse_config(_edit('zone = "high"', 'zone = "nowhere"'))


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ConfigError, match="cashier"):
        parse_config(_edit('role = "teller"', 'role = "cashier"'))


def test_duplicate_station_is_refused() -> None:
    with pytest.raises(ConfigError, match="'C01' is used twice"):
        parse_config(_edit('id = "C02"', 'id = "C01"'))


def test_unknown_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="colour"):
        parse_config(_edit("priority = 2", 'priority = 2\ncolour = "red"'))


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config("[branch\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
