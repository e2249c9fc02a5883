"""The vault area's README states, for the screenshot tool (``VaultArea.screenshot_states``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..areas import ScreenshotState
from ..pump import wait_until

if TYPE_CHECKING:
    from .area import VaultArea


def screenshot_states(area: VaultArea) -> Sequence[ScreenshotState]:
    """Locked; then, on a demo home, unlocked after verify-all with one key decrypted (masked).

    The area locks again when the window shuts it down.
    """

    def locked() -> None:
        area.lock("screenshots")

    def unlocked() -> None:
        passphrase = area.demo_passphrase
        assert passphrase is not None
        area.unlock_form.passphrase.setText(passphrase)
        area.unlock_form.submit()
        if not wait_until(lambda: area.unlocked, 60):
            return
        reports: list[object] = []
        area.verifyFinished.connect(reports.append)
        area.start_verify()
        wait_until(lambda: bool(reports), 300)
        area.table.selectRow(0)
        area.reveal_selected()
        wait_until(lambda: area.key_panel.has_key, 30)

    states = [("vault-locked", locked)]
    if area.demo_passphrase:
        states.append(("vault-unlocked", unlocked))
    return states
