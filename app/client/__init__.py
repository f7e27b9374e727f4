"""The Qt side of a station: composition root, bridge, alerts, translations.

Importing it guards against PySide6 6.12.0's reference leak on None/True (see
app.client.qtfix) before any Qt object exists.
"""

from app.client.qtfix import immortalize

immortalize()
