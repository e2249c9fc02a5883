"""The Audit log area (issue 5): follow the bot's JSONL logs live, filter and export them.

``create_logs_area(session)`` is the area factory; shots.py holds the states
the README shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from ...session import Session


def create_logs_area(session: Session) -> QWidget:
    """The area over the log folders (configured, the home's and the bot checkout's), times as View says."""
    from ...core.jsonl.discovery import log_folders
    from .area import LogsArea

    paths = session.paths
    folders = log_folders(paths.logs, paths.home, paths.bot_dir)
    area = LogsArea(folders, utc=session.prefs.utc, state=session.state)
    session.prefs.utcChanged.connect(area.model.set_utc)
    nav = getattr(session, "nav", None)  # tests may pass a bare namespace with paths and prefs only
    if nav is not None:
        nav.showLogLine.connect(area.show_line)
    return area
