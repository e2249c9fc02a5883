"""Members made outside the SQLite snapshot while a backup runs (``BackupOptions.extras``).

One kind today: a PostgreSQL session's ``pg_dump`` (``pgmember.py``). Each
extra is prepared (and may refuse) before make.py writes anything, started
when the job has its private work folder, and finished after the databases
are streamed: its files become members beside the others, with their hashes
in the manifest, and its own manifest section is added. ``flag`` goes into
the origin comment so the backups list can tell without reading the archive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from .progress import CancelFlag


class Extra(Protocol):
    """What make.py calls, in this order; ``close`` always (the work folder is removed after it)."""

    flag: str

    def start(self, work: Path, cancel: CancelFlag) -> None: ...

    def finish(self) -> list[tuple[Path, str, str, str]]: ...  # (file, member rel, kind, source)

    def section(self) -> tuple[str, Any]: ...  # the manifest's key and value

    def close(self, failed: bool) -> None: ...


def start_all(extras: tuple[Extra, ...], work: Path, cancel: CancelFlag) -> None:
    """Start each extra (the job's work folder exists; nothing is streamed yet)."""
    for x in extras:
        x.start(work, cancel)


def finish_all(extras: tuple[Extra, ...]) -> list[tuple[Path, str, str, str]]:
    """Every extra's files to stream, each extra waited for in turn."""
    return [m for x in extras for m in x.finish()]


def close_all(extras: tuple[Extra, ...], failed: bool) -> None:
    """Close each extra before the work folder is removed (a failed backup stops them)."""
    for x in extras:
        x.close(failed)
