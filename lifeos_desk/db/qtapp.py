"""A QCoreApplication for headless commands that use QtSql (plugin loading needs one)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def ensure_core_app() -> QCoreApplication:
    """The running Qt application, or a new headless one."""
    app = QCoreApplication.instance()
    if app is None:
        app = QCoreApplication(["lifeos-desk"])
    return app
