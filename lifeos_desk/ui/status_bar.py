"""The window's status bar: which home is open, its schema, journal mode, live state and mode.

It must read at the default 1066 px width (issue 17): the home path is the
one label that gives way, shortened from the middle ("/home/…/demo-home")
with the whole path in its tooltip; the row counts live in a tooltip (the
Home area has the store map); schema, journal, live and mode keep their full
text, and so does the emergency-stop banner beside them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar

from ..session import Session
from .elided_label import MiddleElidedLabel

# The home path asks for no more than this; past it the path is shortened.
HOME_PREFERRED_PX = 420
HOME_MINIMUM_PX = 80

_MODE_STYLES = {
    "NOT OPEN": "background:#b00020;color:white;font-weight:bold;padding:1px 6px;",
    "READ-ONLY": "background:#455a64;color:white;font-weight:bold;padding:1px 6px;",
    "EDITING": "background:#e65100;color:white;font-weight:bold;padding:1px 6px;",
}


class StatusLabels:
    """The labels of the status bar and how they show a session."""

    def __init__(self, bar: QStatusBar) -> None:
        self.home_label = MiddleElidedLabel(HOME_PREFERRED_PX, HOME_MINIMUM_PX)
        self.home_label.setObjectName("homeLabel")
        self.schema_label = QLabel()
        self.journal_label = QLabel()
        self.counts_label = QLabel()
        self.counts_label.setObjectName("countsLabel")
        self.live_label = QLabel()
        self.live_label.setToolTip("When another program (the bot) last committed to the database")
        self.mode_label = QLabel()
        self.mode_label.setObjectName("modeLabel")
        self.mode_label.setToolTip("Whether the console may write to the database (Database ▸ Allow editing)")
        for w in (self.schema_label, self.journal_label, self.counts_label, self.live_label, self.mode_label):
            w.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)  # never cut short
        bar.addWidget(self.home_label, 1)
        for w in (self.schema_label, self.journal_label, self.counts_label):
            bar.addWidget(w)
        bar.addPermanentWidget(self.live_label)
        bar.addPermanentWidget(self.mode_label)

    def labels(self) -> list[QLabel]:
        """Every label, left to right."""
        return [self.home_label, self.schema_label, self.journal_label, self.counts_label, self.live_label,
                self.mode_label]

    def show_session(self, s: Session) -> None:
        """Show the session's home, schema, journal, row counts (tooltip) and mode."""
        self.home_label.set_full_text(f"Home: {s.paths.home}")
        self.home_label.setToolTip(f"Home: {s.paths.home}\nDatabase: {s.paths.db}\n"
                                   f"Logs: {', '.join(map(str, s.paths.logs))}\nBackups: {s.paths.backups}")
        if s.info is None:
            self.schema_label.setText("Schema: —")
            self.journal_label.setText("")
            self.counts_label.setText("")
            self.counts_label.setToolTip("")
            self._mode("NOT OPEN")
            return
        self.schema_label.setText(f"Schema: {s.info.schema.value}")
        self.journal_label.setText(f"Journal: {s.info.journal_mode}")
        self.show_counts(s.info.row_counts)
        self._mode("READ-ONLY" if s.database is None or s.database.read_only else "EDITING")

    def show_counts(self, row_counts: dict[str, int]) -> None:
        """The number of tables on the bar; every table's row count in its tooltip."""
        self.counts_label.setText(f"{len(row_counts)} tables")
        self.counts_label.setToolTip("Rows per table (Database ▸ Refresh facts recounts):\n"
                                     + "\n".join(f"{t}: {n:,}" for t, n in row_counts.items()))

    def _mode(self, word: str) -> None:
        self.mode_label.setText(f" {word} ")
        self.mode_label.setStyleSheet(_MODE_STYLES[word])
