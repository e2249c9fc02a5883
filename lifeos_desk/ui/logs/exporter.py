"""The Export button: the entries shown now, written as JSONL or CSV off the UI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton, QWidget

from ...core.jsonl.export import export_rows
from ...core.jsonl.timeline import Timeline
from .model import LogTableModel
from .tasks import TaskRunner


def _count_progress(progress: Callable[[int, int], None], total: int, done: int) -> None:
    progress(done, total)


class Exporter(QObject):
    """Owns the Export button and its task.

    Signals:
        message(str): a line for the area's status ("Exported 48 entries to …").
    """

    message = Signal(str)

    def __init__(self, model: LogTableModel, parent: QWidget) -> None:
        super().__init__(parent)
        self.model = model
        self.tasks = TaskRunner(self)
        self.button = QToolButton(parent)
        self.button.setText("Export")
        self.button.setToolTip("Save the entries shown now (after the filter) as JSONL or CSV")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.button)
        menu.addAction("Shown entries as JSONL…").triggered.connect(self._ask_jsonl)
        menu.addAction("Shown entries as CSV…").triggered.connect(self._ask_csv)
        self.button.setMenu(menu)
        self.tasks.progress.connect(self._on_progress)
        self.tasks.finished.connect(self._on_done)
        self.tasks.failed.connect(self._on_failed)

    def _ask_jsonl(self) -> None:
        self._ask("jsonl")

    def _ask_csv(self) -> None:
        self._ask("csv")

    def _ask(self, fmt: str) -> None:
        name, _ = QFileDialog.getSaveFileName(self.button.window(), "Export shown entries", f"entries.{fmt}",
                                              f"{fmt.upper()} (*.{fmt})")
        if name:
            self.export_to(Path(name), fmt)

    def export_to(self, path: Path, fmt: str) -> None:
        """Write the rows shown now (the filter result, or the whole view) to ``path``."""
        view, count = self.model.view, self.model.rowCount()
        timelines = self.model.timelines

        def rows() -> Iterator[tuple[Timeline, int]]:
            for i in range(count):
                log, row = view.locate(i)
                yield timelines[log], row

        def work(progress: Callable[[int, int], None], cancel: threading.Event) -> tuple[Path, int]:
            return path, export_rows(path, rows(), fmt, partial(_count_progress, progress, count), cancel)

        self.tasks.start("export", work)
        self.message.emit(f"Exporting {count:,} entries to {path}…")

    def _on_progress(self, done: int, total: int) -> None:
        self.message.emit(f"Exporting… {done:,} of {total:,}")

    def _on_done(self, _name: str, result: object) -> None:
        assert isinstance(result, tuple)
        path, written = result
        self.message.emit(f"Exported {written:,} entries to {path}")

    def _on_failed(self, _name: str, message: str) -> None:
        self.message.emit("Export cancelled." if not message else f"Export failed: {message}")
