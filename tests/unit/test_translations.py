"""Every user-visible string is translated into zh_CN and English, and compiled."""

from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_translations_are_complete_and_compiled() -> None:
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    problems = tool.problems()
    assert problems == [], "run scripts/i18n.py and translate:\n" + "\n".join(problems[:40])


CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
HALF_WIDTH_AFTER_CJK = re.compile(rf"[{CJK}]\s*[?:,;!]")
"""A half-width ?/:/,/;/! written right after Chinese text (STYLE: full-width
punctuation in Chinese: ？：，；！)."""


def _zh_translations() -> list[tuple[str, str]]:
    tree = ET.parse(ROOT / "resources" / "i18n" / "lobbylink_zh_CN.ts")
    out = []
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            continue
        forms = [translation.text or ""] + [n.text or "" for n in translation.iter("numerusform")]
        out += [(source, form) for form in forms if form]
    return out


def test_chinese_translations_use_full_width_punctuation() -> None:
    """No zh_CN translation puts a half-width ?, :, ',', ; or ! after Chinese text, and
    none ends a question with a half-width "?" (a prompt read "…暂停?")."""
    pairs = _zh_translations()
    assert len(pairs) > 100
    bad = [
        f"{source!r} -> {text!r}"
        for source, text in pairs
        if HALF_WIDTH_AFTER_CJK.search(text)
        or (text.rstrip().endswith("?") and re.search(f"[{CJK}]", text))
    ]
    assert bad == [], "use ？：，；！ in Chinese:\n" + "\n".join(bad)


def test_the_rule_catches_a_half_width_question_mark() -> None:
    assert HALF_WIDTH_AFTER_CJK.search("柜台为什么暂停?")
    assert HALF_WIDTH_AFTER_CJK.search("原因: 用餐")
    assert not HALF_WIDTH_AFTER_CJK.search("柜台为什么暂停？")
    assert not HALF_WIDTH_AFTER_CJK.search("响应  Enter")


def test_branch_labels_in_chinese_use_full_width_punctuation() -> None:
    """The config's Chinese labels (signals, reasons, stations) follow the same rule."""
    text = (ROOT / "resources" / "branch.toml").read_text(encoding="utf-8")
    chinese = re.findall(r'zh_CN = "([^"]*)"', text)
    assert chinese
    assert [c for c in chinese if HALF_WIDTH_AFTER_CJK.search(c)] == []


def _zh(source: str) -> str:
    return next(text for src, text in _zh_translations() if src == source)


def test_a_role_has_one_chinese_name_on_every_screen() -> None:
    """S1 was 运营主管 (its station's name) in one place and 现场经理 (the role) in
    another: a desk named after a role uses the role's own word, and no station is
    named after another role."""
    from app.domain.config import load_branch

    branch = load_branch()
    roles = {
        "teller": _zh("Teller"),
        "lobby_manager": _zh("Lobby manager"),
        "wealth_manager": _zh("Wealth manager"),
        "supervisor": _zh("Supervisor"),
        "branch_head": _zh("Branch head"),
    }
    assert roles["supervisor"] == "现场经理"
    for station in branch.config.stations:
        name = station.name.get("zh_CN")
        own = roles[station.role.value]
        others = [word for role, word in roles.items() if role != station.role.value]
        assert not [w for w in others if w in name], (station.id, name)
        assert "主管" not in name or own in name, (station.id, name)
        if station.role.value in ("lobby_manager", "supervisor"):
            assert own in name, (station.id, name, own)
