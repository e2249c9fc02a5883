"""Table models of the trading state: positions, trade history, exit intents, a take-profit ladder.

Each model is a ``QAbstractTableModel`` over a tuple of frozen records from
``core/trading``; a column is declared once (title, value, how to show it),
so the four models differ only in their column lists. ``SortRole`` holds a
value that sorts right (numbers as numbers, missing values first), for a
``QSortFilterProxyModel`` in front of the view.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ...core.times import display_time
from ...core.trading import ExitIntent, Position, TakeProfit

T = TypeVar("T")
SortRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
GAIN, LOSS = QColor("#2e7d32"), QColor("#c62828")

TimeFormat = Callable[[datetime | None], str]


def time_text(moment: datetime | None, utc: bool) -> str:
    """A stored (aware UTC) time in the zone the admin chose (View ▸ UTC times), zone named."""
    return display_time(moment, utc)  # the one formatting (core/times.py)


def price(value: float | None) -> str:
    """A token price: significant digits, because meme-coin prices are tiny (0.00001234)."""
    if value is None:
        return "—"
    if value == 0 or abs(value) >= 1:
        return f"{value:,.6g}" if abs(value) < 1000 else f"{value:,.2f}"
    digits = min(18, 5 - math.floor(math.log10(abs(value))))  # six significant digits, never 1e-05
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def amount(value: float | None) -> str:
    """A token amount or a USD value, grouped."""
    return "—" if value is None else f"{value:,.2f}"


def percent(value: float | None) -> str:
    """A signed percentage."""
    return "—" if value is None else f"{value:+.2f}%"


def plain_pct(value: float | None) -> str:
    """An unsigned share (ladder size)."""
    return "—" if value is None else f"{value:g}%"


def short_mint(value: object) -> str:
    """A 44-character mint address as ``DezX…B263`` (the tooltip and copy keep it whole)."""
    text = str(value or "")
    return text if len(text) <= 14 else f"{text[:4]}…{text[-4:]}"


def yes_no(value: bool) -> str:
    """A flag in words."""
    return "yes" if value else "no"


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: title, the raw value, and how it reads; ``numeric`` right-aligns and colours signs."""

    title: str
    value: Callable[[T], object]
    text: Callable[[object], str] = str
    numeric: bool = False
    signed: bool = False
    tip: str = ""


