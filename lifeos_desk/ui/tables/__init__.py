"""The Tables area: every table of the bot's database, live, at a million rows.

``create_tables_area(session)`` is the area factory; shots.py holds the
states the README shows.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...session import Session


def create_tables_area(session: Session) -> QWidget:
    """The Tables area, or an explanation when there is no database."""
    if session.database is None:
        from ..areas import NoticePanel

        reason = str(session.error) if session.error else "no database is open"
        return NoticePanel("Tables", [f"The tables cannot be shown: {reason}."])
    from .area import TablesArea

    return TablesArea(session)
