"""Noticing that a state file was rewritten: an ``os.stat`` poll, with the file watcher only as a hint.

On Linux a rename drops the path out of ``QFileSystemWatcher`` and appends
can be coalesced; on Windows an open file often gives no signal at all
(docs/architecture.md, 'File watching is only a hint'). The positions file
is replaced by rename on every write (docs/data-formats.md, 'Positions and
trade history'), so a watcher alone would go deaf after the first trade.
The poller compares (device, inode, size, mtime_ns) of each path on a timer;
the watcher, on the files and their folders, only makes the next poll come
at once.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, Slot

POLL_MS = 500

Stamp = tuple[int, int, int, int] | None


def file_stamp(path: Path) -> Stamp:
    """(device, inode, size, mtime_ns) of the path itself (a symlink is not followed), or None."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class FilePoller(QObject):
    """Tells when any of the watched paths changes (appears, goes, is rewritten or replaced).

    Signals:
        changed(str): the path whose stamp differs from the last poll.
    """

    changed = Signal(str)

    def __init__(self, interval_ms: int = POLL_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stamps: dict[Path, Stamp] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        self._hint = QFileSystemWatcher(self)
        self._hint.fileChanged.connect(self._on_hint)
        self._hint.directoryChanged.connect(self._on_hint)

    def watch(self, path: Path) -> None:
        """Start watching ``path`` (it need not exist yet); the current state is the baseline."""
        self._stamps[path] = file_stamp(path)
        self._add_hints(path)
        if not self._timer.isActive():
            self._timer.start()

    def paths(self) -> list[Path]:
        """The watched paths."""
        return list(self._stamps)

    def clear(self) -> None:
        """Forget every path (a new home is being shown)."""
        self._stamps.clear()
        for p in self._hint.files() + self._hint.directories():
            self._hint.removePath(p)

    def stop(self) -> None:
        """Stop polling; nothing more is emitted."""
        self._timer.stop()
        self.clear()

    def _add_hints(self, path: Path) -> None:
        for p in (path, path.parent):
            if os.path.exists(p) and str(p) not in self._hint.files() + self._hint.directories():
                self._hint.addPath(str(p))

    @Slot()
    def poll(self) -> None:
        """Compare every path's stamp with the last one; emit ``changed`` for each that differs."""
        for path, old in list(self._stamps.items()):
            new = file_stamp(path)
            if new != old:
                self._stamps[path] = new
                self._add_hints(path)  # a replaced file dropped out of the watcher
                self.changed.emit(str(path))

    @Slot(str)
    def _on_hint(self, _path: str) -> None:
        QTimer.singleShot(0, self.poll)
