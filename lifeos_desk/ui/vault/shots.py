"""The vault's screenshot states (the README's pictures; lifeos_desk/tools/screenshots.py).

Each drives the area as an admin would, with bounded waits (``ui.pump.wait_until``):
locked; unlocked with every store the demo passphrase opens, after
verify-all, one key decrypted (masked); the Health page after a full check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..pump import wait_until
from .unlock import EVERY_LOCKED

if TYPE_CHECKING:
    from .area import VaultArea


def show_locked_state(area: VaultArea) -> None:
    """Every store locked, the wallets page on top."""
    area.tabs.setCurrentIndex(0)
    area.lock("screenshots")


def show_unlocked_state(area: VaultArea) -> None:
    """Unlock every store the demo passphrase opens, verify all, decrypt the first key."""
    if not area.demo_passphrase:
        return
    area.tabs.setCurrentIndex(0)
    area.unlock_form.choose_target(EVERY_LOCKED)
    area.unlock_form.passphrase.setText(area.demo_passphrase)
    area.unlock_form.submit()
    if not wait_until(lambda: not area.unlock_flow.busy, 60) or not area.any_unlocked:
        return
    reports: list[object] = []
    area.verifyFinished.connect(reports.append)
    area.start_verify()
    wait_until(lambda: (bool(reports) or not area.unlocked) and not area.stores.busy, 300)
    area.verifyFinished.disconnect(reports.append)
    area.table.selectRow(0)
    area.reveal_selected()
    wait_until(lambda: area.key_panel.has_key, 30)


def show_health_state(area: VaultArea) -> None:
    """The Health page after a check that also tried "default" and the empty passphrase."""
    area.tabs.setCurrentWidget(area.health_page)
    wait_until(lambda: area.health_page.has_run and not area.health_page.running, 300)
