"""The user detail panel: profile, wallets (never their keys) and a trade summary.

Shown beside the users table for the current row. Its buttons go to the
wallets or trades of the user through the Navigator, like any other area's
request, so the same filter box shows what was asked.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.schema import Domain
from ...db.connection import Database
from ...db.errors import DatabaseError
from ...db.tables.columns import ColumnSpec, format_key, format_money, format_value, header_of, kind_of
from ...db.tables.relations import UserDetail, user_detail


class UserDetailPanel(QWidget):
    """Profile, wallets and trade summary of one user.

    Signals:
        showWallets(object): the admin asked for this user's wallets (user id).
        showTrades(object): the admin asked for this user's trades (user id).
    """

    showWallets = Signal(object)
    showTrades = Signal(object)

    def __init__(self, database: Database, domain: Domain, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._database = database
        self._domain = domain
        self._user: Any = None
        self._utc = False
        self.title = QLabel("<b>No user selected</b>")
        self.profile = QLabel()
        self.profile.setTextFormat(Qt.TextFormat.RichText)
        self.profile.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.wallets = QTableWidget(0, 4)
        self.wallets.setHorizontalHeaderLabels(["Address", "Label", "Default", "Key"])
        self.wallets.verticalHeader().hide()
        self.wallets.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.wallets.horizontalHeader().setStretchLastSection(True)
        self.wallets_button = QPushButton("Wallets of this user")
        self.trades_button = QPushButton(f"{header_of(domain.trades)} of this user")
        self.wallets_button.clicked.connect(self._on_wallets)
        self.trades_button.clicked.connect(self._on_trades)
        buttons = QHBoxLayout()
        buttons.addWidget(self.wallets_button)
        buttons.addWidget(self.trades_button)
        layout = QVBoxLayout(self)
        for w in (self.title, self.profile, QLabel("<b>Trades</b>"), self.summary, QLabel("<b>Wallets</b>"),
                  self.wallets):
            layout.addWidget(w)
        layout.addLayout(buttons)
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
        self.wallets_button.setEnabled(on)
        self.trades_button.setEnabled(on)

    def set_utc(self, utc: bool) -> None:
        """Times in UTC or local time."""
        self._utc = utc
        self.show_user(self._user)

    def show_user(self, user_id: Any) -> None:
        """Load and show one user (None clears the panel)."""
        self._user = user_id
        detail: UserDetail | None = None
        if user_id is not None:
            try:
                detail = user_detail(self._database, self._domain, user_id)
            except DatabaseError as exc:
                self.title.setText(f"<b>Could not read user {escape(str(user_id))}</b>: {escape(str(exc))}")
                return
        if detail is None:
            self.title.setText("<b>No user selected</b>" if user_id is None else f"<b>User {user_id} is gone</b>")
            self.profile.clear()
            self.summary.clear()
            self.wallets.setRowCount(0)
            self._set_enabled(False)
            return
        self._fill(detail)
        self._set_enabled(True)

    def _fill(self, d: UserDetail) -> None:
        values = dict(d.profile)
        name = values.get(self._domain.user_name)
        self.title.setText(f"<b>{escape(str(name or '(no username)'))}</b> — user {escape(str(self._user))}")
        rows = []
        for col, value in d.profile:
            spec = ColumnSpec(col, kind=kind_of(col, ""))
            text = format_value(spec, value, self._utc)
            rows.append(f"<tr><td>{escape(header_of(col))}</td><td>{escape(text)}</td></tr>")
        self.profile.setText("<table cellspacing=2>" + "".join(rows) + "</table>")
        s = d.trades
        rate = "—" if s.win_rate is None else f"{s.win_rate:.1%}"
        colour = "#1b7f3b" if s.realised_pnl > 0 else "#c0392b" if s.realised_pnl < 0 else "inherit"
        self.summary.setText(
            f"<table cellspacing=2><tr><td>Count</td><td>{s.count:,}</td></tr>"
            f"<tr><td>Open / closed</td><td>{s.open:,} / {s.closed:,}</td></tr>"
            f"<tr><td>Realised PnL</td><td style='color:{colour}'>{format_money(s.realised_pnl)}</td></tr>"
            f"<tr><td>Win rate</td><td>{rate} ({s.wins:,} of {s.judged:,})</td></tr></table>")
        self.wallets.setRowCount(len(d.wallets))
        for r, w in enumerate(d.wallets):
            cells = [str(w["address"]), "" if w["label"] is None else str(w["label"]),
                     "✓" if w["default"] in (1, True) else "", format_key(w["key_bytes"])]
            for c, text in enumerate(cells):
                self.wallets.setItem(r, c, QTableWidgetItem(text))
        self.wallets.resizeColumnsToContents()
        self.wallets.setColumnWidth(0, min(self.wallets.columnWidth(0), 110))  # addresses elide; tooltip has all
        for r, w in enumerate(d.wallets):
            item = self.wallets.item(r, 0)
            if item is not None:
                item.setToolTip(str(w["address"]))

    @Slot()
    def _on_wallets(self) -> None:
        if self._user is not None:
            self.showWallets.emit(self._user)

    @Slot()
    def _on_trades(self) -> None:
        if self._user is not None:
            self.showTrades.emit(self._user)
