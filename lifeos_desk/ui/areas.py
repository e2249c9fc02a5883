"""The five areas of the window, declared once.

Each area is a factory ``(session) -> QWidget``; the window knows nothing of
their insides, except that a widget's ``window_actions`` go on its toolbar.
An area that cannot work on this database (unknown schema) says what it
needs in a NoticePanel instead of showing anything fake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..session import Session


@dataclass(frozen=True)
class AreaSpec:
    """One area: its key (settings, shortcuts), title, and widget factory."""

    key: str
    title: str
    tooltip: str
    factory: Callable[[Session], QWidget]


class NoticePanel(QWidget):
    """A plain explanation in place of an area: what it holds and what is missing."""

    def __init__(self, title: str, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        heading = QLabel(f"<h2>{title}</h2>")
        body = QLabel("<br>".join(lines))
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for w in (heading, body):
            w.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            layout.addWidget(w)
        layout.addStretch(1)


def _vault_area(session: Session) -> QWidget:
    from .vault import create_vault_area  # imported here so start-up stays light

    return create_vault_area(session)


def _tables_area(session: Session) -> QWidget:
    from .tables import create_tables_area  # imported here so start-up stays light

    return create_tables_area(session)


def _logs_area(session: Session) -> QWidget:
    from .logs import create_area  # imported here so start-up stays light

    return create_area(session)


def _charts_area(session: Session) -> QWidget:
    from .charts import create_charts_area  # imported here so start-up stays light (pyqtgraph, numpy)

    return create_charts_area(session)


def _backups_area(session: Session) -> QWidget:
    from .backups import create_backups_area  # imported here so start-up stays light

    return create_backups_area(session)


def default_areas() -> list[AreaSpec]:
    """The areas in tab order (Ctrl+1 ... Ctrl+5)."""
    return [
        AreaSpec("tables", "Tables", "Every table of the database, live (Ctrl+1)", _tables_area),
        AreaSpec("vault", "Wallet vault", "Decrypt and verify wallet keys in memory (Ctrl+2)",
                 _vault_area),
        AreaSpec("logs", "Audit log", "Follow the bot's JSONL logs (Ctrl+3)",
                 _logs_area),
        AreaSpec("charts", "Charts", "Algorithm metrics and trade PnL (Ctrl+4)",
                 _charts_area),
        AreaSpec("backups", "Backups", "Make, verify and restore tar.gz archives (Ctrl+5)",
                 _backups_area),
    ]
