"""Filters combined, term parsing, time order for the merged view, and export."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from lifeos_desk.core.jsonl import LogSet, Timeline
from lifeos_desk.core.jsonl.export import export_rows
from lifeos_desk.core.jsonl.filtering import Cancelled, FilterSpec, Term, filter_timeline, parse_terms
from lifeos_desk.core.jsonl.timeorder import merge_order, timeline_times

ROWS = [
    {"timestamp": 100.0, "event_type": "login", "actor_id": "42", "success": True, "ip_address": "10.0.0.1"},
    {"timestamp": 101.0, "event_type": "wallet_access", "actor_id": "42", "success": False,
     "details": {"symbol": "SOL"}},
    {"timestamp": 102.0, "event_type": "wallet_access", "actor_id": "7", "success": True,
     "details": {"symbol": "BONK"}},
    {"timestamp": "1970-01-01T00:01:43Z", "level": "error", "message": "Order Failed", "user_id": 42},
    {"timestamp": 104.0, "event": "TRADE_EXECUTED", "token": "SOL", "actor_id": "420"},
]


def make(tmp_path: Path, name: str = "audit", rows: list[dict[str, object]] = ROWS, junk: bool = True) -> Timeline:
    body = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
    if junk:
        body += b"this is not json but mentions wallet_access\n"
    (tmp_path / f"{name}.jsonl").write_bytes(body)
    timeline = next(t for t in LogSet([tmp_path]).timelines if t.name == name)
    while not timeline.poll(1 << 20).caught_up:
        pass
    return timeline


def rows(timeline: Timeline, spec: FilterSpec) -> list[int]:
    return [int(row) for row in filter_timeline(timeline, spec)]


def test_each_filter_and_combinations(tmp_path: Path) -> None:
    t = make(tmp_path)
    assert rows(t, FilterSpec()) == [0, 1, 2, 3, 4, 5]
    assert rows(t, FilterSpec(text="WALLET_access")) == [1, 2, 5]  # free text: raw, case-insensitive
    assert rows(t, FilterSpec(events=frozenset({"wallet_access"}))) == [1, 2]
    assert rows(t, FilterSpec(levels=frozenset({"ERROR"}))) == [1, 3]  # success false counts as error
    assert rows(t, FilterSpec(actor="42")) == [0, 1, 3]  # actor_id or user_id, not 420
    assert rows(t, FilterSpec(since=101.5, until=103.5)) == [2, 3]
    assert rows(t, FilterSpec(terms=(Term("details.symbol", "sol"),))) == [1]
    assert rows(t, FilterSpec(terms=(Term("token", "SOL"),))) == [4]
    assert rows(t, FilterSpec(text="wallet", actor="42", events=frozenset({"wallet_access"}))) == [1]
    assert rows(t, FilterSpec(text="sol", terms=(Term("actor_id", "42"), Term("success", "false")))) == [1]
    assert rows(t, FilterSpec(malformed_only=True)) == [5]
    assert rows(t, FilterSpec(text="nothing-like-this")) == []


def test_range_of_rows(tmp_path: Path) -> None:
    t = make(tmp_path)
    assert filter_timeline(t, FilterSpec(actor="42"), first=1, last=4).tolist() == [1, 3]


def test_parse_terms() -> None:
    terms, text = parse_terms('actor_id=42 event_type=wallet_access message="order failed" hello')
    assert terms == (Term("actor_id", "42"), Term("event_type", "wallet_access"), Term("message", "order failed"))
    assert text == "hello"
    with pytest.raises(ValueError, match="field name"):
        parse_terms("=42")


def test_cancel_and_progress(tmp_path: Path) -> None:
    t = make(tmp_path, rows=ROWS * 2000, junk=False)
    seen: list[tuple[int, int]] = []
    filter_timeline(t, FilterSpec(actor="7"), progress=lambda d, n: seen.append((d, n)))
    assert seen and seen[-1] == (t.count, t.count)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        filter_timeline(t, FilterSpec(actor="7"), cancel=cancel)


def test_times_and_merge_order(tmp_path: Path) -> None:
    a = make(tmp_path, "audit")
    b = make(tmp_path, "trading", rows=[{"timestamp": 100.5, "event": "x"}, {"timestamp": 103.5, "event": "y"}],
             junk=False)
    ta, tb = timeline_times(a), timeline_times(b)
    assert ta.tolist() == [100.0, 101.0, 102.0, 103.0, 104.0, 104.0]  # the junk line takes its neighbour's time
    logs, order = merge_order([ta, tb])
    assert list(zip(logs.tolist(), order.tolist(), strict=True)) == [
        (0, 0), (1, 0), (0, 1), (0, 2), (0, 3), (1, 1), (0, 4), (0, 5)]
    assert np.all(np.diff(np.concatenate([ta, tb])[np.argsort(np.concatenate([ta, tb]), kind="stable")]) >= 0)


def test_export_jsonl_and_csv(tmp_path: Path) -> None:
    t = make(tmp_path)
    hits = filter_timeline(t, FilterSpec(actor="42")).tolist()
    out = tmp_path / "out.jsonl"
    assert export_rows(out, [(t, r) for r in hits], "jsonl") == 3
    assert [json.loads(x)["timestamp"] for x in out.read_text().splitlines()] == [100.0, 101.0,
                                                                                  "1970-01-01T00:01:43Z"]
    out_csv = tmp_path / "out.csv"
    export_rows(out_csv, [(t, r) for r in hits], "csv")
    table = list(csv.reader(out_csv.open(encoding="utf-8")))
    assert table[0][:4] == ["time", "log", "level", "event"]
    assert [r[3] for r in table[1:]] == ["login", "wallet_access", "Order Failed"]
    assert not list(tmp_path.glob(".*.part"))
    with pytest.raises(ValueError, match="format"):
        export_rows(tmp_path / "x", [], "xml")
