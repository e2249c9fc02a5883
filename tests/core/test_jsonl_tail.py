"""A writer child process appends, half-writes, rotates, truncates, deletes and re-creates the
live file while a timeline follows it: every written line must be seen exactly once, in order."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import time
from pathlib import Path
from typing import Any

from lifeos_desk.core.jsonl import LogSet, Timeline

PER_STEP = 150


def _writer(folder: str, counter: Any, request: Any, ack: Any, seed: int) -> None:
    """The bot: one O_APPEND open per line (like AuditWriter), sometimes in two writes with a pause."""
    rnd = random.Random(seed)
    path = Path(folder) / "audit.jsonl"
    seq = 0

    def append(n: int) -> None:
        nonlocal seq
        for _ in range(n):
            data = json.dumps({"timestamp": time.time(), "event_type": "tick", "seq": seq}).encode() + b"\n"
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            if rnd.random() < 0.2:
                cut = rnd.randint(1, len(data) - 1)
                os.write(fd, data[:cut])
                time.sleep(0.002)  # the tailer sees a half-written line here
                os.write(fd, data[cut:])
            else:
                os.write(fd, data)
            os.close(fd)
            seq += 1
            counter.value = seq
            if rnd.random() < 0.05:
                time.sleep(0.002)

    append(PER_STEP)
    os.rename(path, Path(folder) / "audit.20260101_000001.jsonl")  # size rotation
    append(PER_STEP)
    request.set()  # truncation destroys unread bytes: wait until the tailer has read what was written
    ack.wait(30)
    request.clear()
    os.truncate(path, 0)
    append(PER_STEP)
    os.unlink(path)  # deletion ...
    time.sleep(0.05)
    append(PER_STEP)  # ... and re-creation
    os.rename(path, Path(folder) / "audit.20260101_000002.jsonl")
    append(PER_STEP)  # immediately after a rotation, maybe before any poll


def _read_new(timeline: Timeline, done: int, seen: list[int]) -> int:
    for row in range(done, timeline.count):
        got = timeline.read(row)
        assert got is not None, f"row {row} unreadable right after it was indexed"
        seen.append(json.loads(got[0])["seq"])
    return timeline.count


def test_every_line_seen_once_through_rotation_truncation_deletion(tmp_path: Path) -> None:
    (tmp_path / "audit.jsonl").write_bytes(b"")
    logs = LogSet([tmp_path])
    timeline = logs.timelines[0]
    timeline.poll(1 << 20)
    ctx = multiprocessing.get_context("spawn")
    counter, request, ack = ctx.Value("i", 0), ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_writer, args=(str(tmp_path), counter, request, ack, 7))
    proc.start()
    seen: list[int] = []
    done = 0
    events: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            alive = proc.is_alive()
            result = timeline.poll(1 << 20)
            events += result.events
            done = _read_new(timeline, done, seen)
            if request.is_set() and len(seen) == counter.value:
                ack.set()
            if not alive and result.caught_up and len(seen) >= counter.value:
                break
            time.sleep(0.001)
    finally:
        proc.join(10)
        logs.close()
    assert proc.exitcode == 0
    assert counter.value == 5 * PER_STEP
    assert seen == list(range(5 * PER_STEP))
    assert {"rotated", "truncated"} <= set(events)


def test_truncated_rows_stay_but_say_why(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b'{"event": "a"}\n{"event": "b"}\n')
    timeline = Timeline(LogSet([tmp_path]).timelines[0].spec)
    timeline.poll(1 << 20)
    path.write_bytes(b'{"event": "c"}\n')  # open("w"): truncate and write
    result = timeline.poll(1 << 20)
    assert result.events == ["truncated"]
    assert timeline.count == 3
    gone = timeline.entry(0)
    assert gone.malformed and "truncated" in (gone.problem or "")
    assert timeline.entry(2).event == "c"
    timeline.close()


def test_deleted_file_stays_readable_and_recreation_is_followed(tmp_path: Path) -> None:
    path = tmp_path / "errors.jsonl"
    path.write_bytes(b'{"event": "a"}\n{"event": "b"}')  # a half line, then the file is deleted
    timeline = Timeline(LogSet([tmp_path]).timelines[0].spec)
    timeline.poll(1 << 20)
    assert timeline.count == 1
    path.unlink()
    assert timeline.poll(1 << 20).events == ["deleted"]
    assert [timeline.entry(r).event for r in range(timeline.count)] == ["a", "b"]
    path.write_bytes(b'{"event": "c"}\n')
    timeline.poll(1 << 20)
    assert [timeline.entry(r).event for r in range(timeline.count)] == ["a", "b", "c"]
    timeline.close()
