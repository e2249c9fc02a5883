"""The homes ``bench_backup`` measures, and the script's way for each (the peers).

* ADR home: ADR-005 schema, 1.1M trades, 1.65M log lines (~227 MB database,
  ~324 MB of JSONL); the peer is ADR-005's ``scripts/backup.sh`` verbatim.
* Whole home: the deployed bot's home - the demo generator's deployed
  schema (1M transactions, 1.65M log lines) plus one of every other store
  ``tests/deployed_home.py`` lays out (``fees.db``, ``telegram/jarvis_secure.db``,
  ``permissions/permissions.db``, the checkout's ``data/jarvis_core.db`` in WAL
  mode - grown to 200,000 trades - trader JSON, daily audit files, the
  security trail, key files, ``.env``). The peer is the script's way
  generalized to every store: ``sqlite3 SRC ".backup DST"`` for each SQLite
  store, ``cp`` for every other file, into the same layout ``lifeos-desk``
  writes (``backups/<DATE>/public_users.db``, ``trading/``, the logs,
  ``home/<path>``, ``bot/<path>``), then ``tar -czf`` and ``rm -rf``. Its file
  list is the console's own discovery, made before the clock starts.

Both are generated once under the data folder and reused.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sqlite3
import tempfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

END = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
CORE_TRADES = 200_000


class Spec(TypedDict):
    """The DemoSpec fields of a benchmark home (also its marker file's content)."""

    schema: str
    users: int
    trades: int
    log_lines: int
    seed: int


ADR_SPEC: Spec = {"schema": "adr", "users": 500, "trades": 1_100_000, "log_lines": 1_650_000, "seed": 1}
WHOLE_SPEC: Spec = {"schema": "deployed", "users": 500, "trades": 1_000_000, "log_lines": 1_650_000, "seed": 1}

ADR_SCRIPT = """
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


def _fresh(root: Path, spec: Spec) -> bool:
    marker = root / "spec.json"
    return marker.is_file() and json.loads(marker.read_text()) == spec and (root / "home" / "public_users.db").is_file()


def _demo(home: Path, spec: Spec) -> None:
    from lifeos_desk.core.demo import DemoSpec, generate_demo_home

    generate_demo_home(home, DemoSpec(end=END, **spec))


def ensure_adr_home(root: Path) -> Path:
    """The ADR data home (``root/home``), generated on first use (a few minutes) and reused."""
    if not _fresh(root, ADR_SPEC):
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        print(f"generating the ADR data home in {root / 'home'} (once)...", flush=True)
        _demo(root / "home", ADR_SPEC)
        (root / "spec.json").write_text(json.dumps(ADR_SPEC))
    return root / "home"


def ensure_whole_home(root: Path) -> tuple[Path, Path]:
    """The deployed home and its bot checkout (``root/home``, ``root/bot``), generated once."""
    home, bot = root / "home", root / "bot"
    if _fresh(root, WHOLE_SPEC) and bot.is_dir():
        return home, bot
    from tests.deployed_home import build_deployed_home

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    print(f"generating the deployed whole home in {root} (once)...", flush=True)
    _demo(home, WHOLE_SPEC)
    with tempfile.TemporaryDirectory(dir=root) as scratch:
        stores = build_deployed_home(Path(scratch))
        for path in sorted(p for p in stores.home.rglob("*") if p.is_file()):
            rel = path.relative_to(stores.home)
            target = home / rel
            if rel.parts[0] == "logs" or rel.as_posix() == "public_users.db" or target.exists():
                continue  # the demo's own database and logs stay
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        shutil.copytree(stores.bot_dir, bot, symlinks=True)
    _grow_core(bot / "data" / "jarvis_core.db")
    (root / "spec.json").write_text(json.dumps(WHOLE_SPEC))
    return home, bot


def _grow_core(db: Path) -> None:
    """The treasury's WAL database with CORE_TRADES trades (tens of MB, as a busy treasury's)."""
    with closing(sqlite3.connect(db, isolation_level=None)) as con:
        con.execute("BEGIN")
        rows = ((f"core-{n:08d}-{n * 7919 % 1_000_003:07d}", "BONK", f"Dez{n % 97}X", "BUY" if n % 2 else "SELL",
                 0.5 + n % 13, 1e6 + n, 2e-5 * (1 + n % 7), f"2026-01-{1 + n % 28:02d}T{n % 24:02d}:00:00",
                 f"sig{n:012x}", None) for n in range(CORE_TRADES))
        con.executemany("INSERT INTO trades VALUES (?,?,?,?,?,?,?,?,?,?,0)", rows)
        con.execute("COMMIT")


def whole_home_script(home: Path, bot: Path, backups: Path) -> str:
    """The script's way generalized to every store of the whole home (see the module docstring)."""
    from lifeos_desk.core.archive.sources import everything, whole_home
    from lifeos_desk.core.paths import DataPaths

    paths = DataPaths(home=home, logs=(home / "logs",), backups=backups, read_only=True, bot_dir=bot)
    sources = everything(paths, include_logs=True)
    stores, _warnings = whole_home(paths, sources)
    lines = ["set -e", "DATE=$(date +%Y%m%d_%H%M%S)", 'D="backups/$DATE"', 'mkdir -p "$D"']
    dirs = sorted({str(Path(s.rel).parent) for s in sources} | {str(Path(s.rel).parent) for s in stores} - {"."})
    lines += [f'mkdir -p "$D"/{shlex.quote(d)}' for d in dirs if d != "."]
    lines.append(f'sqlite3 {shlex.quote(str(paths.db))} ".backup \'$D/public_users.db\'"')
    for s in stores:
        if s.sqlite:
            lines.append(f'sqlite3 {shlex.quote(str(s.path))} ".backup \'$D/{s.rel}\'"')
    files = [(s.path, s.rel) for s in sources] + [(s.path, s.rel) for s in stores if not s.sqlite]
    lines += [f'cp {shlex.quote(str(p))} "$D"/{shlex.quote(rel)}' for p, rel in files]
    lines += ['tar -czf "backups/$DATE.tar.gz" "$D"', 'rm -rf "$D"', 'echo "backups/$DATE.tar.gz"']
    return "\n".join(lines) + "\n"
