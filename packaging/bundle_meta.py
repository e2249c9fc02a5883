"""What goes into the bundle and what it is called: shared by the spec and the tests.

Kept out of ``lifeos-desk.spec`` so that the rules (which Qt modules, which
plugins, the version resource, the Info.plist keys) are plain functions the
tests can check without running PyInstaller.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

APP_NAME = "lifeos-desk"
DISPLAY_NAME = "LifeOS Desk"
APP_ID = "io.github.lifeos_desk.LifeOSDesk"  # same as lifeos_desk.app.APP_ID (a test checks)
DESCRIPTION = "Admin console for the JARVIS bot's SQLite + JSONL data home"
COPYRIGHT = "The lifeos-desk developers, MIT license"

# The Qt modules the console imports. QtOpenGL and QtOpenGLWidgets are here
# only because pyqtgraph 0.14 imports them when it loads (PlotCurveItem,
# via importlib, which PyInstaller cannot see), even without OpenGL plotting.
# QtDBus: the vault's screen-lock signals on Linux (ui/vault/screenlock.py; it
# falls back to polling loginctl when the module or a bus is missing).
# tests/test_packaging.py fails when the package imports a Qt module not here.
QT_KEEP = frozenset({
    "QtCore", "QtGui", "QtWidgets", "QtSql", "QtSvg", "QtNetwork", "QtOpenGL", "QtOpenGLWidgets", "QtDBus",
})
QT_HIDDEN = ("PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtSvg")

# Every PySide6 module name (Essentials and Addons, Qt 6.x); all but QT_KEEP are excluded.
QT_ALL = frozenset({
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender", "QtAxContainer",
    "QtBluetooth", "QtCharts", "QtConcurrent", "QtCore", "QtDBus", "QtDataVisualization", "QtDesigner",
    "QtGraphs", "QtGraphsWidgets", "QtGui", "QtHelp", "QtHttpServer", "QtLocation", "QtMultimedia",
    "QtMultimediaWidgets", "QtNetwork", "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtOpenGLWidgets", "QtPdf",
    "QtPdfWidgets", "QtPositioning", "QtPrintSupport", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2",
    "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus", "QtSerialPort",
    "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvg", "QtSvgWidgets", "QtTest", "QtTextToSpeech",
    "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets",
    "QtWebView", "QtXml",
})

# Python packages that must never be pulled in (other Qt bindings, test and
# notebook tooling, optional pyqtgraph backends the console does not use).
PYTHON_EXCLUDES = (
    "PyQt5", "PyQt6", "PySide2", "tkinter", "_tkinter", "matplotlib", "IPython", "jupyter_rfb",
    "pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter", "OpenGL", "scipy", "pandas", "h5py",
    "cupy", "numba", "colorcet", "pytest", "pytestqt", "hypothesis", "mypy", "ruff", "setuptools", "pip",
)

# Qt plugins: keep only what a desktop console needs.
_PLUGIN_DROP = {
    "sqldrivers": re.compile(r"(?i)^(?!(lib)?qsqlite\.)"),  # every SQL driver except QSQLITE
    "platforms": re.compile(r"(?i)(vnc|eglfs|linuxfb|minimalegl|vkkhrdisplay)"),
    "imageformats": re.compile(r"(?i)(qpdf|qtga|qtiff|qwbmp|qwebp|qicns|qmacheif|qmacjp2|qjp2|qmng)"),
    "egldeviceintegrations": re.compile(r"."),
    "platforminputcontexts": re.compile(r"(?i)(qtvirtualkeyboard)"),
    # GTK theme: would load the build machine's GTK stack; the XDG portal theme
    # gives native file dialogs and the dark-mode setting without it.
    "platformthemes": re.compile(r"(?i)gtk"),
    "tls": re.compile(r"."),  # no TLS: the only network use is QLocalServer
    "networkinformation": re.compile(r"."),
    "generic": re.compile(r"(?i)(tuio|evdev|libinput)"),
}
# Qt's translations are for Qt's own dialogs; the console is English only.
_DATA_DROP = re.compile(r"(?i)(^|/)PySide6/Qt/translations/")


def excluded_modules() -> list[str]:
    """PyInstaller ``excludes``: every Qt module not kept, plus the packages above."""
    return sorted(f"PySide6.{m}" for m in QT_ALL - QT_KEEP) + list(PYTHON_EXCLUDES)


def keep_binary(dest_name: str) -> bool:
    """False for a Qt plugin the console never loads (by its path in the bundle)."""
    parts = PurePosixPath(dest_name.replace("\\", "/")).parts
    if "plugins" not in parts[:-1]:
        return True
    i = parts.index("plugins")
    if i + 2 >= len(parts):  # a file directly in plugins/
        return True
    group, name = parts[i + 1], parts[-1]
    rule = _PLUGIN_DROP.get(group)
    return rule is None or not rule.search(name)


def keep_data(dest_name: str) -> bool:
    """False for data files the console never uses (Qt translations)."""
    return not _DATA_DROP.search(dest_name.replace("\\", "/"))


def filter_toc(toc: Iterable[tuple[str, str, str]], keep: Callable[[str], bool]) -> list[tuple[str, str, str]]:
    """The TOC entries whose destination name ``keep`` accepts."""
    return [entry for entry in toc if keep(entry[0])]


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """'0.1.0', '1.2.3rc1', '0.1.0.dev3+gabc' -> four integers for Windows and macOS."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0].split("rc")[0].split("a")[0])[:4]]
    numbers += [0] * (4 - len(numbers))
    return numbers[0], numbers[1], numbers[2], numbers[3]


