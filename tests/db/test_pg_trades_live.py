"""db/pg/trades_live.py on a real server: updates read the rows written since, even a transaction committed late."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import psycopg
import pytest
from PySide6.QtWidgets import QApplication

from lifeos_desk.core.pgurl import pg_params
from lifeos_desk.db.pg import PgDatabase
from lifeos_desk.db.pg.trades import load_trades_pg, pg_trade_source, trades_table
from lifeos_desk.db.pg.trades_live import PgHeld, load_full, update
from tests.ui.test_pg_window import migrated

_INSERT = ("INSERT INTO transactions (tx_id, user_id, wallet_id, symbol, action, amount_usd, executed_at, status, "
           "pnl_usd) SELECT %(p)s || g, 7, 'w', 'NEW', 'SELL', 10.0, now(), 'completed', 1.0 "
           "FROM generate_series(1, %(n)s) g")


def test_updates_read_what_was_written_since_the_horizon(qapp: QApplication, tmp_path: Path, pg_url: str) -> None:
    migrated(tmp_path, pg_url, schema="deployed", trades=600)
    params = pg_params(pg_url)
    db = PgDatabase(params)
    try:
        found = trades_table(db, db.tables())
        assert found is not None
        source = pg_trade_source(*found)
        single = load_trades_pg(db, *found, parts=3, min_pages=1)
    finally:
        db.close()
    first = load_full(params, source, workers=2)
    assert first.full and len(first.held.trades) == 600
    assert np.array_equal(first.held.trades.rowid, single.rowid), "parallel ranges read the same rows in order"
    same = update(params, source, first.held)
    assert not same.changed and same.rows_read == 0

    late = psycopg.connect(pg_url)  # a transaction begun before the next read, committed after it
    late.execute(_INSERT, {"p": "late_", "n": 3})
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute(_INSERT, {"p": "soon_", "n": 5})
    step = update(params, source, first.held)
    assert step.rows_read == 5 and len(step.held.trades) == 605 and not step.full
    late.commit()
    late.close()
    held: PgHeld = step.held
    step = update(params, source, held)
    # The open transaction held the horizon back: the five rows after it are read again, and left out unchanged.
    assert step.rows_read == 8 and len(step.added) == 3 and len(step.held.trades) == 608, "the late commit is read"
    assert len(step.dropped) == 0 and "NEW" in step.held.trades.symbols
    assert update(params, source, step.held).rows_read == 0

    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("UPDATE transactions SET pnl_usd = 99.0 WHERE tx_id = 'soon_2'")
    changed = update(params, source, step.held)
    assert changed.rows_read >= 1 and len(changed.added) == 1 and len(changed.dropped) == 1
    assert float(changed.added.pnl[0]) == 99.0 and len(changed.held.trades) == 608
    assert float(np.nansum(changed.held.trades.pnl)) == pytest.approx(float(np.nansum(step.held.trades.pnl)) + 98.0)
