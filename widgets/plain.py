"""Text a person typed is shown as text, never as markup.

QLabel and tooltips guess rich text (``Qt.mightBeRichText``): a teller's note such as
``<span style="font-size:40pt">…</span><img src="file:///…">`` would be rendered, styled and
would load a local file. Views call :func:`plain_labels` once they are built and pass
every tooltip that may hold typed text through :func:`plain_tip` (the OWASP rule: encode
for the context the text is shown in).
"""

from __future__ import annotations

import html

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_labels(root: QWidget) -> None:
    """Every QLabel under ``root`` (and ``root`` itself, if a label) shows plain text."""
    labels = root.findChildren(QLabel)
    if isinstance(root, QLabel):
        labels.append(root)
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


def plain_tip(text: str) -> str:
    """A tooltip that shows ``text`` literally, line breaks kept."""
    if not Qt.mightBeRichText(text):
        return text
    body = html.escape(text).replace("\n", "<br>")
    return f"<qt>{body}</qt>"
