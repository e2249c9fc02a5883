"""Reading an archive safely: one pass, every header checked before its data.

docs/architecture.md, 'Archives are hostile input': never extract blindly. Each member's header is
checked before a byte of its data is read: only the names of ``layout.py``,
only regular files and folders (no links, devices, FIFOs, sparse files), one
DATE for all, no duplicates, caps on the count, on each size and on the
total, and the decompressed stream itself is capped (gzip bombs, giant pax
headers). Data goes only into a fresh temporary folder; when anything is
wrong the folder is deleted and nothing else was touched. (For a restore,
a log whose live file already begins with exactly its bytes - compared as
it streams - is dropped from the folder at once: the log rule keeps the
live file, so that copy would never be used.) After the last
member the rest of the stream is read too, so the gzip CRC and length are
checked: a truncated or damaged archive is refused, not half-used.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import ArchiveError, Cancelled, make_private
from .gz import GZIP_ERRORS, open_reader, parse_comment, require_gzip_magic
from .layout import Kind, MemberName, parse_member
from .limits import Limits
from .progress import Reporter
from .tarread import TarReader

CHUNK = 1 << 20
MAX_MANIFEST_BYTES = 16 << 20
_REGULAR = (tarfile.REGTYPE, tarfile.AREGTYPE)
_DAMAGED: tuple[type[Exception], ...] = (tarfile.TarError, *GZIP_ERRORS)


@dataclass
class ScannedMember:
    """One file member as read: its place, size, SHA-256, and where it was written (if kept)."""

    name: MemberName
    size: int
    sha256: str
    path: Path | None = None
    # Logs read with a "current" file to compare: True when that file begins with exactly these bytes.
    continues_current: bool | None = None


@dataclass
class Scan:
    """What one pass over an archive found."""

    archive: Path
    date: str
    comment: str | None
    members: dict[str, ScannedMember] = field(default_factory=dict)
    manifest: dict[str, Any] | None = None
    workdir: Path | None = None
    # The whole-home backup's other databases (``home/``/``bot/`` members with a SQLite header), checked
    # as they came out of the stream: member rel -> facts (filled by verify.read_checked).
    databases: dict[str, Any] = field(default_factory=dict)
    pg_listings: dict[str, Any] = field(default_factory=dict)  # PostgreSQL dumps: rel -> pg_restore --list

    @property
    def console_made(self) -> bool:
        """Whether the archive carries the console's origin mark."""
        return parse_comment(self.comment) is not None

    @property
    def database(self) -> ScannedMember | None:
        """The database member, if the archive has one."""
        return next((m for m in self.members.values() if m.name.kind is Kind.DATABASE), None)

    def cleanup(self) -> None:
        """Delete the temporary folder and everything kept in it."""
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


class _CountingRaw:
    """The archive file, counting compressed bytes read (the progress figure: bytes of the archive)."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner, self.pos = inner, 0

    def read(self, n: int = -1) -> bytes:
        data = self._inner.read(n)
        self.pos += len(data)
        return data

    def readinto(self, b: Any) -> int:
        n = self._inner.readinto(b)  # type: ignore[attr-defined]
        self.pos += n or 0
        return int(n or 0)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """The file is closed by its owner."""

    @property
    def closed(self) -> bool:
        return False


class _CappedStream:
    """Counts decompressed bytes and stops past the cap (gzip bombs, padding, huge pax headers)."""

    def __init__(self, inner: IO[bytes], cap: int) -> None:
        self._inner, self._cap, self.count = inner, cap, 0

    def readinto(self, b: Any) -> int:
        n = int(self._inner.readinto(b) or 0)  # type: ignore[attr-defined]
        self.count += n
        if self.count > self._cap:
            raise ArchiveError(f"refused: the archive decompresses to more than {self._cap:,} bytes")
        return n


def make_workdir(near: Path) -> Path:
    """A private temporary folder beside ``near`` (same disk as the archives), else in the system temp."""
    try:
        return Path(tempfile.mkdtemp(prefix=f".lifeos-desk-tmp-{os.getpid()}-", dir=near))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="lifeos-desk-"))


class _Checker:
    """The header rules, applied member by member."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.date, self.count, self.total = limits, "", 0, 0
        self.seen: set[str] = set()

    def accept(self, ti: tarfile.TarInfo) -> MemberName | None:
        """The parsed name of an acceptable file member, None for a folder; raises when refused."""
        self.count += 1
        if self.count > self.limits.max_members:
            raise ArchiveError(f"refused: more than {self.limits.max_members:,} members")
        if not (ti.type in _REGULAR or ti.type == tarfile.DIRTYPE):
            raise ArchiveError(f"refused: {ti.name!r} is a {_type_name(ti)}, not a regular file")
        name = parse_member(ti.name, ti.type == tarfile.DIRTYPE)
        if name is None:
            raise ArchiveError(f"refused: unexpected member name {ti.name!r}")
        self._check_date(ti.name, name)
        key = ti.name.rstrip("/")
        if key in self.seen:
            raise ArchiveError(f"refused: {ti.name!r} appears twice")
        self.seen.add(key)
        if ti.type == tarfile.DIRTYPE:
            return None
        self._check_size(ti, name)
        return name

    def _check_date(self, raw: str, name: MemberName) -> None:
        if not name.date:
            return
        if not self.date:
            self.date = name.date
        elif name.date != self.date:
            raise ArchiveError(f"refused: {raw!r} is outside backups/{self.date}/")

    def _check_size(self, ti: tarfile.TarInfo, name: MemberName) -> None:
        cap = self.limits.max_member_bytes
        if name.kind is Kind.STATE:
            cap = min(cap, self.limits.max_state_file_bytes)
        elif name.kind is Kind.MANIFEST:
            cap = min(cap, MAX_MANIFEST_BYTES)
        if ti.size > cap:
            raise ArchiveError(f"refused: {ti.name!r} is {ti.size:,} bytes (limit {cap:,})")
        self.total += ti.size
        if self.total > self.limits.max_total_bytes:
            raise ArchiveError(f"refused: the members add up to more than {self.limits.max_total_bytes:,} bytes "
                               "(the cap, or the free space left for the temporary copy)")


