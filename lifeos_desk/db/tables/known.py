"""Readable headers for the treasury's and the fee ledger's tables, as the domain tables have.

Column lists from docs/data-formats.md, 'Other SQLite stores'
(``data/jarvis_core.db``: positions, trades, scorecard, treasury_orders;
``fees.db``: success_fees, fee_distributions, user_fee_balances). Used only
for stores other than public_users.db (``domain is None``): the users
database's tables keep their own headers. A column not listed here gets
``header_of``'s generic one.
"""

from __future__ import annotations

_COMMON = {
    "id": "ID", "symbol": "Symbol", "token_mint": "Token mint", "user_id": "User",
    "entry_price": "Entry price", "exit_price": "Exit price", "status": "Status",
    "opened_at": "Opened", "closed_at": "Closed", "tx_id": "Transaction",
}
KNOWN_HEADERS: dict[str, dict[str, str]] = {
    # data/jarvis_core.db (core/database/pool.py, bots/treasury/scorekeeper.py)
    "positions": {
        "entry_amount_sol": "Entry (SOL)", "entry_amount_tokens": "Entry (tokens)",
        "take_profit_price": "Take-profit price", "stop_loss_price": "Stop-loss price",
        "tp_order_id": "Take-profit order", "sl_order_id": "Stop-loss order", "exit_amount_sol": "Exit (SOL)",
        "pnl_sol": "PnL (SOL)", "pnl_pct": "PnL %", "tx_signature_entry": "Entry signature",
        "tx_signature_exit": "Exit signature",
    },
    "trades": {
        "side": "Side", "amount_sol": "Amount (SOL)", "amount_tokens": "Amount (tokens)", "price": "Price",
        "timestamp": "Time", "tx_signature": "Signature", "position_id": "Position",
    },
    "scorecard": {
        "total_trades": "Trades", "winning_trades": "Won", "losing_trades": "Lost",
        "total_pnl_sol": "Total PnL (SOL)", "win_rate": "Win rate", "updated_at": "Updated",
    },
    "treasury_orders": {"order_id": "Order", "order_json": "Order (JSON)"},
    # fees.db (core/fee_distribution.py)
    "success_fees": {
        "gross_pnl": "Gross PnL", "success_fee_amount": "Success fee", "recorded_at": "Recorded",
    },
    "fee_distributions": {
        "fee_id": "Fee", "total_fee": "Total fee", "user_amount": "To the user", "charity_amount": "To charity",
        "company_amount": "To the company", "distributed_at": "Distributed",
    },
    "user_fee_balances": {
        "total_earned_fees": "Earned", "total_claimed_fees": "Claimed", "pending_fees": "Pending",
        "last_updated": "Updated",
    },
}


def known_header(table: str, column: str) -> str | None:
    """The readable header of a known treasury or fee column, or None."""
    own = KNOWN_HEADERS.get(table)
    if own is None:
        return None
    return own.get(column) or _COMMON.get(column)
