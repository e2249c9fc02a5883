"""The Audit log area: pick a log (or all logs merged by time), follow it live, filter, export.

Composition only: ``Follower`` polls the files, ``LogTableModel`` shows a
``RowView``, ``TaskRunner`` runs filters and time ordering off the UI thread,
``Exporter`` writes files, ``FilterBar`` and ``DetailPane`` are plain widgets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.jsonl.filtering import FilterSpec
from ...core.jsonl.timeline import LogSet, Timeline
from ..areas import AreaDefaults, FindsInBox, ScreenshotState
from .columns import pick_extra_key
from .detail import DetailPane
from .exporter import Exporter
from .filterbar import FilterBar, parse_moment
from .follower import Follower
from .marks import StateLike
from .model import Column, LogTableModel, format_time
from .statusline import FOLLOW_MS, Coalescer, status_label, status_text
from .tasks import TaskRunner
from .views import FilteredView, MergedView, RowView, SingleView
from .workbench import Workbench

MERGED = -1
SAMPLE_ROWS = 300
#: While a big file is being indexed, the table takes the new rows at most this often.
BULK_SYNC_S = 0.2


class LogsArea(QWidget, AreaDefaults, FindsInBox):
    """The viewer over the log folders it is given."""

    def __init__(self, folders: tuple[Path, ...], utc: bool = False, parent: QWidget | None = None,
                 state: StateLike | None = None) -> None:
        super().__init__(parent)
        self.logs = LogSet(folders)
        self.follower = Follower(self.logs, self)
        self.tasks = TaskRunner(self)
        self.merged: MergedView | None = None
        self.base: RowView | None = None
        self.spec = FilterSpec()
        self.follow = True
        self.paused = False
        self.last_event = ""
        self._auto_scroll = False
        self._last_sync = 0.0
        self._indexing = True
        self._backlog_timer = QTimer(self)
        self._backlog_timer.setSingleShot(True)
        self._backlog_timer.setInterval(0)
        self._backlog_timer.timeout.connect(self._take_rows)
        self.model = LogTableModel(self.logs.timelines, SingleView(self.logs.timelines, 0), utc, self)
        self._build()
        self._connect()
        self.workbench = Workbench(self, state)  # chart, bookmarks, saved filters, hash chain (workbench.py)
        self.follower.start()
        self._fill_picker()
        self._take_rows()
        self._show_notice()

    # -- layout ---------------------------------------------------------------
    def _build(self) -> None:
        self.picker = QComboBox()
        self.picker.setMinimumContentsLength(28)
        self.picker.setToolTip("Which log to show: one log (its rotated parts and live file), or all logs by time")
        self.follow_button = self._toggle("Follow", "Keep the newest line in view (turns off when you scroll up)")
        self.pause_button = self._toggle("Pause", "Stop adding new lines to the table; they are counted meanwhile")
        self.jump = QLineEdit()
        self.jump.setPlaceholderText("jump to 2026-01-02 14:30")
        self.jump.setMaximumWidth(170)
        self.exporter = Exporter(self.model, self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Log"))
        top.addWidget(self.picker, 1)
        for widget in (self.follow_button, self.pause_button, self.jump, self.exporter.button):
            top.addWidget(widget)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("QLabel { background: #fff8e1; color: #5d4037; padding: 6px; }")
        self.notice.hide()
        self.filter_bar = FilterBar()
        self.find_box = self.filter_bar.text  # Edit ▸ Find: the text filter
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("%p%")
        self.cancel_button = QPushButton("Cancel")
        self.progress_label = QLabel()
        busy = QHBoxLayout()
        busy.addWidget(self.progress_label)
        busy.addWidget(self.progress)
        busy.addWidget(self.cancel_button)
        busy.addStretch(1)
        self.busy = QWidget()
        self.busy.setLayout(busy)
        busy.setContentsMargins(0, 0, 0, 0)
        self.busy.hide()
        self.table = self._table()
        self.detail = DetailPane()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.status = status_label("Malformed: lines that are not one {…} JSON object, not UTF-8, or over 1 MB, "
                                   "found while indexing. Level ▸ Malformed lines lists them.")
        self.status_soon = Coalescer(self._update_status, parent=self)  # counts while following (statusline.py)
        self.rows_soon = Coalescer(partial(self._take_rows, True), FOLLOW_MS, self)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.busy)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status)

    def _toggle(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setCheckable(True)
        button.setToolTip(tip)
        return button

    def _table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        for col, width in ((Column.TIME, 180), (Column.LOG, 80), (Column.LEVEL, 80), (Column.EVENT, 160),
                           (Column.ACTOR, 100), (Column.RESOURCE, 230)):
            table.setColumnWidth(col, width)
        return table

    def _connect(self) -> None:
        self.follower.polled.connect(self._on_polled)
        self.follower.logsAdded.connect(self._fill_picker)
        self.follower.skippedChanged.connect(self._show_notice)
        self.picker.currentIndexChanged.connect(self._on_pick)
        self.follow_button.setChecked(True)
        self.follow_button.toggled.connect(self.set_follow)
        self.pause_button.toggled.connect(self.set_paused)
        self.jump.returnPressed.connect(self._on_jump)
        self.exporter.message.connect(self.status.setText)
        self.filter_bar.applyRequested.connect(self.apply_filter)
        self.filter_bar.clearRequested.connect(self.clear_filter)
        self.cancel_button.clicked.connect(self.tasks.cancel)
        self.tasks.progress.connect(self._on_progress)
        self.tasks.finished.connect(self._on_task_done)
        self.tasks.failed.connect(self._on_task_failed)
        self.table.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.table.verticalScrollBar().rangeChanged.connect(self._on_range)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.horizontalHeader().customContextMenuRequested.connect(self._column_menu)
        self.destroyed.connect(self.logs.close)  # file descriptors and archive temp files

    # -- the log picker -----------------------------------------------------
    def _fill_picker(self) -> None:
        """One entry per log (name and folder), then the merged view."""
        current = self.picker.currentData()
        self.picker.blockSignals(True)
        self.picker.clear()
        for k, timeline in enumerate(self.logs.timelines):
            self.picker.addItem(f"{timeline.name}  —  {timeline.folder}", k)
        if len(self.logs.timelines) > 1:
            self.picker.addItem("All logs, merged by time", MERGED)
        if self.merged is not None:
            self.merged.known += [0] * (len(self.logs.timelines) - len(self.merged.known))
        index = self.picker.findData(current if current is not None else self._default_log())
        self.picker.setCurrentIndex(max(index, 0))
        self.picker.blockSignals(False)
        if current is None and self.logs.timelines:
            self._on_pick()

    def _default_log(self) -> int:
        """The first ``audit`` log, else the first log."""
        names = [t.name for t in self.logs.timelines]
        return names.index("audit") if "audit" in names else 0

    def _on_pick(self) -> None:
        choice = self.picker.currentData()
        if choice is None:
            return
        if choice == MERGED:
            self.merged = self.merged or MergedView(self.logs.timelines)
            self.base = self.merged
            if not self.merged.ready and any(t.count > 0 for t in self.logs.timelines):
                self._show_view(self.merged, populated=False)
                self.tasks.start("merge", self.merged.build)
                self._show_busy("Ordering every log's lines by time…")
                return
        else:
            self.base = SingleView(self.logs.timelines, choice)
        if not self._indexing:
            self._offer_events()
        if self.spec.empty:
            self._show_view(self.base)
        else:
            self._run_filter()

    def _show_view(self, view: RowView, populated: bool = True) -> None:
        self._auto_scroll = True
        self.model.set_view(view, sync=populated and not self.paused)
        self.table.setColumnHidden(Column.LOG, not isinstance(self._base_of(view), MergedView))
        self._auto_scroll = False
        self.detail.clear()
        self.workbench.view_changed()
        self._show_notice()
        self._after_rows()

    @staticmethod
    def _base_of(view: RowView) -> RowView:
        return view.base if isinstance(view, FilteredView) else view

    # -- following ------------------------------------------------------------
    def _on_polled(self, new_rows: int, caught_up: bool, events: list[str]) -> None:
        if events:
            self.last_event = f"{events[-1]} at {time.strftime('%H:%M:%S')}"
            self._show_notice()  # a rotation may have put a link or a FIFO where the live file was
        now = time.monotonic()
        if not caught_up and now - self._last_sync < BULK_SYNC_S:
            return  # indexing a big file: show progress a few times a second, not after every slice
        self._last_sync = now
        if self._indexing and caught_up and self.follower.caught_up:
            self._indexing = False
            self._offer_events()  # sample event names once the logs are indexed
        if events or not caught_up:
            self._take_rows()
        else:
            self.rows_soon.request()  # following: the table takes new lines at most once a second

    def _take_rows(self, polled: bool = False) -> None:
        """Show (or, paused, count) new rows; a filtered or merged view takes them in bounded slices.

        ``polled``: lines polled while following; the status counts follow at most once a second.
        """
        if self._view_building():
            return
        if self.paused:
            self.model.view.extend()
            shown = 1
        else:
            shown = self.model.sync()
        if self.model.view.backlog():
            self._backlog_timer.start()
        if polled and not shown:
            return  # another log grew
        self._after_rows(status_now=not polled)

    def _view_building(self) -> bool:
        return self.tasks.running and self.tasks.name == "merge"

    def _after_rows(self, status_now: bool = True) -> None:
        if self.follow and not self.paused:
            self._auto_scroll = True
            self.table.scrollToBottom()
            self._auto_scroll = False
        self.workbench.rows_added()
        if status_now:
            self.status_soon.run()
        else:
            self.status_soon.request()

    def set_follow(self, on: bool) -> None:
        """Follow mode: keep the newest line in view."""
        self.follow = on
        if self.follow_button.isChecked() != on:
            self.follow_button.setChecked(on)
        if on:
            self._after_rows()
        self._update_status()

    def set_paused(self, paused: bool) -> None:
        """Pause: new lines are counted, not shown; resume shows them all."""
        self.paused = paused
        if self.pause_button.isChecked() != paused:
            self.pause_button.setChecked(paused)
        self.pause_button.setText("Resume" if paused else "Pause")
        if not paused:
            self.model.sync()
        self._after_rows()

    def _on_range(self, _minimum: int, maximum: int) -> None:
        """The table grew or was laid out again (resize, delayed layout): stay on the newest line."""
        if self.follow and not self.paused:
            self._auto_scroll = True
            self.table.verticalScrollBar().setValue(maximum)
            self._auto_scroll = False

    def _on_scrolled(self, value: int) -> None:
        """The admin scrolled away from the newest line: stop following."""
        if not self._auto_scroll and self.follow and value < self.table.verticalScrollBar().maximum():
            self.set_follow(False)

    # -- status ---------------------------------------------------------------
    def _current_timelines(self) -> list[Timeline]:
        base = self._base_of(self.model.view)
        if isinstance(base, SingleView):
            return self.logs.timelines[base.index: base.index + 1]
        return list(self.logs.timelines)

    def _update_status(self) -> None:
        self.status.setText(status_text(self._current_timelines(), self.spec.empty, self.model, self.paused,
                                        self.follow, self.last_event))

    def _show_notice(self) -> None:
        notes = [t.notice for t in self._current_timelines() if t.notice]
        if not self.logs.timelines:
            folders = ", ".join(str(f) for f in self.logs.folders) or "(none configured)"
            notes = [f"No *.jsonl logs in the log folders: {folders}. Set them with --logs or LIFEOS_LOGS; "
                     "new logs appear here as soon as they are written."]
        skipped = list(self.logs.skipped)
        skipped += [t.live.problem for t in self.logs.timelines
                    if t.live.problem and t.live.problem.startswith("skipped") and t.live.problem not in skipped]
        notes += self.workbench.notes()
        if skipped:
            notes.append("Not read (only regular files inside the log folders are): " + "; ".join(skipped))
        self.notice.setText("\n".join(dict.fromkeys(n for n in notes if n)))
        self.notice.setVisible(bool(notes))

    # -- selection and detail -------------------------------------------------
    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.detail.clear()
            return
        timeline, row = self.model.location(current.row())
        segment, local = timeline.locate(row)
        entry = self.model.entry(current.row())
        when = format_time(entry.time, self.model.utc)
        where = f"<b>{segment.path.name}</b> line {local + 1:,}" + (f"  ·  {when}" if when else "")
        self.detail.show_entry(entry, where)
        self.detail.setToolTip(str(segment.path))

    def select_row(self, row: int) -> None:
        """Select and show a view row (jump to time, tests)."""
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def show_line(self, path: str, line: int) -> bool:
        """Select line ``line`` (1-based) of the log file at ``path`` (Navigator.showLogLine); False if not here."""
        target = Path(path).absolute()
        for k, timeline in enumerate(self.logs.timelines):
            segments, starts = timeline.layout()
            for segment, start in zip(segments, starts, strict=True):
                if segment.path.absolute() == target and 0 < line <= segment.count:
                    if not self.spec.empty:
                        self.clear_filter()
                    self.set_follow(False)
                    self.picker.setCurrentIndex(max(self.picker.findData(k), 0))
                    self.select_row(start + line - 1)
                    return True
        self.status.setText(f"{Path(path).name} line {line} is not in the log folders shown here "
                            f"({', '.join(str(f) for f in self.logs.folders) or 'none'}).")
        return False

    def _on_jump(self) -> None:
        try:
            moment = parse_moment(self.jump.text(), self.model.utc)
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        if moment is None or not self.model.rowCount():
            return
        self.set_follow(False)
        self.select_row(min(self.model.view.find_time(moment), self.model.rowCount() - 1))

    # -- optional columns -----------------------------------------------------
    def _column_menu(self, pos: QPoint) -> None:
        key = pick_extra_key(self, self.model, self.table.horizontalHeader(), pos)
        if key is not None:
            self.toggle_column(key)

    def toggle_column(self, key: str) -> None:
        """Show or hide another key of the entries as its own column."""
        keys = list(self.model.extra_keys)
        keys.remove(key) if key in keys else keys.append(key)
        self.model.set_extra_keys(keys)
        self._after_rows()

    def _offer_events(self) -> None:
        """Fill the event picker from the first and last lines of each log."""
        names: set[str] = set()
        for timeline in self.logs.timelines:
            rows = list(range(min(SAMPLE_ROWS, timeline.count)))
            rows += range(max(timeline.count - SAMPLE_ROWS, SAMPLE_ROWS), timeline.count)
            names.update(e.event for e in map(timeline.entry, rows) if e.event and len(e.event) < 60)
        self.filter_bar.offer_events(sorted(names))

    # -- filtering --------------------------------------------------------------
    def apply_filter(self) -> None:
        """Read the filter bar and filter the current log off the UI thread."""
        try:
            self.spec = self.filter_bar.spec(self.model.utc)
        except ValueError as exc:
            self.status.setText(f"Filter not applied: {exc}")
            return
        if self.spec.empty:
            self.clear_filter()
            return
        self._run_filter()

    def _run_filter(self) -> None:
        base = self.base
        if base is None:
            return
        view = FilteredView(base, self.spec)
        merged = self.merged if base is self.merged else None

        def work(progress: Callable[[int, int], None], cancel: threading.Event) -> FilteredView:
            if merged is not None and not merged.ready:
                merged.build(progress, cancel)
            return view.build(progress, cancel)

        self.tasks.start("filter", work)
        self._show_busy("Filtering…")

    def clear_filter(self) -> None:
        """Show the whole log again."""
        self.tasks.cancel()
        self.filter_bar.reset()
        self.spec = FilterSpec()
        self.busy.hide()
        if self.base is not None:
            self._show_view(self.base)

    def _show_busy(self, text: str) -> None:
        self.progress_label.setText(text)
        self.progress.setRange(0, 0)
        self.busy.show()

    def _on_progress(self, done: int, total: int) -> None:
        scale = max(total // 1_000_000 + 1, 1)
        self.progress.setRange(0, total // scale)
        self.progress.setValue(done // scale)

    def _on_task_done(self, name: str, view: object) -> None:
        self.busy.hide()
        if isinstance(view, RowView):
            self._show_view(view)

    def _on_task_failed(self, name: str, message: str) -> None:
        self.busy.hide()
        self.status.setText(f"{name.capitalize()} cancelled." if not message else f"{name.capitalize()} failed: "
                            f"{message}")
        if name == "merge" and self.merged is not None and not self.merged.ready:
            self.merged = None

    # -- the area contract (ui/areas.py) ----------------------------------------
    def shutdown(self) -> None:
        """Stop following and stop (then join) the filter, merge and export threads."""
        self.follower.stop()
        self.status_soon.stop()
        self.rows_soon.stop()
        self._backlog_timer.stop()
        self.workbench.shutdown()
        for tasks in (self.tasks, self.exporter.tasks):
            tasks.cancel()
            tasks.wait()

    def screenshot_states(self) -> Sequence[ScreenshotState]:
        """Following with the detail pane open, an ERROR filter, all logs merged."""
        from .shots import screenshot_states

        return screenshot_states(self)
