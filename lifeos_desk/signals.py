"""Small shared QObjects the areas talk through, instead of knowing each other.

``Prefs`` carries view preferences that several areas honour at once (local
time vs UTC); ``Navigator`` lets one area ask for rows to be shown in another
(a chart bar -> those trades in the trades view) without importing it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from .core.settings import Settings


class Prefs(QObject):
    """View preferences shared by the areas, persisted in Settings.

    Signals:
        utcChanged(bool): times are now shown in UTC (True) or local time.
    """

    utcChanged = Signal(bool)

    def __init__(self, settings: Settings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings

    @property
    def utc(self) -> bool:
        """Show times in UTC instead of local time."""
        return bool(self._settings.get("time_utc"))

    def set_utc(self, utc: bool) -> None:
        """Change and persist the time display; tells every area."""
        if utc != self.utc:
            self._settings.set("time_utc", utc)
            self.utcChanged.emit(utc)


class Navigator(QObject):
    """Cross-area requests.

    Signals:
        showArea(str): bring the area with this key to the front.
        showRows(str, str, list): in the tables area, show table T filtered to
            rows whose column C is one of the values (e.g. trade ids).
        showStore(str): in the tables area, open the SQLite store at this path
            (the Home area's double-click).
        showRow(str, str, list): in the tables area, select the row of table T in
            the database file S whose primary key is the values (in key order).
        showLogLine(str, int): in the audit log area, select line N (1-based) of file P.
        showTrading(str, str, str): in the trading area, select a "position" or an
            "intent" by its key; the path says which file (positions or history).
        inspectTrade(str): open the trade inspector on a trade, position or intent id.
    """

    showArea = Signal(str)
    showRows = Signal(str, str, list)
    showStore = Signal(str)
    showRow = Signal(str, str, list)
    showLogLine = Signal(str, int)
    showTrading = Signal(str, str, str)
    inspectTrade = Signal(str)

    def show_store(self, path: str) -> None:
        """Ask the tables area to open this SQLite store, and bring it to the front."""
        self.showStore.emit(path)
        self.showArea.emit("tables")

    def show_rows(self, table: str, column: str, values: list[object]) -> None:
        """Ask the tables area to show these rows, and bring it to the front."""
        self.showRows.emit(table, column, values)
        self.showArea.emit("tables")

    def show_row(self, store: str, table: str, key: list[object]) -> None:
        """Ask the tables area to select one row by its primary key, and bring it to the front."""
        self.showRow.emit(store, table, key)
        self.showArea.emit("tables")

    def show_log_line(self, path: str, line: int) -> None:
        """Ask the audit log area to select one line of a log file, and bring it to the front."""
        self.showLogLine.emit(path, line)
        self.showArea.emit("logs")

    def show_trading(self, kind: str, store: str, key: str) -> None:
        """Ask the trading area to select a position or an exit intent, and bring it to the front."""
        self.showTrading.emit(kind, store, key)
        self.showArea.emit("trading")

    def inspect_trade(self, ident: str) -> None:
        """Open the trade inspector on this id (the checks area owns it)."""
        self.inspectTrade.emit(ident)
