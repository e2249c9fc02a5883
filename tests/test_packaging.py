"""packaging/: desktop entry and metainfo, generated icons, and the bundle's contents rules."""

from __future__ import annotations

import importlib.util
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from lifeos_desk import __version__
from lifeos_desk.app import APP_ID

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"
DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"


def _load(name: str) -> ModuleType:
    """A packaging/ script as a module (packaging/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"packaging_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def meta() -> ModuleType:
    return _load("bundle_meta")


@pytest.fixture(scope="module")
def icons_module() -> ModuleType:
    return _load("make_icons")


# -- desktop entry and metainfo ---------------------------------------------------------------------

def _validator(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install desktop-file-utils appstream)")
    return path


def test_desktop_entry_validates() -> None:
    tool = _validator("desktop-file-validate")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_desktop_validator_catches_a_broken_entry(tmp_path: Path) -> None:
    tool = _validator("desktop-file-validate")
    broken = tmp_path / f"{APP_ID}.desktop"
    broken.write_text(DESKTOP.read_text().replace("Type=Application\n", ""))
    assert subprocess.run([tool, str(broken)], capture_output=True, check=False).returncode != 0


def test_metainfo_validates() -> None:
    tool = _validator("appstreamcli")
    result = subprocess.run([tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r"^[EW]: ", result.stdout, re.MULTILINE), result.stdout


def test_ids_agree_everywhere(meta: ModuleType) -> None:
    """One reverse-DNS id: file names, Icon=, AppStream id, launchable, bundle id, Wayland app_id."""
    assert meta.APP_ID == APP_ID
    entry = DESKTOP.read_text()
    assert f"\nIcon={APP_ID}\n" in entry
    assert re.search(r"^Exec=lifeos-desk$", entry, re.MULTILINE)
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert meta.info_plist("0.1.0")["CFBundleIdentifier"] == APP_ID


def test_metainfo_lists_this_release() -> None:
    """Bumping the version without a release note in the metainfo fails here."""
    releases = [r.get("version") for r in ET.parse(METAINFO).getroot().iter("release")]
    assert __version__.split("+")[0] in releases, f"add a <release version=\"{__version__}\"> to {METAINFO.name}"


# -- icons ------------------------------------------------------------------------------------------

def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# make_icons.IconSet: the script is loaded by path (packaging/ is not a package), so mypy cannot see its types.
IconSet = Any


@pytest.fixture(scope="module")
def icon_set(qapp: QApplication, icons_module: ModuleType,
             tmp_path_factory: pytest.TempPathFactory) -> IconSet:
    # qapp first: make_icons would otherwise create a QGuiApplication, and a
    # later test's QWidget would abort the process for want of a QApplication.
    return icons_module.make_icons(REPO / "resources" / "lifeos-desk.svg", tmp_path_factory.mktemp("icons"))


def test_pngs_at_every_size(icon_set: IconSet, icons_module: ModuleType) -> None:
    assert sorted(icon_set.pngs) == [16, 24, 32, 48, 64, 128, 256, 512]
    for size, path in icon_set.pngs.items():
        assert _png_size(path.read_bytes()) == (size, size)


def test_ico_header_and_entries(icon_set: IconSet) -> None:
    data = icon_set.ico.read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, 7)
    sizes = []
    for i in range(count):
        w, h, colors, res, planes, bits, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i:22 + 16 * i])
        side = w or 256
        assert (w, colors, res, planes, bits) == (h, 0, 0, 1, 32)
        assert offset + length <= len(data)
        assert _png_size(data[offset:offset + length]) == (side, side)
        sizes.append(side)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_icns_header_and_elements(icon_set: IconSet, icons_module: ModuleType) -> None:
    data = icon_set.icns.read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    found, pos = {}, 8
    while pos < len(data):
        kind, length = data[pos:pos + 4], struct.unpack(">I", data[pos + 4:pos + 8])[0]
        found[kind] = _png_size(data[pos + 8:pos + length])[0]
        pos += length
    assert pos == len(data)
    assert found == dict(icons_module.ICNS_TYPES)
    assert found[b"ic10"] == 1024 and found[b"icp4"] == 16


def test_bad_svg_is_reported(qapp: QApplication, icons_module: ModuleType, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.svg"
    bad.write_text("<svg")
    assert icons_module.main(["--svg", str(bad), "--out", str(tmp_path / "out")]) == 1
    assert "not a valid SVG file: Premature end of document" in capsys.readouterr().err


# -- what the bundle holds ------------------------------------------------------------------------------

def test_heavy_qt_modules_are_excluded(meta: ModuleType) -> None:
    excluded = set(meta.excluded_modules())
    for heavy in ("QtWebEngineCore", "QtWebEngineWidgets", "Qt3DCore", "QtQuick", "QtQml", "QtMultimedia",
                  "QtPdf", "QtCharts", "QtDesigner", "QtTest"):
        assert f"PySide6.{heavy}" in excluded
    for used in ("QtCore", "QtGui", "QtWidgets", "QtSql", "QtSvg", "QtNetwork"):
        assert f"PySide6.{used}" not in excluded
    assert {"tkinter", "PyQt5", "PyQt6", "pyqtgraph.opengl"} <= excluded


def test_spec_applies_the_rules() -> None:
    spec = (PACKAGING / "lifeos-desk.spec").read_text()
    for needle in ("excludes=meta.excluded_modules()", "meta.keep_binary", "meta.keep_data",
                   'collect_submodules("lifeos_desk")', "version(\"lifeos-desk\")", "bundle_identifier=meta.APP_ID",
                   "info_plist=meta.info_plist(VERSION)", "meta.windows_version_text(VERSION)", "make_icons.py"):
        assert needle in spec, needle


def _qt_modules_imported(root: Path) -> set[str]:
    pattern = re.compile(r"PySide6\.(Qt\w+)|from PySide6 import ([\w, ()\n]+)")
    found: set[str] = set()
    for path in root.rglob("*.py"):
        for dotted, listed in pattern.findall(path.read_text(encoding="utf-8")):
            found.update([dotted] if dotted else re.findall(r"Qt\w+", listed))
    return found


def test_every_qt_module_the_package_imports_is_bundled(meta: ModuleType) -> None:
    """An area that starts importing e.g. QtPrintSupport must add it to bundle_meta.QT_KEEP."""
    missing = _qt_modules_imported(REPO / "lifeos_desk") - set(meta.QT_KEEP)
    assert not missing, f"add {sorted(missing)} to packaging/bundle_meta.py QT_KEEP"


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", True),
    ("PySide6/Qt/plugins/sqldrivers/qsqlite.dll", True),
    ("PySide6/Qt/plugins/sqldrivers/libqsqlpsql.so", False),
    ("PySide6/Qt/plugins/sqldrivers/qsqlodbc.dll", False),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", True),
])
def test_plugin_selection(meta: ModuleType, dest: str, kept: bool) -> None:
    assert meta.keep_binary(dest) is kept


def test_translations_dropped(meta: ModuleType) -> None:
    assert not meta.keep_data("PySide6/Qt/translations/qtbase_de.qm")
    assert meta.keep_data("lifeos_desk/resources/lifeos-desk.svg")


def test_orphaned_libraries(meta: ModuleType) -> None:
    deps = {"psql.so": {"libpq.so.5", "libssl.so.3"}, "core.so": {"libssl.so.3", "libz.so.1"},
            "libpq.so.5": {"libssl.so.3"}, "libssl.so.3": set(), "libz.so.1": set()}
    removed = [("plugins/sqldrivers/psql.so", "psql.so", "BINARY")]
    kept = [("core.so", "core.so", "EXTENSION"), ("libpq.so.5", "libpq.so.5", "BINARY"),
            ("libssl.so.3", "libssl.so.3", "BINARY"), ("libz.so.1", "libz.so.1", "BINARY")]
    orphans = meta.orphaned_libraries(removed, kept, deps.__getitem__)
    assert orphans == {"libpq.so.5"}
    assert [e[0] for e in meta.without_libraries(kept, orphans)] == ["core.so", "libssl.so.3", "libz.so.1"]


@pytest.mark.parametrize(("version", "numbers"), [
    ("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)), ("2.0rc1", (2, 0, 0, 0)), ("0.1.0.dev3+gabc", (0, 1, 0, 3)),
])
def test_numeric_version(meta: ModuleType, version: str, numbers: tuple[int, ...]) -> None:
    assert meta.numeric_version(version) == numbers


def test_windows_version_resource(meta: ModuleType) -> None:
    """The text is the Python expression PyInstaller evaluates (versioninfo's classes, by name)."""
    text = meta.windows_version_text("1.2.3")

    def recorder(name: str) -> Callable[..., tuple[str, tuple[object, ...], dict[str, object]]]:
        return lambda *args, **kwargs: (name, args, kwargs)

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct")
    tree = eval(text, {"__builtins__": {}}, {n: recorder(n) for n in names})  # our own text, no builtins
    kind, _, fields = tree
    assert kind == "VSVersionInfo"
    assert fields["ffi"][2]["filevers"] == (1, 2, 3, 0)
    strings = {s[1][0]: s[1][1] for s in fields["kids"][0][1][0][0][1][1]}
    assert strings["ProductVersion"] == "1.2.3" and strings["OriginalFilename"] == "lifeos-desk.exe"


def test_info_plist_keys(meta: ModuleType) -> None:
    plist = meta.info_plist("0.1.0")
    assert plist["NSHighResolutionCapable"] is True
    assert plist["NSRequiresAquaSystemAppearance"] is False
    assert plist["CFBundleShortVersionString"] == "0.1.0"


def test_has_debug_info(meta: ModuleType, tmp_path: Path) -> None:
    elf = tmp_path / "lib.so"
    elf.write_bytes(b"\x7fELF" + b"\0" * 64 + b".debug_info\0.text\0")
    text = tmp_path / "notes.txt"
    text.write_bytes(b".debug_info\0")
    assert meta.has_debug_info(elf) and not meta.has_debug_info(text)
