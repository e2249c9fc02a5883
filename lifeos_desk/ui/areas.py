"""The areas of the window, declared once, and the contract each one keeps.

``default_areas()`` is the one list: adding an area is one ``AreaSpec``. The
window builds its tabs, View menu (Ctrl+1...), tooltips and toolbar from it
and knows an area's insides only through the ``Area`` protocol: its
window-wide actions, ``shutdown`` before the window drops it, the unsaved
work the quit prompt lists, and the states the screenshot tool shows.
An area that cannot work on this database (unknown schema) says what it
needs in a NoticePanel instead of showing anything fake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QLineEdit, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from ..session import Session

ScreenshotState = tuple[str, Callable[[], None]]


@runtime_checkable
class Area(Protocol):
    """What the window asks of every area widget."""

    def window_actions(self) -> Sequence[QAction]:
        """Actions that work from every area: the window puts them on its toolbar and in its Actions menu."""
        ...

    def shutdown(self) -> None:
        """Stop timers, threads and children; called before the window drops the area."""
        ...

    def unsaved_changes(self) -> list[str]:
        """Pending work in words, e.g. "Tables: 1 staged edit in users" (empty: nothing to lose)."""
        ...

    def screenshot_states(self) -> Sequence[ScreenshotState]:
        """Named states the screenshot tool puts the area in, one grab after each."""
        ...


@runtime_checkable
class SavesChanges(Protocol):
    """An area whose unsaved changes can be saved or dropped from the quit prompt."""

    def save_changes(self) -> bool:
        """Write the pending work; False (and the work kept) when it could not be written."""
        ...

    def discard_changes(self) -> None:
        """Drop the pending work."""
        ...


@runtime_checkable
class Finds(Protocol):
    """An area with a find: Edit ▸ Find (Ctrl+F) focuses it; areas without one leave the action disabled.

    ``find_text``, not ``find``: every QWidget already has a static ``find(window id)``.
    """

    def find_text(self, text: str) -> None:
        """Find this text (it goes in the area's find box, which takes the focus)."""
        ...

    def focus_find(self) -> None:
        """Put the focus in the area's find box, its text selected."""
        ...


class FindsInBox:
    """``Finds`` for an area whose find is a line edit: set ``self.find_box`` to it.

    Mix in after the Qt base, like ``AreaDefaults``.
    """

    find_box: QLineEdit

    def find_text(self, text: str) -> None:
        """Type the text into the find box and focus it."""
        self.find_box.setText(text)
        self.focus_find()

    def focus_find(self) -> None:
        """Focus the find box (its page brought to the front first), text selected."""
        widget: QWidget | None = self.find_box
        while widget is not None:  # tabs and stacks between the area and the box: show the box's page
            parent = widget.parentWidget()
            if isinstance(parent, QStackedWidget):
                tabs = parent.parentWidget()
                if isinstance(tabs, QTabWidget):  # through the tab widget, so its tab bar follows
                    tabs.setCurrentWidget(widget)
                else:
                    parent.setCurrentWidget(widget)
            widget = parent
        self.find_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_box.selectAll()


class AreaDefaults:
    """No-op defaults for the ``Area`` methods, so an area writes only what it has.

    Mix in after the Qt base: ``class X(QWidget, AreaDefaults)``.
    """

    def window_actions(self) -> Sequence[QAction]:
        """No window-wide actions."""
        return ()

    def shutdown(self) -> None:
        """Nothing runs."""

    def unsaved_changes(self) -> list[str]:
        """Nothing pending."""
        return []

    def screenshot_states(self) -> Sequence[ScreenshotState]:
        """No states beyond the first look."""
        return ()


@dataclass(frozen=True)
class AreaSpec:
    """One area: its key (settings, navigation), title, tab tooltip and widget factory.

    The tooltip says what the area is for; the window adds its Ctrl+N.
    The factory's widget must satisfy ``Area``. A ``lazy`` area is built
    when its tab is first shown (ui/area_host.py): only for areas without
    window actions, whose construction costs start-up time (a vault of
    10,000 wallets, the chart widgets, the log index, the state files).
    """

    key: str
    title: str
    tooltip: str
    factory: Callable[[Session], QWidget]
    lazy: bool = False
    warm: Callable[[Session], Warm | None] | None = None


@runtime_checkable
class Warm(Protocol):
    """Background work a lazy area will need, started before its tab is first shown (``AreaSpec.warm``).

    The host hands it to the area it builds (``AdoptsWarm``), or shuts it
    down when the area is never built.
    """

    def shutdown(self) -> None:
        """Stop the work (the session is closing)."""
        ...


@runtime_checkable
class AdoptsWarm(Protocol):
    """An area that takes over the work its spec's ``warm`` started."""

    def adopt_warm(self, work: Warm) -> None:
        """Use ``work`` instead of starting the same again."""
        ...


class NoticePanel(QWidget, AreaDefaults):
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


def _home_area(session: Session) -> QWidget:
    from .home import create_home_area  # imported here so start-up stays light

    return create_home_area(session)


def _trading_area(session: Session) -> QWidget:
    from .trading import create_trading_area  # imported here so start-up stays light

    return create_trading_area(session)


def _vault_area(session: Session) -> QWidget:
    from .vault import create_vault_area  # imported here so start-up stays light

    return create_vault_area(session)


def _tables_area(session: Session) -> QWidget:
    from .tables import create_tables_area  # imported here so start-up stays light

    return create_tables_area(session)


def _sql_area(session: Session) -> QWidget:
    from .sql import create_sql_area  # imported here so start-up stays light

    return create_sql_area(session)


def _logs_area(session: Session) -> QWidget:
    from .logs import create_logs_area  # imported here so start-up stays light

    return create_logs_area(session)


def _checks_area(session: Session) -> QWidget:
    from .checks import create_checks_area  # imported here so start-up stays light

    return create_checks_area(session)


def _charts_area(session: Session) -> QWidget:
    from .charts import create_charts_area  # imported here so start-up stays light (pyqtgraph, numpy)

    return create_charts_area(session)


def _charts_warm(session: Session) -> Warm | None:
    from .charts.prefetch import prefetch_trades  # numpy and the reader, not pyqtgraph

    return prefetch_trades(session)


def _backups_area(session: Session) -> QWidget:
    from .backups import create_backups_area  # imported here so start-up stays light

    return create_backups_area(session)


def default_areas() -> list[AreaSpec]:
    """The areas in tab order (Ctrl+1 ... in this order)."""
    return [
        AreaSpec("home", "Home", "Every store of the home and the bot checkout: size, freshness, risks", _home_area),
        AreaSpec("tables", "Tables", "Every table of the database, live", _tables_area),
        AreaSpec("trading", "Trading state", "The treasury's positions, exit intents and trade history, live",
                 _trading_area, lazy=True),
        AreaSpec("sql", "SQL", "Read-only SQL console and the schema of every SQLite store", _sql_area),
        AreaSpec("vault", "Wallet vault", "Decrypt and verify wallet keys in memory", _vault_area, lazy=True),
        AreaSpec("logs", "Audit log", "Follow the bot's JSONL logs", _logs_area, lazy=True),
        AreaSpec("checks", "Checks", "Cross-check every store and inspect one trade's whole life", _checks_area),
        AreaSpec("charts", "Charts", "Algorithm metrics and trade PnL", _charts_area, lazy=True, warm=_charts_warm),
        AreaSpec("backups", "Backups", "Make, verify and restore tar.gz archives", _backups_area),
    ]
