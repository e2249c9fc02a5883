"""PostgreSQL through QtSql's QPSQL driver: the console opened on a migrated database (issue 16).

The same discipline as with SQLite (docs/architecture.md, 'PostgreSQL' and
'Half-read statements pin the WAL'): read-only sessions, a statement
timeout, every query bounded and fetched to its end (a long-open snapshot
holds back PostgreSQL's vacuum), pages keyed on the primary key (there is
no rowid), and live refresh by polling a cheap change counter.
"""

from .connection import PG_DRIVER, STATEMENT_TIMEOUT_MS, PgDatabase, PgError, PgTable, driver_problem
from .model import PAGE_ROWS, PgTableModel

__all__ = ["PAGE_ROWS", "PG_DRIVER", "STATEMENT_TIMEOUT_MS", "PgDatabase", "PgError", "PgTable", "PgTableModel",
           "driver_problem"]
