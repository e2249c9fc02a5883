"""The vault area follows the bot without re-reading the wallets for trade commits (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray
from pytestqt.qtbot import QtBot

from lifeos_desk.db.connection import Database, quote_ident, run_exec
from lifeos_desk.db.wallet_source import SqliteWallets
from lifeos_desk.db.wallets import wallet_rows
from lifeos_desk.ui.vault import follow

from ..db.test_wallet_changes import _commit_trade
from .vault_env import open_env


@pytest.mark.parametrize("schema", ["deployed", "adr"])
def test_trade_commits_reread_no_wallet_and_a_rotated_key_is_shown(request: pytest.FixtureRequest, qtbot: QtBot,
                                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   schema: str) -> None:
    monkeypatch.setattr(follow, "CONTENT_GAP_S", 0.3)
    env = open_env(request, qtbot, tmp_path, schema=schema)
    controller = env.area.controller
    wallets = controller.wallets
    assert isinstance(wallets, SqliteWallets)
    reads = wallets.changes.reads
    full, rows = reads.full, reads.rows
    bot = Database(env.home / "public_users.db", read_only=False)
    request.addfinalizer(bot.close)
    domain = wallets.domain
    for n in range(4):
        _commit_trade(bot.connection(), domain, n)
        controller.reload_wallets()  # what each watcher event leads to, once paced
    assert (reads.full, reads.rows) == (full, rows) and reads.checks >= 4

    rowid, stored = wallet_rows(bot.connection(), domain)[0][0], wallet_rows(bot.connection(), domain)[0][7]
    assert isinstance(stored, (str, bytes))
    rotated = stored[::-1]  # same length: only the content digest sees it
    value = QByteArray(rotated) if isinstance(rotated, bytes) else rotated
    run_exec(bot.connection(), f"UPDATE {quote_ident(domain.wallets)} SET {quote_ident(domain.wallet_secret)} = ? "
                               "WHERE rowid = ?", (value, rowid))
    controller.reload_wallets()  # within the content gap: deferred to the recheck timer, not dropped
    assert controller.follow.recheck.isActive()
    qtbot.waitUntil(lambda: any(r.stored == rotated for r in controller.model.records()), timeout=5000)
    assert reads.full == full + 1
