"""The wallet vault area (issue 4): see area.py for the widget, core/vault.py for the logic."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ...session import Session
from ..pump import wait_until


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



def demo_screenshots(widget: QWidget, save: Callable[[str], None]) -> None:
    """The README's states: locked, then unlocked after verify-all with one key decrypted (masked)."""
    from .area import VaultArea

    save("vault-locked")
    if not isinstance(widget, VaultArea) or not widget.demo_passphrase:
        return
    form = widget.unlock_form
    form.passphrase.setText(widget.demo_passphrase)
    form.submit()
    if not wait_until(lambda: widget.unlocked, 60):
        return
    reports: list[object] = []
    widget.verifyFinished.connect(reports.append)
    widget.start_verify()
    wait_until(lambda: bool(reports), 300)
    widget.table.selectRow(0)
    widget.reveal_selected()
    wait_until(lambda: widget.key_panel.has_key, 30)
    save("vault-unlocked")
    widget.lock("screenshots done")
