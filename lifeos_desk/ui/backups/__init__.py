"""The backups area (issue 7): panel.py for the widget, core/archive for the work.

The main window can put the panel's ``backup_action`` (object name
``backupNowAction``, Ctrl+B, application-wide shortcut) on its toolbar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from ...session import Session
from ..pump import wait_until


def create_backups_area(session: Session) -> QWidget:
    """The area factory."""
    from .panel import BackupsPanel

    return BackupsPanel(session.paths, session.settings)



def demo_screenshots(widget: QWidget, save: Callable[[str], None]) -> None:
    """The README's states: the list after a backup and a verify, and the restore preview."""
    from .panel import BackupsPanel

    if not isinstance(widget, BackupsPanel):
        return
    for start in (widget.backup_now, widget.verify_selected):
        start()
        wait_until(lambda: not widget.runner.busy(), 120)
    save("backups")
    widget.restore_selected()
    if wait_until(lambda: widget.preview_dialog is not None, 120):
        dialog = widget.preview_dialog
        assert dialog is not None
        # Shown inside the window so that the window grab holds it.
        dialog.setWindowFlags(Qt.WindowType.Widget)
        dialog.setParent(widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        dialog.setStyleSheet("RestorePreviewDialog { background: palette(window); border: 1px solid palette(dark); }")
        dialog.resize(min(820, widget.width() - 40), min(dialog.sizeHint().height() + 60, widget.height() - 30))
        dialog.move(QPoint((widget.width() - dialog.width()) // 2, (widget.height() - dialog.height()) // 2))
        dialog.show()
        dialog.raise_()
        save("backups-restore-preview")
        dialog.reject()
        wait_until(lambda: not widget.runner.busy(), 60)
