"""The treasury's JSON state files as the checks read them, through core/trading's safe reader.

Every file goes through ``core.trading.read_json`` (``lstat`` + ``S_ISREG``,
``O_NONBLOCK | O_NOFOLLOW``, the per-file bounds of ``core.trading.state``:
docs/architecture.md, 'Symlinks and FIFOs'), and exit intents are keyed the
way the bot keys both of its shapes (``core.trading.records.intent_items``).
The checks keep the records as the bot's raw JSON objects rather than the
typed ``Position``/``ExitIntent``: several checks are about raw values the
typed records normalise away (a ``current_price`` of null is shown as the
entry price there; a trailing stop of 0.0 and a missing one differ here).
JSONL audit files are read line by line here (``read_lines``); core/trading
has no reader for them.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from ..trading import EMERGENCY_LIMIT, INTENTS_LIMIT, POSITIONS_LIMIT, JsonDocument, read_json
from ..trading.records import intent_items

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)


def _load(path: Path, limit: int) -> Any:
    got = read_json(path, limit)
    return got.data if isinstance(got, JsonDocument) else None


def read_records(path: Path) -> list[dict[str, Any]]:
    """A JSON list of objects (positions.json, trade_history.json); anything else is empty.

    The ``{"positions": [...]}`` shape of SafeState's docstring is read as its list,
    as ``core.trading.state`` reads it.
    """
    data = _load(path, POSITIONS_LIMIT)
    if isinstance(data, dict) and isinstance(data.get("positions"), list):
        data = data["positions"]
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def read_intents(path: Path) -> dict[str, dict[str, Any]]:
    """exit_intents.json: an object keyed by id, or a list keyed by each item's id (or index)."""
    pairs = intent_items(_load(path, INTENTS_LIMIT)) or []
    return {key: value for key, value in pairs if isinstance(value, dict)}


def read_object(path: Path) -> dict[str, Any]:
    """A JSON object (emergency_stop.json); anything else is empty."""
    data = _load(path, EMERGENCY_LIMIT)
    return data if isinstance(data, dict) else {}


def read_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for each JSON-object line of a JSONL file; other lines are skipped."""
    out: list[tuple[int, dict[str, Any]]] = []
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return out
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return out
        with os.fdopen(fd, "rb", closefd=False) as f:
            for n, line in enumerate(f, 1):
                try:
                    value = json.loads(line)
                except ValueError:
                    continue
                if isinstance(value, dict):
                    out.append((n, value))
    finally:
        os.close(fd)
    return out
