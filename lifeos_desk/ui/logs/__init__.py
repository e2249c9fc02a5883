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
    """The area over ``session.paths.logs``, with times as the View menu says."""
    from .area import LogsArea

    area = LogsArea(session.paths.logs, utc=session.prefs.utc)
    session.prefs.utcChanged.connect(area.model.set_utc)
    nav = getattr(session, "nav", None)  # tests may pass a bare namespace with paths and prefs only
    if nav is not None:
        nav.showLogLine.connect(area.show_line)
    return area
