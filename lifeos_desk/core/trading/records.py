"""The treasury's trading state as typed values, parsed from the bot's JSON.

Field names follow the writers (docs/data-formats.md, 'Positions and trade
history', 'Exit intents', 'Emergency stop'): ``Position.to_dict()`` in
``bots/treasury/trading/types.py``, ``ExitIntent.to_dict()`` in
``core/exit_intents.py``, ``StopState.to_dict()`` in
``core/trading/emergency_stop.py``. Parsing is forgiving the way the bot's
own ``from_dict`` is (missing optional fields take the bot's defaults), but a
record without its identifying fields is not guessed: it is skipped and
counted, and the caller says so.

Times: positions and the emergency stop hold naive ISO text that is UTC,
exit intents hold epoch floats (docs/data-formats.md, 'Timestamps'); both
become aware UTC datetimes here, through ``core/times.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from ..times import as_utc


class StopLevel(StrEnum):
    """``StopLevel`` of ``core/trading/emergency_stop.py``, mildest first."""

    NONE = "NONE"
    TOKEN_PAUSE = "TOKEN_PAUSE"
    SOFT_STOP = "SOFT_STOP"
    HARD_STOP = "HARD_STOP"
    KILL_SWITCH = "KILL_SWITCH"


def _float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _bool(value: object) -> bool:
    return value is True or (isinstance(value, int | float) and bool(value))


def iso_time(value: object) -> datetime | None:
    """A stored ISO timestamp as aware UTC (naive text is UTC); None if absent or unparseable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def epoch_time(value: object) -> datetime | None:
    """A stored epoch float as aware UTC; 0 and absent values (the bot's "never") are None."""
    number = _float(value)
    if number is None or number <= 0:
        return None
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(frozen=True)
class Position:
    """One entry of ``positions.json`` or ``trade_history.json``."""

    id: str
    token_mint: str
    token_symbol: str
    direction: str
    entry_price: float | None
    current_price: float | None
    amount: float | None
    amount_usd: float | None
    take_profit_price: float | None
    stop_loss_price: float | None
    status: str
    opened_at: datetime | None
    closed_at: datetime | None
    exit_price: float | None
    pnl_usd: float | None
    pnl_pct: float | None
    peak_price: float | None = None
    sentiment_grade: str = ""

    @property
    def unrealised_pnl_pct(self) -> float | None:
        """``Position.unrealized_pnl_pct`` of the bot: current against entry, in percent."""
        if self.entry_price is None or self.current_price is None or self.entry_price <= 0:
            return None
        return (self.current_price - self.entry_price) / self.entry_price * 100


def parse_position(raw: object) -> Position | None:
    """A position, or None when it lacks the ``id`` the bot's ``from_dict`` requires."""
    if not isinstance(raw, Mapping) or not raw.get("id"):
        return None
    entry = _float(raw.get("entry_price"))
    current = _float(raw.get("current_price"))
    return Position(
        id=_text(raw.get("id")),
        token_mint=_text(raw.get("token_mint")),
        token_symbol=_text(raw.get("token_symbol")) or "UNKNOWN",
        direction=_text(raw.get("direction")),
        entry_price=entry,
        current_price=current if current is not None else entry,
        amount=_float(raw.get("amount")),
        amount_usd=_float(raw.get("amount_usd")),
        take_profit_price=_float(raw.get("take_profit_price", raw.get("tp_price"))),
        stop_loss_price=_float(raw.get("stop_loss_price", raw.get("sl_price"))),
        status=_text(raw.get("status")),
        opened_at=iso_time(raw.get("opened_at")),
        closed_at=iso_time(raw.get("closed_at")),
        exit_price=_float(raw.get("exit_price")),
        pnl_usd=_float(raw.get("pnl_usd")),
        pnl_pct=_float(raw.get("pnl_pct")),
        peak_price=_float(raw.get("peak_price")),
        sentiment_grade=_text(raw.get("sentiment_grade")),
    )


@dataclass(frozen=True)
class TakeProfit:
    """One rung of an exit intent's take-profit ladder."""

    level: int
    price: float | None
    size_pct: float | None
    filled: bool
    fill_price: float | None
    fill_time: datetime | None


@dataclass(frozen=True)
class StopLoss:
    """The intent's stop loss; ``adjusted`` after it was moved to breakeven."""

    price: float | None
    size_pct: float | None
    adjusted: bool
    original_price: float | None


@dataclass(frozen=True)
class TimeStop:
    """Exit by a deadline: ``action`` is exit_fully or reduce_to_runner."""

    deadline: datetime | None
    action: str
    triggered: bool


@dataclass(frozen=True)
class TrailingStop:
    """Active after TP1; ``trail_pct`` is a fraction (0.05 is 5%)."""

    active: bool
    trail_pct: float | None
    highest_price: float | None
    current_stop: float | None


@dataclass(frozen=True)
class ExitIntent:
    """One exit intent: the whole exit plan of a position."""

    key: str  # its key in the file (the id, or the list index for the list shape)
    id: str
    position_id: str
    position_type: str
    token_mint: str
    symbol: str
    entry_price: float | None
    entry_time: datetime | None
    original_quantity: float | None
    remaining_quantity: float | None
    take_profits: tuple[TakeProfit, ...]
    stop_loss: StopLoss | None
    time_stop: TimeStop | None
    trailing_stop: TrailingStop | None
    status: str
    sentiment_invalidated: bool
    last_check_time: datetime | None
    last_check_price: float | None
    enforcement_attempts: int
    enforcement_failures: int
    is_paper: bool
    notes: str


