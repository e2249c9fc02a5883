"""The Trading state area and the emergency-stop banner (docs/data-formats.md, 'Trading state files')."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.trading import TradingPaths
from ...session import Session
from .emergency import EmergencyStopBanner

if TYPE_CHECKING:
    from .area import TradingArea


def __getattr__(name: str) -> Any:
    """``TradingArea`` on first use: the window imports this package for the banner at start-up."""
    if name == "TradingArea":
        from .area import TradingArea

        return TradingArea
    raise AttributeError(name)


def trading_paths(session: Session) -> TradingPaths:
    """The home and, when the session knows it, the bot checkout (``--bot-dir``, ``LIFEOS_BOT_DIR``)."""
    return TradingPaths(home=session.paths.home, bot_dir=session.paths.bot_dir)


def create_trading_area(session: Session) -> TradingArea:
    """The area factory for ``ui/areas.py``."""
    from .area import TradingArea

    area = TradingArea(trading_paths(session), session.prefs, nav=session.nav,
                       poll_ms=int(session.settings.get("state_poll_ms")))
    session.nav.showTrading.connect(area.show_record)
    return area


__all__ = ["EmergencyStopBanner", "TradingArea", "create_trading_area", "trading_paths"]
