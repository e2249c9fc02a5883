"""How table cells look: sign colours, NULL in grey italics, pending and new rows, tooltips.

The db model (``db.tables.window``) serves data only: the value, whether a
cell has a staged edit, whether its row is new. ``StyledTableModel`` adds
the presentation roles on top, so copy, export and filters never see a
colour, and the look can change without touching data access.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ...core.filters import ColumnKind
from ...db.tables.columns import Clipped, ClippedBytes, ColumnSpec, format_value, sign_of
from ...db.tables.window import Cell, TableWindowModel

Index = QModelIndex | QPersistentModelIndex

PENDING_BG = QColor("#fff3b0")
NEW_BG = QColor("#d8f5d0")
GAIN = QColor("#2a9d4b")  # mid tones: readable on light and dark palettes
LOSS = QColor("#d9463b")
ON_LIGHT = QColor("#202020")
NULL_FG = QColor("#8a8a8a")
TIP_CHARS = 1000  # of a long text, in its tooltip (the cell itself holds cells.CELL_CHARS)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_CENTER = int(Qt.AlignmentFlag.AlignCenter.value)
_STYLE_ROLES = frozenset({Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.FontRole,
                          Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ToolTipRole})


def cell_style(role: int, spec: ColumnSpec, cell: Cell, utc: bool) -> Any:
    """The value of one presentation role for one cell (None: the view's default)."""
    value, edit = cell.value, cell.edit
    if role == Qt.ItemDataRole.ForegroundRole:
        if value is None:
            return QBrush(NULL_FG)
        sign = sign_of(spec, value)
        if sign:
            return QBrush(GAIN if sign > 0 else LOSS)
        # light highlight backgrounds need dark text, also under a dark palette
        return QBrush(ON_LIGHT) if edit is not None or cell.new else None
    if role == Qt.ItemDataRole.BackgroundRole:
        if edit is not None:
            return QBrush(PENDING_BG)
        return QBrush(NEW_BG) if cell.new else None
    if role == Qt.ItemDataRole.FontRole and (value is None or edit is not None):
        font = QFont()
        font.setItalic(value is None)
        font.setBold(edit is not None)
        return font
    if role == Qt.ItemDataRole.TextAlignmentRole:
        if spec.kind.numeric and not spec.user_ref:
            return _RIGHT
        return _CENTER if spec.kind is ColumnKind.BOOL else None
    if role == Qt.ItemDataRole.ToolTipRole:
        return cell_tooltip(spec, cell, utc)
    return None


def cell_tooltip(spec: ColumnSpec, cell: Cell, utc: bool) -> str | None:
    """What hovering a cell explains: a pending edit, a hidden key, how a time is stored, NULL."""
    if cell.edit is not None:
        return f"pending edit (was {format_value(spec, cell.edit.old, utc)}): Save writes it, Revert drops it"
    if spec.kind is ColumnKind.KEY:
        return "Encrypted wallet key: never shown here (the Wallet vault verifies keys)"
    if spec.kind is ColumnKind.TIME and cell.value is not None:
        return f"stored as {cell.value!r} ({'UTC' if utc else 'shown in local time'})"
    if cell.value is None:
        return "NULL: no value (not the same as empty text)"
    if isinstance(cell.value, Clipped | ClippedBytes):
        return clipped_tooltip(cell.value)
    return None


def clipped_tooltip(value: Clipped | ClippedBytes) -> str:
    """A long value's tooltip: its start (bounded), its size, and how to get all of it."""
    if isinstance(value, ClippedBytes):
        head = f"{value.length:,} bytes stored (the cell read the first {len(value):,})."
    else:
        head = (f"<p style='white-space:pre-wrap'>{escape(str.__str__(value)[:TIP_CHARS])}…</p>"
                f"{value.length:,} characters stored; the cell shows the first {len(value):,}.")
    return f"{head} Right-click ▸ Save value to file… for all of it."


def header_tooltip(spec: ColumnSpec) -> str:
    """A column header's tooltip: its SQL name and declared type, and whether it can be edited."""
    extra = " · editable" if spec.editable else ""
    return f"{spec.name} ({spec.decl or 'no type'}){extra}"


class StyledTableModel(TableWindowModel):
    """The table window model with colours, fonts, alignment and tooltips (what the pane shows)."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Presentation roles here; every data role from the db model."""
        if role not in _STYLE_ROLES:
            return super().data(index, role)
        if not index.isValid():
            return None
        cell = self.cell(index.row(), index.column())
        if cell is None:
            return None
        return cell_style(role, self.info.specs[index.column()], cell, self.utc)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column tooltips here; header texts from the db model."""
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.info.specs):
            return header_tooltip(self.info.specs[section])
        return super().headerData(section, orientation, role)
