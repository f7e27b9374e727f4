"""Install Qt translators: Lobbylink's own and Qt's standard dialogs'."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

LANGUAGES = ("zh_CN", "en")


def i18n_dir() -> Path:
    return Path(str(resources.files("resources").joinpath("i18n")))


def default_language() -> str:
    """zh_CN on a Chinese locale, English elsewhere."""
    return "zh_CN" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def install(app: QCoreApplication, lang: str | None = None) -> str:
    """Load the translators for ``lang`` (or the system's); return the language used."""
    lang = lang or default_language()
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; one of: {', '.join(LANGUAGES)}")
    for old in getattr(app, "_lobbylink_translators", []):
        app.removeTranslator(old)
    kept: list[QTranslator] = []
    ours = QTranslator(app)
    if ours.load(str(i18n_dir() / f"lobbylink_{lang}.qm")):
        app.installTranslator(ours)
        kept.append(ours)
    qt = QTranslator(app)
    if lang != "en" and qt.load(
        f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt)
        kept.append(qt)
    app._lobbylink_translators = kept  # type: ignore[attr-defined]
    QLocale.setDefault(QLocale(lang))
    return lang
