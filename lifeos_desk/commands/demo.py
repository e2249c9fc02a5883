"""``lifeos-desk demo DIR``: write a realistic demo data home, or keep one live.

Runs in its own process (the CLI, or a child of the window) because it writes
with Python's sqlite3, which must never share a process with the window's
QtSql connections (docs/architecture.md, 'One SQLite library per process').
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from types import FrameType

from ..core.paths import DB_FILENAME, DataPaths
from . import CommandError

NAME = "demo"
HELP = "write a complete demo data home into DIR (or, with --live, keep writing to it as the bot would)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Size, schema, seed and live-writer options."""
    parser.add_argument("dir", type=Path, metavar="DIR", help="the folder that will play ~/.lifeos")
    parser.add_argument("--schema", choices=("adr", "deployed"), default="deployed",
                        help="ADR-005's schema or the deployed bot's (default)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--trades", type=int, default=5000)
    parser.add_argument("--log-lines", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--live", action="store_true",
                        help="keep inserting trades and appending log lines until stopped")
    parser.add_argument("--rate", type=float, default=5.0, help="trades per second with --live")
    parser.add_argument("--duration", type=float, default=None, help="seconds to run with --live")


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Create the home if needed; with --live, then write until stopped."""
    from ..core.demo import DemoSpec, generate_demo_home

    home: Path = args.dir.expanduser().absolute()
    if min(args.users, args.trades, args.log_lines) < 0 or args.users < 1:
        raise CommandError("--users must be at least 1; --trades and --log-lines cannot be negative", 2)
    exists = (home / DB_FILENAME).exists()
    if exists and not args.live:
        raise CommandError(f"{home / DB_FILENAME} already exists; choose an empty folder", 3)
    if not exists:
        spec = DemoSpec(schema=args.schema, users=args.users, trades=args.trades,
                        log_lines=args.log_lines, seed=args.seed)
        result = generate_demo_home(home, spec, progress=lambda msg: print(f"  {msg}", flush=True))
        print(f"demo home written to {home}")
        print(f"wallet passphrase: {result.passphrase}")
        print(f"open it with: lifeos-desk --home {home}")
    if args.live:
        return _run_live(home, args.rate, args.duration, args.seed)
    return 0


def _run_live(home: Path, rate: float, duration: float | None, seed: int) -> int:
    from ..core.live import run_live_writer

    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    print(f"live writer: {rate:g} trades/s into {home} (Ctrl+C stops)", flush=True)
    stats = run_live_writer(home, rate=rate, duration=duration, stop=stop, seed=seed)
    print(f"live writer stopped: {stats.trades_inserted} trades inserted, {stats.trades_closed} closed, "
          f"{stats.log_lines} log lines, {stats.errors} errors", flush=True)
    return 0 if stats.errors == 0 else 1
