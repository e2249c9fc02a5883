"""The Home area: every store of the data home and the bot checkout at a glance.

``create_home_area(session)`` is the area factory (ui/areas.py).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...session import Session


def create_home_area(session: Session) -> QWidget:
    """The Home area (it needs no open database: it lists files)."""
    from .area import HomeArea

    return HomeArea(session)
