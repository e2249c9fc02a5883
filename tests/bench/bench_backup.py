"""Backup, verify and restore against the script's way, on the ADR home and on a deployed whole home.

``python -m tests.bench.bench_backup [--runs N] [--data DIR] [--no-whole]``

The homes and the peers are described in ``tests/bench/backup_homes.py``:
the ADR home (227 MB database + 324 MB of JSONL) against ADR-005's
``scripts/backup.sh`` verbatim (``sqlite3 DB ".backup ..."`` + ``cp -r
trading`` + ``cp logs/*.jsonl`` + ``tar -czf`` + ``rm -rf``; needs the sqlite3
CLI: ``apt-get install -y sqlite3``), and the deployed bot's whole home (its
database, logs and every other store under ``home/`` and ``bot/``) against
the script's way generalized: ``sqlite3 .backup`` per SQLite store, ``cp`` of
every other file, ``tar -czf``, ``rm -rf``.

Each run alternates, in this order: the script, ``lifeos-desk backup`` (a
fresh process, as the admin runs it), ``lifeos-desk backup --check quick``,
then the whole home's peer and ``lifeos-desk backup --bot-dir BOT``. Then
verify (and ``--check quick``) and ``restore --yes`` of the ADR archive. For
each the median and the best wall time of N runs is printed, with the
median CPU time (user + system of the process and its children,
``resource.getrusage(RUSAGE_CHILDREN)`` deltas) and the load average.

Targets (issue 18): backup >= 7x faster than the script, also for the whole
home; archive <= 1.10x the script's; (issue 7) verify >= 300 MB/s, restore
<= 1.5x the backup.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.backup_homes import ADR_SCRIPT, ensure_adr_home, ensure_whole_home, whole_home_script

DATA = Path(tempfile.gettempdir()) / "lifeos-bench-backup"
MB = 1e6


@dataclass
class Timed:
    """Wall and CPU seconds of the runs of one command."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    def text(self) -> str:
        return f"{self.median:.2f} s (best {min(self.wall):.2f}, cpu {statistics.median(self.cpu):.2f} s)"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run(argv: list[str], timed: Timed, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    c0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    timed.add(time.perf_counter() - t0, _children_cpu() - c0)
    return proc


def run_script(script: str, home: Path, cwd: Path, timed: Timed) -> Path:
    """A backup script run from a bot working directory whose logs/ is the home's logs."""
    shutil.rmtree(cwd / "backups", ignore_errors=True)
    env = dict(os.environ, LIFEOS_HOME=str(home))
    out = _run(["bash", "-c", script], timed, cwd=cwd, env=env, check=True)
    return cwd / out.stdout.strip().splitlines()[-1]


def lifeos(home: Path, backups: Path, timed: Timed, *args: str) -> dict[str, Any]:
    """One ``lifeos-desk`` command in a fresh process; its JSON result."""
    argv = [sys.executable, "-m", "lifeos_desk", "--home", str(home), "--logs", str(home / "logs"),
            "--backups", str(backups), *args, "--json-progress"]
    proc = _run(argv, timed)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.strip()}")
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return next(e for e in events if e.get("event") == "result")


def _row(name: str, value: str, target: str, ok: bool | None) -> str:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    return f"| {name:<44} | {value:>42} | {target:>14} | {verdict:<4} |"


def _tar_ok(archive: Path) -> bool:
    return subprocess.run(["tar", "-tzf", str(archive)], capture_output=True).returncode == 0