def windows_version_text(version: str) -> str:
    """A PyInstaller version-resource file (VSVersionInfo source) for ``version``."""
    v = numeric_version(version)
    dotted = ".".join(map(str, v))
    strings = [
        ("CompanyName", "lifeos-desk"), ("FileDescription", DISPLAY_NAME), ("FileVersion", dotted),
        ("InternalName", APP_NAME), ("LegalCopyright", COPYRIGHT), ("OriginalFilename", f"{APP_NAME}.exe"),
        ("ProductName", DISPLAY_NAME), ("ProductVersion", version),
    ]
    table = ",\n          ".join(f"StringStruct('{k}', '{val}')" for k, val in strings)
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={v}, prodvers={v}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
          {table}])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""


def info_plist(version: str) -> dict[str, object]:
    """macOS Info.plist keys: identity, version, high-DPI and dark mode support."""
    short = ".".join(map(str, numeric_version(version)[:3]))
    return {
        "CFBundleName": DISPLAY_NAME,
        "CFBundleDisplayName": DISPLAY_NAME,
        "CFBundleIdentifier": APP_ID,
        "CFBundleShortVersionString": short,
        "CFBundleVersion": short,
        "NSHumanReadableCopyright": COPYRIGHT,
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,  # follow the system's dark mode
        "NSPrincipalClass": "NSApplication",
        "LSApplicationCategoryType": "public.app-category.developer-tools",
        "LSMinimumSystemVersion": "12.0",
    }


def _basename(dest_name: str) -> str:
    return PurePosixPath(dest_name.replace("\\", "/")).name


def orphaned_libraries(removed: Iterable[tuple[str, str, str]], kept: Iterable[tuple[str, str, str]],
                       imports: Callable[[str], Iterable[str]]) -> set[str]:
    """Names of the libraries that only the removed binaries needed.

    PyInstaller collects a plugin's libraries before the spec can drop the
    plugin (the PostgreSQL driver brings libpq, Kerberos and LDAP). A library
    goes only if some removed binary imports it and no kept binary does.
    ``imports(path)`` gives the library names a binary needs, transitively
    (ldd does, on Linux); a kept entry that is itself a candidate does not
    count as a user, or the candidates would keep each other.
    """
    candidates: set[str] = set()
    for _, src, _ in removed:
        candidates.update(imports(src))
    needed: set[str] = set()
    for dest, src, typecode in kept:
        if typecode != "SYMLINK" and _basename(dest) not in candidates:
            needed.update(imports(src))
    return candidates - needed


def without_libraries(toc: Iterable[tuple[str, str, str]], names: set[str]) -> list[tuple[str, str, str]]:
    """The TOC without the named libraries (and without symlinks to them)."""
    return [entry for entry in toc if _basename(entry[0]) not in names]


def has_debug_info(path: Path) -> bool:
    """An ELF file that carries DWARF debug sections (their names sit in the section-name table)."""
    with path.open("rb") as f:
        if f.read(4) != b"\x7fELF":
            return False
        return b".debug_info\x00" in f.read()


def strip_debug_info(folder: Path) -> list[str]:
    """``strip --strip-debug`` every ELF under ``folder`` that has debug sections; returns their names.

    Libraries in auditwheel's ``*.libs`` folders are left alone (rewriting
    them breaks their patched layout), and so is everything when binutils'
    strip is not installed.
    """
    strip = shutil.which("strip")
    if strip is None:
        return []
    done = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or any(p.endswith(".libs") for p in path.parts):
            continue
        if has_debug_info(path):
            subprocess.run([strip, "--strip-debug", str(path)], check=True)
            done.append(path.name)
    return done
