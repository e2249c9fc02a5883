"""Where a finding points: the rows, log lines, positions and intents its ids name.

A finding carries its stores (a database store is written ``<path>:<table>``)
and the records' own key values (core/checks/finding.py). From those two the
window links each finding to a place it can show: a row of a table, a line
of an audit file, a position or an exit intent in Trading state, and the
trade inspector. The rules are the checks' own conventions:

- the first ``<file>.db:<table>`` store holds the record the ids key;
- a ``.jsonl`` first store with an integer first id names a line of it
  (trail, daily chain, time order);
- ``exit_intents.json`` first: the first id is an intent, and the next id
  (when a positions file is among the stores) its position;
- a ``positions.json`` / ``trade_history.json`` store: the first id that is
  not a line number or intent is a treasury position.

Qt-free, so the rules are tested without a screen and shared with exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from .finding import Id

POSITION_FILES = ("positions.json", "trade_history.json", "positions.json.bak", "trade_history.json.bak")
INTENTS_FILE = "exit_intents.json"
# tables whose rows are trades (or their fee) the inspector can follow
TRADE_TABLES = frozenset({"trades", "transactions", "positions", "success_fees"})


class LinkKind(StrEnum):
    """What a link opens."""

    ROW = "row"  # a row in Tables: store + table + key
    LINE = "line"  # a line in the Audit log: store + line
    POSITION = "position"  # a treasury position in Trading state: store + key
    INTENT = "intent"  # an exit intent in Trading state: store + key
    INSPECT = "inspect"  # the trade inspector on key[0]


@dataclass(frozen=True)
class Link:
    """One place a finding points to."""

    kind: LinkKind
    store: str
    table: str = ""
    key: tuple[Id, ...] = ()
    line: int = 0

    @property
    def label(self) -> str:
        """The link in words, for a menu or a button."""
        name = PurePath(self.store).name if self.store else ""
        keys = ", ".join(str(k) for k in self.key)
        if self.kind is LinkKind.ROW:
            return f"Row {keys} of {self.table} in {name}"
        if self.kind is LinkKind.LINE:
            return f"Line {self.line} of {name}"
        if self.kind is LinkKind.POSITION:
            return f"Position {keys} in {name}"
        if self.kind is LinkKind.INTENT:
            return f"Exit intent {keys}"
        return f"Inspect trade {keys}…"


def split_store(store: str) -> tuple[str, str]:
    """(file, table) of a ``<path>.db:<table>`` store; (store, "") for a plain file."""
    head, sep, table = store.rpartition(":")
    if sep and head.endswith(".db") and table and "/" not in table:
        return head, table
    return store, ""


def _is_line(value: Id) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _row_links(stores: Sequence[str], ids: Sequence[Id]) -> list[Link]:
    for store in stores:
        path, table = split_store(store)
        if table:
            out = [Link(LinkKind.ROW, path, table, tuple(ids))]
            if table in TRADE_TABLES and ids and not (table == "positions" and len(ids) > 1):
                out.append(Link(LinkKind.INSPECT, path, table, (ids[0],)))
            return out
    return []


def _trading_links(stores: Sequence[str], ids: Sequence[Id]) -> list[Link]:
    names = [PurePath(s).name for s in stores]
    rest = [i for i in ids if not _is_line(i) and str(i) not in ("", "None")]
    out: list[Link] = []
    if names and names[0] == INTENTS_FILE and rest:
        out.append(Link(LinkKind.INTENT, stores[0], key=(rest[0],)))
        rest = rest[1:]
    position_store = next((s for s, n in zip(stores, names, strict=True) if n in POSITION_FILES), "")
    if position_store and rest:
        out.append(Link(LinkKind.POSITION, position_store, key=(rest[0],)))
    target = next((link.key[0] for link in out if link.kind is LinkKind.POSITION), None)
    target = target if target is not None else next((link.key[0] for link in out), None)
    if target is None and rest and names and names[0].endswith(".jsonl"):
        target = rest[0]  # a trail event naming a trade no state file holds: the inspector still searches
    if target is not None:
        out.append(Link(LinkKind.INSPECT, position_store or stores[0], key=(target,)))
    return out


def links_of(stores: Sequence[str], ids: Sequence[Id]) -> list[Link]:
    """Every place a finding with these stores and ids points to, most specific first."""
    if not stores:
        return []
    out = _row_links(stores, ids)
    if not out and ids and _is_line(ids[0]) and split_store(stores[0])[0].endswith(".jsonl"):
        out.append(Link(LinkKind.LINE, stores[0], line=int(ids[0])))
    out += _trading_links(stores, ids) if not any(link.kind is LinkKind.ROW for link in out) else []
    return out
