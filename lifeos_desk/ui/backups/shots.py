"""The backups area's README states, for the screenshot tool (``BackupsPanel.screenshot_states``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt

from ..areas import ScreenshotState
from ..pump import wait_until

if TYPE_CHECKING:
    from .panel import BackupsPanel


def screenshot_states(panel: BackupsPanel) -> Sequence[ScreenshotState]:
    """The list after a backup and a verify; then the restore preview, shown inside the window."""

    def after_backup_and_verify() -> None:
        for start in (panel.backup_now, panel.verify_selected):
            start()
            wait_until(lambda: not panel.runner.busy(), 120)

    def restore_preview() -> None:
        panel.restore_selected()
        if not wait_until(lambda: panel.preview_dialog is not None, 120):
            return
        dialog = panel.preview_dialog
        assert dialog is not None
        # Shown inside the window so that the window grab holds it; shutdown() answers it.
        dialog.setWindowFlags(Qt.WindowType.Widget)
        dialog.setParent(panel)
        dialog.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        dialog.setStyleSheet("RestorePreviewDialog { background: palette(window); border: 1px solid palette(dark); }")
        dialog.resize(min(820, panel.width() - 40), min(dialog.sizeHint().height() + 60, panel.height() - 30))
        dialog.move(QPoint((panel.width() - dialog.width()) // 2, (panel.height() - dialog.height()) // 2))
        dialog.show()
        dialog.raise_()

    return [("backups", after_backup_and_verify), ("backups-restore-preview", restore_preview)]
