"""``lifeos-desk migrate`` against pgloader on the same SQLite file, in the same run.

``python -m tests.bench.bench_migrate [--trades N] [--users N] [--schema adr|deployed] [--runs N]``

The home (default ADR-005 schema, 1,000,000 trades, 10,000 users) is made
once with ``lifeos-desk demo`` under /tmp and reused (/tmp/lifeos-bench-
migrate-<schema>-<trades>-<users>). ``demo`` has no flag to skip wallet
keys: sealing 10,000 keys (PBKDF2, 100,000 iterations each) took 4 minutes
on 2 cores, once. A PostgreSQL server is started for the run (tests/pg.py).
Each tool loads into a fresh database, alternating ours and pgloader's
runs (default 3 each), and the medians are compared:
``lifeos-desk migrate`` (snapshot + load + verification of every row, all
in our time) and ``pgloader`` (Debian package; no verification). Figures:
wall seconds and the tool's CPU (``resource.getrusage`` of children, which
counts our checksum child too; the server's own CPU is not included for
either). The load average is printed before and after: the figures are
only comparable within one run on a shared machine.
Target (issue 16): ours, verification included, at least as fast as pgloader.
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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.pg import PgServer, find_bindir, start_server, stop_server  # noqa: E402


def _home(args: argparse.Namespace) -> Path:
    home = Path(tempfile.gettempdir()) / f"lifeos-bench-migrate-{args.schema}-{args.trades}-{args.users}"
    if not (home / "public_users.db").exists():
        shutil.rmtree(home, ignore_errors=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lifeos_desk", "demo", str(home), "--schema", args.schema,
                        "--trades", str(args.trades), "--users", str(args.users), "--log-lines", "0"],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        print(f"home generated in {time.perf_counter() - t0:.0f} s: {home}", flush=True)
    return home


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, cpu, done.stdout


def _ours(server: PgServer, home: Path, db: str) -> tuple[float, float, str]:
    url = server.create_database(db)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return _timed([sys.executable, "-m", "lifeos_desk", "--home", str(home), "migrate", "--to", url], env)


def _pgloader(server: PgServer, home: Path, db: str) -> tuple[float, float, str]:
    url = server.create_database(db)
    pg = url.replace("postgresql://", "pgsql://")
    return _timed(["pgloader", "--quiet", f"sqlite://{home / 'public_users.db'}", pg], dict(os.environ))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--schema", choices=("adr", "deployed"), default="adr")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bindir = find_bindir()
    if shutil.which("pgloader") is None or bindir is None:
        print("needs postgresql and pgloader: apt-get install -y postgresql pgloader", file=sys.stderr)
        return 2
    home = _home(args)
    server = start_server(find_bindir())  # type: ignore[arg-type]
    runs: dict[str, list[tuple[float, float]]] = {"lifeos-desk migrate": [], "pgloader": []}
    print(f"load average before: {_load()}", flush=True)
    try:
        for run in range(args.runs):
            for name, fn in (("lifeos-desk migrate", _ours), ("pgloader", _pgloader)):
                wall, cpu, out = fn(server, home, f"bench_{name.split()[0].replace('-', '_')}_{run}")
                print(f"{name:<20} run {run + 1}: {wall:6.2f} s wall, {cpu:6.2f} s CPU  (load {_load()})",
                      flush=True)
                if name.startswith("lifeos") and run == 0:
                    print("\n".join("    " + line for line in out.strip().splitlines()), flush=True)
                runs[name].append((wall, cpu))
    finally:
        stop_server(server)
    print(f"load average after: {_load()}")
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}
    ours, theirs = med["lifeos-desk migrate"], med["pgloader"]
    print(f"median of {args.runs}: ours {ours[0]:.2f} s wall ({ours[1]:.2f} s CPU, verification included), "
          f"pgloader {theirs[0]:.2f} s wall ({theirs[1]:.2f} s CPU): ours/pgloader = {ours[0] / theirs[0]:.2f}")
    return 0 if ours[0] <= theirs[0] else 1


if __name__ == "__main__":
    sys.exit(main())
