"""The five areas of the window, declared once.

Each area is a factory ``(session) -> QWidget``; the window knows nothing of
their insides. An area that cannot work on this database (unknown schema,
no database) says what it needs instead of showing anything fake.
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


def _planned(title: str, lines: list[str]) -> Callable[[Session], QWidget]:
    def factory(session: Session) -> QWidget:
        return NoticePanel(title, [*lines, "", "<i>This area is not built yet in this version.</i>"])

    return factory


def default_areas() -> list[AreaSpec]:
    """The areas in tab order (Ctrl+1 ... Ctrl+5)."""
    return [
        AreaSpec("tables", "Tables", "Every table of the database, live (Ctrl+1)",
                 _planned("Tables", ["Users, wallets, trades and metrics over the live file."])),
        AreaSpec("vault", "Wallet vault", "Decrypt and verify wallet keys in memory (Ctrl+2)",
                 _planned("Wallet vault", ["Unlock with the passphrase; verify every wallet."])),
        AreaSpec("logs", "Audit log", "Follow the bot's JSONL logs (Ctrl+3)",
                 _planned("Audit log", ["Live view of audit.jsonl, trading.jsonl and errors.jsonl."])),
        AreaSpec("charts", "Charts", "Algorithm metrics and trade PnL (Ctrl+4)",
                 _planned("Charts", ["Algorithm accuracy and confidence; cumulative PnL and drawdown."])),
        AreaSpec("backups", "Backups", "Make, verify and restore tar.gz archives (Ctrl+5)",
                 _planned("Backups", ["One-click consistent backups of the data home."])),
    ]
