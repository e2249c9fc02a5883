"""The backups panel: list, back up now (Ctrl+B), verify, restore, delete, retention.

All archive work runs in a child process (``runner.py``,
docs/architecture.md, 'One SQLite library per process'); this widget shows
its stages and bytes, offers Cancel, and when a
backup is done shows its path, size and time with "Reveal in file manager".
Listing and deleting archives touch no database and run here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ...core.archive.catalog import delete_archive
from ...core.paths import DataPaths
from ...core.settings import Settings
from ...core.units import human_size
from ..area_host import add_shortcut_tip
from ..areas import AreaDefaults, ScreenshotState
from ..busy import BusyToken, app_registry
from ..elided_label import MiddleElidedLabel
from ..placeholder_view import PlaceholderTableView
from .columns import empty_hint, fit_columns
from .model import ArchiveModel, Column
from .preview import RestorePreviewDialog
from .runner import ArchiveRunner

STAGES = {"snapshot": "Snapshot of the database", "compress": "Compressing", "verify": "Checking",
          "extract": "Reading and checking the archive", "safety backup": "Safety backup", "apply": "Restoring"}
TITLES = {"backup": "Backup", "verify": "Verify", "restore": "Restore"}


# How long closing waits for a restore that is already applying.
SHUTDOWN_WAIT_MS = 60_000


class BackupsPanel(QWidget, AreaDefaults):
    """The area widget.

    Signals:
        workFinished(str, bool, dict): command, ok, result — after the list has been refreshed.
    """

    workFinished = Signal(str, bool, dict)

    def __init__(self, paths: DataPaths, settings: Settings, parent: QWidget | None = None,
                 backup_args: Sequence[str] = (), backup_env: Mapping[str, str] | None = None) -> None:
        """``backup_args``/``backup_env``: added to every backup child (a PostgreSQL session's
        ``--database-url`` and, when there is one, its password as PGPASSWORD: ui/pg/backups.py)."""
        super().__init__(parent)
        self._paths, self._settings = paths, settings
        self._backup_args, self._backup_env = tuple(backup_args), dict(backup_env or {})
        self._busy: BusyToken | None = None
        self._last_archive: Path | None = None
        self.preview_dialog: RestorePreviewDialog | None = None
        self.model = ArchiveModel(paths.backups)
        self.runner = ArchiveRunner(paths, self)
        self._build_actions()
        self._build()
        self.runner.progress.connect(self._on_progress)
        self.runner.preview.connect(self._on_preview)
        self.runner.finished.connect(self._on_finished)
        self.refresh()

    # -- construction -------------------------------------------------------
    def _action(self, text: str, slot: Any, tip: str, shortcut: str | None = None) -> QAction:
        act = QAction(text, self)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        add_shortcut_tip(act)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        self.backup_action = self._action("Back up now", self.backup_now,
                                          "Make a consistent archive of the data home", "Ctrl+B")
        self.backup_action.setObjectName("backupNowAction")
        # Ctrl+B works from every area: the main window may also put this action on its toolbar.
        self.backup_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.verify_action = self._action("Verify", self.verify_selected,
                                          "Read the whole archive and check every member and the database")
        self.restore_action = self._action("Restore…", self.restore_selected,
                                           "Preview, then restore the selected archive (safety backup first)")
        self.delete_action = self._action("Delete", self.delete_selected, "Delete the selected archive file")
        self.reveal_action = self._action("Reveal in file manager", self.reveal,
                                          "Open the folder holding the archive")
        self.refresh_action = self._action("Refresh", self.refresh, "Re-read the backups folder")

    # -- the area contract (ui/areas.py) --------------------------------------
    def window_actions(self) -> Sequence[QAction]:
        """Back up now (Ctrl+B) works from every area: the window puts it on its toolbar."""
        return [self.backup_action]

    def shutdown(self) -> None:
        """Answer an open restore preview with no, and stop a child that may still stop.

        A restore that has begun applying runs to its end (the child is waited
        for), as the Cancel button says.
        """
        if self.preview_dialog is not None:
            self.preview_dialog.reject()
        if self.runner.busy():
            if self.cancel_button.isEnabled():
                self.runner.cancel()
            else:
                self.runner.wait(SHUTDOWN_WAIT_MS)

    def screenshot_states(self) -> Sequence[ScreenshotState]:
        """The list after a backup and a verify, then the restore preview."""
        from .shots import screenshot_states

        return screenshot_states(self)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        bar = QToolBar("Backups")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for act in (self.backup_action, self.verify_action, self.restore_action, self.delete_action,
                    self.reveal_action, self.refresh_action):
            bar.addAction(act)
        top = QHBoxLayout()
        top.addWidget(bar, 1)
        top.addWidget(QLabel("Keep the newest"))
        self.keep_spin = QSpinBox()
        self.keep_spin.setRange(1, 999)
        self.keep_spin.setValue(int(self._settings.get("backup_keep")))
        self.keep_spin.setSuffix(" archives")
        self.keep_spin.setToolTip("Retention after each backup; never deletes the archive just made nor the "
                                  "safety archive of the last restore")
        self.keep_spin.valueChanged.connect(self._on_keep_changed)
        top.addWidget(self.keep_spin)
        layout.addLayout(top)
        self.folder_label = MiddleElidedLabel(900, 120)  # a long folder must not widen the window
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setToolTip(str(self._paths.backups))
        layout.addWidget(self.folder_label)
        self.view = PlaceholderTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.CHECK, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)
        self.view.doubleClicked.connect(self.verify_selected)
        layout.addWidget(self.view, 1)
        layout.addLayout(self._build_progress())
        self.backup_label = QLabel()  # the last backup made here: stays while other work runs
        self.result_label = QLabel()  # the last verify / restore / failure
        for label in (self.backup_label, self.result_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            layout.addWidget(label)
        self.backup_label.linkActivated.connect(self._on_link)

    def _build_progress(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.stage_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        for w in (self.stage_label, self.progress_bar, self.cancel_button):
            w.setVisible(False)
        row.addWidget(self.stage_label)
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.cancel_button)
        return row

    # -- state --------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the folder, keeping the selection."""
        selected = self.selected()
        self.model.refresh()
        count = self.model.rowCount()
        self.folder_label.set_full_text(f"{count} archive{'s' if count != 1 else ''} in {self._paths.backups}")
        self.view.set_placeholder_text(empty_hint(self._paths.backups, self.backup_action))
        fit_columns(self.view)
        if selected is not None:
            self.select(selected)
        self._update_actions()

    def selected(self) -> Path | None:
        """The selected archive."""
        rows = self.view.selectionModel().selectedRows()
        entry = self.model.entry(rows[0].row()) if rows else None
        return entry.path if entry else None

    def select(self, path: Path) -> None:
        """Select an archive's row."""
        row = self.model.row_of(path)
        if row >= 0:
            self.view.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.view.scrollTo(self.model.index(row, 0))

    def _update_actions(self) -> None:
        busy, chosen = self.runner.busy(), self.selected() is not None
        self.backup_action.setEnabled(not busy)
        for act in (self.verify_action, self.restore_action, self.delete_action):
            act.setEnabled(chosen and not busy)
        self.reveal_action.setEnabled(chosen or self._last_archive is not None)

    def _on_keep_changed(self, value: int) -> None:
        self._settings.set("backup_keep", int(value))

    # -- commands -----------------------------------------------------------
    def backup_now(self) -> None:
        """Start a backup in a child process (Ctrl+B)."""
        self._start("backup", "--keep", str(self.keep_spin.value()), *self._backup_args)

    def verify_selected(self) -> None:
        """Verify the selected archive."""
        path = self.selected()
        if path is not None:
            self._start("verify", str(path))

    def restore_selected(self) -> None:
        """Read and check the selected archive; the preview follows."""
        path = self.selected()
        if path is not None:
            self._start("restore", str(path))

    def delete_selected(self) -> None:
        """Delete the selected archive after a confirmation."""
        path = self.selected()
        if path is None:
            return
        answer = QMessageBox.question(self, "Delete archive", f"Delete {path.name} ({human_size(path.stat().st_size)})?"
                                      "\nThis cannot be undone.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.delete(path)

    def delete(self, path: Path) -> None:
        """Delete an archive without asking (the confirmed part of Delete)."""
        try:
            delete_archive(path)
        except OSError as exc:
            self.result_label.setText(f"<b>Could not delete {path.name}:</b> {exc.strerror or exc}")
        self.refresh()

    def reveal(self) -> None:
        """Open the folder of the selected (or just made) archive in the file manager."""
        path = self.selected() or self._last_archive
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent if path else self._paths.backups)))

    def _on_link(self, _link: str) -> None:
        self.reveal_last()

    def reveal_last(self) -> None:
        """Open the folder of the archive just made."""
        if self._last_archive is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._last_archive.parent)))

    def cancel(self) -> None:
        """Stop the running command; its temporary files are removed."""
        self.runner.cancel()

    def _start(self, command: str, *args: str) -> None:
        if self.runner.busy():
            return
        self.result_label.setText("")
        self.stage_label.setText(f"{TITLES[command]}: starting…")
        self.progress_bar.setRange(0, 0)
        for w in (self.stage_label, self.progress_bar, self.cancel_button):
            w.setVisible(True)
        self.cancel_button.setEnabled(True)
        self._busy = app_registry().begin(f"{TITLES[command]} of {self._paths.home}", cancel=self.cancel)
        self.runner.start(command, *args, env=self._backup_env if command == "backup" else None)
        self._update_actions()

    # -- child process events -----------------------------------------------
    def _on_progress(self, stage: str, done: int, total: int, detail: str) -> None:
        self.stage_label.setText(f"{TITLES.get(self.runner.command, '')}: {STAGES.get(stage, stage)}")
        if total > 0:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(min(1000, done * 1000 // total))
            self.progress_bar.setFormat(f"{human_size(done)} of {human_size(total)}")
        else:
            self.progress_bar.setRange(0, 0)
        self.progress_bar.setToolTip(detail)
        # Cancel stays available while a restore applies: until its commit everything is rolled back.

    def _on_preview(self, preview: dict[str, Any]) -> None:
        self.stage_label.setText("Restore: the archive is checked; waiting for your confirmation")
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1)
        self.progress_bar.setFormat("")
        dialog = RestorePreviewDialog(preview, self)
        dialog.finished.connect(self._on_preview_answer)
        self.preview_dialog = dialog
        dialog.open()

    def _on_preview_answer(self, result: int) -> None:
        dialog = self.preview_dialog
        self.runner.confirm(result == QDialog.DialogCode.Accepted,
                            accept_schema=dialog is not None and dialog.schema_accepted(),
                            only=dialog.picked() if dialog is not None else None)
        if self.preview_dialog is not None:
            self.preview_dialog.deleteLater()
            self.preview_dialog = None

    def _on_finished(self, ok: bool, result: dict[str, Any], message: str) -> None:
        command = self.runner.command
        for w in (self.stage_label, self.progress_bar, self.cancel_button):
            w.setVisible(False)
        if self._busy is not None:
            app_registry().end(self._busy)
            self._busy = None
        self.refresh()
        text = self._result_text(command, ok, result, message)
        (self.backup_label if ok and command == "backup" else self.result_label).setText(text)
        if ok and command == "backup":
            self._last_archive = Path(str(result["path"]))
            self.select(self._last_archive)
        elif command in ("verify", "restore") and result.get("archive"):
            self.select(Path(str(result["archive"])))
        self._update_actions()
        self.workFinished.emit(command, ok, result)

    @staticmethod
    def _result_text(command: str, ok: bool, result: dict[str, Any], message: str) -> str:
        if not ok and result.get("cancelled"):
            return f"<b>{TITLES.get(command, command)} cancelled:</b> {_escape(message)}"
        if not ok:
            return f"<b style='color:#b3261e'>{TITLES.get(command, command)} failed:</b> {_escape(message)}"
        if command == "backup":
            when = datetime.fromisoformat(str(result["created"])).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            deleted = result.get("deleted") or []
            extra = f" · retention deleted {len(deleted)} old archive(s)" if deleted else ""
            dump = result.get("postgresql")
            if isinstance(dump, dict):  # a PostgreSQL session's pg_dump member (core/archive/pgmember.py)
                extra += f" · PostgreSQL dump {_escape(str(dump.get('member')))} ({human_size(int(dump['size']))})"
            return (f"<b>Backup made:</b> <code>{_escape(str(result['path']))}</code> · "
                    f"{human_size(int(result['size']))} · {when} · took {float(result['seconds']):.2f} s · "
                    f"{_check_words(result)}{extra} · "
                    "<a href='reveal'>Reveal in file manager</a>")
        if command == "verify":
            return f"<b style='color:#1b7f3b'>Verified:</b> {_escape(message)}"
        safety = result.get("safety_archive")
        written = [log["written"] for log in result.get("logs", []) if log.get("written")]
        logs = f" · logs written beside: {len(written)}" if written else " · every log kept as it was"
        return (f"<b>Restored</b> {_escape(Path(str(result['archive'])).name)} · safety archive: "
                f"<code>{_escape(str(safety))}</code>{logs}")


def _check_words(result: dict[str, Any]) -> str:
    """``integrity_check ok``, or that the home had no SQLite database (a PostgreSQL session's dump only)."""
    if result.get("integrity_check", ["ok"]) == ["ok"]:
        return f"{result.get('check', 'integrity_check')} ok"
    return "no public_users.db in the home"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
