"""Log files that must not be read: links out of the log folders (item 9) and FIFOs (item 10) of issue 14."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lifeos_desk.core.jsonl import LogSet
from lifeos_desk.core.jsonl.export import export_rows

from .fifo_guard import fifo_watchdog

SECRET = b"root:$6$very-secret-hash:19000:0:99999:7:::\n"


def lines(first: int, n: int) -> bytes:
    return b"".join(json.dumps({"timestamp": 1_790_000_000 + i, "event_type": "login", "seq": i}).encode() + b"\n"
                    for i in range(first, first + n))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "elsewhere" / "shadow"
    secret.parent.mkdir()
    secret.write_bytes(SECRET * 3)
    return secret


def everything(logs: LogSet) -> bytes:
    out = b""
    for timeline in logs.timelines:
        for row in range(timeline.count):
            got = timeline.read(row)
            out += got[0] if got else b""
    return out


def test_item9_symlink_out_of_log_folder_is_skipped(tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "audit.jsonl").write_bytes(lines(0, 5))
    (folder / "secret.jsonl").symlink_to(outside)
    (folder / "inside.jsonl").symlink_to(folder / "audit.jsonl")  # a link that stays inside is read
    logs = LogSet([folder])
    while not logs.poll(1 << 20).caught_up:
        pass
    assert sorted(t.name for t in logs.timelines) == ["audit", "inside"]
    assert b"very-secret" not in everything(logs)
    assert [t.count for t in logs.timelines] == [5, 5]
    assert len(logs.skipped) == 1 and "secret.jsonl" in logs.skipped[0]
    assert "outside the log folders" in logs.skipped[0] and str(outside) in logs.skipped[0]
    logs.close()


def test_item9_rotation_to_a_symlink_is_not_followed_nor_exported(tmp_path: Path, outside: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    live = folder / "audit.jsonl"
    live.write_bytes(lines(0, 5))
    logs = LogSet([folder])
    logs.poll(1 << 20)
    timeline = logs.timelines[0]
    assert timeline.count == 5
    live.rename(folder / "audit.20260101_000000.jsonl")  # rotation ...
    live.symlink_to(outside)  # ... and a link where the live file was
    for _ in range(3):
        logs.poll(1 << 20)
    assert timeline.count == 5
    assert b"very-secret" not in everything(logs)
    assert timeline.live.problem is not None and "outside the log folders" in timeline.live.problem
    assert timeline.live.problem in timeline.problems
    logs.refresh()
    assert any("audit.jsonl" in s for s in logs.skipped)
    for fmt in ("jsonl", "csv"):
        target = tmp_path / f"out.{fmt}"
        export_rows(target, [(timeline, r) for r in range(timeline.count)], fmt)
        assert b"very-secret" not in target.read_bytes()
    live.unlink()  # the link goes, a real file comes back: it is read again
    live.write_bytes(lines(5, 2))
    logs.poll(1 << 20)
    assert timeline.count == 7 and timeline.live.problem is None
    logs.close()


def test_item9_archive_folder_linked_outside_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "audit-2026-01-01.jsonl").write_bytes(SECRET)
    (folder / "archive").symlink_to(elsewhere)
    (folder / "audit.jsonl").write_bytes(lines(0, 2))
    logs = LogSet([folder])
    logs.poll(1 << 20)
    assert b"very-secret" not in everything(logs)
    assert any("linked folder" in s for s in logs.skipped)
    logs.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_item10_fifo_live_file_with_rotated_sibling_is_skipped_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "audit.20260101_000000.jsonl").write_bytes(lines(0, 3))
    fifo = tmp_path / "audit.jsonl"
    os.mkfifo(fifo)
    os.mkfifo(tmp_path / "other.jsonl")
    with fifo_watchdog(fifo) as fired:
        logs = LogSet([tmp_path])
        for _ in range(3):
            logs.poll(1 << 20)
    assert not fired[0], "opening the FIFO blocked"
    assert [t.name for t in logs.timelines] == ["audit"]
    assert logs.timelines[0].count == 3  # the rotated part is still shown
    assert any("other.jsonl" in s and "FIFO" in s for s in logs.skipped)
    assert any("audit.jsonl" in s and "FIFO" in s for s in logs.skipped)
    assert "FIFO" in (logs.timelines[0].live.problem or "")
    logs.close()