class RecordModel(QAbstractTableModel, Generic[T]):
    """Rows of frozen records, columns declared as ``Column``s; read-only."""

    def __init__(self, columns: Sequence[Column[T]], key: Callable[[T], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._key = key
        self._rows: tuple[T, ...] = ()

    def set_rows(self, rows: Sequence[T]) -> None:
        """Show these records (the whole file was read again)."""
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def rows(self) -> tuple[T, ...]:
        """The records shown."""
        return self._rows

    def record(self, row: int) -> T | None:
        """The record at ``row``, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: str) -> int:
        """The row of the record with this key, or -1."""
        return next((n for n, r in enumerate(self._rows) if self._key(r) == key), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        col = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tip or col.title
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._columns):
            return None
        rec, col = self._rows[index.row()], self._columns[index.column()]
        raw = col.value(rec)
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(raw)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(raw) if col.text is short_mint else col.text(raw)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT if col.numeric else _LEFT)
        if role == Qt.ItemDataRole.ForegroundRole and col.signed and isinstance(raw, int | float) and raw:
            return GAIN if raw > 0 else LOSS
        if role == SortRole:
            return _sort_value(raw)
        if role == KeyRole:
            return self._key(rec)
        return None


def _sort_value(raw: object) -> object:
    if raw is None:
        return float("-inf")
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, int | float | str):
        return raw
    if isinstance(raw, datetime):
        return raw.timestamp()
    return str(raw)


def _t(fmt: TimeFormat) -> Callable[[object], str]:
    def text(value: object) -> str:
        return fmt(value if isinstance(value, datetime) else None)
    return text


def _p(v: object) -> str:
    return price(v if isinstance(v, int | float) else None)


def _a(v: object) -> str:
    return amount(v if isinstance(v, int | float) else None)


def _pct(v: object) -> str:
    return percent(v if isinstance(v, int | float) else None)


def _share(v: object) -> str:
    return plain_pct(v if isinstance(v, int | float) else None)


def position_columns(fmt: TimeFormat, closed: bool = False) -> list[Column[Position]]:
    """Open positions; with ``closed`` the trade history's exit columns instead of the live ones."""
    cols: list[Column[Position]] = [
        Column("Symbol", lambda p: p.token_symbol),
        Column("Mint", lambda p: p.token_mint, short_mint, tip="Token mint address (hover for all of it)"),
        Column("Direction", lambda p: p.direction),
        Column("Entry", lambda p: p.entry_price, _p, numeric=True, tip="Entry price (USD)"),
    ]
    if closed:
        cols += [
            Column("Exit", lambda p: p.exit_price, _p, numeric=True, tip="Exit price (USD)"),
            Column("Amount", lambda p: p.amount, _a, numeric=True, tip="Token amount"),
            Column("USD", lambda p: p.amount_usd, _a, numeric=True, tip="Entry value in USD"),
            Column("Opened", lambda p: p.opened_at, _t(fmt)),
            Column("Closed", lambda p: p.closed_at, _t(fmt)),
            Column("PnL USD", lambda p: p.pnl_usd, _a, numeric=True, signed=True),
            Column("PnL %", lambda p: p.pnl_pct, _pct, numeric=True, signed=True),
        ]
    else:
        cols += [
            Column("Current", lambda p: p.current_price, _p, numeric=True, tip="Last price the bot saw (USD)"),
            Column("Take-profit", lambda p: p.take_profit_price, _p, numeric=True),
            Column("Stop-loss", lambda p: p.stop_loss_price, _p, numeric=True),
            Column("Amount", lambda p: p.amount, _a, numeric=True, tip="Token amount"),
            Column("USD", lambda p: p.amount_usd, _a, numeric=True, tip="Entry value in USD"),
            Column("Opened", lambda p: p.opened_at, _t(fmt)),
            Column("Unrealised %", lambda p: p.unrealised_pnl_pct, _pct, numeric=True, signed=True,
                   tip="(current − entry) / entry, as the bot computes it"),
        ]
    cols.append(Column("Status", lambda p: p.status))
    return cols


def _next_tp(intent: ExitIntent) -> float | None:
    return next((tp.price for tp in intent.take_profits if not tp.filled), None)


def intent_columns(fmt: TimeFormat) -> list[Column[ExitIntent]]:
    """One row per exit intent; the ladder and stops in detail are in the pane beside it."""
    return [
        Column("ID", lambda i: i.key, tip="Its key in exit_intents.json"),
        Column("Symbol", lambda i: i.symbol),
        Column("Type", lambda i: i.position_type, tip="spot or perps"),
        Column("Entry", lambda i: i.entry_price, _p, numeric=True),
        Column("Remaining", lambda i: i.remaining_quantity, _a, numeric=True, tip="Remaining quantity"),
        Column("TPs filled", lambda i: f"{sum(tp.filled for tp in i.take_profits)}/{len(i.take_profits)}"),
        Column("Next TP", _next_tp, _p, numeric=True, tip="Price of the first unfilled take-profit"),
        Column("Stop loss", lambda i: i.stop_loss.price if i.stop_loss else None, _p, numeric=True),
        Column("Deadline", lambda i: i.time_stop.deadline if i.time_stop else None, _t(fmt), tip="Time stop"),
        Column("Status", lambda i: i.status),
        Column("Paper", lambda i: "paper" if i.is_paper else "LIVE", tip="Paper trade or real money"),
    ]


def ladder_columns(fmt: TimeFormat) -> list[Column[TakeProfit]]:
    """The rungs of one intent's take-profit ladder."""
    return [
        Column("Level", lambda tp: tp.level, numeric=True),
        Column("Price", lambda tp: tp.price, _p, numeric=True),
        Column("Size", lambda tp: tp.size_pct, _share, numeric=True, tip="% of the original position"),
        Column("Filled", lambda tp: tp.filled, lambda v: yes_no(bool(v))),
        Column("Fill price", lambda tp: tp.fill_price, _p, numeric=True),
        Column("Fill time", lambda tp: tp.fill_time, _t(fmt)),
    ]


def positions_model(fmt: TimeFormat, closed: bool = False, parent: QObject | None = None) -> RecordModel[Position]:
    """A model of positions (or, with ``closed``, of the trade history)."""
    return RecordModel(position_columns(fmt, closed), key=lambda p: p.id, parent=parent)


def intents_model(fmt: TimeFormat, parent: QObject | None = None) -> RecordModel[ExitIntent]:
    """A model of exit intents, keyed by their key in the file."""
    return RecordModel(intent_columns(fmt), key=lambda i: i.key, parent=parent)


def ladder_model(fmt: TimeFormat, parent: QObject | None = None) -> RecordModel[TakeProfit]:
    """A model of one take-profit ladder."""
    return RecordModel(ladder_columns(fmt), key=lambda tp: str(tp.level), parent=parent)
