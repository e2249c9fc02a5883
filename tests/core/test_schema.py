"""Schema detection on both real schemas and on garbage."""

from __future__ import annotations

import sqlite3

import pytest

from lifeos_desk.core.schema import ADR_DDL, DEPLOYED_DDL, SchemaKind, detect_schema, domain_for, missing_for


def _tables(ddl: str) -> dict[str, list[str]]:
    con = sqlite3.connect(":memory:")
    con.executescript(ddl)
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    out = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in names}
    con.close()
    return out


@pytest.mark.parametrize(("ddl", "kind"), [(ADR_DDL, SchemaKind.ADR), (DEPLOYED_DDL, SchemaKind.DEPLOYED)])
def test_detects_both_schemas(ddl: str, kind: SchemaKind) -> None:
    tables = _tables(ddl)
    assert detect_schema(tables) is kind
    domain = domain_for(kind)
    assert domain is not None
    for table, col in ((domain.users, domain.user_pk), (domain.wallets, domain.wallet_secret),
                       (domain.trades, domain.trade_pnl), (domain.trades, domain.trade_time)):
        assert col in tables[table]
    assert missing_for(tables)[kind] == []


def test_extra_columns_and_case_still_match() -> None:
    tables = {k.upper(): [c.upper() for c in v] + ["extra"] for k, v in _tables(ADR_DDL).items()}
    assert detect_schema(tables) is SchemaKind.ADR


@pytest.mark.parametrize("tables", [
    {},
    {"users": ["id"]},
    {"notes": ["a", "b"]},
    {"users": ["id", "telegram_id", "username", "risk_level"], "wallets": ["id"]},
])
def test_unknown_and_partial(tables: dict[str, list[str]]) -> None:
    assert detect_schema(tables) is SchemaKind.UNKNOWN
    assert domain_for(SchemaKind.UNKNOWN) is None
    assert all(missing_for(tables)[k] for k in (SchemaKind.ADR, SchemaKind.DEPLOYED))
