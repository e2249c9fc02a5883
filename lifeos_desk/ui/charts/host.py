"""What the Trade PnL page needs from the window that holds it (a SQLite ``Session``, or the PostgreSQL window).

``Session`` has all of these; ui/pg/charts.py gives the same page a host of
its own (no data home, no file watcher), so both windows draw their trades
with the one widget and the one ``core/pnl`` code.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtSql import QSqlDatabase

from ...core.schema import Domain
from ...db.watcher import ChangeWatcher
from ...signals import Navigator, Prefs


class Connected(Protocol):
    """A database the UI thread may query (``db.connection.Database``, ``db.pg.PgDatabase``)."""

    def connection(self) -> QSqlDatabase:
        """The open QSqlDatabase of the UI thread."""
        ...


class ChartsHost(Protocol):
    """The window's shared pieces: view preferences, navigation, the change watcher, the users' database."""

    @property
    def prefs(self) -> Prefs:
        """Local time or UTC."""
        ...

    @property
    def nav(self) -> Navigator:
        """Where "show these trades" goes."""
        ...

    @property
    def watcher(self) -> ChangeWatcher | None:
        """Commits to the database (None: the host tells the page itself)."""
        ...

    @property
    def database(self) -> Connected | None:
        """The users' names and the trades' keys are read from it (None: not available)."""
        ...

    @property
    def domain(self) -> Domain | None:
        """Table and column names of the schema."""
        ...
