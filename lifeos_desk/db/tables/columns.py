"""What each column is (money, price, time, key...), its header, and how it reads.

Qt-free on purpose so the formatting rules are tested without a screen. The
kinds come from the column's name and declared type, which both schemas
(docs/data-formats.md, 'public_users.db, deployed schema') make unambiguous; an unknown table still gets sensible
kinds from the declared types.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from ...core.filters import ColumnFilter, ColumnKind, TimeStorage, parse_timestamp
from ...core.schema import Domain
from .known import known_header

RISK_LEVELS = ("CONSERVATIVE", "MODERATE", "AGGRESSIVE", "DEGEN")
KEY_COLUMNS = {"encrypted_key", "encrypted_private_key"}
_TIME_NAMES = {"last_active", "last_used", "last_updated", "last_adjusted", "last_reset", "timestamp"}
_BOOL_PREFIXES = ("is_", "enable_", "require_", "auto_", "learn_", "has_")
_WORDS = {"id": "ID", "usd": "(USD)", "pnl": "PnL", "sol": "SOL", "pct": "%", "tx": "Tx"}


class Clipped(str):
    """The first characters of a long text, and how long the stored text is (db/tables/cells.py)."""

    length: int

    def __new__(cls, prefix: str, length: int) -> Clipped:
        """A prefix remembering the full length."""
        obj = super().__new__(cls, prefix)
        obj.length = length
        return obj


class ClippedBytes(bytes):
    """The first bytes of a long blob, and how long the stored blob is."""

    length: int

    def __new__(cls, prefix: bytes, length: int) -> ClippedBytes:
        """A prefix remembering the full length."""
        obj = super().__new__(cls, prefix)
        obj.length = length
        return obj


def clipped_note(value: object) -> str:
    """" … (52,428,800 chars)" after a cut value; "" for a whole one."""
    if isinstance(value, Clipped):
        return f" … ({value.length:,} chars)"
    if isinstance(value, ClippedBytes):
        return f" … ({value.length:,} bytes)"
    return ""


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table view."""

    name: str
    decl: str = ""
    kind: ColumnKind = ColumnKind.TEXT
    header: str = ""
    pk: bool = False
    editable: bool = False
    choices: tuple[str, ...] = ()
    user_ref: bool = False  # holds a user id: shown with the username
    signed: bool = False  # a gain or loss: green when positive, red when negative
    storage: TimeStorage = field(default_factory=TimeStorage)

    @property
    def sql(self) -> str:
        """The quoted column name."""
        return '"' + self.name.replace('"', '""') + '"'

    def filter_column(self) -> ColumnFilter:
        """What the filter parser needs."""
        return ColumnFilter(self.sql, self.kind, self.storage)

    def with_storage(self, storage: TimeStorage) -> ColumnSpec:
        """A copy knowing how its times are stored."""
        return replace(self, storage=storage)


def kind_of(name: str, decl: str) -> ColumnKind:
    """Guess a column's kind from its name and declared type."""
    n, d = name.lower(), decl.upper()
    if n in KEY_COLUMNS:
        return ColumnKind.KEY
    if "BOOL" in d or n.startswith(_BOOL_PREFIXES):
        return ColumnKind.BOOL
    if "TIME" in d or "DATE" in d or n.endswith("_at") or n in _TIME_NAMES:
        return ColumnKind.TIME
    if n.endswith("_usd") or n in ("pnl", "total_pnl", "avg_win", "avg_loss", "best_win", "worst_loss"):
        return ColumnKind.MONEY
    if n.endswith("price") or n == "cost_basis":
        return ColumnKind.PRICE
    if "INT" in d:
        return ColumnKind.INTEGER
    if any(t in d for t in ("REAL", "FLOA", "DOUB", "NUMERIC", "DECIMAL")):
        return ColumnKind.REAL
    return ColumnKind.TEXT


