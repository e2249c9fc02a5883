"""History integrity: logs are meant to be append-only; find where one was rewritten or reordered.

A backup manifest records each member's size and SHA-256 and the live path it
came from (``core/archive/manifest.py``). A log that only grew since then
still starts with exactly those bytes, so the SHA-256 of the live file's
first ``size`` bytes must equal the recorded one; anything else means the
recorded part was changed. That is content, not size or time. The daily
audit files' hash chain is docs/data-formats.md, 'Daily audit files'.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..archive import ArchiveError, list_archives
from ..archive.gz import open_reader
from ..archive.layout import MANIFEST
from ..archive.manifest import listed_members
from ..archive.tarread import TarReader
from ..discovery import Role
from .context import AuditContext, parse_time
from .finding import Finding, Severity, finding
from .state_files import read_lines

MAX_MANIFEST = 16 << 20
TOLERANCE = timedelta(seconds=5)


def _manifest(archive: Path) -> dict[str, Any] | None:
    """The archive's manifest.json (its last member), read through the console's own tar reader."""
    try:
        with open(archive, "rb") as raw, open_reader(raw) as gz:
            reader = TarReader(gz)  # type: ignore[arg-type]
            for ti in reader.members():
                if ti.isfile() and ti.name.endswith("/" + MANIFEST) and ti.size <= MAX_MANIFEST:
                    buf = bytearray(ti.size)
                    view, got = memoryview(buf), 0
                    while got < ti.size and (k := reader.readinto(view[got:])):
                        got += k
                    doc = json.loads(bytes(buf))
                    return doc if isinstance(doc, dict) else None
    except (OSError, ValueError, EOFError, ArchiveError):
        return None
    return None


def _prefix_sha(path: Path, size: int) -> str | None:
    """SHA-256 of a regular file's first ``size`` bytes; None when it is shorter or not regular."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < size:
            return None
        h, left = hashlib.sha256(), size
        while left:
            block = os.read(fd, min(left, 1 << 20))
            if not block:
                return None
            h.update(block)
            left -= len(block)
        return h.hexdigest()
    finally:
        os.close(fd)


def rewritten_logs(ctx: AuditContext) -> list[Finding]:
    """Logs whose bytes recorded by an earlier backup no longer match, oldest backup first."""
    if ctx.backups is None:
        return []
    reported: set[str] = set()
    out: list[Finding] = []
    for entry in sorted(list_archives(ctx.backups), key=lambda e: e.date):
        doc = _manifest(entry.path)
        members = listed_members(doc) if doc else None
        if doc is None or members is None:
            continue
        sources = {m["name"]: m for m in doc.get("members", []) if isinstance(m, dict)}
        for name, (size, sha) in members.items():
            src = sources[name].get("source")
            if sources[name].get("kind") != "log" or not isinstance(src, str) or src in reported:
                continue
            out.extend(_compare(Path(src), size, sha, entry.path.name, reported))
    return out


def _compare(live: Path, size: int, sha: str, archive: str, reported: set[str]) -> list[Finding]:
    if not live.is_file() or live.is_symlink():
        return []
    with open(live, "rb") as f:
        if f.read(1) == b"[":
            return []  # the treasury audit array is rewritten by design (docs/data-formats.md, 'Treasury audit array')
    if _prefix_sha(live, size) == sha:
        return []
    rotated = [p for p in live.parent.iterdir() if p != live and p.is_file() and _prefix_sha(p, size) == sha]
    if rotated:
        return [finding("integrity.rewritten_logs", Severity.INFO, (live, rotated[0]), (live.name,),
                        f"first {size} bytes as in {archive}", f"moved to {rotated[0].name}",
                        "The log was rotated; its recorded history is intact under the new name.")]
    reported.add(str(live))
    now = live.stat().st_size
    how = "shorter than recorded" if now < size else "different content"
    return [finding("integrity.rewritten_logs", Severity.ERROR, (live,), (live.name,),
                    f"first {size} bytes with sha256 {sha[:16]}… as recorded in {archive}",
                    f"{how}: {now} bytes now; the first {size} bytes (recorded in {archive}) changed",
                    "Someone rewrote a log meant to be append-only, so its history can no longer be trusted.",
                    archive=archive, recorded_size=size, live_size=now)]


def _chain_hash(e: dict[str, Any]) -> str:
    """docs/data-formats.md, 'Daily audit files': Python str() of each value, details as the dict's repr."""
    text = "".join(str(e.get(k)) for k in ("timestamp", "category", "action", "user_id", "details", "previous_hash"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def daily_chain(ctx: AuditContext) -> list[Finding]:
    """Broken previous_hash/entry_hash links in the daily audit files (when the chain is switched on)."""
    out: list[Finding] = []
    for path in ctx.paths(Role.DAILY_AUDIT):
        previous: object = None
        for line, e in read_lines(path):
            h = e.get("entry_hash")
            if h is None or "entry_id" in e:  # chain off, or the other writer's 32-digit chain
                previous = h
                continue
            if e.get("previous_hash") != previous:
                out.append(finding("integrity.daily_chain", Severity.ERROR, (path,), (line,),
                                   f"previous_hash = {previous}", e.get("previous_hash"),
                                   "A line was removed, inserted or reordered before this one."))
            elif _chain_hash(e) != h:
                out.append(finding("integrity.daily_chain", Severity.ERROR, (path,), (line,),
                                   f"entry_hash = {_chain_hash(e)}", h, "This entry was edited after it was written."))
            previous = h
    return out


def time_order(ctx: AuditContext) -> list[Finding]:
    """Lines whose time goes back by more than a few seconds from the line before."""
    files = set(ctx.paths(Role.DAILY_AUDIT)) | set(ctx.paths(Role.SECURITY_AUDIT))
    for folder in ctx.logs:
        if folder.is_dir():
            files |= {p for p in folder.glob("*.jsonl") if p.is_file() and not p.is_symlink()}
    out: list[Finding] = []
    for path in sorted(files):
        last = None
        for line, e in read_lines(path):
            t = parse_time(e.get("timestamp"))
            if t is None:
                continue
            if last is not None and t < last - TOLERANCE:
                out.append(finding("integrity.time_order", Severity.WARNING, (path,), (line,),
                                   f"at or after {last.isoformat()}", t.isoformat(),
                                   "Time goes backwards here: lines were inserted or the clock jumped."))
            last = t if last is None else max(last, t)
    return out