def _compare(label: str, script: Timed, ours: Timed, ours_archive: Path, script_archive: Path) -> list[tuple[
        str, str, str, bool | None]]:
    ratio = script.median / ours.median
    size, peer = ours_archive.stat().st_size, script_archive.stat().st_size
    return [
        (f"{label}: the script's way", script.text(), "", None),
        (f"{label}: lifeos-desk backup", ours.text(), "", None),
        (f"{label}: speed-up (medians)", f"{ratio:.2f}x", ">= 7x", ratio >= 7),
        (f"{label}: archive size vs the script's", f"{size / MB:.1f} / {peer / MB:.1f} MB = {size / peer:.3f}x",
         "<= 1.10x", size / peer <= 1.10),
        (f"{label}: readable by plain tar -tzf", "yes" if _tar_ok(ours_archive) else "NO", "yes",
         _tar_ok(ours_archive)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each, alternating (default 3)")
    parser.add_argument("--data", type=Path, default=DATA, help=f"where the homes live (default {DATA})")
    parser.add_argument("--no-whole", action="store_true", help="leave out the deployed whole home")
    args = parser.parse_args()
    if shutil.which("sqlite3") is None:
        raise SystemExit("the sqlite3 CLI is needed for the script's way: apt-get install -y sqlite3")
    home = ensure_adr_home(args.data)
    whole = None if args.no_whole else ensure_whole_home(args.data / "whole")
    work = args.data / "work"
    shutil.rmtree(work, ignore_errors=True)
    cwd, backups = work / "bot-cwd", work / "backups"
    cwd.mkdir(parents=True)
    (cwd / "logs").symlink_to(home / "logs")
    wcwd = work / "whole-cwd"
    wcwd.mkdir()
    whole_script = whole_home_script(whole[0], whole[1], wcwd / "backups") if whole else ""
    script, ours, quick, wscript, wours = Timed(), Timed(), Timed(), Timed(), Timed()
    verify, quick_verify, restore = Timed(), Timed(), Timed()
    result: dict[str, Any] = {}
    quick_result: dict[str, Any] = {}
    whole_result: dict[str, Any] = {}
    script_archive = wscript_archive = Path()
    loads = []
    for _ in range(args.runs):
        loads.append(os.getloadavg()[0])
        script_archive = run_script(ADR_SCRIPT, home, cwd, script)
        shutil.rmtree(backups, ignore_errors=True)
        result = lifeos(home, backups, ours, "backup", "--no-retention")
        quick_result = lifeos(home, work / "quick", quick, "backup", "--no-retention", "--check", "quick")
        shutil.rmtree(work / "quick")
        if whole:
            wscript_archive = run_script(whole_script, whole[0], wcwd, wscript)
            shutil.rmtree(work / "whole", ignore_errors=True)
            whole_result = lifeos(whole[0], work / "whole", wours, "--bot-dir", str(whole[1]), "backup",
                                  "--no-retention")
    ours_archive = Path(result["path"])
    for _ in range(args.runs):
        report = lifeos(home, backups, verify, "verify", str(ours_archive))
        assert report["ok"], report
        lifeos(home, backups, quick_verify, "verify", str(ours_archive), "--check", "quick")
    restored: dict[str, Any] = {}
    for _ in range(args.runs):
        restored = lifeos(home, backups, restore, "restore", str(ours_archive), "--yes")
    size = ours_archive.stat().st_size
    print(f"ADR home: database {(home / 'public_users.db').stat().st_size / MB:,.0f} MB, logs "
          f"{sum(p.stat().st_size for p in (home / 'logs').glob('*.jsonl')) / MB:,.0f} MB; {args.runs} runs each, "
          f"alternating; {os.cpu_count()} CPUs, load {min(loads):.1f}-{max(loads):.1f} during backups, "
          f"{os.getloadavg()[0]:.1f} at the end")
    print(f"in-process stages of the last backup: {result.get('timings')}; --check quick: "
          f"{quick_result.get('timings')}")
    if whole:
        print(f"whole home: {whole_result.get('members')} members from {whole_result.get('input_bytes', 0) / MB:,.0f} "
              f"MB, {len(whole_result.get('databases', [])) + 1} databases; stages {whole_result.get('timings')}")
    print(f"restore: safety archive {restored.get('safety_archive')}; warnings {restored.get('warnings')}")
    print(_row("figure", "measured (median)", "target", None).replace("    |", "verdict|"))
    print("|" + "-" * 46 + "|" + "-" * 44 + "|" + "-" * 16 + "|------|")
    rows = _compare("ADR home", script, ours, ours_archive, script_archive)
    rows.append(("ADR home: backup --check quick", f"{quick.text()} = {script.median / quick.median:.2f}x",
                 ">= 7x", script.median / quick.median >= 7))
    if whole:
        rows += _compare("whole home", wscript, wours, Path(whole_result["path"]), wscript_archive)
    rows += [
        ("lifeos-desk verify", f"{verify.text()} = {size / MB / verify.median:,.0f} MB/s", ">= 300 MB/s",
         size / MB / verify.median >= 300),
        ("lifeos-desk verify --check quick", f"{quick_verify.text()} = {size / MB / quick_verify.median:,.0f} MB/s",
         ">= 300 MB/s", size / MB / quick_verify.median >= 300),
        ("restore --yes (incl. safety backup)", f"{restore.text()} = {restore.median / ours.median:.2f}x backup",
         "<= 1.5x backup", restore.median / ours.median <= 1.5),
    ]
    for row in rows:
        print(_row(*row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
