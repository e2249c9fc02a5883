"""The daily audit files' hash chain (docs/data-formats.md, 'Daily audit files'), checked as the bot computes it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from lifeos_desk.core.jsonl.chain import ChainCheck, is_chained
from lifeos_desk.core.jsonl.timeline import LogSet, Timeline


def bot_hash(e: dict[str, Any]) -> str:
    """The bot's compute_hash, written out again here (not our implementation under test)."""
    data = f"{e['timestamp']}{e['category']}{e['action']}{e['user_id']}{e['details']}{e['previous_hash']}"
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def entries(n: int, first_previous: str | None = None) -> list[dict[str, Any]]:
    out, previous = [], first_previous
    for i in range(n):
        e: dict[str, Any] = {"timestamp": f"2026-01-02T10:00:{i:02d}.123456+00:00", "category": "trading",
                             "action": f"act{i}", "user_id": None if i % 2 else str(i), "resource": None,
                             "details": {"n": i, "ok": True, "note": None, "nested": {"a": [1, 2.5]}},
                             "severity": "info", "success": True, "ip_address": None, "user_agent": None,
                             "session_id": None, "request_id": None, "previous_hash": previous, "entry_hash": None}
        e["entry_hash"] = bot_hash(e)
        previous = e["entry_hash"]
        out.append(e)
    return out


def timeline_of(folder: Path, rows: list[dict[str, Any]], name: str = "audit_20260102.jsonl") -> Timeline:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("".join(json.dumps(e) + "\n" for e in rows))
    logs = LogSet([folder])
    logs.poll(1 << 20)
    return next(t for t in logs.timelines if t.name == name.removesuffix(".jsonl"))


def test_intact_chain_has_no_break(tmp_path: Path) -> None:
    t = timeline_of(tmp_path / "audit", entries(30))
    check = ChainCheck(t)
    assert is_chained(t)
    while not check.advance(7):
        pass
    assert (check.checked, check.hashed, check.breaks) == (30, 30, [])


def test_edited_line_is_reported_with_file_line_expected_and_found(tmp_path: Path) -> None:
    rows = entries(20)
    rows[11]["details"]["n"] = 999  # edited after writing: its own hash no longer matches
    t = timeline_of(tmp_path / "audit", rows)
    check = ChainCheck(t)
    check.advance()
    assert len(check.breaks) == 1
    broken = check.breaks[0]
    assert (broken.row, broken.line, broken.what, broken.path.name) == (11, 12, "entry_hash", "audit_20260102.jsonl")
    assert broken.found == rows[11]["entry_hash"] and broken.expected == bot_hash(rows[11])
    assert "line 12" in broken.message() and broken.expected in broken.message()


def test_removed_line_breaks_the_link(tmp_path: Path) -> None:
    rows = entries(20)
    del rows[5]
    check = ChainCheck(timeline_of(tmp_path / "audit", rows))
    check.advance()
    assert [(b.line, b.what, b.expected, b.found) for b in check.breaks] == [
        (6, "previous_hash", rows[4]["entry_hash"], rows[5]["previous_hash"])]


def test_date_change_starts_are_not_breaks(tmp_path: Path) -> None:
    """The bot's day rollover: line 1 carries yesterday's hash, line 2 a null previous hash."""
    rows = entries(1, first_previous="0123456789abcdef") + entries(5)[1:]
    rows[1]["previous_hash"] = None
    rows[1]["entry_hash"] = bot_hash(rows[1])
    for k in range(2, 5):
        rows[k]["previous_hash"] = rows[k - 1]["entry_hash"]
        rows[k]["entry_hash"] = bot_hash(rows[k])
    check = ChainCheck(timeline_of(tmp_path / "audit", rows))
    check.advance()
    assert check.breaks == [] and check.hashed == 5


def test_chain_off_lines_and_other_shapes_are_not_checked(tmp_path: Path) -> None:
    rows = entries(3)
    for e in rows:
        e["previous_hash"] = e["entry_hash"] = None  # the deployed default: ENABLE_HASH_CHAIN = False
    t = timeline_of(tmp_path / "audit", rows)
    check = ChainCheck(t)
    check.advance()
    assert is_chained(t) and check.hashed == 0 and check.breaks == []
    other = timeline_of(tmp_path / "logs", [{"timestamp": 1.0, "event_type": "login"}], "audit.jsonl")
    assert not is_chained(other)
