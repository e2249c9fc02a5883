"""The Audit log area's lnav comforts: timeline chart, bookmarks, saved filters, hash chain, shape columns.

Kept out of area.py (which composes the viewer itself): ``Workbench`` adds its
widgets to the area and is told when the view changes and rows arrive. What
it remembers (bookmarks, saved filters) goes to the app's State, never to the
data home (``AppDirs.state``, see marks.py).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QMenu, QToolButton, QVBoxLayout

from ...core.jsonl.chain import ChainCheck, is_chained
from ...core.jsonl.histogram import Bins, LiveBins, TimesCache
from .histogram import Histogram, compute_bins
from .marks import Bookmarks, MemoryState, SavedFilters, StateLike
from .model import Column
from .tasks import TaskRunner
from .views import PairsView, SingleView

if TYPE_CHECKING:
    from ...core.jsonl.timeline import Timeline
    from .area import LogsArea

#: Columns hidden when every sampled entry of the shown log leaves them empty.
SHAPE_COLUMNS = (Column.LEVEL, Column.ACTOR, Column.RESOURCE)
SAMPLE = 200
#: The chart is recomputed at most this often while lines arrive.
CHART_EVERY_S = 2.0
MAX_BINS = 120
NOTED_BREAKS = 3


class Workbench(QObject):
    """Everything the area offers beyond showing, following and filtering rows."""

    def __init__(self, area: LogsArea, state: StateLike | None = None) -> None:
        super().__init__(area)
        self.area = area
        state = state if state is not None else MemoryState()
        self.bookmarks = Bookmarks(state)
        self.saved = SavedFilters(state)
        self.times = TimesCache()
        self.live_bins: dict[int, LiveBins] = {}  # per log: bars extended by new rows only
        self.chart_tasks = TaskRunner(self)
        self.chains: dict[int, ChainCheck | None] = {}
        self._sampled = 0
        self._chart_due = QTimer(self)
        self._chart_due.setSingleShot(True)
        self._chart_due.timeout.connect(self.refresh_chart)
        self._chain_more = QTimer(self)
        self._chain_more.setSingleShot(True)
        self._chain_more.setInterval(0)
        self._chain_more.timeout.connect(self.check_chains)
        self.histogram = Histogram()
        self.histogram.utc = area.model.utc
        area.model.bookmarked = self.is_bookmarked
        self._build()

    # -- widgets ----------------------------------------------------------------
    def _build(self) -> None:
        area = self.area
        self.bookmark_button = self._menu_button("Bookmarks", "Marked lines (Ctrl+M marks the selected line; "
                                                 "F2 / Shift+F2 go to the next / previous one)", self._fill_bookmarks)
        self.saved_button = self._menu_button("Saved filters", "Filters kept under a name", self._fill_saved)
        layout = area.layout()
        assert isinstance(layout, QVBoxLayout)
        first = layout.itemAt(0)
        top = first.layout() if first is not None else None
        assert isinstance(top, QHBoxLayout)
        top.insertWidget(top.count() - 1, self.bookmark_button)
        top.insertWidget(top.count() - 1, self.saved_button)
        layout.insertWidget(layout.indexOf(area.splitter), self.histogram)
        self.toggle_action = self._action("Toggle bookmark", QKeySequence("Ctrl+M"), self.toggle_bookmark)
        self.next_action = self._action("Next bookmark", QKeySequence("F2"), self.next_bookmark)
        self.previous_action = self._action("Previous bookmark", QKeySequence("Shift+F2"), self.previous_bookmark)
        area.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        area.table.customContextMenuRequested.connect(self._row_menu)
        self.histogram.jumpRequested.connect(self.jump_to)
        self.chart_tasks.finished.connect(self._on_chart)

    def _menu_button(self, text: str, tip: str, fill: object) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        menu.aboutToShow.connect(fill)
        button.setMenu(menu)
        return button

    def _action(self, text: str, keys: QKeySequence, slot: object) -> QAction:
        action = QAction(text, self.area)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.area.addAction(action)
        return action

    # -- told by the area -------------------------------------------------------
    def view_changed(self) -> None:
        """Another log, a filter result, the merged view: new columns, chart and chain marks."""
        self.hide_empty_columns()
        self.area.model.chain_breaks = self._breaks_by_log()
        self.refresh_chart()

    def rows_added(self) -> None:
        """New rows: check the chain further; redraw the chart soon (throttled)."""
        self.check_chains()
        if self._sampled < 2 * SAMPLE and self.area.model.rowCount() > self._sampled:
            self.hide_empty_columns()  # the first rows of a log just arrived: decide its columns on them
        if not self._chart_due.isActive():
            wait = max(CHART_EVERY_S - (time.monotonic() - self.histogram.updated_at), 0.0)
            self._chart_due.start(int(wait * 1000))

    def notes(self) -> list[str]:
        """Hash-chain breaks of the shown logs, for the area's notice."""
        notes = []
        for timeline in self.area._current_timelines():
            check = self.chains.get(id(timeline))
            if check is None or not check.breaks:
                continue
            first = [b.message() for b in check.breaks[:NOTED_BREAKS]]
            more = len(check.breaks) - len(first)
            notes.append("Hash chain broken — " + "; ".join(first) + (f"; and {more:,} more" if more else "")
                         + ". Broken lines are shaded red.")
        return notes

    # -- shape columns ------------------------------------------------------------
    def hide_empty_columns(self) -> None:
        """Hide Level, Actor and Resource when the shown log's shape leaves them empty."""
        model, table = self.area.model, self.area.table
        count = model.rowCount() or model.view.available()
        rows = [*range(min(SAMPLE, count)), *range(max(count - SAMPLE, SAMPLE), count)]
        entries = [model.entry(r) for r in rows if r < model.view.available()]
        self._sampled = count
        for column in SHAPE_COLUMNS:
            empty = bool(entries) and all(not model._display(0, column, e) for e in entries if not e.malformed)
            table.setColumnHidden(column, empty and not (column == Column.LEVEL
                                                        and any(e.malformed for e in entries)))

    # -- chart -----------------------------------------------------------------
    def refresh_chart(self) -> None:
        """Bin the current view's times off the UI thread."""
        self.histogram.utc = self.area.model.utc
        if self.area._indexing:
            return  # reading a big log: chart it once indexed, so the worker never competes with the first screen
        view = self.area.model.view
        if view.available() == 0:
            self.histogram.set_bins(Bins(self.histogram.bins.edges[:0], self.histogram.bins.counts[:0], 0.0))
            return
        self.chart_tasks.start("chart", compute_bins(view, self.times, MAX_BINS, self.live_bins))

    def _on_chart(self, _name: str, bins: object) -> None:
        if isinstance(bins, Bins):
            self.histogram.set_bins(bins)

    def jump_to(self, seconds: float) -> None:
        """Select the first shown row at or after ``seconds`` (a chart click)."""
        area = self.area
        if not area.model.rowCount():
            return
        area.set_follow(False)
        area.select_row(min(area.model.view.find_time(seconds), area.model.rowCount() - 1))

    # -- hash chain --------------------------------------------------------------
    def check_chains(self) -> None:
        """Advance the chain check of every daily-audit-shaped log by one slice each."""
        changed, behind = False, False
        for timeline in self.area.logs.timelines:
            check = self._chain_of(timeline)
            if check is None:
                continue
            before = len(check.breaks)
            behind |= not check.advance()
            changed |= len(check.breaks) != before
        if changed:
            self.area.model.chain_breaks = self._breaks_by_log()
            self.area.model.redraw()
            self.area._show_notice()
        if behind:
            self._chain_more.start()

    def _chain_of(self, timeline: Timeline) -> ChainCheck | None:
        key = id(timeline)
        if key not in self.chains:
            if timeline.count == 0:
                return None  # decide once it has lines
            self.chains[key] = ChainCheck(timeline) if is_chained(timeline) else None
        return self.chains[key]

    def _breaks_by_log(self) -> dict[int, dict[int, str]]:
        out: dict[int, dict[int, str]] = {}
        for k, timeline in enumerate(self.area.logs.timelines):
            check = self.chains.get(id(timeline))
            if check is not None and check.breaks:
                out[k] = {b.row: b.message() for b in check.breaks}
        return out

    # -- bookmarks ---------------------------------------------------------------
    def _where(self, log: int, row: int) -> tuple[str, int]:
        segment, local = self.area.logs.timelines[log].locate(row)
        return str(segment.path), local + 1

    def is_bookmarked(self, log: int, row: int) -> bool:
        """True when that row's file line is bookmarked."""
        return bool(self.bookmarks) and self.bookmarks.has(*self._where(log, row))

    def toggle_bookmark(self) -> None:
        """Mark or unmark the selected line."""
        current = self.area.table.currentIndex()
        if not current.isValid():
            self.area.status.setText("Select a line to bookmark it.")
            return
        path, line = self._where(*self.area.model.view.locate(current.row()))
        on = self.bookmarks.toggle(path, line)
        self.area.status.setText(f"{'Bookmarked' if on else 'Removed the bookmark on'} line {line:,} of {path}")
        self.area.model.redraw()

    def marked_rows(self) -> list[int]:
        """View rows that are bookmarked, ascending (the current log; a pairs view is searched)."""
        view = self.area.model.view
        found: list[int] = []
        for k, timeline in enumerate(self.area.logs.timelines):
            for segment_rows in self._timeline_marks(timeline):
                for row in segment_rows:
                    hit = self._view_row(view, k, row)
                    if hit is not None:
                        found.append(hit)
        return sorted(found)

    def _timeline_marks(self, timeline: Timeline) -> list[list[int]]:
        segments, starts = timeline.layout()
        out = []
        for segment, start in zip(segments, starts, strict=True):
            lines = self.bookmarks.lines(str(segment.path))
            out.append([start + n - 1 for n in lines if 0 < n <= segment.count])
        return out

    @staticmethod
    def _view_row(view: object, log: int, row: int) -> int | None:
        if isinstance(view, SingleView):
            return row if view.index == log and row < view.available() else None
        if isinstance(view, PairsView):
            logs, rows = view.logs.view()[: view.available()], view.rows.view()[: view.available()]
            hits = (logs == log) & (rows == row)
            index = hits.nonzero()[0]
            return int(index[0]) if len(index) else None
        return None

    def next_bookmark(self) -> None:
        """Go to the first bookmark after the selected line (wrapping)."""
        self._step(+1)

    def previous_bookmark(self) -> None:
        """Go to the last bookmark before the selected line (wrapping)."""
        self._step(-1)

    def _step(self, direction: int) -> None:
        rows = self.marked_rows()
        if not rows:
            self.area.status.setText("No bookmarks in this view: Ctrl+M marks the selected line.")
            return
        here = self.area.table.currentIndex().row()
        after = [r for r in rows if (r > here if direction > 0 else r < here)]
        target = (after[0] if direction > 0 else after[-1]) if after else (rows[0] if direction > 0 else rows[-1])
        self.area.set_follow(False)
        self.area.select_row(target)

    def _fill_bookmarks(self) -> None:
        menu = self.bookmark_button.menu()
        menu.clear()
        for action in (self.toggle_action, self.next_action, self.previous_action):
            menu.addAction(action)
        menu.addSeparator()
        rows = self.marked_rows()
        if not rows:
            menu.addAction("No bookmarks in this view").setEnabled(False)
        for row in rows[:50]:
            entry = self.area.model.entry(row)
            path, line = self._where(*self.area.model.view.locate(row))
            go = menu.addAction(f"{path.rsplit('/', 1)[-1]} line {line:,}  {entry.event[:50]}")
            go.setData(row)
            go.triggered.connect(self._go_to_marked)

    def _go_to_marked(self) -> None:
        action = self.sender()
        if isinstance(action, QAction) and isinstance(action.data(), int):
            self.area.set_follow(False)
            self.area.select_row(int(action.data()))

    def _row_menu(self, pos: QPoint) -> None:
        index = self.area.table.indexAt(pos)
        if index.isValid():
            self.area.select_row(index.row())
        menu = QMenu(self.area)
        for action in (self.toggle_action, self.next_action, self.previous_action):
            menu.addAction(action)
        menu.exec(self.area.table.viewport().mapToGlobal(pos))

    # -- saved filters ---------------------------------------------------------------
    def save_filter(self, name: str) -> None:
        """Keep the filter bar's inputs under ``name``."""
        name = name.strip()
        if not name:
            return
        self.saved.save(name, self.area.filter_bar.fields())
        self.area.status.setText(f"Filter saved as '{name}'.")

    def apply_saved(self, name: str) -> None:
        """Load a saved filter into the bar and run it."""
        fields = self.saved.all().get(name)
        if fields is None:
            return
        self.area.filter_bar.load(fields)
        self.area.apply_filter()

    def _ask_name(self) -> None:
        name, ok = QInputDialog.getText(self.area, "Save filter", "Name for the current filter:")
        if ok:
            self.save_filter(name)

    def _fill_saved(self) -> None:
        menu = self.saved_button.menu()
        menu.clear()
        menu.addAction("Save current filter…").triggered.connect(self._ask_name)
        every = self.saved.all()
        if every:
            menu.addSeparator()
        for name in every:
            apply = menu.addAction(name)
            apply.setData(name)
            apply.triggered.connect(self._apply_chosen)
        if every:
            remove = menu.addMenu("Delete")
            for name in every:
                gone = remove.addAction(name)
                gone.setData(name)
                gone.triggered.connect(self._remove_chosen)

    def _apply_chosen(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.apply_saved(str(action.data()))

    def _remove_chosen(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.saved.remove(str(action.data()))

    def shutdown(self) -> None:
        """Stop the chart task and the timers."""
        self._chart_due.stop()
        self._chain_more.stop()
        self.chart_tasks.cancel()
        self.chart_tasks.wait()
