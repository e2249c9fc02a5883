"""The tables area's README states, for the screenshot tool (``TablesArea.screenshot_states``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..areas import ScreenshotState
from ..pump import settle

if TYPE_CHECKING:
    from .area import TablesArea


def screenshot_states(area: TablesArea) -> Sequence[ScreenshotState]:
    """The trades (newest first), filtered, the user detail panel, and editing with one staged edit.

    The last state unlocks editing and stages an edit; the screenshot tool
    discards it and locks editing again after the grab.
    """
    domain = area.domain
    if domain is None:
        return ()

    def trades() -> None:
        pane = area.show_table(domain.trades)
        if pane is not None:
            pane.sort_by(domain.trade_time, descending=True)
            settle(0.5)

    def trades_filtered() -> None:
        pane = area.show_table(domain.trades)
        if pane is not None:
            pane.set_filter(domain.trade_symbol, "BONK")
            pane.set_filter(domain.trade_amount_usd, ">500")
            settle(0.5)

    def user_detail() -> None:
        pane = area.show_table(domain.trades)
        if pane is not None:
            pane.set_filter(domain.trade_symbol, "")
            pane.set_filter(domain.trade_amount_usd, "")
        users = area.show_table(domain.users)
        if users is not None:
            users.select_row(0)
            settle(0.8)

    def editing() -> None:
        users = area.show_table(domain.users)
        risk = users.model.info.index_of("risk_level") if users is not None else -1
        if users is None or risk < 0:
            return
        area.database.set_read_only(False)
        users.model.setData(users.model.index(1, risk), "DEGEN")
        users.select_row(3)
        settle(0.8)

    return [("tables-trades", trades), ("tables-trades-filtered", trades_filtered),
            ("tables-user-detail", user_detail), ("tables-editing", editing)]
