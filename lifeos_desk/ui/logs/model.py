"""The table model: rows from a ``RowView``, entries parsed only when Qt asks for them.

Nothing per line is held except in bounded caches of recently shown
entries and their cell texts (a million-line log costs its offsets, not a
million objects). Following a live log repaints the whole screen on every
append (the rows move up by one), so a repaint must not parse, format
times or build brushes again: cell texts are cached, brushes are built
once, and a cell shows at most ``MAX_CELL_CHARS`` characters (Qt measures
the whole string to elide it; the detail pane and tooltip have it all).
``rowCount`` changes only through ``sync``, inside begin/endInsertRows, so
the view and the model never disagree while lines arrive.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ...core.jsonl.entry import Entry, as_text
from ...core.jsonl.export import moment
from ...core.jsonl.timeline import Timeline
from .views import RowView

Index = QModelIndex | QPersistentModelIndex
CACHE_ENTRIES = 4096
CACHE_TEXTS = 16384
MAX_CELL_CHARS = 400
EntryRole = Qt.ItemDataRole.UserRole + 1
TimeRole = Qt.ItemDataRole.UserRole + 2


class Column(IntEnum):
    """The fixed columns; extra columns (other keys) follow them."""

    TIME = 0
    LOG = 1
    LEVEL = 2
    EVENT = 3
    ACTOR = 4
    RESOURCE = 5
    DETAILS = 6


FIXED = len(Column)
HEADERS = {Column.TIME: "Time", Column.LOG: "Log", Column.LEVEL: "Level", Column.EVENT: "Event",
           Column.ACTOR: "Actor", Column.RESOURCE: "Resource", Column.DETAILS: "Details"}
_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.FontRole, Qt.ItemDataRole.BackgroundRole, EntryRole, TimeRole})
_ERROR = QColor("#c62828")
_WARN = QColor("#b26a00")
_MUTED = QColor("#757575")
#: Row tints: level colours (lnav's), a bookmarked line, a line where the hash chain breaks.
_TINTS = {"ERROR": QColor("#fdecea"), "CRITICAL": QColor("#fdecea"), "FATAL": QColor("#fdecea"),
          "WARNING": QColor("#fff4e0"), "WARN": QColor("#fff4e0"), "DEBUG": QColor("#f4f4f4")}
_BOOKMARK = QColor("#dceaff")
_BROKEN = QColor("#f8c4c4")
_TINT_BRUSHES = {level: QBrush(colour) for level, colour in _TINTS.items()}
_BOOKMARK_BRUSH, _BROKEN_BRUSH = QBrush(_BOOKMARK), QBrush(_BROKEN)
_ERROR_BRUSH, _WARN_BRUSH, _MUTED_BRUSH = QBrush(_ERROR), QBrush(_WARN), QBrush(_MUTED)


def format_time(seconds: float | None, utc: bool) -> str:
    """Millisecond time in UTC or local time, as the View menu says."""
    value = moment(seconds, utc)
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"


class LogTableModel(QAbstractTableModel):
    """Rows of the current view; columns: the normalised fields plus chosen extra keys."""

    def __init__(self, timelines: list[Timeline], view: RowView, utc: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timelines = timelines
        self.view = view
        self.utc = utc
        self.extra_keys: list[str] = []
        self._count = 0
        self._cache: OrderedDict[tuple[int, int], Entry] = OrderedDict()
        self._texts: dict[tuple[int, int, int], str] = {}  # (log, row, column) → cell text
        self.seen_malformed: set[tuple[int, int]] = set()
        #: (log, row) → True when bookmarked (set by the area; None: no bookmarks).
        self.bookmarked: Callable[[int, int], bool] | None = None
        #: log index → {row: why the hash chain breaks there}.
        self.chain_breaks: dict[int, dict[int, str]] = {}
        self._mono = QFont("monospace")
        self._mono.setStyleHint(QFont.StyleHint.Monospace)

    # -- Qt API ---------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else FIXED + len(self.extra_keys)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section < FIXED:
            return HEADERS[Column(section)]  # headers are asked rarely; cells use plain ints
        if section - FIXED < len(self.extra_keys):
            return self.extra_keys[section - FIXED]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Roles first: Qt asks ~8 roles per cell per paint, most of which we do not serve.
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < self._count:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), col)
        entry = self.entry(index.row())
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(entry, col)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._tint(index.row(), entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            broken = self.chain_break(index.row())
            if broken:
                return f"Hash chain broken: {broken}"
            return entry.problem if entry.malformed else (entry.summary if col == Column.DETAILS else None)
        if role == Qt.ItemDataRole.FontRole and entry.malformed:
            return self._mono
        if role == EntryRole:
            return entry
        if role == TimeRole:
            return entry.time
        return None

    # -- helpers --------------------------------------------------------------
    def text(self, row: int, col: int) -> str:
        """A cell's text, cached (a repaint while following asks for every shown cell again)."""
        log, local = self.view.locate(row)
        key = (log, local, col)
        text = self._texts.get(key)
        if text is None:
            text = self._display(row, col, self.entry(row))
            if len(text) > MAX_CELL_CHARS:
                text = text[:MAX_CELL_CHARS - 1] + "…"
            if len(self._texts) >= CACHE_TEXTS:
                self._texts.clear()  # cheaper than LRU bookkeeping per cell; refilled by one repaint
            self._texts[key] = text
        return text

    def _display(self, row: int, col: int, entry: Entry) -> str:
        if col == Column.TIME:
            return format_time(entry.time, self.utc)
        if col == Column.LOG:
            return self.timelines[self.view.locate(row)[0]].name
        if entry.malformed:
            if col == Column.LEVEL:
                return "MALFORMED"
            if col == Column.DETAILS:
                return f"{entry.problem}: {entry.summary}" if entry.summary else str(entry.problem)
            return ""
        if col >= FIXED:
            key = self.extra_keys[col - FIXED]
            return as_text(entry.data.get(key)) if entry.data else ""
        if col == Column.LEVEL:
            return entry.level
        if col == Column.EVENT:
            return entry.event
        if col == Column.ACTOR:
            return entry.actor
        if col == Column.RESOURCE:
            return entry.resource
        return entry.summary

    @staticmethod
    def _colour(entry: Entry, col: int) -> QBrush | None:
        if entry.malformed:
            return _MUTED_BRUSH if col != Column.LEVEL else _ERROR_BRUSH
        if col == Column.LEVEL and entry.level in ("ERROR", "CRITICAL", "FATAL"):
            return _ERROR_BRUSH
        if col == Column.LEVEL and entry.level in ("WARNING", "WARN"):
            return _WARN_BRUSH
        return None

    def chain_break(self, row: int) -> str | None:
        """Why the hash chain breaks at this view row, or None."""
        if not self.chain_breaks:
            return None
        log, local = self.view.locate(row)
        return self.chain_breaks.get(log, {}).get(local)

    def _tint(self, row: int, entry: Entry) -> QBrush | None:
        if self.chain_breaks and self.chain_break(row):
            return _BROKEN_BRUSH
        if self.bookmarked is not None and self.bookmarked(*self.view.locate(row)):
            return _BOOKMARK_BRUSH
        return _TINT_BRUSHES.get(entry.level)

    def redraw(self) -> None:
        """Repaint every shown row (bookmarks or chain state changed)."""
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, self.columnCount() - 1),
                                  [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])

    def entry(self, row: int) -> Entry:
        """The parsed entry of a view row (cached; evicts the least recently used)."""
        key = self.view.locate(row)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        entry = self.timelines[key[0]].entry(key[1])
        self._cache[key] = entry
        if len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)
        return entry

    def location(self, row: int) -> tuple[Timeline, int]:
        """The log and its row behind a view row."""
        log, local = self.view.locate(row)
        return self.timelines[log], local

    def pending(self) -> int:
        """Rows the view has that the table does not show yet (the paused count)."""
        return max(self.view.available() - self._count, 0)

    def sync(self) -> int:
        """Show the view's new rows; the number inserted."""
        self.view.extend()
        new = self.view.available() - self._count
        if new <= 0:
            return 0
        self.beginInsertRows(QModelIndex(), self._count, self._count + new - 1)
        self._count += new
        self.endInsertRows()
        return new

    def set_view(self, view: RowView, sync: bool = True) -> None:
        """Show another view (another log, the merged view, a filter result)."""
        self.beginResetModel()
        self.view = view
        self._count = view.available() if sync else 0
        self.endResetModel()

    def set_utc(self, utc: bool) -> None:
        """Redraw the time column in UTC or local time."""
        self.utc = utc
        self._texts.clear()
        if self._count:
            self.dataChanged.emit(self.index(0, Column.TIME), self.index(self._count - 1, Column.TIME),
                                  [Qt.ItemDataRole.DisplayRole])

    def set_extra_keys(self, keys: list[str]) -> None:
        """Choose the optional columns (other keys of the entries)."""
        self.beginResetModel()
        self.extra_keys = list(keys)
        self._texts.clear()
        self.endResetModel()

    def seen_keys(self) -> list[str]:
        """Other keys of the entries parsed so far, for the column menu."""
        keys: dict[str, None] = {}
        for entry in self._cache.values():
            for key in entry.extra:
                keys.setdefault(key)
        return sorted(keys)
