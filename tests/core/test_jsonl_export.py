"""Exporting log entries (issue 14, item 18: a lone surrogate must not abort a CSV export)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from lifeos_desk.core.jsonl import LogSet
from lifeos_desk.core.jsonl.export import export_rows


def test_item18_csv_export_survives_a_lone_surrogate(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    lines = [json.dumps({"timestamp": 1_790_000_000 + i, "event": e, "actor_id": "a"}) for i, e in
             enumerate(["before", "\ud800odd", "after"])]
    assert "\\ud800" in lines[1]  # valid JSON (an escape), but not encodable as UTF-8 once parsed
    (folder / "audit.jsonl").write_text("\n".join(lines) + "\n")
    logs = LogSet([folder])
    timeline = logs.timelines[0]
    timeline.poll(1 << 20)
    out = tmp_path / "out.csv"
    assert export_rows(out, [(timeline, r) for r in range(timeline.count)], "csv") == 3
    rows = list(csv.reader(out.open(encoding="utf-8")))  # strict UTF-8: the file is valid
    assert [r[3] for r in rows[1:]] == ["before", "\\ud800odd", "after"]
    assert not list(tmp_path.glob(".*.part"))
    logs.close()
