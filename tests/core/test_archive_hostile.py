"""Hostile and damaged archives: each refused with a reason, the data home unchanged byte for byte.

docs/architecture.md, 'Archives are hostile input'. The archives are built here with tarfile/gzip the
way an attacker would, and each is handed to both verify and restore.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from lifeos_desk.core.archive import ArchiveError, Limits, make_backup, prepare_restore, verify_archive
from lifeos_desk.core.paths import DataPaths

from .archive_helpers import make_home, tree

D = "20250102_030405"
MiB = 1 << 20


def _info(name: str, size: int = 0, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.size, ti.type, ti.linkname = size, kind, link
    return ti


Member = tuple[tarfile.TarInfo, bytes | None]


def _build(path: Path, members: list[Member]) -> Path:
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as tf:
        for ti, data in members:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return path


def _db(paths: DataPaths) -> tuple[tarfile.TarInfo, bytes]:
    data = paths.db.read_bytes()
    return _info(f"backups/{D}/public_users.db", len(data)), data


def _file(name: str, data: bytes = b'{"x": 1}\n') -> Member:
    return _info(name, len(data)), data


def _link(name: str, kind: bytes, target: str) -> Member:
    return _info(name, 0, kind, target), None


CASES: dict[str, tuple[Callable[[DataPaths], list[Member]], str]] = {
    "path traversal": (lambda p: [_db(p), _file(f"backups/{D}/../../../logs/audit.jsonl")], "unexpected member name"),
    "dotdot inside": (lambda p: [_db(p), _file(f"backups/{D}/trading/../../x.json")], "unexpected member name"),
    "absolute path": (lambda p: [_db(p), _file("/tmp/evil.jsonl")], "unexpected member name"),
    "absolute inside layout": (lambda p: [_file(f"/backups/{D}/audit.jsonl"), _db(p)], "unexpected member name"),
    "symlink escape": (lambda p: [_db(p), _link(f"backups/{D}/audit.jsonl", tarfile.SYMTYPE, "/etc/passwd")],
                       "symbolic link"),
    "symlinked folder": (lambda p: [_link(f"backups/{D}/trading", tarfile.SYMTYPE, "../../../.."), _db(p),
                                    _file(f"backups/{D}/trading/positions.json")], "symbolic link"),
    "hardlink escape": (lambda p: [_db(p), _link(f"backups/{D}/audit.jsonl", tarfile.LNKTYPE, "/etc/shadow")],
                        "hard link"),
    "device file": (lambda p: [_link(f"backups/{D}/public_users.db", tarfile.CHRTYPE, "")], "device file"),
    "fifo": (lambda p: [_db(p), _link(f"backups/{D}/errors.jsonl", tarfile.FIFOTYPE, "")], "FIFO"),
    "unexpected file": (lambda p: [_db(p), _file(f"backups/{D}/run.sh", b"rm -rf ~\n")], "unexpected member name"),
    "two dates": (lambda p: [_db(p), _file("backups/20250102_030406/audit.jsonl")], "outside backups/"),
    "duplicate member": (lambda p: [_db(p), _file(f"backups/{D}/audit.jsonl"), _file(f"backups/{D}/audit.jsonl")],
                         "appears twice"),
    "oversized state file": (lambda p: [_db(p), _file(f"backups/{D}/trading/positions.json", bytes(2 * MiB))],
                             "limit"),
    "over-many members": (lambda p: [_db(p)] + [_file(f"backups/{D}/a{i}.jsonl") for i in range(40)],
                          "more than 30 members"),
    "oversized member": (lambda p: [_db(p), _file(f"backups/{D}/audit.jsonl", bytes(5 * MiB))], "limit"),
}
TEST_LIMITS = Limits(max_members=30, max_member_bytes=4 * MiB, max_total_bytes=8 * MiB,
                     max_state_file_bytes=1 * MiB, stream_slack_bytes=1 * MiB)


@pytest.fixture
def home(tmp_path: Path) -> DataPaths:
    return make_home(tmp_path)


def _refused(paths: DataPaths, archive: Path, reason: str, limits: Limits = TEST_LIMITS) -> None:
    before = tree(paths.home)
    report = verify_archive(archive, limits=limits, record=False)
    assert not report.ok and reason in report.message, report.message
    with pytest.raises(ArchiveError, match=reason):
        prepare_restore(archive, paths, limits=limits)
    assert tree(paths.home) == before
    assert not [p for p in archive.parent.iterdir() if p.name.startswith(".lifeos-desk-tmp")]


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_archive_is_refused(home: DataPaths, tmp_path: Path, case: str) -> None:
    build, reason = CASES[case]
    archive = _build(tmp_path / f"{D}.tar.gz", build(home))
    _refused(home, archive, reason)


def test_gzip_bomb_member_is_refused_before_it_is_written(home: DataPaths, tmp_path: Path) -> None:
    big = 200 * MiB  # compresses to ~200 KiB, as in docs/architecture.md, 'Archives are hostile input'
    archive = tmp_path / f"{D}.tar.gz"
    with open(archive, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as gz:
        gz.write(_info(f"backups/{D}/audit.jsonl", big).tobuf(tarfile.GNU_FORMAT))
        zeros = bytes(MiB)
        for _ in range(big // MiB):
            gz.write(zeros)
    assert archive.stat().st_size < 1 * MiB
    _refused(home, archive, "limit")


def test_gzip_bomb_after_the_end_marker_is_refused(home: DataPaths, tmp_path: Path) -> None:
    """Padding after the tar end still counts: the decompressed stream itself is capped."""
    archive = tmp_path / f"{D}.tar.gz"
    body = io.BytesIO()
    with tarfile.open(fileobj=body, mode="w", format=tarfile.GNU_FORMAT) as tf:
        ti, data = _db(home)
        tf.addfile(ti, io.BytesIO(data))
    comp = zlib.compressobj(1, zlib.DEFLATED, 31)
    with open(archive, "wb") as f:
        f.write(comp.compress(body.getvalue()))
        for _ in range(40):
            f.write(comp.compress(bytes(MiB)))
        f.write(comp.flush())
    _refused(home, archive, "decompresses to more than")


def test_truncated_gzip_is_refused(home: DataPaths, tmp_path: Path) -> None:
    good = make_backup(home).path
    data = good.read_bytes()
    archive = tmp_path / good.name
    archive.write_bytes(data[: len(data) * 6 // 10])
    _refused(home, archive, "truncated or damaged", Limits())


def test_truncated_at_the_very_end_is_refused(home: DataPaths, tmp_path: Path) -> None:
    """Only the gzip trailer missing: every member reads, but the CRC/length check fails."""
    good = make_backup(home).path
    archive = tmp_path / good.name
    archive.write_bytes(good.read_bytes()[:-4])
    _refused(home, archive, "truncated or damaged", Limits())


def test_not_gzip_is_refused(home: DataPaths, tmp_path: Path) -> None:
    archive = tmp_path / f"{D}.tar.gz"
    archive.write_bytes(b"PK\x03\x04 this is a zip")
    _refused(home, archive, "not a gzip/tar archive", Limits())


def test_corrupt_database_is_refused(home: DataPaths, tmp_path: Path) -> None:
    data = bytearray(home.db.read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = bytes(4096)  # zero a page in the middle
    archive = _build(tmp_path / f"{D}.tar.gz", [(_info(f"backups/{D}/public_users.db", len(data)), bytes(data))])
    _refused(home, archive, "integrity_check", Limits())
