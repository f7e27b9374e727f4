"""Update the translation sources and compile them.

    .venv/bin/python scripts/i18n.py          # lupdate (merge new strings) + fill en + lrelease
    .venv/bin/python scripts/i18n.py --check  # fail if any string is new, gone or unfinished

zh_CN translations are edited in resources/i18n/lobbylink_zh_CN.ts (Qt Linguist or a
text editor); English is the source language, so lobbylink_en.ts is filled from it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "resources" / "i18n"
LANGS = ("zh_CN", "en")
SOURCES = ("app", "widgets", "messaging")


def tool(name: str) -> str:
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"i18n: {name} not found (pip install PySide6-Essentials)")
    return found


def sources() -> list[str]:
    files = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if re.search(r"\btr\(|\.translate\(", text):
                files.append(str(path.relative_to(ROOT)))
    return files


def lupdate(ts: Path) -> None:
    done = subprocess.run(
        [tool("pyside6-lupdate"), *sources(), "-no-obsolete", "-locations", "none", "-ts", str(ts)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"i18n: lupdate failed:\n{done.stdout}{done.stderr}")


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    tree = ET.parse(ts)
    found = {}
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


def fill_english(ts: Path) -> None:
    tree = ET.parse(ts)
    for message in tree.getroot().iter("message"):
        translation = message.find("translation")
        if translation is None:
            continue
        source = message.findtext("source")
        forms = translation.findall("numerusform")
        if forms:  # plural forms: English has one and many, both the source text
            for form in forms:
                if not (form.text or "").strip():
                    form.text = source
            translation.attrib.pop("type", None)
        elif translation.get("type") == "unfinished" or not (translation.text or "").strip():
            translation.text = source
            translation.attrib.pop("type", None)
    tree.write(ts, encoding="utf-8", xml_declaration=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run(
        [tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True
    )


def problems() -> list[str]:
    """What is wrong with the committed translations (empty list: all good)."""
    found: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.ts"
        lupdate(fresh)
        wanted = set(messages(fresh))
        for lang in LANGS:
            ts = I18N / f"lobbylink_{lang}.ts"
            if not ts.exists():
                found.append(f"{ts.name} is missing")
                continue
            have = messages(ts)
            for key in sorted(wanted - set(have)):
                found.append(f"{ts.name}: not yet translated: {key[0]}: {key[1]!r}")
            for key in sorted(set(have) - wanted):
                found.append(f"{ts.name}: no longer in the code: {key[0]}: {key[1]!r}")
            for key, message in have.items():
                translation = message.find("translation")
                if translation is None:
                    continue
                numerus = translation.findall("numerusform")
                texts = [n.text for n in numerus] if numerus else [translation.text]
                if translation.get("type") in ("unfinished", "vanished", "obsolete") or not all(
                    (t or "").strip() for t in texts
                ):
                    found.append(f"{ts.name}: unfinished: {key[0]}: {key[1]!r}")
            qm = I18N / f"lobbylink_{lang}.qm"
            built = Path(tmp) / qm.name
            lrelease(ts, built)
            if not qm.exists() or qm.read_bytes() != built.read_bytes():
                found.append(f"{qm.name} is not compiled from {ts.name} (run scripts/i18n.py)")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only report problems")
    args = parser.parse_args()
    if args.check:
        issues = problems()
        for line in issues:
            print(f"i18n: {line}")
        return 1 if issues else 0
    I18N.mkdir(parents=True, exist_ok=True)
    for lang in LANGS:
        ts = I18N / f"lobbylink_{lang}.ts"
        lupdate(ts)
        tree = ET.parse(ts)
        tree.getroot().set("language", lang)
        tree.getroot().set("sourcelanguage", "en")
        tree.write(ts, encoding="utf-8", xml_declaration=True)
        if lang == "en":
            fill_english(ts)
        lrelease(ts, I18N / f"lobbylink_{lang}.qm")
    unfinished = [p for p in problems() if "unfinished" in p]
    print(f"i18n: updated; {len(unfinished)} strings still to translate")
    for line in unfinished[:50]:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
