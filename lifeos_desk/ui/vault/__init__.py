"""The wallet vault area (issue 4): area.py lays out, controller.py holds state and secrets,
core/vault.py has the logic."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...session import Session


def create_vault_area(session: Session) -> QWidget:
    """The area factory: the vault, or a plain notice of what it needs."""
    from ..areas import NoticePanel

    if session.database is None or session.domain is None:
        return NoticePanel("Wallet vault", [
            "The vault needs a database with the ADR-005 or the deployed bot's <i>wallets</i> and "
            "<i>users</i> tables.",
            f"This database's schema is <b>{session.schema.value}</b>, so there are no wallets to show.",
        ])
    from .area import VaultArea

    return VaultArea(session)
