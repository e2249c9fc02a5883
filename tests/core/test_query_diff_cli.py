"""``lifeos-desk query`` and ``lifeos-desk diff``: output, exit codes, the file never written."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from lifeos_desk.cli import main
from lifeos_desk.core.paths import DataPaths
from lifeos_desk.core.selfcmd import self_command

from .archive_helpers import make_home
from .test_query import LONG_QUERY, digest


def _cli(paths: DataPaths, *args: str) -> int:
    return main(["--home", str(paths.home), "--logs", str(paths.home / "logs"), "--backups", str(paths.backups),
                 *args])


def test_query_prints_json_csv_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    assert _cli(paths, "query", "SELECT id, username FROM users ORDER BY id", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["columns"] == ["id", "username"] and len(out["rows"]) == 4 and out["truncated"] is False
    assert _cli(paths, "query", "SELECT * FROM trades", "--csv", "--limit", "10") == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 11 and lines[0].startswith("id,")  # header + the 10 rows of the cap
    assert "first 10 rows" in captured.err
    assert _cli(paths, "query", "SELECT count(*) AS n FROM trades") == 0
    assert "300" in capsys.readouterr().out


@pytest.mark.parametrize(("sql", "code", "words"), [
    ("DELETE FROM trades", 3, "refused"),
    ("WITH x AS (SELECT 1) UPDATE users SET username = 'x'", 3, "refused"),
    ("SELECT 1; DROP TABLE users", 3, "one statement"),
    ("PRAGMA journal_mode=DELETE", 3, "refused"),
    ("SELEC 1", 2, "syntax error"),
    ("SELECT * FROM nope", 2, "no such table"),
])
def test_query_exit_codes_and_the_file_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str], sql: str,
                                                 code: int, words: str) -> None:
    paths = make_home(tmp_path)
    before = digest(paths.db)
    assert _cli(paths, "query", sql, "--json") == code
    captured = capsys.readouterr()
    assert words in captured.err and json.loads(captured.out)["exit_code"] == code
    assert digest(paths.db) == before


def test_query_database_problems_use_the_database_exit_codes(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    assert _cli(paths, "query", "SELECT 1", "--store", str(tmp_path / "missing.db")) == 10
    junk = tmp_path / "junk.db"
    junk.write_text("this is not a database, just some text that is long enough " * 20)
    assert _cli(paths, "query", "SELECT * FROM sqlite_master", "--store", str(junk)) == 11
    assert "not a SQLite database" in capsys.readouterr().err


def test_query_schema_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    assert _cli(paths, "query", "--schema", "--json") == 0
    schema = json.loads(capsys.readouterr().out)
    assert {o["name"] for o in schema["objects"] if o["kind"] == "table"} >= {"users", "trades"}


def test_ctrl_c_interrupts_a_long_query(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(self_command("query", LONG_QUERY, "--store", str(paths.db)), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None and not _in_query(proc.pid):
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(0.05)  # the child's start-up, not a sleep: it returns if the child ends
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 130 and "interrupted" in err
    assert time.monotonic() - started < 5


def _in_query(pid: int) -> bool:
    """The child has opened the database (its descriptors show it): the query is running."""
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}").endswith(".db") for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


def _changes(paths: DataPaths) -> None:
    """Add, remove and change a row; append to one log, rewrite another; change a state file."""
    with closing(sqlite3.connect(paths.db)) as con:
        cols = [r[1] for r in con.execute("PRAGMA table_info(trades)") if r[1] != "id"]
        names = ", ".join(cols)
        con.execute(f"INSERT INTO trades (id, {names}) SELECT 'new-trade', {names} FROM trades LIMIT 1")
        first, second = [r[0] for r in con.execute("SELECT id FROM trades WHERE id != 'new-trade' ORDER BY id LIMIT 2")]
        con.execute("DELETE FROM trades WHERE id = ?", (first,))
        con.execute("UPDATE trades SET status = 'edited' WHERE id = ?", (second,))
        con.commit()
    logs = sorted((paths.home / "logs").glob("*.jsonl"))
    with open(logs[0], "a", encoding="utf-8") as f:
        f.write('{"event": "appended"}\n')
    logs[1].write_text('{"event": "rewritten"}\n', encoding="utf-8")
    state = sorted((paths.home / "trading").glob("*.json"))[0]
    data = json.loads(state.read_text())
    if isinstance(data, dict):
        data["new-key"] = {"id": "new-key"}
    else:
        data.append({"id": "new-key"})
    state.write_text(json.dumps(data))


def _backup(paths: DataPaths, name: str) -> Path:
    assert _cli(paths, "backup", "--no-retention") == 0
    made = max(paths.backups.glob("2*.tar.gz"), key=lambda p: p.stat().st_mtime_ns)
    return made.rename(paths.backups / name)


def test_diff_two_archives_and_the_live_home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    first = _backup(paths, "a-first.tar.gz")
    _changes(paths)
    second = _backup(paths, "b-second.tar.gz")
    capsys.readouterr()
    assert _cli(paths, "diff", str(first), str(second), "--json") == 1
    report = json.loads(capsys.readouterr().out)
    trades = next(t for t in report["tables"] if t["table"] == "trades")
    assert (trades["added"], trades["removed"], trades["changed"]) == (1, 1, 1) and trades["key"] == ["id"]
    assert trades["added_keys"] == ["new-trade"]
    logs = {f["name"]: f["status"] for f in report["logs"]}
    assert "grew" in logs.values() and "rewritten" in logs.values()
    state = next(f for f in report["states"] if f["status"] == "changed")
    assert state["keys_added"] == ["new-key"]
    assert _cli(paths, "diff", str(second), str(second)) == 0
    assert capsys.readouterr().out.strip().endswith("identical")
    assert _cli(paths, "diff", str(first)) == 1  # against the live home
    text = capsys.readouterr().out
    assert "B: live home" in text and "table trades" in text and "1 added" in text
    leftovers = [p for p in paths.backups.iterdir() if p.name.startswith(".lifeos-desk-tmp")]
    assert leftovers == []  # the temporary copies are gone


def test_diff_could_not_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_home(tmp_path)
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_text("plain text")
    assert _cli(paths, "diff", str(bogus)) == 2
    assert _cli(paths, "diff", str(tmp_path / "none.tar.gz")) == 2
    assert "no archive" in capsys.readouterr().err
