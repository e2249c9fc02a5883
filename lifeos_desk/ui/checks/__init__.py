"""The Checks area (issue 15): the trade audit's findings, linked to their records, and the trade inspector."""

from __future__ import annotations

from ...session import Session
from .area import ChecksArea


def create_checks_area(session: Session) -> ChecksArea:
    """The area factory for ``ui/areas.py``."""
    return ChecksArea(session.paths, session.nav)


__all__ = ["ChecksArea", "create_checks_area"]
