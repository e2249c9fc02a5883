"""The vault area's layout pieces: the Stores-and-wallets page, and the header's state line.

Kept out of area.py so the area stays a list of connections (docs/architecture.md,
'The area contract'). Nothing here holds state.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QVBoxLayout, QWidget

from ...core.keys import BOT_ITERATIONS
from ...core.keystores.find import public_store
from ...core.keystores.model import KeyStore
from .controller import VaultController
from .model import Column, WalletTableModel, headers_for


def public_keystore(model: WalletTableModel, db: Path) -> KeyStore | None:
    """The public wallets as a core key store (for the health check), None without any."""
    return public_store(db, model.records()) if model.records() else None


def wallets_page(above: Sequence[QWidget], stores: QWidget, table: QWidget, below: QWidget) -> QWidget:
    """The widgets ``above``, then the store list over the wallet table (a splitter), then ``below``.

    In a scroll area: on a small window (1066x666) the page scrolls rather than
    growing the window when the unlock form and the key panel are both shown (issue 17).
    """
    page = QWidget()
    lists = QSplitter(Qt.Orientation.Vertical)
    lists.addWidget(stores)
    lists.addWidget(table)
    lists.setStretchFactor(1, 1)
    lists.setChildrenCollapsible(False)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in above:
        layout.addWidget(widget)
    layout.addWidget(lists, 1)
    layout.addWidget(below)
    scroll = QScrollArea()
    scroll.setObjectName("vaultWalletsPage")
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(page)
    return scroll


def state_text(c: VaultController, wallets: int, other_unlocked: Sequence[str]) -> str:
    """The header line: wallet count, auto-lock, iterations, read-only, which other stores are open."""
    if c.unlocked:
        idle_ms = c.timings.idle_lock_ms
        after = f"{idle_ms / 60_000:g} min" if idle_ms >= 60_000 else f"{idle_ms / 1000:g} s"
        text = f"{wallets} wallets · " + (f"locks after {after} without input" if idle_ms else "no auto-lock")
        text += "" if c.iterations == BOT_ITERATIONS else f" · {c.iterations:,} iterations"
        text += "" if not c.wallets.read_only else f" · {c.wallets.read_only_hint}"
    else:
        text = (f"{wallets} wallets — owner, {headers_for(c.domain)[Column.LABEL].lower()} and address "
                "shown; keys stay encrypted")
    if other_unlocked:
        text += f" · also unlocked: {', '.join(other_unlocked)}"
    return text
