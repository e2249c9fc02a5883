"""Backup, verify and restore against ADR-005's backup.sh, on a 220 MB database + 330 MB of logs.

``python -m tests.bench.bench_backup [--runs N] [--data DIR]``

The data home (ADR-005 schema: 1.1M trades, 1.65M log lines; ~227 MB
database, ~324 MB of JSONL) is generated once under /tmp and reused. In the
same run, alternating, best of N each:

* the script: ``sqlite3 DB ".backup ..."`` + ``cp -r trading`` + ``cp logs/*.jsonl``
  + ``tar -czf`` + ``rm -rf``, exactly as scripts/backup.sh (needs the
  sqlite3 CLI: ``apt-get install -y sqlite3``);
* ``lifeos-desk backup`` (a fresh process, as the admin runs it), and with ``--check quick``;
* ``lifeos-desk verify ARCHIVE`` (MB of archive read per second), and with ``--check quick``;
* ``lifeos-desk restore ARCHIVE --yes`` (safety backup + database + state + logs rule).

Targets (issue 7): backup >= 5x faster than the script, archive <= 1.10x
the script's, verify >= 300 MB/s, restore <= 1.5x the backup.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

DATA = Path(tempfile.gettempdir()) / "lifeos-bench-backup"
class Spec(TypedDict):
    """The DemoSpec fields of the benchmark's home (also its marker file's content)."""

    schema: str
    users: int
    trades: int
    log_lines: int
    seed: int


SPEC: Spec = {"schema": "adr", "users": 500, "trades": 1_100_000, "log_lines": 1_650_000, "seed": 1}
END = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
MB = 1e6

SCRIPT = """
set -e
DATE=$(date +%Y%m%d_%H%M%S)
BACKUP_DIR="backups/$DATE"
mkdir -p "$BACKUP_DIR"
sqlite3 "$LIFEOS_HOME/public_users.db" ".backup '$BACKUP_DIR/public_users.db'"
cp -r "$LIFEOS_HOME/trading" "$BACKUP_DIR/"
cp logs/*.jsonl "$BACKUP_DIR/"
tar -czf "backups/$DATE.tar.gz" "$BACKUP_DIR"
rm -rf "$BACKUP_DIR"
echo "backups/$DATE.tar.gz"
"""


def ensure_data(root: Path) -> Path:
    """The data home, generated on first use (a few minutes) and reused."""
    home = root / "home"
    marker = root / "spec.json"
    if marker.is_file() and json.loads(marker.read_text()) == SPEC and (home / "public_users.db").is_file():
        return home
    from lifeos_desk.core.demo import DemoSpec, generate_demo_home

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    print(f"generating the data home in {home} (once)...", flush=True)
    generate_demo_home(home, DemoSpec(end=END, **SPEC))
    marker.write_text(json.dumps(SPEC))
    return home


def _size_of(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def run_script(home: Path, cwd: Path) -> tuple[float, Path]:
    """ADR-005's scripts/backup.sh, run from a bot working directory whose logs/ is the home's logs."""
    shutil.rmtree(cwd / "backups", ignore_errors=True)
    env = dict(os.environ, LIFEOS_HOME=str(home))
    t0 = time.perf_counter()
    out = subprocess.run(["bash", "-c", SCRIPT], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    return elapsed, cwd / out.stdout.strip().splitlines()[-1]


def lifeos(home: Path, backups: Path, *args: str, stdin: str | None = None) -> tuple[float, dict[str, Any]]:
    """One ``lifeos-desk`` command in a fresh process; (seconds, its JSON result)."""
    argv = [sys.executable, "-m", "lifeos_desk", "--home", str(home), "--logs", str(home / "logs"),
            "--backups", str(backups), *args, "--json-progress"]
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, input=stdin)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.strip()}")
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return elapsed, next(e for e in events if e.get("event") == "result")


def _row(name: str, value: str, target: str, ok: bool | None) -> str:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    return f"| {name:<40} | {value:>22} | {target:>16} | {verdict:<4} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs of each, best taken (default 2)")
    parser.add_argument("--data", type=Path, default=DATA, help=f"where the data home lives (default {DATA})")
    args = parser.parse_args()
    if shutil.which("sqlite3") is None:
        raise SystemExit("the sqlite3 CLI is needed for the script's way: apt-get install -y sqlite3")
    home = ensure_data(args.data)
    db_bytes = (home / "public_users.db").stat().st_size
    log_bytes = _size_of(sorted((home / "logs").glob("*.jsonl")))
    work = args.data / "work"
    shutil.rmtree(work, ignore_errors=True)
    cwd, backups = work / "bot-cwd", work / "backups"
    cwd.mkdir(parents=True)
    (cwd / "logs").symlink_to(home / "logs")
    script_s, ours_s, quick_s, verify_s, quick_verify_s, restore_s = [], [], [], [], [], []
    script_archive = ours_archive = None
    result: dict[str, Any] = {}
    quick: dict[str, Any] = {}
    for _ in range(args.runs):
        s, script_archive = run_script(home, cwd)
        script_s.append(s)
        shutil.rmtree(backups, ignore_errors=True)
        t, result = lifeos(home, backups, "backup", "--no-retention")
        ours_s.append(t)
        ours_archive = Path(result["path"])
        t, quick = lifeos(home, work / "quick", "backup", "--no-retention", "--check", "quick")
        quick_s.append(t)
        shutil.rmtree(work / "quick")
    assert script_archive is not None and ours_archive is not None
    tar_ok = subprocess.run(["tar", "-tzf", str(ours_archive)], capture_output=True).returncode == 0
    for _ in range(args.runs):
        t, report = lifeos(home, backups, "verify", str(ours_archive))
        verify_s.append(t)
        assert report["ok"], report
        t, report = lifeos(home, backups, "verify", str(ours_archive), "--check", "quick")
        quick_verify_s.append(t)
    for _ in range(args.runs):
        t, _res = lifeos(home, backups, "restore", str(ours_archive), "--yes")
        restore_s.append(t)
    backup_t, script_t = min(ours_s), min(script_s)
    ours_size, script_size = ours_archive.stat().st_size, script_archive.stat().st_size
    verify_rate = ours_size / MB / min(verify_s)
    quick_rate = ours_size / MB / min(quick_verify_s)
    print(f"data: database {db_bytes / MB:,.0f} MB, logs {log_bytes / MB:,.0f} MB; best of {args.runs}; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"in-process stage timings of the last backup: {result.get('timings')}; "
          f"with --check quick: {quick.get('timings')}")
    print(_row("figure", "measured", "target", None).replace("    |", "verdict|"))
    print("|" + "-" * 42 + "|" + "-" * 24 + "|" + "-" * 18 + "|------|")
    rows = [
        ("ADR backup.sh (sqlite3 .backup + tar -czf)", f"{script_t:.2f} s", "", None),
        ("lifeos-desk backup", f"{backup_t:.2f} s", "", None),
        ("backup speed-up vs backup.sh", f"{script_t / backup_t:.1f}x", ">= 5x", script_t / backup_t >= 5),
        ("archive size vs backup.sh's",
         f"{ours_size / MB:.1f} / {script_size / MB:.1f} MB = {ours_size / script_size:.3f}x", "<= 1.10x",
         ours_size / script_size <= 1.10),
        ("readable by plain tar -tzf", "yes" if tar_ok else "NO", "yes", tar_ok),
        ("lifeos-desk backup --check quick", f"{min(quick_s):.2f} s = {script_t / min(quick_s):.1f}x faster",
         ">= 5x", script_t / min(quick_s) >= 5),
        ("lifeos-desk verify", f"{min(verify_s):.2f} s = {verify_rate:,.0f} MB/s", ">= 300 MB/s",
         verify_rate >= 300),
        ("lifeos-desk verify --check quick", f"{min(quick_verify_s):.2f} s = {quick_rate:,.0f} MB/s",
         ">= 300 MB/s", quick_rate >= 300),
        ("lifeos-desk restore --yes (incl. safety backup)",
         f"{min(restore_s):.2f} s = {min(restore_s) / backup_t:.2f}x backup", "<= 1.5x backup",
         min(restore_s) / backup_t <= 1.5),
    ]
    for row in rows:
        print(_row(*row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
