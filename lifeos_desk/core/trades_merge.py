"""Folding newly read trade rows into the trades already held, without reading the rest again.

The live charts read only the rows past the last seen rowid, and re-read the
few rows their writer may still update (ADR trades still OPEN). This puts
them in place: replaced rows leave, new ones go where their time sorts them
(ties after equal times, as the loader's stable sort keeps rowid order), and
both symbol tables become one, sorted as the loader sorts them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .pnl import Trades


def _union_symbols(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[tuple[str, ...], npt.NDArray[np.int32],
                                                                     npt.NDArray[np.int32]]:
    """The sorted union of two symbol tables, and each old code's new code."""
    if a == b or not b:
        same = np.arange(len(a), dtype=np.int32)
        return a, same, same[: len(b)]
    names = tuple(sorted(set(a) | set(b)))
    where = {n: i for i, n in enumerate(names)}
    return (names, np.array([where[n] for n in a], dtype=np.int32).reshape(-1),
            np.array([where[n] for n in b], dtype=np.int32).reshape(-1))


def _recode(codes: npt.NDArray[np.int32], table: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    if len(table) == 0 or bool((table == np.arange(len(table))).all()):
        return codes
    known = (codes >= 0) & (codes < len(table))
    out = codes.copy()
    out[known] = table[codes[known]]
    return out


def merge(held: Trades, added: Trades, removed: npt.NDArray[np.int64] | None = None) -> Trades:
    """``held`` without the rows whose rowid is in ``removed``, plus ``added``, in time order.

    Both inputs are in time order (NaN times last). Costs a few copies of
    the held arrays, not a sort of them.
    """
    if removed is not None and len(removed):
        held = held.take(~np.isin(held.rowid, removed))
    if len(added) == 0:
        return held
    names, old_map, new_map = _union_symbols(held.symbols, added.symbols)
    at = np.searchsorted(held.time, added.time, side="right")  # NaN sorts last in both
    return Trades(
        rowid=np.insert(held.rowid, at, added.rowid),
        time=np.insert(held.time, at, added.time),
        pnl=np.insert(held.pnl, at, added.pnl),
        user=np.insert(held.user, at, added.user),
        symbol=np.insert(_recode(held.symbol, old_map), at, _recode(added.symbol, new_map)).astype(np.int32),
        realised=np.insert(held.realised, at, added.realised),
        symbols=names,
    )
