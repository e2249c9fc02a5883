"""A bot stand-in for the restore tests: a child process committing rows and logging every committed id.

A child, not a thread: two SQLite users in one process share POSIX locks
(docs/architecture.md, "Threads and child processes").
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import tarfile
import textwrap
import time
from contextlib import closing
from pathlib import Path

WRITER = textwrap.dedent("""
    import json, sqlite3, sys, time, uuid, pathlib
    db, table, stop, log = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), open(sys.argv[4], "a")
    rate = float(sys.argv[5])
    con = sqlite3.connect(db, timeout=30)  # the bot's busy timeout (ADR-005)
    cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
    row = con.execute(f"SELECT * FROM {table} LIMIT 1").fetchone()
    done = errors = 0
    print("started", flush=True)
    while not stop.exists():
        values = list(row)
        values[0] = uuid.uuid4().hex
        try:
            con.execute(f"INSERT INTO {table} VALUES ({','.join('?' * len(cols))})", values)
            con.commit()
        except sqlite3.Error as exc:
            errors += 1
            print("error", exc, file=sys.stderr, flush=True)
            continue
        log.write(values[0] + "\\n")
        log.flush()
        done += 1
        time.sleep(1 / rate)
    print(json.dumps({"inserted": done, "errors": errors}), flush=True)
""")


class Writer:
    """Starts the writer on ``db``; ``stop()`` returns its stats; ``committed()`` every id it committed."""

    def __init__(self, db: Path, table: str, workdir: Path, rate: float = 100.0) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.stop_file, self.log = workdir / "stop", workdir / "committed.txt"
        self.proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), table, str(self.stop_file),
                                      str(self.log), str(rate)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "started"

    def stop(self) -> tuple[dict[str, int], str]:
        """Stop it; its stats and stderr."""
        self.stop_file.touch()
        out, err = self.proc.communicate(timeout=120)
        return json.loads(out.strip().splitlines()[-1]), err

    def wait_rows(self, more: int, timeout: float = 30.0) -> None:
        """Wait until it has committed ``more`` rows beyond what it had (a condition, polled)."""
        target = len(self.committed()) + more
        deadline = time.monotonic() + timeout
        while len(self.committed()) < target:
            assert time.monotonic() < deadline, "the writer stopped committing"
            assert self.proc.poll() is None, "the writer died"
            time.sleep(0.01)

    def committed(self) -> set[str]:
        """Every id whose commit returned."""
        return set(self.log.read_text().split()) if self.log.exists() else set()


def ids(db: Path, table: str) -> set[str]:
    """First-column values of a table."""
    with closing(sqlite3.connect(db, timeout=30)) as con:
        return {str(r[0]) for r in con.execute(f'SELECT * FROM "{table}"')}


def archived_ids(archive: Path, table: str, workdir: Path) -> set[str]:
    """First-column values of the table in an archive's database (empty if it holds none)."""
    with tarfile.open(archive) as tf:
        member = next((m for m in tf.getmembers() if m.name.endswith("/public_users.db")), None)
        if member is None:
            return set()
        f = tf.extractfile(member)
        assert f is not None
        data = f.read()
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / f"{archive.stem}.db"
    copy.write_bytes(io.BytesIO(data).getvalue())
    return ids(copy, table)
