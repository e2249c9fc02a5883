"""Checking the daily audit files' hash chain (docs/data-formats.md, 'Daily audit files').

The deployed ``AuditLogger`` gives each line an ``entry_hash`` (16 hex digits
of SHA-256 over ``str()`` of six fields, ``core.audit.chain_hash``) and the
previous line's hash as ``previous_hash``. Each line is checked twice: its own
hash must match its fields, and its ``previous_hash`` must be the line
before's ``entry_hash``. Two starts are not breaks, because the bot makes them:

- the first line of a file may carry any ``previous_hash``: on a change of
  local date the new file's first entry is hashed with yesterday's last hash;
- the second line may then carry ``null``: the logger resets its last hash
  *after* hashing that first entry (``_write_entry`` runs after ``compute_hash``).

Lines whose two hashes are both null are unchained (the chain is off by
default) and reset the chain. The other writer of the same file names
(``comprehensive_audit_logger``, lines with ``entry_id``, keyed hashes) is not
checked. ``ChainCheck.advance`` works in bounded slices so the UI thread can
run it while a file is followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audit import chain_hash
from .timeline import Timeline

_FIELDS = ("timestamp", "category", "action", "user_id", "details", "previous_hash", "entry_hash")
#: Rows checked per ``advance`` call (parsing ~2,000 lines takes ~6 ms).
SLICE_ROWS = 2000


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain does not hold: which file, which line, what was expected and found."""

    row: int
    path: Path
    line: int
    what: str
    expected: str | None
    found: str | None

    def message(self) -> str:
        """One sentence for the notice and the row's tooltip."""
        if self.what == "entry_hash":
            return (f"{self.path.name} line {self.line:,}: entry_hash {self.found} does not match the line's "
                    f"fields (expected {self.expected}); the line was changed after it was written")
        return (f"{self.path.name} line {self.line:,}: previous_hash {self.found} is not the previous line's "
                f"entry_hash (expected {self.expected}); a line before it was removed, inserted or changed")


@dataclass
class ChainCheck:
    """The chain state of one log, checked row by row as it grows."""

    timeline: Timeline
    checked: int = 0
    hashed: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)
    _last: str | None = None
    _first_prev: str | None = None
    _local: int = -1

    @property
    def rows(self) -> frozenset[int]:
        """Timeline rows where the chain breaks."""
        return frozenset(b.row for b in self.breaks)

    def advance(self, limit: int = SLICE_ROWS) -> bool:
        """Check up to ``limit`` more rows; True when every indexed row is checked."""
        stop = min(self.timeline.count, self.checked + limit)
        for row in range(self.checked, stop):
            self._check(row)
        self.checked = stop
        return self.checked >= self.timeline.count

    def _check(self, row: int) -> None:
        segment, local = self.timeline.locate(row)
        if local == 0:  # a file (or a truncated file's new start): the chain starts again
            self._last, self._first_prev = None, None
        data = self.timeline.entry(row).data
        if data is None or "entry_id" in data or not all(k in data for k in _FIELDS):
            self._last = None
            return
        found, previous = data["entry_hash"], data["previous_hash"]
        if found is None and previous is None:
            self._last = None
            return
        self.hashed += 1
        where = (row, segment.path, local + 1)
        expected = chain_hash(data)
        if found != expected:
            self.breaks.append(ChainBreak(*where, "entry_hash", expected, _text(found)))
        if not self._links(local, previous):
            self.breaks.append(ChainBreak(*where, "previous_hash", self._last, _text(previous)))
        if local == 0:
            self._first_prev = _text(previous)
        self._last = _text(found)

    def _links(self, local: int, previous: Any) -> bool:
        if local == 0 or previous == self._last:
            return True
        return local == 1 and previous is None and self._first_prev is not None  # the date-change reset


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def is_chained(timeline: Timeline, sample: int = 20) -> bool:
    """True when the log's first lines have the daily audit shape (its hash fields, hashed or null)."""
    for row in range(min(sample, timeline.count)):
        data = timeline.entry(row).data
        if data is not None and "entry_hash" in data and "category" in data and "entry_id" not in data:
            return True
    return False
