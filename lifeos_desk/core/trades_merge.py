"""Folding newly read trade rows into the trades already held, without reading the rest again.

The live charts read only the rows past the last seen rowid, and re-read the
few rows their writer may still update (ADR trades still OPEN). This puts
them in place: replaced rows leave, new ones go where their time sorts them
(ties after equal times, as the loader's stable sort keeps rowid order), and
both symbol tables become one, sorted as the loader sorts them.

The common case is new rows that sort after every held one (the bot
realises trades now): then each column grows at its end (``grow``) into
spare capacity kept behind it, so an update writes the new rows only and
does not copy a million held values again (issue 18).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import numpy.typing as npt

from .pnl import Trades

HEADROOM = 8  # spare capacity: an eighth of the length (at least MIN_SPARE), so copies happen once per n/8 rows
MIN_SPARE = 4096
# Buffer -> how many of its elements a live view holds. Only the view that reaches that far may grow in place:
# an older, shorter view of the same buffer keeps its values, and growing it copies.
# (Arrays are not hashable: keyed by id, with the buffer's weak reference to tell a reused id apart.)
_filled: dict[int, tuple[weakref.ref[np.ndarray[Any, Any]], int]] = {}


def _fill_of(base: np.ndarray[Any, Any]) -> int | None:
    entry = _filled.get(id(base))
    return entry[1] if entry is not None and entry[0]() is base else None


def _set_fill(base: np.ndarray[Any, Any], n: int) -> None:
    if id(base) not in _filled:
        weakref.finalize(base, _filled.pop, id(base), None)
    _filled[id(base)] = (weakref.ref(base), n)


def member(values: npt.NDArray[np.int64], wanted: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """``np.isin(values, wanted)`` for row ids, in one or a few passes over ``values``.

    np.isin sorts; over a million rowids that cost 25-30 ms per call here. A few
    wanted ids are compared one by one, more of them through a table over their range.
    """
    want = np.unique(np.asarray(wanted, dtype=np.int64))
    out = np.zeros(len(values), dtype=np.bool_)
    if len(want) == 0 or len(values) == 0:
        return out
    if len(want) <= 16:
        for w in want.tolist():
            out |= values == w
        return out
    lo, hi = int(want[0]), int(want[-1])
    if hi - lo > 8 * (len(values) + len(want)):  # a sparse, wide range: the sorting way is cheaper
        result: npt.NDArray[np.bool_] = np.isin(values, want)
        return result
    table = np.zeros(hi - lo + 1, dtype=np.bool_)
    table[want - lo] = True
    inside = (values >= lo) & (values <= hi)
    out[inside] = table[values[inside] - lo]
    return out


def grow(a: np.ndarray[Any, Any], tail: npt.ArrayLike,
         keep: npt.NDArray[np.bool_] | None = None) -> np.ndarray[Any, Any]:
    """``a`` (its ``keep`` elements only, when given) followed by ``tail``, as a new view.

    When ``a`` is the longest view of a buffer with room behind it, ``tail`` is
    written there and nothing is copied; otherwise the result gets a buffer with
    spare room. ``a`` itself is never changed.
    """
    tail = np.asarray(tail, dtype=a.dtype)
    if keep is None and len(tail) == 0:
        return a
    base = a.base
    n = len(a)
    if (keep is None and isinstance(base, np.ndarray) and base.ndim == 1 and base.dtype == a.dtype
            and a.flags.c_contiguous and _fill_of(base) == n and n + len(tail) <= len(base)
            and a.__array_interface__["data"][0] == base.__array_interface__["data"][0]):
        base[n:n + len(tail)] = tail
        _set_fill(base, n + len(tail))
        return base[:n + len(tail)]
    kept = n if keep is None else int(np.count_nonzero(keep))
    total = kept + len(tail)
    fresh = np.empty(total + max(MIN_SPARE, total // HEADROOM), dtype=a.dtype)
    fresh[:kept] = a if keep is None else a[keep]  # (np.compress with out= is several times slower)
    fresh[kept:total] = tail
    _set_fill(fresh, total)
    return fresh[:total]


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

    Both inputs are in time order (NaN times last). New rows that all sort
    after the held ones are appended (``grow``); others cost a few copies of
    the held arrays, not a sort of them.
    """
    keep = ~member(held.rowid, removed) if removed is not None and len(removed) else None
    if keep is not None and bool(keep.all()):
        keep = None
    if len(added) == 0:
        return held if keep is None else held.take(keep)
    names, old_map, new_map = _union_symbols(held.symbols, added.symbols)
    codes, new_codes = _recode(held.symbol, old_map), _recode(added.symbol, new_map)
    last_at = len(held) - 1 if keep is None else len(keep) - 1 - int(np.argmax(keep[::-1]))
    last = held.time[last_at] if len(held) and (keep is None or keep[last_at]) else -np.inf
    if not np.isnan(last) and bool((added.time >= last).all()):  # NaN compares False: such rows insert
        return Trades(rowid=grow(held.rowid, added.rowid, keep), time=grow(held.time, added.time, keep),
                      pnl=grow(held.pnl, added.pnl, keep), user=grow(held.user, added.user, keep),
                      symbol=grow(codes, new_codes, keep), realised=grow(held.realised, added.realised, keep),
                      symbols=names)
    if keep is not None:
        held = held.take(keep)
        codes = codes[keep]
    at = np.searchsorted(held.time, added.time, side="right")  # NaN sorts last in both
    return Trades(
        rowid=np.insert(held.rowid, at, added.rowid),
        time=np.insert(held.time, at, added.time),
        pnl=np.insert(held.pnl, at, added.pnl),
        user=np.insert(held.user, at, added.user),
        symbol=np.insert(codes, at, new_codes).astype(np.int32),
        realised=np.insert(held.realised, at, added.realised),
        symbols=names,
    )
