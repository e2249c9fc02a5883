"""Shared fixtures for the archive tests: small demo homes, tree fingerprints, the ADR script's tar."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from lifeos_desk.core.demo import DemoSpec, generate_demo_home
from lifeos_desk.core.paths import DataPaths

END = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def make_home(root: Path, schema: str = "adr", trades: int = 300, log_lines: int = 200) -> DataPaths:
    """A small demo data home at root/home, backups in root/home/backups (created)."""
    home = root / "home"
    generate_demo_home(home, DemoSpec(schema=schema, users=4, trades=trades, log_lines=log_lines, seed=3, end=END))
    paths = DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=False)
    paths.backups.mkdir()
    return paths


def tree(root: Path) -> dict[str, str]:
    """relative path -> SHA-256 of every file (and '<dir>' for folders) under root."""
    out: dict[str, str] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = "<dir>" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def counts(db: Path) -> dict[str, int]:
    """Rows per table (Python sqlite3: these tests run no Qt); waits for a writer as the bot would."""
    with closing(sqlite3.connect(db, timeout=30)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def table_digest(db: Path, table: str) -> str:
    """SHA-256 of every row of a table in rowid order."""
    with closing(sqlite3.connect(db)) as con:
        rows = con.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def script_archive(paths: DataPaths, workdir: Path, date: str = "20250102_030405") -> Path:
    """What ADR-005's scripts/backup.sh makes, step by step, with the sqlite3 module and tar."""
    folder = workdir / "backups" / date
    folder.mkdir(parents=True)
    with closing(sqlite3.connect(paths.db)) as src, closing(sqlite3.connect(folder / "public_users.db")) as dst:
        src.backup(dst)  # the script's `sqlite3 DB ".backup FILE"`
    subprocess.run(["cp", "-r", str(paths.home / "trading"), str(folder)], check=True)
    for log in sorted((paths.home / "logs").glob("*.jsonl")):
        subprocess.run(["cp", str(log), str(folder)], check=True)
    archive = workdir / "backups" / f"{date}.tar.gz"
    subprocess.run(["tar", "-czf", str(archive), f"backups/{date}"], cwd=workdir, check=True)
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    return archive