def _mapping(value: object) -> Mapping[str, object] | None:
    return value if isinstance(value, Mapping) else None


def _take_profit(raw: object, index: int) -> TakeProfit | None:
    tp = _mapping(raw)
    if tp is None:
        return None
    level = _float(tp.get("level"))
    return TakeProfit(level=int(level) if level is not None else index + 1, price=_float(tp.get("price")),
                      size_pct=_float(tp.get("size_pct")), filled=_bool(tp.get("filled")),
                      fill_price=_float(tp.get("fill_price")), fill_time=epoch_time(tp.get("fill_timestamp")))


def _stop_loss(raw: object) -> StopLoss | None:
    sl = _mapping(raw)
    if sl is None:
        return None
    return StopLoss(price=_float(sl.get("price")), size_pct=_float(sl.get("size_pct", 100.0)),
                    adjusted=_bool(sl.get("adjusted")), original_price=_float(sl.get("original_price")))


def _time_stop(raw: object) -> TimeStop | None:
    ts = _mapping(raw)
    if ts is None:
        return None
    return TimeStop(deadline=epoch_time(ts.get("deadline_timestamp")), action=_text(ts.get("action", "exit_fully")),
                    triggered=_bool(ts.get("triggered")))


def _trailing_stop(raw: object) -> TrailingStop | None:
    tr = _mapping(raw)
    if tr is None:
        return None
    return TrailingStop(active=_bool(tr.get("active")), trail_pct=_float(tr.get("trail_pct")),
                        highest_price=_float(tr.get("highest_price")), current_stop=_float(tr.get("current_stop")))


def parse_intent(key: str, raw: object) -> ExitIntent | None:
    """An exit intent, or None when it is not an object or names no token."""
    if not isinstance(raw, Mapping) or not (raw.get("token_mint") or raw.get("symbol")):
        return None
    tps = raw.get("take_profits")
    ladder = [_take_profit(tp, n) for n, tp in enumerate(tps)] if isinstance(tps, list) else []
    attempts, failures = _float(raw.get("enforcement_attempts")), _float(raw.get("enforcement_failures"))
    return ExitIntent(
        key=key, id=_text(raw.get("id")) or key, position_id=_text(raw.get("position_id")),
        position_type=_text(raw.get("position_type")) or "spot", token_mint=_text(raw.get("token_mint")),
        symbol=_text(raw.get("symbol")), entry_price=_float(raw.get("entry_price")),
        entry_time=epoch_time(raw.get("entry_timestamp")),
        original_quantity=_float(raw.get("original_quantity")),
        remaining_quantity=_float(raw.get("remaining_quantity")),
        take_profits=tuple(tp for tp in ladder if tp is not None),
        stop_loss=_stop_loss(raw.get("stop_loss")), time_stop=_time_stop(raw.get("time_stop")),
        trailing_stop=_trailing_stop(raw.get("trailing_stop")),
        status=_text(raw.get("status")) or "active", sentiment_invalidated=_bool(raw.get("sentiment_invalidated")),
        last_check_time=epoch_time(raw.get("last_check_timestamp")),
        last_check_price=_float(raw.get("last_check_price")),
        enforcement_attempts=int(attempts or 0), enforcement_failures=int(failures or 0),
        is_paper=raw.get("is_paper", True) is not False, notes=_text(raw.get("notes")),
    )


def intent_items(data: object) -> list[tuple[str, object]] | None:
    """(key, value) pairs of both shapes: an object keyed by id, or a list (keyed by id, else index).

    The list shape is keyed the way ``_load_all_intents`` in
    ``core/exit_intents.py`` keys it. None when the document is neither.
    """
    if isinstance(data, Mapping):
        return [(str(k), v) for k, v in data.items()]
    if isinstance(data, list):
        return [(str((item.get("id") if isinstance(item, Mapping) else None) or n), item)
                for n, item in enumerate(data)]
    return None


@dataclass(frozen=True)
class EmergencyStop:
    """The kill switch's state; ``level`` NONE means trading runs normally."""

    level: StopLevel
    raw_level: str
    reason: str
    activated_at: datetime | None
    activated_by: str
    paused_tokens: tuple[str, ...] = field(default_factory=tuple)
    unwind_strategy: str = "IMMEDIATE"
    auto_resume_at: datetime | None = None

    @property
    def active(self) -> bool:
        """True for every level but NONE (an unknown level counts as active: it is not "off")."""
        return self.level is not StopLevel.NONE or self.raw_level not in ("", "NONE")


def parse_emergency(raw: object) -> EmergencyStop | None:
    """The emergency stop, or None when the document is not an object."""
    if not isinstance(raw, Mapping):
        return None
    raw_level = _text(raw.get("level", "NONE")).upper() or "NONE"
    try:
        level = StopLevel(raw_level)
    except ValueError:
        level = StopLevel.KILL_SWITCH  # an unknown level is shown as the most severe, never as "off"
    tokens = raw.get("paused_tokens")
    return EmergencyStop(
        level=level, raw_level=raw_level, reason=_text(raw.get("reason")),
        activated_at=iso_time(raw.get("activated_at")), activated_by=_text(raw.get("activated_by")),
        paused_tokens=tuple(_text(t) for t in tokens) if isinstance(tokens, list) else (),
        unwind_strategy=_text(raw.get("unwind_strategy")) or "IMMEDIATE",
        auto_resume_at=iso_time(raw.get("auto_resume_at")),
    )
