"""Generate the per-platform icon files from the one SVG in resources/.

    python packaging/make_icons.py [--svg resources/lifeos-desk.svg] [--out packaging/build/icons]

writes ``lifeos-desk-{16..512}.png`` (Linux hicolor sizes), ``lifeos-desk.ico``
(Windows: PNG-compressed entries 16..256, readable since Vista) and
``lifeos-desk.icns`` (macOS: PNG entries 16..1024 including the @2x types).

The SVG is rendered by Qt's own QSvgRenderer offscreen, and both container
formats are written here byte by byte (their layouts are small and
documented), so no image tool beyond PySide6 is needed and nothing is drawn
by hand.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SVG = REPO / "resources" / "lifeos-desk.svg"
DEFAULT_OUT = REPO / "packaging" / "build" / "icons"
BASENAME = "lifeos-desk"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# Apple's icns element types that hold PNG data, with their pixel size.
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class IconSet:
    """The files written."""

    pngs: dict[int, Path]
    ico: Path
    icns: Path


def _well_formed(svg: Path) -> object:
    """The file's bytes (a QByteArray), once its XML is known to parse.

    QSvgRenderer reports a broken file only as a Qt warning on stderr;
    QXmlStreamReader checks it quietly first, so the message below says why.
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QXmlStreamReader

    try:
        data = QByteArray(svg.read_bytes())
    except OSError as exc:
        raise ValueError(f"cannot read {svg}: {exc.strerror}") from None
    buffer = QBuffer(data)  # PySide's QXmlStreamReader takes bytes only through a device
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QXmlStreamReader(buffer)
    while not reader.atEnd():
        reader.readNext()
    if reader.hasError():
        raise ValueError(f"{svg} is not a valid SVG file: {reader.errorString()} (line {reader.lineNumber()})")
    return data


class SvgRasterizer:
    """Renders one SVG to PNG bytes at any square size (needs a QGuiApplication)."""

    def __init__(self, svg: Path) -> None:
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtSvg import QSvgRenderer

        if QGuiApplication.instance() is None:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            self._app = QGuiApplication([sys.argv[0]])
        self._renderer = QSvgRenderer(_well_formed(svg))
        if not self._renderer.isValid():
            raise ValueError(f"{svg} is not a valid SVG file")
        self._cache: dict[int, bytes] = {}

    def png(self, size: int) -> bytes:
        """The icon at ``size`` x ``size`` pixels, as PNG bytes (transparent corners)."""
        if size not in self._cache:
            self._cache[size] = self._render(size)
        return self._cache[size]

    def _render(self, size: int) -> bytes:
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
        from PySide6.QtGui import QImage, QPainter

        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self._renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise RuntimeError(f"could not encode the {size}px icon as PNG")
        buffer.close()
        return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (ICONDIR, then one ICONDIRENTRY per size)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256 in the one-byte fields
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def icns_bytes(elements: list[tuple[bytes, bytes]]) -> bytes:
    """A macOS .icns: 'icns', total length, then (type, length, PNG data) elements, big-endian."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(svg: Path = DEFAULT_SVG, out: Path = DEFAULT_OUT) -> IconSet:
    """Render every size and write the PNGs, the .ico and the .icns into ``out``."""
    raster = SvgRasterizer(svg)
    out.mkdir(parents=True, exist_ok=True)
    pngs: dict[int, Path] = {}
    for size in PNG_SIZES:
        path = out / f"{BASENAME}-{size}.png"
        path.write_bytes(raster.png(size))
        pngs[size] = path
    ico = out / f"{BASENAME}.ico"
    ico.write_bytes(ico_bytes({size: raster.png(size) for size in ICO_SIZES}))
    icns = out / f"{BASENAME}.icns"
    icns.write_bytes(icns_bytes([(kind, raster.png(size)) for kind, size in ICNS_TYPES]))
    return IconSet(pngs=pngs, ico=ico, icns=icns)


def main(argv: list[str] | None = None) -> int:
    """Command line: --svg and --out."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--svg", type=Path, default=DEFAULT_SVG, help=f"source SVG (default {DEFAULT_SVG})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    try:
        icons = make_icons(args.svg, args.out)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"make_icons: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(icons.pngs)} PNGs ({min(icons.pngs)}..{max(icons.pngs)} px), {icons.ico.name} and "
          f"{icons.icns.name} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
