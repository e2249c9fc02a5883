"""Which files a backup archive covers: the ``source`` paths its manifest lists.

A console archive ends with ``manifest.json`` naming each member and the
absolute path it was read from (core/archive/manifest.py). Reading it means
streaming the archive to its last member, so only the newest few archives
are read. Today's backups hold ``public_users.db``, trading state and logs,
so treasury key files show as not covered, which is the truth.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..archive.catalog import list_archives
from ..archive.errors import ArchiveError
from ..archive.gz import open_reader
from ..archive.tarread import TarReader

MAX_MANIFEST_BYTES = 16 << 20
NEWEST_ARCHIVES = 5


def _manifest_sources(archive: Path) -> set[str]:
    with open(archive, "rb") as raw, open_reader(raw) as gz:
        tar = TarReader(gz)  # type: ignore[arg-type]
        for ti in tar.members():
            if ti.name.rsplit("/", 1)[-1] != "manifest.json" or not ti.isfile():
                continue
            if ti.size > MAX_MANIFEST_BYTES:
                return set()
            buf = bytearray(ti.size)
            view = memoryview(buf)
            got = 0
            while got < ti.size and (n := tar.readinto(view[got:])):
                got += n
            doc = json.loads(bytes(buf))
            members = doc.get("members") if isinstance(doc, dict) else None
            if not isinstance(members, list):
                return set()
            return {os.path.realpath(m["source"]) for m in members
                    if isinstance(m, dict) and isinstance(m.get("source"), str)}
    return set()


def covered_sources(backups: Path, newest: int = NEWEST_ARCHIVES) -> tuple[set[str], list[str]]:
    """(real paths listed by the newest archives' manifests, problems reading them)."""
    covered: set[str] = set()
    problems: list[str] = []
    for entry in list_archives(backups)[:newest]:
        try:
            covered |= _manifest_sources(entry.path)
        except (OSError, ArchiveError, ValueError, EOFError) as exc:
            problems.append(f"{entry.path.name}: manifest unreadable ({exc})")
    return covered, problems
