"""``lifeos-desk verify ARCHIVE`` against the manual way an admin checks an archive, in one run.

``python -m tests.bench verify`` or ``python -m tests.bench.bench_verify [--runs N] [--data DIR]``

The archive is a ``lifeos-desk backup`` of bench_backup's data home (ADR-005
schema: 1.1M trades; ~227 MB database + ~324 MB of JSONL; ~145 MB archive),
made once at the start of the run into a folder of this benchmark's own.
Then, alternating A B A B, N times each:

* the manual way: ``tar -xzf ARCHIVE`` into a fresh temporary folder, then
  ``sqlite3 public_users.db 'PRAGMA integrity_check'`` (needs the sqlite3 CLI:
  ``apt-get install -y sqlite3``); both steps timed, the clean-up not;
* ``lifeos-desk verify ARCHIVE`` in a fresh process, as the admin runs it
  (every member hashed against the manifest, the full integrity check).

Wall time and CPU time (children's user + system, ``resource.getrusage``
deltas) are printed for each, best and median, with the load average; the
verdict is the ratio of medians against the target of issue 18: verify at
least 4x faster than the manual way.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.backup_homes import ensure_adr_home
from tests.bench.bench_backup import DATA

TARGET = 4.0
WORK = Path(tempfile.gettempdir()) / "lifeos-bench-verify"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _timed(argv: list[str], **kw: object) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(wall seconds, children's CPU seconds, the finished process)."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - t0, _children_cpu() - cpu0, proc


def make_archive(home: Path, backups: Path) -> Path:
    """A fresh console archive of the data home."""
    shutil.rmtree(backups, ignore_errors=True)
    proc = subprocess.run([sys.executable, "-m", "lifeos_desk", "--home", str(home), "--logs", str(home / "logs"),
                           "--backups", str(backups), "backup", "--no-retention"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"backup failed: {proc.stderr.strip()}")
    return next(backups.glob("*.tar.gz"))


def manual(archive: Path, work: Path) -> tuple[float, float, float]:
    """tar -xzf + sqlite3 integrity_check: (wall, CPU, wall of the tar step)."""
    tmp = Path(tempfile.mkdtemp(prefix="manual-", dir=work))
    try:
        tar_s, tar_cpu, proc = _timed(["tar", "-xzf", str(archive), "-C", str(tmp)])
        if proc.returncode != 0:
            raise SystemExit(f"tar -xzf failed: {proc.stderr.strip()}")
        db = next(tmp.glob("backups/*/public_users.db"))
        check_s, check_cpu, proc = _timed(["sqlite3", str(db), "PRAGMA integrity_check"])
        if proc.stdout.strip() != "ok":
            raise SystemExit(f"integrity_check says {proc.stdout.strip()!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tar_s + check_s, tar_cpu + check_cpu, tar_s


def ours(archive: Path) -> tuple[float, float]:
    """lifeos-desk verify in a fresh process: (wall, CPU)."""
    wall, cpu, proc = _timed([sys.executable, "-m", "lifeos_desk", "--backups", str(archive.parent),
                              "verify", str(archive)])
    if proc.returncode != 0 or ": OK:" not in proc.stdout:
        raise SystemExit(f"verify failed: {proc.stdout.strip()} {proc.stderr.strip()}")
    return wall, cpu


def _fmt(values: list[float]) -> str:
    return f"best {min(values):.2f} s, median {statistics.median(values):.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each, alternating (default 5)")
    parser.add_argument("--data", type=Path, default=DATA, help=f"bench_backup's data home (default {DATA})")
    parser.add_argument("--work", type=Path, default=WORK, help=f"this benchmark's own folder (default {WORK})")
    args = parser.parse_args()
    if shutil.which("sqlite3") is None or shutil.which("tar") is None:
        raise SystemExit("the manual way needs tar and the sqlite3 CLI: apt-get install -y sqlite3")
    home = ensure_adr_home(args.data)
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    try:
        archive = make_archive(home, args.work / "backups")
        mb = archive.stat().st_size / 1e6
        man_wall: list[float] = []
        man_cpu: list[float] = []
        tar_wall: list[float] = []
        our_wall: list[float] = []
        our_cpu: list[float] = []
        loads = []
        for _ in range(args.runs):
            w, c, t = manual(archive, args.work)
            man_wall.append(w)
            man_cpu.append(c)
            tar_wall.append(t)
            w, c = ours(archive)
            our_wall.append(w)
            our_cpu.append(c)
            loads.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(args.work, ignore_errors=True)
    ratio = statistics.median(man_wall) / statistics.median(our_wall)
    print(f"archive {mb:,.0f} MB; {args.runs} runs each, alternating; {os.cpu_count()} CPUs, "
          f"load {min(loads):.1f}-{max(loads):.1f}")
    print(f"manual (tar -xzf + sqlite3 integrity_check): {_fmt(man_wall)} wall "
          f"(tar {statistics.median(tar_wall):.2f} s); CPU median {statistics.median(man_cpu):.2f} s")
    print(f"lifeos-desk verify:                          {_fmt(our_wall)} wall; "
          f"CPU median {statistics.median(our_cpu):.2f} s")
    print(f"speed-up (median / best): {ratio:.2f}x / {min(man_wall) / min(our_wall):.2f}x "
          f"(target >= {TARGET:.0f}x): {'PASS' if ratio >= TARGET else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
