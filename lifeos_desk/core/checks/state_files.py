"""Minimal readers for the treasury's JSON state files (docs/data-formats.md, 'Trading state files').

Private to the checks until the shared trading-state readers land in core;
then these should be replaced by them. Each reader admits only a regular
file (no symlink, no FIFO: docs/architecture.md, 'Symlinks and FIFOs'),
bounded in size, and returns only well-shaped records.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

MAX_BYTES = 256 << 20
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)


def _load(path: Path) -> Any:
    fd = os.open(path, _FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    try:
        return json.loads(data)
    except ValueError:
        return None


def read_records(path: Path) -> list[dict[str, Any]]:
    """A JSON list of objects (positions.json, trade_history.json); anything else is empty."""
    data = _load(path)
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def read_intents(path: Path) -> dict[str, dict[str, Any]]:
    """exit_intents.json: an object keyed by id, or a list keyed by each item's id (or index)."""
    data = _load(path)
    if isinstance(data, list):
        data = {str(v.get("id", n)) if isinstance(v, dict) else str(n): v for n, v in enumerate(data)}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, dict)}


def read_object(path: Path) -> dict[str, Any]:
    """A JSON object (emergency_stop.json); anything else is empty."""
    data = _load(path)
    return data if isinstance(data, dict) else {}


def read_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for each JSON-object line of a JSONL file; other lines are skipped."""
    out: list[tuple[int, dict[str, Any]]] = []
    fd = os.open(path, _FLAGS)
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
