"""The SQL area: a read-only query console and the schema of every SQLite store.

``create_sql_area(session)`` is the area factory. Queries and the schema
are read by ``lifeos-desk query`` children (``runner.py`` says why), so
nothing here holds a connection to the bot's files.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...session import Session


def create_sql_area(session: Session) -> QWidget:
    """The SQL area, or an explanation when the home has no SQLite store."""
    stores = [ref for ref in session.stores.refs() if ref.is_database and ref.path.is_file()]
    if not stores:
        from ..areas import NoticePanel

        return NoticePanel("SQL", [f"No SQLite database was found in this home ({session.paths.db} is missing)."])
    from .area import SqlArea

    return SqlArea(session, stores)
