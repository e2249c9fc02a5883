"""The status bar's row counts, kept up to date as the bot commits without counting whole tables.

The session counts every table once when it opens; after that the bot's
commits only add the rows above each table's last rowid (db/row_counts.py,
docs/architecture.md, 'Work that grows with what changed'), at most every
COUNT_REFRESH_MS, so a busy bot costs a few statements every two seconds.
"""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QObject, QTimer, Slot

from ..db.errors import DatabaseError
from ..db.row_counts import RowCounter
from ..session import Session
from .status_bar import StatusLabels

# Row counts after a bot commit: at most this often.
COUNT_REFRESH_MS = 2000


class StatusCounts(QObject):
    """Follows one session's row counts into the status bar."""

    def __init__(self, status: StatusLabels, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status = status
        self._session: Session | None = None
        self.counter: RowCounter | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COUNT_REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def start(self, session: Session) -> None:
        """Follow the row counts the session took at opening (they are not counted again)."""
        self._session = session
        db, info = session.database, session.info
        self.counter = None
        if db is None or info is None:
            return
        self.counter = RowCounter(db.connection, list(info.tables))
        try:
            self.counter.seed(info.row_counts)
        except DatabaseError:
            self.counter = None

    @Slot()
    def on_bot_commit(self) -> None:
        """The bot committed: say when, and recount soon."""
        self._status.live_label.setText("Last change " + QDateTime.currentDateTime().toString("HH:mm:ss"))
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def refresh(self) -> None:
        """Update the row counts: appended rows only, a full count now and then."""
        info = self._session.info if self._session is not None else None
        if self.counter is None or info is None:
            return
        try:
            info.row_counts = self.counter.counts()
        except DatabaseError:
            return  # the next commit tries again; the areas report their own errors
        self._status.show_counts(info.row_counts)
