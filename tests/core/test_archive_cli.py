"""``lifeos-desk backup | verify | restore | list``: exit codes, messages, JSON progress."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from lifeos_desk.cli import main
from lifeos_desk.core.paths import DataPaths

from .archive_helpers import counts, make_home


def _cli(paths: DataPaths, *args: str) -> int:
    return main(["--home", str(paths.home), "--logs", str(paths.home / "logs"), "--backups", str(paths.backups),
                 *args])


def test_backup_list_verify_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    assert _cli(paths, "backup") == 0
    out = capsys.readouterr().out
    assert out.startswith("backup: ") and "integrity_check ok" in out
    archive = next(paths.backups.glob("*.tar.gz"))
    assert _cli(paths, "list") == 0
    listing = capsys.readouterr().out
    assert archive.name in listing and "console" in listing and "never" in listing
    assert _cli(paths, "verify", archive.name) == 0  # a bare name is looked up in the backups folder
    assert "OK:" in capsys.readouterr().out
    assert _cli(paths, "list", "--json") == 0
    assert json.loads(capsys.readouterr().out)[0]["last_check"]["ok"] is True
    original = counts(paths.db)
    with closing(sqlite3.connect(paths.db)) as con:
        con.execute("DELETE FROM trades")
        con.commit()
    assert _cli(paths, "restore", str(archive), "--yes") == 0
    out = capsys.readouterr().out
    assert "Rows" not in out and "trades" in out and "safety archive" in out
    assert counts(paths.db) == original


def test_restore_asks_and_stops_without_yes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    assert _cli(paths, "backup") == 0
    archive = next(paths.backups.glob("*.tar.gz"))
    before = paths.db.read_bytes()
    monkeypatch.setattr("builtins.input", lambda _prompt: "n")
    assert _cli(paths, "restore", str(archive)) == 3
    captured = capsys.readouterr()
    assert "Stop the bot first" in captured.out and "not confirmed: nothing changed" in captured.err
    assert paths.db.read_bytes() == before
    assert len(list(paths.backups.glob("*.tar.gz"))) == 1


def test_verify_failure_names_the_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    bad = tmp_path / "20240101_000000.tar.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00" + bytes(100))
    assert _cli(paths, "verify", str(bad)) == 1
    assert "truncated or damaged" in capsys.readouterr().err
    assert _cli(paths, "verify", str(tmp_path / "missing.tar.gz")) == 1
    assert "no archive at" in capsys.readouterr().err


def test_read_only_flag_refuses_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    assert _cli(paths, "--read-only", "restore", "x.tar.gz", "--yes") == 2
    assert "--read-only" in capsys.readouterr().err


def test_quick_check_is_recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    assert _cli(paths, "backup", "--check", "quick", "--json-progress") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[-1]["event"] == "result" and lines[-1]["check"] == "quick_check"
    assert {e["stage"] for e in lines if e["event"] == "progress"} >= {"snapshot", "compress", "verify"}
    out = subprocess.run(["tar", "-xzOf", lines[-1]["path"], "--wildcards", "*/manifest.json"],
                         capture_output=True, check=True).stdout
    assert json.loads(out)["database"]["check"] == "quick_check"


def test_json_restore_waits_for_yes_on_stdin(tmp_path: Path) -> None:
    """The window's protocol: a preview line, then "yes" on stdin."""
    paths = make_home(tmp_path)
    assert _cli(paths, "backup") == 0
    archive = next(paths.backups.glob("*.tar.gz"))
    argv = [sys.executable, "-m", "lifeos_desk", "--home", str(paths.home), "--backups", str(paths.backups),
            "restore", str(archive), "--json-progress"]
    done = subprocess.run(argv, input="yes\n", capture_output=True, text=True, timeout=120)
    events = [json.loads(line) for line in done.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert done.returncode == 0, done.stderr
    assert kinds.index("preview") < kinds.index("result")
    assert events[-1]["ok"] is True and events[-1]["safety_archive"]


def test_safety_backup_keeps_a_damaged_database(tmp_path: Path) -> None:
    """Restoring over a corrupt database must work; the safety archive keeps the damaged file."""
    paths = make_home(tmp_path, trades=3000)
    assert _cli(paths, "backup") == 0
    archive = next(paths.backups.glob("*.tar.gz"))
    data = bytearray(paths.db.read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = bytes(4096)
    paths.db.write_bytes(bytes(data))
    assert _cli(paths, "restore", str(archive), "--yes") == 0
    with closing(sqlite3.connect(paths.db)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
