"""One state file on screen: its notice (if any), where it came from and when, and its table.

A notice is never instead of the rows: a half-written file keeps the last
good rows on screen and says, above them, that they may be stale
(docs/data-formats.md, 'Exit intents').
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ...core.trading import Snapshot
from .models import KeyRole, RecordModel, SortRole

_NOTICE_STYLE = "background:#fff8e1;color:#5d4037;border:1px solid #ffcc80;padding:4px 8px;"
_MISSING_STYLE = "background:#eceff1;color:#37474f;border:1px solid #cfd8dc;padding:4px 8px;"


class StatePane(QWidget):
    """A notice bar, a source line and a sortable table over one ``RecordModel``."""

    def __init__(self, model: RecordModel[Any], what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._what = what
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SortRole)
        self.notice = QLabel()
        self.notice.setObjectName("stateNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        self.source = QLabel()
        self.source.setObjectName("stateSource")
        self.source.setTextFormat(Qt.TextFormat.PlainText)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the file's own order until a header is clicked
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.notice)
        layout.addWidget(self.source)
        layout.addWidget(self.view, 1)
        self.snapshot: Snapshot[Any] | None = None

    def show_snapshot(self, snap: Snapshot[Any]) -> None:
        """Show a fresh read: its rows (the last good ones when stale), its notice, its source."""
        key = self.selected_key()
        self.snapshot = snap
        self.model.set_rows(snap.items)
        if self.proxy.sortColumn() >= 0:  # a source reset leaves the proxy unsorted
            self.proxy.sort(self.proxy.sortColumn(), self.proxy.sortOrder())
        self.view.resizeColumnsToContents()
        self.notice.setText(snap.notice)
        self.notice.setStyleSheet(_MISSING_STYLE if snap.missing else _NOTICE_STYLE)
        self.notice.setVisible(bool(snap.notice))
        self.source.setText(self._source_text(snap))
        self.source.setToolTip(str(snap.path))
        if key is not None:
            self.select_key(key)

    def _source_text(self, snap: Snapshot[Any]) -> str:
        read = time.strftime("%H:%M:%S", time.localtime(snap.read_at))
        if snap.missing:
            return f"{snap.path} · not found (looked {read})"
        shown = f" (shown from {snap.shown_from.name})" if snap.shown_from else ""
        n = len(snap.items)
        state = "stale" if snap.stale else "current"
        return f"{snap.path}{shown} · read {read} · {n} {self._what}{'' if n == 1 else 's'} · {state}"

    def selected_key(self) -> str | None:
        """The key of the selected row, or None."""
        rows = self.view.selectionModel().selectedRows()
        return str(rows[0].data(KeyRole)) if rows else None

    def select_key(self, key: str) -> bool:
        """Select the row with this key; False when it is gone."""
        row = self.model.row_of(key)
        if row < 0:
            return False
        self.view.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())
        return True

    def selected_row(self) -> int:
        """The source-model row selected, or -1."""
        rows = self.view.selectionModel().selectedRows()
        return self.proxy.mapToSource(rows[0]).row() if rows else -1

    def current_source(self, index: QModelIndex) -> int:
        """The source row of a proxy index."""
        return self.proxy.mapToSource(index).row()
