"""The SQL area: the Query tab (console) and the Schema tab, on the store picked in the console."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ...core.schema import Domain
from ...core.stores import StoreRef
from ...session import Session
from ..areas import AreaDefaults, ScreenshotState
from .console import QueryConsole
from .schema_view import SchemaView


def demo_query(domain: Domain | None) -> str:
    """The query the screenshot shows: trades per user on a known schema, else the schema table."""
    if domain is None:
        return "SELECT type, name, tbl_name FROM sqlite_master ORDER BY type, name"
    return (f"SELECT {domain.trade_user} AS user, count(*) AS trades,\n"
            f"       min({domain.trade_time}) AS first, max({domain.trade_time}) AS last\n"
            f"FROM {domain.trades}\nGROUP BY 1 ORDER BY trades DESC")


class SqlArea(QWidget, AreaDefaults):
    """Two tabs; the schema is read the first time its tab is shown, and again when the store changes."""

    def __init__(self, session: Session, stores: list[StoreRef], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._nav = session.nav
        self._domain = session.domain
        self.console = QueryConsole(stores, session.state)
        self.schema = SchemaView(self.console.store_path(), session.domain)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.console, "Query")
        self.tabs.addTab(self.schema, "Schema")
        self.tabs.currentChanged.connect(self._on_tab)
        self.console.store_box.currentIndexChanged.connect(self._on_store)
        self.schema.openTables.connect(self._open_tables)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)

    @Slot(int)
    def _on_tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.schema and self.schema.schema is None:
            self.schema.refresh()

    @Slot(int)
    def _on_store(self, _index: int) -> None:
        if self.schema.schema is not None or self.tabs.currentWidget() is self.schema:
            self.schema.set_store(self.console.store_path())

    @Slot()
    def _open_tables(self) -> None:
        self._nav.showArea.emit("tables")

    def shutdown(self) -> None:
        """Kill any running query or schema read."""
        self.console.shutdown()
        self.schema.shutdown()

    def screenshot_states(self) -> Sequence[ScreenshotState]:
        """The console with a result, and the schema."""
        return [("sql-console", self._shot_console), ("sql-schema", self._shot_schema)]

    def _shot_console(self) -> None:
        self.tabs.setCurrentWidget(self.console)
        if not self.console.model.columns and not self.console.child.busy():
            self.console.editor.setPlainText(demo_query(self._domain))
            self.console.run()
            self.console.child.wait_done(15_000)

    def _shot_schema(self) -> None:
        self.tabs.setCurrentWidget(self.schema)
        self.schema.child.wait_done(15_000)
