"""Wallet identities: the key column where it tells rows apart, the rowid where it does not (issue 14 item 14)."""

from __future__ import annotations

import pytest

from lifeos_desk.core.secrets import Secret
from lifeos_desk.core.vault import WalletRecord, verify_all
from lifeos_desk.core.wallet_ids import RowKey, require_distinct, wallet_keys


def test_unique_keys_are_kept_and_the_rest_get_their_rowid() -> None:
    rows = [(1, "w1"), (2, None), (3, None), (4, "dup"), (5, "dup"), (6, 7), (7, 2.5), (8, "7")]
    assert wallet_keys(rows) == ["w1", RowKey(2), RowKey(3), RowKey(4, "dup"), RowKey(5, "dup"), 7,
                                 RowKey(7, "2.5"), "7"]


def test_a_row_key_never_equals_a_real_key() -> None:
    keys = wallet_keys([(1, None), (2, "row 1 (no wallet id)"), (3, 1)])
    assert len(set(keys)) == 3
    assert str(keys[0]) == "row 1 (no wallet id)" and str(RowKey(4, "x")) == "x (row 4, wallet id shared)"


def test_records_sharing_a_key_are_refused() -> None:
    require_distinct(["a", RowKey(1), RowKey(2), 1])
    record = WalletRecord(key="same", user_id=1, owner="", label="", address="", is_default=False, stored=None)
    with pytest.raises(ValueError, match="share the key same"):
        verify_all([record, record], Secret("pw"))