def header_of(name: str) -> str:
    """A readable header: ``pnl_usd`` -> ``PnL (USD)``, ``user_id`` -> ``User``."""
    if name == "user_id":
        return "User"
    words = [_WORDS.get(w, w) for w in name.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def build_specs(table: str, columns: list[tuple[str, str, bool]], domain: Domain | None) -> list[ColumnSpec]:
    """ColumnSpecs for a table from (name, declared type, is primary key) triples."""
    specs = []
    for name, decl, pk in columns:
        header = (known_header(table, name) if domain is None else None) or header_of(name)
        specs.append(ColumnSpec(
            name=name, decl=decl, kind=kind_of(name, decl), header=header, pk=pk,
            editable=_editable(table, name, domain), choices=RISK_LEVELS if name == "risk_level" else (),
            user_ref=_user_ref(table, name, domain), signed=is_gain_or_loss(name),
        ))
    return specs


def is_gain_or_loss(name: str) -> bool:
    """PnL-like money columns get sign colours; limits, sizes and volumes do not."""
    n = name.lower()
    return "pnl" in n or n in ("avg_win_usd", "avg_loss_usd", "best_trade_usd", "worst_trade_usd", "avg_win",
                               "avg_loss", "best_win", "worst_loss")


def _editable(table: str, column: str, domain: Domain | None) -> bool:
    """users: name and risk level; wallets: label and default flag. History stays read-only."""
    if domain is None:
        return False
    if table == domain.users:
        return column in (domain.user_name, "risk_level")
    if table == domain.wallets:
        # The deployed schema has no label: its Domain maps "label" to `source` (generated /
        # imported / recovered), which records where a key came from and is not the admin's to rename.
        return column == domain.wallet_default or column == domain.wallet_label == "label"
    return False


def _user_ref(table: str, column: str, domain: Domain | None) -> bool:
    if domain is None or table == domain.users:
        return False
    return column == "user_id"


# ---------------------------------------------------------------- formatting


def format_money(value: float) -> str:
    """``-$1,234.50``."""
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def format_price(value: float) -> str:
    """Enough decimals to show four significant digits of small token prices."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    mag = math.floor(math.log10(abs(value)))
    decimals = 2 if mag >= 3 else min(12, max(2, 3 - mag))
    return f"{value:,.{decimals}f}"


def format_real(value: float) -> str:
    """Up to six decimals, trailing zeros dropped."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def format_time(value: object, utc: bool) -> str:
    """ISO text in UTC or local time; unparseable values are shown as stored."""
    moment = parse_timestamp(value)
    if moment is None:
        return str(value)
    shown = moment if utc else moment.astimezone()
    return shown.strftime("%Y-%m-%d %H:%M:%S")


def format_key(size: object) -> str:
    """A key column shows only that a key is there and how big it is."""
    return f"key present ({size} bytes)" if size is not None else "NULL"


def format_value(spec: ColumnSpec, value: object, utc: bool) -> str:
    """The text a cell shows (NULL is shown as NULL; an empty text stays empty)."""
    if spec.kind is ColumnKind.KEY:
        return format_key(value)
    if value is None:
        return "NULL"
    if isinstance(value, ClippedBytes):
        return f"<{value.length:,} bytes>"
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, Clipped):
        return str.__str__(value) + clipped_note(value)
    if spec.kind is ColumnKind.BOOL:
        return _format_bool(value)
    if spec.kind is ColumnKind.TIME:
        return format_time(value, utc)
    if spec.kind in (ColumnKind.TEXT, ColumnKind.INTEGER):
        return str(value)
    number = _as_number(value)
    if number is None:
        return str(value)
    if spec.kind is ColumnKind.MONEY:
        return format_money(number)
    if spec.kind is ColumnKind.PRICE:
        return format_price(number)
    if spec.kind is ColumnKind.REAL:
        return format_real(number)
    return str(value)


def _format_bool(value: object) -> str:
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes"):
        return "✓"
    if text in ("0", "false", "f", "no", ""):
        return "✗"
    return str(value)


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def sign_of(spec: ColumnSpec, value: object) -> int:
    """-1, 0 or 1 for gain/loss cells (sign colour); 0 for anything else."""
    if not spec.signed or value is None:
        return 0
    number = _as_number(value)
    if number is None:
        return 0
    return (number > 0) - (number < 0)


def export_value(spec: ColumnSpec, value: object) -> str:
    """A cell for CSV/TSV: the stored value (keys only as their size), NULL as empty."""
    if spec.kind is ColumnKind.KEY:
        return format_key(value) if value is not None else ""
    if value is None:
        return ""
    if isinstance(value, Clipped | ClippedBytes):  # only a prefix was read: say so (the CSV export streams all)
        text = value.hex() if isinstance(value, bytes) else str.__str__(value)
        return text + clipped_note(value)
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return str(value)


def readable_table(name: str) -> str:
    """``algorithm_metrics`` -> ``Algorithm metrics``."""
    text = re.sub(r"_+", " ", name).strip()
    return text[:1].upper() + text[1:]
