"""Tables over PostgreSQL: the tables with their row counts, and the chosen one in pages.

The pages are ``db/pg/model.py``'s (keyed on the primary key); this pane
lists the tables, shows one, and on ``refresh`` (the window's change
counter moved) refreshes the shown table in place. Counts follow
``db/pg/counts.py`` (docs/architecture.md, 'Work that grows with what
changed'): one catalog query reads every table's counters, only the tables
whose counters moved are recounted, and the exact ``count(*)`` runs on a
worker thread with its own connection. Meanwhile a table shows its last
exact count, or the server's estimate marked ``≈`` (so the first paint waits
for no count), or ``counting…``.
"""

from __future__ import annotations

import threading
from functools import partial

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QSplitter, QTableView, QVBoxLayout, QWidget

from ...db.pg import PgDatabase, PgError, PgTable, PgTableModel
from ...db.pg.counts import PgRowCounts, TableStats, count_exact, read_stats
from ..tasks import Task, run_task

TableRole = Qt.ItemDataRole.UserRole + 1


def _count_work(db: PgDatabase, tables: list[PgTable], worker: list[threading.Thread], task: Task) -> dict[str, int]:
    worker.append(threading.current_thread())  # shutdown joins it: its result is still being posted after wait()
    return count_exact(db.params, tables, task.cancel_event)


def _same_rows(counting: TableStats | None, now: TableStats) -> bool:
    """Whether a count already running (started at ``counting``) will be exact for ``now``."""
    return counting is not None and counting.rows_moved is not None and counting.rows_moved == now.rows_moved


class PgTablesPane(QWidget):
    """The table list (name and rows) beside the chosen table's rows."""

    def __init__(self, db: PgDatabase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pgTablesPane")
        self._db = db
        self.row_counts = PgRowCounts()
        self.model: PgTableModel | None = None
        self.table_list = QListWidget(self)
        self.table_list.setObjectName("pgTableList")
        self.view = QTableView(self)
        self.view.setObjectName("pgTableView")
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        split = QSplitter(self)
        split.addWidget(self.table_list)
        split.addWidget(self.view)
        split.setStretchFactor(1, 4)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        self._tables: list[PgTable] = []
        self._stats: dict[str, TableStats] = {}
        self._pending: set[str] = set()  # to recount once the running count is done
        self._in_flight: dict[str, TableStats] | None = None  # the counters the running count started at
        self._task: Task | None = None
        self._worker: list[threading.Thread] = []
        self.table_list.currentItemChanged.connect(self._on_table_chosen)
        self.reload()

    @property
    def counts(self) -> dict[str, int]:
        """Every table's rows as shown (exact, last exact while recounting, or the server's estimate)."""
        return self.row_counts.counts

    def all_exact(self) -> bool:
        """Whether every table's count was taken at the counters last polled (nothing left to count)."""
        return (self._in_flight is None and not self._pending
                and all(label in self.row_counts.exact for label in self._stats))

    def reload(self) -> dict[str, TableStats]:
        """Poll the tables' counters (one catalog query); recount the moved ones in the background.

        Returns the previous poll's counters (``refresh`` compares the shown table's).
        """
        previous = self._stats
        try:
            stats = read_stats(self._db)
            if set(stats) != {t.label for t in self._tables}:
                self._tables = self._db.tables()
        except PgError as exc:
            self.message.setText(str(exc))
            return previous
        self._stats = stats
        stale = self.row_counts.update(stats)
        self._fill_list()
        running = self._in_flight or {}
        self._pending.update(label for label in stale if not _same_rows(running.get(label), stats[label]))
        self._start_count()
        return previous

    def _fill_list(self) -> None:
        """Rebuild the list when the tables changed, else relabel its items in place."""
        labels = [t.label for t in self._tables]
        if [self.table_list.item(r).data(TableRole) for r in range(self.table_list.count())] == labels:
            self._relabel()
            return
        current = self.table_list.currentItem()
        chosen = current.data(TableRole) if current is not None else None
        self.table_list.blockSignals(True)
        self.table_list.clear()
        for table in self._tables:
            item = QListWidgetItem(f"{table.label}  ({self.row_counts.text(table.label)})")
            item.setData(TableRole, table.label)
            if not table.key:
                item.setToolTip("no primary key: paged by OFFSET in ctid order")
            self.table_list.addItem(item)
            if table.label == chosen:
                self.table_list.setCurrentItem(item)
        self.table_list.blockSignals(False)

    def _relabel(self) -> None:
        for row in range(self.table_list.count()):
            item = self.table_list.item(row)
            label = str(item.data(TableRole))
            item.setText(f"{label}  ({self.row_counts.text(label)})")
        self._describe_shown()

    def _start_count(self) -> None:
        """Count the pending tables on a worker (one count at a time; more are queued behind it)."""
        if self._in_flight is not None or not self._pending:
            return
        tables = [t for t in self._tables if t.label in self._pending]
        self._in_flight = {t.label: self._stats[t.label] for t in tables if t.label in self._stats}
        self._pending.clear()
        if not tables:
            self._in_flight = None
            return
        self._worker = []
        self._task = run_task(partial(_count_work, self._db, tables, self._worker),
                              partial(self._on_counted, self._in_flight), self._on_count_failed, receiver=self,
                              name="lifeos-pg-counts")

    def _on_counted(self, at: dict[str, TableStats], exact: dict[str, int]) -> None:
        self._in_flight = self._task = None
        self.row_counts.counted(exact, at)  # a table that moved meanwhile was queued again by that poll
        self._relabel()
        if self.model is not None and self.model.table.label in exact:
            self.model.set_count(self.counts[self.model.table.label])
            self._describe_shown()
        self._start_count()

    def _on_count_failed(self, exc: BaseException) -> None:
        self._in_flight = self._task = None  # the next poll asks again for what is still not exact
        self.message.setText(str(exc) if isinstance(exc, PgError) else f"counting rows failed: {exc!r}")

    def shutdown(self) -> None:
        """Stop counting (after the table being counted) and wait for it, before the window closes."""
        self._pending.clear()
        if self._task is not None:
            self._task.cancel()
            self._task.wait()
            self._task = None
        for thread in self._worker:  # a process quitting under a thread still posting its result crashes
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def show_table(self, label: str) -> None:
        """Show a table by its label (``name`` in public, ``schema.name`` elsewhere)."""
        for row in range(self.table_list.count()):
            item = self.table_list.item(row)
            if item.data(TableRole) == label:
                self.table_list.setCurrentItem(item)
                return

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_table_chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        table = next((t for t in self._tables if item is not None and t.label == item.data(TableRole)), None)
        if table is None:
            return
        old = self.model
        try:
            self.model = PgTableModel(self._db, table, self, count=self.counts.get(table.label, 0))
        except PgError as exc:
            self.message.setText(str(exc))
            return
        self.model.failed.connect(self.message.setText)
        self.view.setModel(self.model)
        self._describe_shown()
        if old is not None:
            old.deleteLater()

    def _describe_shown(self) -> None:
        if self.model is None:
            return
        table = self.model.table
        self.message.setText(f"{table.label}: {self.row_counts.text(table.label)} rows, ordered by "
                             + (", ".join(table.key) if table.key else "ctid (no primary key)"))

    def refresh(self) -> None:
        """Another session changed rows: poll the counters, and refresh the shown table if its rows changed."""
        previous = self.reload()
        if self.model is None:
            return
        label = self.model.table.label
        before, now = previous.get(label), self._stats.get(label)
        if before is None or now is None or now.changed is None or before.changed != now.changed:
            self.model.refresh(self.counts.get(label, self.model.rowCount()))
