"""The charts' trades read from PostgreSQL give the same PnL figures as from the SQLite file (real server)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from lifeos_desk.core import pnl
from lifeos_desk.core.pgurl import pg_params
from lifeos_desk.db.pg import PgDatabase
from lifeos_desk.db.pg.trades import load_trades_pg, trades_table
from lifeos_desk.db.trades_query import load_trades, trade_source
from tests.ui.test_pg_window import migrated


@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_same_pnl_figures_as_the_sqlite_file(qapp: QApplication, tmp_path: Path, pg_url: str, schema: str) -> None:
    home = migrated(tmp_path, pg_url, schema=schema, trades=900)
    db = PgDatabase(pg_params(pg_url))
    try:
        found = trades_table(db, db.tables())
        assert found is not None, "the migrated trades table is recognised"
        domain, table = found
        on_pg = load_trades_pg(db, domain, table, parts=4, min_pages=1)  # page ranges, one statement each
    finally:
        db.close()
    on_file = load_trades(home / "public_users.db", trade_source(domain, [n for n, _t in table.columns]))
    assert len(on_pg) == len(on_file) == 900
    # Both schemas key trades by text (trade_id, tx_id): PostgreSQL has no rowid, so rowid is not compared.
    assert np.array_equal(on_pg.realised, on_file.realised)
    assert np.array_equal(on_pg.pnl, on_file.pnl, equal_nan=True)
    assert np.allclose(on_pg.time, on_file.time, rtol=0, atol=0.002, equal_nan=True)
    assert on_pg.symbols == on_file.symbols
    pg_fig, file_fig = pnl.compute(on_pg, UTC), pnl.compute(on_file, UTC)
    assert pg_fig.headline == file_fig.headline and pg_fig.headline.trade_count > 0
    assert np.array_equal(pg_fig.days.pnl, file_fig.days.pnl)
    assert pg_fig.tokens.name == file_fig.tokens.name and np.array_equal(pg_fig.tokens.pnl, file_fig.tokens.pnl)