def _type_name(ti: tarfile.TarInfo) -> str:
    if ti.issym():
        return f"symbolic link (to {ti.linkname!r})"
    if ti.islnk():
        return f"hard link (to {ti.linkname!r})"
    if ti.ischr() or ti.isblk():
        return "device file"
    if ti.isfifo():
        return "FIFO"
    return f"member of type {ti.type!r}"


class _Ticker:
    """Reports progress as the share of the archive file read so far."""

    def __init__(self, reporter: Reporter, raw: _CountingRaw) -> None:
        self._reporter, self._raw = reporter, raw

    def __call__(self, label: str) -> None:
        self._reporter.add(self._raw.pos - self._reporter.done, label)


def _copy(tar: TarReader, size: int, sink: IO[bytes] | None, tick: _Ticker, label: str) -> str:
    digest = hashlib.sha256()
    buf = memoryview(bytearray(CHUNK))
    while n := tar.readinto(buf):
        piece = buf[:n]
        digest.update(piece)
        if sink is not None:
            sink.write(piece)
        tick(label)
    return digest.hexdigest()


def _read_all(tar: TarReader, size: int) -> bytes:
    out = bytearray(size)
    view = memoryview(out)
    got = 0
    while got < size:
        got += tar.readinto(view[got:])
    return bytes(out)


class _PrefixCompare:
    """A sink that checks whether a current file begins with the bytes streamed through it."""

    def __init__(self, current: Path, sink: IO[bytes]) -> None:
        self._sink = sink
        self.same = True
        try:
            self._cur: IO[bytes] | None = open(current, "rb")  # noqa: SIM115 - closed in close()
        except OSError:
            self._cur, self.same = None, False

    def write(self, piece: memoryview) -> int:
        """Compare, then pass on. ``bytes`` on both sides: comparing bytes with a memoryview goes element
        by element in Python's slow path (~2 ms per MB, GIL held), bytes == bytes is one memcmp."""
        if self.same and self._cur is not None and self._cur.read(len(piece)) != piece.tobytes():
            self.same = False
        return self._sink.write(piece)

    def close(self) -> None:
        if self._cur is not None:
            self._cur.close()


def _store_log(tar: TarReader, ti: tarfile.TarInfo, name: MemberName, scan: Scan, tick: _Ticker,
               current: Path) -> None:
    """A log, compared with the file it would restore to while it streams (no second read of either).

    When the current file already begins with these bytes (the log rule's
    "keep"), the temporary copy is deleted at once: nothing will be written.
    """
    assert scan.workdir is not None
    dest = scan.workdir / "m" / name.rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "xb") as sink:
        make_private(sink.fileno())
        compare = _PrefixCompare(current, sink)
        try:
            digest = _copy(tar, ti.size, compare, tick, name.rel)  # type: ignore[arg-type]
        finally:
            compare.close()
    same = compare.same
    if same:
        dest.unlink()
    scan.members[name.rel] = ScannedMember(name, ti.size, digest, None if same else dest,
                                           continues_current=same if current.exists() else None)


