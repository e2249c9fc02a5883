"""``lifeos-desk logs``: filter, since, JSON, refused files, exit codes; --follow in a child process."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lifeos_desk.cli import main
from lifeos_desk.commands.logs import parse_since

T0 = 1_790_000_000.0


def write(path: Path, first: int, n: int, mode: str = "a") -> None:
    with path.open(mode) as f:
        for i in range(first, first + n):
            f.write(json.dumps({"timestamp": T0 + i, "event_type": "login" if i % 2 else "wallet_access",
                                "actor_id": str(i % 3), "success": i % 5 != 0, "seq": i}) + "\n")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "logs").mkdir()
    write(tmp_path / "logs" / "audit.jsonl", 0, 20)
    return tmp_path


def run(home: Path, *args: str) -> int:
    return main(["logs", "--home", str(home), "--logs", str(home / "logs"), *args])


def test_filter_since_and_json(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "--json", "--filter", "actor_id=1 event_type=login") == 0
    got = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["seq"] for e in got] == [1, 7, 13, 19]
    assert run(home, "--json", "--filter", "level=ERROR", "--since", "2026-09-21T14:13:30+00:00") == 0
    got = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["seq"] for e in got] == [10, 15]  # T0 + 10 is 14:13:30 UTC; every 5th fails
    assert run(home, "--filter", "wallet_access") == 0
    assert len(capsys.readouterr().out.splitlines()) == 10


def test_exit_codes(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "--filter", "=oops") == 2
    assert "field name" in capsys.readouterr().err
    assert run(home, "--since", "yesterday-ish") == 2
    assert run(home, "nosuchlog") == 1
    assert "no log named nosuchlog" in capsys.readouterr().err
    (home / "logs" / "secret.jsonl").symlink_to("/etc/hostname")
    assert run(home, str(home / "logs" / "secret.jsonl")) == 1
    assert "outside the log folders" in capsys.readouterr().err
    os.mkfifo(home / "logs" / "pipe.jsonl")
    assert run(home, str(home / "logs" / "pipe.jsonl")) == 1
    assert "FIFO" in capsys.readouterr().err


def test_relative_since() -> None:
    assert parse_since("2h", now=10_000.0) == 10_000.0 - 7200
    assert parse_since("15m", now=1000.0) == 100.0


def _read_lines(proc: subprocess.Popen[bytes], want: int, timeout: float = 15.0) -> list[dict[str, object]]:
    assert proc.stdout is not None
    got: list[dict[str, object]] = []
    buffer = b""
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        if not selector.select(deadline - time.monotonic()):
            break
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        got += [json.loads(line) for line in lines if line]
    selector.close()
    return got


def test_follow_reads_appended_and_rotated_lines_and_stops_on_sigterm(home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-m", "lifeos_desk", "logs", "--home", str(home), "--logs",
                             str(home / "logs"), "--follow", "--json", "--filter", "event_type=login"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        assert [e["seq"] for e in _read_lines(proc, 10)] == list(range(1, 20, 2))
        live = home / "logs" / "audit.jsonl"
        write(live, 20, 4)  # appended
        assert [e["seq"] for e in _read_lines(proc, 2)] == [21, 23]
        write(live, 24, 2)
        live.rename(home / "logs" / "audit.20260921_000000.jsonl")  # rotated: the old file's tail, then the new file
        write(live, 26, 4, mode="w")
        assert [e["seq"] for e in _read_lines(proc, 3)] == [25, 27, 29]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
