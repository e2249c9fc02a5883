"""The backups area (issue 7): panel.py for the widget, core/archive for the work.

The panel's ``window_actions`` hold Back up now (object name
``backupNowAction``, Ctrl+B, application-wide shortcut) for the window's
toolbar; shots.py holds its screenshot states.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...session import Session


def create_backups_area(session: Session) -> QWidget:
    """The area factory."""
    from .panel import BackupsPanel

    return BackupsPanel(session.paths, session.settings)
