"""Column kinds, headers and cell text (Qt-free rules behind the table views)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lifeos_desk.core.filters import ColumnKind
from lifeos_desk.core.schema import ADR_DOMAIN, DEPLOYED_DOMAIN
from lifeos_desk.db.tables.columns import (
    ColumnSpec,
    build_specs,
    export_value,
    format_money,
    format_price,
    format_time,
    format_value,
    header_of,
    kind_of,
    sign_of,
)


@pytest.mark.parametrize(("name", "decl", "kind"), [
    ("encrypted_key", "BLOB", ColumnKind.KEY), ("encrypted_private_key", "TEXT", ColumnKind.KEY),
    ("is_default", "BOOLEAN", ColumnKind.BOOL), ("enable_alerts", "", ColumnKind.BOOL),
    ("opened_at", "TIMESTAMP", ColumnKind.TIME), ("executed_at", "TEXT", ColumnKind.TIME),
    ("last_reset", "TEXT", ColumnKind.TIME), ("pnl_usd", "REAL", ColumnKind.MONEY),
    ("entry_price", "REAL", ColumnKind.PRICE), ("telegram_id", "INTEGER", ColumnKind.INTEGER),
    ("accuracy", "REAL", ColumnKind.REAL), ("token_symbol", "TEXT", ColumnKind.TEXT),
])
def test_kinds(name: str, decl: str, kind: ColumnKind) -> None:
    assert kind_of(name, decl) is kind


def test_headers() -> None:
    assert header_of("pnl_usd") == "PnL (USD)"
    assert header_of("user_id") == "User"
    assert header_of("max_position_size_pct") == "Max position size %"
    assert header_of("tx_id") == "Tx ID"


def test_money_price_and_sign() -> None:
    assert format_money(-1234.5) == "-$1,234.50" and format_money(0.0) == "$0.00"
    assert format_price(0.00002062) == "0.00002062"
    assert format_price(148.8512) == "148.85" and format_price(1.8743) == "1.874"
    assert format_price(65432.1) == "65,432.10"
    pnl = ColumnSpec("pnl_usd", kind=ColumnKind.MONEY, signed=True)
    limit = ColumnSpec("max_daily_loss_usd", kind=ColumnKind.MONEY)
    assert (sign_of(pnl, -2.0), sign_of(pnl, 3), sign_of(pnl, 0), sign_of(pnl, None)) == (-1, 1, 0, 0)
    assert sign_of(limit, 250.0) == 0  # limits are not gains


def test_cells_keep_null_distinct_and_never_show_keys() -> None:
    text = ColumnSpec("username")
    assert format_value(text, None, False) == "NULL" and format_value(text, "", False) == ""
    key = ColumnSpec("encrypted_key", kind=ColumnKind.KEY)
    assert format_value(key, 140, False) == "key present (140 bytes)"
    assert export_value(key, 140) == "key present (140 bytes)" and export_value(text, None) == ""
    flag = ColumnSpec("is_default", kind=ColumnKind.BOOL)
    assert [format_value(flag, v, False) for v in (1, 0, "true", None)] == ["✓", "✗", "✓", "NULL"]


def test_times_in_utc_or_local() -> None:
    spec = ColumnSpec("opened_at", kind=ColumnKind.TIME)
    moment = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert format_value(spec, "2026-03-01 12:00:00", True) == "2026-03-01 12:00:00"
    assert format_value(spec, moment.timestamp(), True) == "2026-03-01 12:00:00"
    local = moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert format_value(spec, "2026-03-01T12:00:00+00:00", False) == local
    assert format_value(spec, "garbage", True) == "garbage"


def test_only_the_issue_columns_are_editable() -> None:
    adr = build_specs("users", [("id", "INTEGER", True), ("username", "TEXT", False),
                                ("risk_level", "TEXT", False), ("telegram_id", "INTEGER", False)], ADR_DOMAIN)
    assert [s.name for s in adr if s.editable] == ["username", "risk_level"]
    assert next(s for s in adr if s.name == "risk_level").choices == ("CONSERVATIVE", "MODERATE", "AGGRESSIVE",
                                                                      "DEGEN")
    wallets = build_specs("wallets", [("wallet_id", "TEXT", True), ("source", "TEXT", False),
                                      ("is_primary", "BOOLEAN", False), ("user_id", "INTEGER", False)],
                          DEPLOYED_DOMAIN)
    assert [s.name for s in wallets if s.editable] == ["is_primary"]  # `source` is provenance, not a label
    assert [s.name for s in wallets if s.user_ref] == ["user_id"]
    trades = build_specs("transactions", [("tx_id", "TEXT", True), ("status", "TEXT", False)], DEPLOYED_DOMAIN)
    assert not any(s.editable for s in trades)
    assert not any(s.editable for s in build_specs("users", [("username", "TEXT", False)], None))


def test_deployed_zone_less_times_are_shown_as_utc_instants(local_zone: str) -> None:
    """datetime.utcnow().isoformat() text: UTC as stored, shifted only by the shown zone."""
    stored = "2026-03-08T23:30:00.123456"
    assert format_time(stored, utc=True) == "2026-03-08 23:30:00"
    local = {"Asia/Tokyo": "2026-03-09 08:30:00", "America/Los_Angeles": "2026-03-08 16:30:00"}  # PDT since 02:00
    assert format_time(stored, utc=False) == local[local_zone]
