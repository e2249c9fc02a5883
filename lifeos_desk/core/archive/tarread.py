"""A minimal streaming tar reader: headers parsed by tarfile, data read without extra copies.

tarfile's stream mode ("r|") copies every data block through its own
buffer (``bytes.join``), which cost more CPU than decompressing in the
verify benchmark. Here each header block is parsed with the documented
``tarfile.TarInfo.frombuf`` (checksum, ustar prefix, GNU base-256 sizes)
and member data goes from the decompressor straight into the caller's
buffer. pax extended headers ('x', 'g') and GNU long names ('L', 'K') are
applied to the next header, as tar does; their size is capped. Anything
else (links, devices, sparse files) is returned as read, for the caller's
rules to refuse.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from typing import Any, Protocol

from .errors import ArchiveError

BLOCK = tarfile.BLOCKSIZE
MAX_META_BYTES = 1 << 20  # a pax header or GNU long name larger than this is not from tar
_PAX = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE)
_LONG = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK)


class Readable(Protocol):
    """What the reader needs from the decompressed stream."""

    def readinto(self, b: Any) -> int: ...


def parse_pax(data: bytes) -> dict[str, str]:
    """``"<len> key=value\\n"`` records (POSIX pax) into a dict."""
    out: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0 or not data[pos:space].isdigit():
            if not data[pos:].strip(b"\0"):
                break
            raise ArchiveError("the archive is truncated or damaged (bad pax header)")
        length = int(data[pos:space])
        record = data[space + 1: pos + length]
        if length <= 0 or not record.endswith(b"\n") or b"=" not in record:
            raise ArchiveError("the archive is truncated or damaged (bad pax record)")
        key, _, value = record[:-1].partition(b"=")
        out[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return out


class TarReader:
    """Iterate headers with ``members()``; read each member's data with ``readinto`` before the next."""

    def __init__(self, stream: Readable) -> None:
        self._stream = stream
        self.global_headers: dict[str, str] = {}
        self._left = 0  # data bytes of the current member not yet read
        self._pad = 0

    def _exact(self, n: int) -> bytes:
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            k = self._stream.readinto(view[got:])
            if not k:
                raise ArchiveError("the archive is truncated or damaged (it ends inside a tar header)")
            got += k
        return bytes(buf)

    def readinto(self, view: memoryview) -> int:
        """Up to len(view) bytes of the current member's data; 0 at its end."""
        if not self._left:
            return 0
        n = self._stream.readinto(view[: min(len(view), self._left)])
        if not n:
            raise ArchiveError("the archive is truncated or damaged (it ends inside a member)")
        self._left -= n
        return n

    def _finish_member(self) -> None:
        scratch = memoryview(bytearray(1 << 16))
        while self._left:
            self.readinto(scratch)
        if self._pad:
            self._exact(self._pad)
            self._pad = 0

    def _meta(self, ti: tarfile.TarInfo) -> bytes:
        if ti.size > MAX_META_BYTES:
            raise ArchiveError(f"refused: a {ti.size:,}-byte tar metadata header")
        data = self._exact(ti.size)
        rest = ti.size % BLOCK
        if rest:
            self._exact(BLOCK - rest)
        return data

    def members(self) -> Iterator[tarfile.TarInfo]:
        """Each member header, pax and GNU long-name overrides applied; stops at the end marker."""
        pending: dict[str, str] = {}
        first = True
        while True:
            self._finish_member()
            try:
                block = self._exact(BLOCK)
            except ArchiveError:
                if first:  # a whole gzip stream shorter than one tar header
                    raise ArchiveError("not a gzip/tar archive (gzip, but too short to hold a tar header)") from None
                raise
            if block == bytes(BLOCK):
                return
            try:
                ti = tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
            except tarfile.HeaderError as exc:
                if first:  # gzip, but not of a tar: e.g. a compressed log
                    raise ArchiveError(f"not a gzip/tar archive (gzip, but no tar header inside: {exc})") from exc
                raise ArchiveError(f"the archive is truncated or damaged ({exc})") from exc
            first = False
            if ti.type in _PAX:
                records = parse_pax(self._meta(ti))
                if ti.type == tarfile.XGLTYPE:
                    self.global_headers.update(records)
                else:
                    pending.update(records)
                continue
            if ti.type in _LONG:
                key = "path" if ti.type == tarfile.GNUTYPE_LONGNAME else "linkpath"
                pending[key] = self._meta(ti).rstrip(b"\0").decode("utf-8", "surrogateescape")
                continue
            self._apply(ti, pending)
            pending = {}
            yield ti

    def _apply(self, ti: tarfile.TarInfo, pending: dict[str, str]) -> None:
        if "path" in pending:
            ti.name = pending["path"]
        if "linkpath" in pending:
            ti.linkname = pending["linkpath"]
        if "size" in pending:
            if not pending["size"].isdigit():
                raise ArchiveError("the archive is truncated or damaged (bad pax size)")
            ti.size = int(pending["size"])
        if ti.type == tarfile.AREGTYPE and ti.name.endswith("/"):
            ti.type = tarfile.DIRTYPE
        no_data = (tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.BLKTYPE,
                   tarfile.FIFOTYPE)
        has_data = ti.type not in no_data
        self._left = ti.size if has_data else 0
        self._pad = (BLOCK - ti.size % BLOCK) % BLOCK if has_data else 0