def _store(tar: TarReader, ti: tarfile.TarInfo, name: MemberName, scan: Scan, keep: bool, tick: _Ticker) -> None:
    dest: Path | None = None
    if name.kind is Kind.MANIFEST:
        data = _read_all(tar, ti.size)
        scan.manifest = _parse_manifest(data)
        digest = hashlib.sha256(data).hexdigest()
    elif keep:
        assert scan.workdir is not None
        dest = scan.workdir / "m" / name.rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "xb") as sink:
            make_private(sink.fileno())
            digest = _copy(tar, ti.size, sink, tick, name.rel)
    else:
        digest = _copy(tar, ti.size, None, tick, name.rel)
    scan.members[name.rel] = ScannedMember(name, ti.size, digest, dest)


def _parse_manifest(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError as exc:
        raise ArchiveError(f"manifest.json is not valid JSON ({exc})") from exc
    except RecursionError:  # e.g. [[[[...]]]] 100,000 deep: no manifest of ours nests more than 3
        raise ArchiveError("refused: manifest.json is nested too deeply to be a lifeos-desk manifest") from None
    if not isinstance(value, dict):
        raise ArchiveError("manifest.json is not a JSON object")
    return value


Stored = Callable[[ScannedMember, Scan], None]
CurrentOf = Callable[[MemberName], Path | None]


def no_current(_name: MemberName) -> Path | None:
    """Default ``current_of``: no live file to compare logs with (verify)."""
    return None


def _ignore(_m: ScannedMember, _s: Scan) -> None:
    """Default: nothing to do when a member has been stored."""


def scan_archive(archive: Path, limits: Limits, reporter: Reporter, keep: Callable[[MemberName], bool],
                 workdir: Path | None = None, on_stored: Stored = _ignore, current_of: CurrentOf = no_current) -> Scan:
    """Read the whole archive once; members for which ``keep`` is true are written under ``workdir``.

    ``on_stored`` is called after each kept member is complete (verify starts
    integrity_check on the database copy while the rest is read). Raises
    ArchiveError (workdir removed) when the archive is refused or damaged.
    ``current_of`` names, for a kept log, the file it would be restored to
    (see ``_store_log``).
    """
    scan = Scan(archive, "", None, workdir=workdir)
    try:
        _scan_into(scan, limits, reporter, keep, on_stored, current_of)
    except BaseException:
        scan.cleanup()
        raise
    return scan


def _scan_into(scan: Scan, limits: Limits, reporter: Reporter, keep: Callable[[MemberName], bool],
               on_stored: Stored, current_of: CurrentOf) -> None:
    checker = _Checker(limits)
    cap = limits.max_total_bytes + limits.stream_slack_bytes
    try:
        with open(scan.archive, "rb") as file:
            require_gzip_magic(file)
            raw = _CountingRaw(file)
            tick = _Ticker(reporter, raw)
            with open_reader(raw) as gz:  # type: ignore[arg-type]
                stream = _CappedStream(gz, cap)
                tar = TarReader(stream)
                for ti in tar.members():
                    name = checker.accept(ti)
                    if scan.comment is None:
                        scan.comment = tar.global_headers.get("comment")
                    if name is None:
                        continue
                    current = current_of(name) if name.kind in (Kind.LOG, Kind.STORE_LOG) and keep(name) else None
                    if current is not None:
                        _store_log(tar, ti, name, scan, tick, current)
                    else:
                        _store(tar, ti, name, scan, keep(name) and name.kind is not Kind.MANIFEST, tick)
                    if scan.members[name.rel].path is not None:
                        on_stored(scan.members[name.rel], scan)
                scan.comment = scan.comment or tar.global_headers.get("comment")
                rest = memoryview(bytearray(CHUNK))
                while stream.readinto(rest):  # the rest: zero blocks, then the gzip CRC and length
                    pass
    except (ArchiveError, Cancelled):
        raise
    except _DAMAGED as exc:
        raise ArchiveError(f"the archive is truncated or damaged ({exc})") from exc
    except OSError as exc:
        if exc.filename:
            raise
        raise ArchiveError(f"the archive is truncated or damaged ({exc})") from exc
    scan.date = checker.date
    if not scan.members:
        raise ArchiveError("the archive holds no files under backups/<DATE>/")
