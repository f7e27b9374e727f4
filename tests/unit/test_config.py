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


# [call_keys]: system-wide call keys ----------------------------------------------------------
def _with_call_keys(section: str) -> str:
    """The default branch.toml with its [call_keys] tables replaced by ``section``."""
    text = default_config_path().read_text(encoding="utf-8")
    start = text.index("[call_keys]")
    return text[:start] + section + "\n" + text[text.index("[[pause_reasons]]") :]


def _keys(role: Role, section: str | None = None) -> dict[str, list[str]]:
    from app.domain.config import Branch, call_keys

    config = parse_config(_with_call_keys(section)) if section is not None else load_config()
    return {
        code: [str(c) for c in chords] for code, chords in call_keys(Branch(config), role).items()
    }


def test_default_call_keys_follow_the_tellers_f1_to_f6_and_the_silent_chord() -> None:
    from app.domain.config import Branch, call_keys

    teller = _keys(Role.TELLER)
    assert teller == {
        "assist": ["Ctrl+Shift+F1"],
        "authorize": ["Ctrl+Shift+F2"],
        "refer_wealth": ["Ctrl+Shift+F3"],
        "cash": ["Ctrl+Shift+F4"],
        "complaint": ["Ctrl+Shift+F5"],
        "device_fault": ["Ctrl+Shift+F6"],
        "duress": ["Ctrl+Alt+Shift+F12"],
    }
    # A config without [call_keys] gives every role the same defaults, in catalog order.
    branch = Branch(parse_config(_with_call_keys("")))
    assert {c: [str(k) for k in v] for c, v in call_keys(branch, Role.TELLER).items()} == teller
    lobby = {c: [str(k) for k in v] for c, v in call_keys(branch, Role.LOBBY_MANAGER).items()}
    assert list(lobby)[:2] == ["refer_wealth", "vip"]
    assert lobby["refer_wealth"] == ["Ctrl+Shift+F1"] and lobby["duress"] == ["Ctrl+Alt+Shift+F12"]


def test_a_role_map_a_usb_button_and_a_chord_can_be_set() -> None:
    section = (
        '[call_keys]\nsilent_chord = "ctrl+alt+pause"\n[call_keys.roles.lobby_manager]\n'
        'vip = ["Ctrl+Alt+V", "F13"]\ncomplaint = ""\n'
    )
    # A role given a map has exactly it ("" or absent: no key); the others, the defaults.
    assert _keys(Role.LOBBY_MANAGER, section) == {
        "vip": ["Ctrl+Alt+V", "F13"],
        "duress": ["Ctrl+Alt+Pause"],
    }
    assert _keys(Role.TELLER, section)["assist"] == ["Ctrl+Shift+F1"]
    assert _keys(Role.TELLER, '[call_keys]\nsilent_chord = ""\n').get("duress") is None


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ('silent_chord = "Ctrl+Hyper+F1"\n', "'Hyper' is not a modifier"),
        ('silent_chord = "Ctrl+F99"\n', "'F99' is not a key"),
        ('silent_chord = "x"\n', "only F13…F24, Pause or ScrollLock may stand alone"),
        ("[call_keys.roles.cashier]\nassist = 'Ctrl+Shift+F1'\n", "unknown role 'cashier'"),
        ("[call_keys.roles.teller]\nvip = 'Ctrl+Shift+F9'\n", "vip: not a signal type a teller"),
        (
            "[call_keys.roles.teller]\nassist = 'Ctrl+Shift+F1'\ncash = 'shift+ctrl+f1'\n",
            "Ctrl+Shift+F1 is given to both 'assist' and 'cash'",
        ),
        ("[call_keys.roles.teller]\nassist = 3\n", "got `int` - at `$.call_keys.roles"),
    ],
)
def test_a_bad_call_key_is_refused_in_one_line_naming_it(extra: str, says: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(_with_call_keys("[call_keys]\n" + extra))
    assert says in str(err.value)
    assert "\n" not in str(err.value)


def test_parse_chord_names_modifiers_in_one_order() -> None:
    from app.domain.config import parse_chord

    assert str(parse_chord(" shift + CTRL + f1 ")) == "Ctrl+Shift+F1"
    assert str(parse_chord("win+alt+pageup")) == "Alt+Super+PageUp"
    assert parse_chord("Ctrl+Shift+F1") == parse_chord("shift+ctrl+F1")
