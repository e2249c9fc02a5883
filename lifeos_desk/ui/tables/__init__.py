"""The Tables area: every table of the bot's database, live, at a million rows.

``create_tables_area(session)`` is the area factory; ``demo_screenshots``
puts the area into the states the README shows.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ...session import Session
from ..pump import settle


def create_tables_area(session: Session) -> QWidget:
    """The Tables area, or an explanation when there is no database."""
    if session.database is None:
        from ..areas import NoticePanel

        reason = str(session.error) if session.error else "no database is open"
        return NoticePanel("Tables", [f"The tables cannot be shown: {reason}."])
    from .area import TablesArea

    return TablesArea(session)


def demo_screenshots(widget: QWidget, save: Callable[[str], None]) -> None:
    """The trades view, a filtered view, and the user detail panel."""
    from .area import TablesArea

    if not isinstance(widget, TablesArea):
        return
    session_domain = widget._session.domain
    if session_domain is None:
        return
    trades = widget.show_table(session_domain.trades)
    if trades is not None:
        trades.sort_by(session_domain.trade_time, descending=True)
        settle(0.5)
        save("tables-trades")
        trades.set_filter(session_domain.trade_symbol, "BONK")
        trades.set_filter(session_domain.trade_amount_usd, ">500")
        settle(0.5)
        save("tables-trades-filtered")
        trades.set_filter(session_domain.trade_symbol, "")
        trades.set_filter(session_domain.trade_amount_usd, "")
    users = widget.show_table(session_domain.users)
    if users is not None:
        users.select_row(0)
        settle(0.8)
        save("tables-user-detail")
        _editing_shot(widget, users, save)


def _editing_shot(area: QWidget, users: object, save: Callable[[str], None]) -> None:
    """Editing unlocked, one staged (unsaved) edit; then reverted and locked again."""
    from .pane import TablePane

    database = area._session.database  # type: ignore[attr-defined]
    if database is None or not isinstance(users, TablePane) or not database.read_only:
        return
    database.set_read_only(False)
    risk = users.model.info.index_of("risk_level")
    users.model.setData(users.model.index(1, risk), "DEGEN")
    users.select_row(3)
    settle(0.8)
    save("tables-editing")
    users.revert()
    database.set_read_only(True)
