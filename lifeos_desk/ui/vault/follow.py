"""The vault's wallet table, kept current with work that grows with what changed.

The bot's trade commits fire the home watcher (several times a minute);
re-reading every wallet each time cost the console about 5 % of a core at
10,000 wallets (issue 18; docs/architecture.md, 'Work that grows with what
changed'). A live refresh asks the source's cheap shape signal every time,
and its content digest (which sees an UPDATE of equal length, e.g. a rotated
key) at most every ``CONTENT_GAP_S``: when a refresh skips it, a timer makes
sure one runs that long after, so no change is left unseen
(db/wallet_changes.py). After the vault's own writes the rows are read in full.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ...core.vault import WalletRecord
from ...db.errors import DatabaseError
from ...db.wallet_source import FollowsChanges, WalletSource
from .model import WalletTableModel

CONTENT_GAP_S = 15.0  # the content digest (tens of ms at 10,000 wallets) runs at most this often


class WalletFollow(QObject):
    """Reads the source's wallets into the model: in full on request, or only what moved when the bot commits."""

    failed = Signal(str, bool)  # (message, is an error): the controller relays it as its ``message``

    def __init__(self, wallets: WalletSource, model: WalletTableModel, parent: QObject | None = None) -> None:
        # No callback into the controller: a reference back would make a cycle that keeps the source
        # (and a PostgreSQL connection) alive until the garbage collector runs.
        super().__init__(parent)
        self._wallets, self._model = wallets, model
        self._fingerprint: tuple[Any, ...] = ()
        self._content_at = -CONTENT_GAP_S
        self.recheck = QTimer(self)  # the deferred content check
        self.recheck.setSingleShot(True)
        self.recheck.timeout.connect(self.check_content)

    @Slot()
    def reload(self) -> None:
        """Read every wallet now (on start and after the vault's own writes)."""
        self._content_at = time.monotonic()
        self.recheck.stop()
        self._read(self._wallets.load)

    @Slot()
    def refresh(self) -> None:
        """Something in the file changed (a bot commit): read only the wallets that moved, if any."""
        if not isinstance(self._wallets, FollowsChanges):
            self.reload()  # e.g. PostgreSQL: no change signal, read in full (paced by the area)
            return
        left = CONTENT_GAP_S - (time.monotonic() - self._content_at)
        if left <= 0:
            self.check_content()
            return
        if not self.recheck.isActive():
            self.recheck.start(int(left * 1000) + 1)
        source = self._wallets
        self._read(lambda: source.refresh(check_content=False))

    @Slot()
    def check_content(self) -> None:
        """A refresh that also compares the content digest (sees equal-length UPDATEs)."""
        self._content_at = time.monotonic()
        self.recheck.stop()
        source = self._wallets
        if isinstance(source, FollowsChanges):
            self._read(lambda: source.refresh(check_content=True))

    def _read(self, read: Callable[[], Sequence[WalletRecord] | None]) -> None:
        try:
            records = read()
        except DatabaseError as exc:
            self.failed.emit(f"The wallets could not be read: {exc}", True)
            return
        if records is None:
            return
        fingerprint = tuple((r.key, r.owner, r.label, r.address, r.is_default, r.stored) for r in records)
        if fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        self._model.set_records(records)
