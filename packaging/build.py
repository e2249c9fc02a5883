"""Build the lifeos-desk bundle for this platform, in one command:

    python packaging/build.py            # from the repo, with the package installed in this Python

It installs PyInstaller into this Python if it is missing, runs the spec
(which first generates the icons from resources/lifeos-desk.svg with
make_icons.py), and packs the result into one archive an admin can download:

- Linux:   packaging/dist/lifeos-desk/ and lifeos-desk-VERSION-linux-ARCH.tar.gz
- Windows: packaging/dist/lifeos-desk/ and lifeos-desk-VERSION-windows-ARCH.zip
- macOS:   packaging/dist/LifeOS Desk.app and lifeos-desk-VERSION-macos-ARCH.zip

A bundle runs only on the OS (and CPU architecture) it was built on, so
build on each OS you ship for.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIST = HERE / "dist"
WORK = HERE / "build"
SPEC = HERE / "lifeos-desk.spec"
PYINSTALLER_REQUIREMENT = "pyinstaller>=6.10"


def ensure_pyinstaller() -> None:
    """pip install PyInstaller into this Python when it is not there yet."""
    if importlib.util.find_spec("PyInstaller") is None:
        print(f"installing {PYINSTALLER_REQUIREMENT} into {sys.executable}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", PYINSTALLER_REQUIREMENT], check=True)


def platform_tag() -> str:
    """linux-x86_64, windows-amd64, macos-arm64 ..."""
    system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    return f"{system}-{platform.machine().lower()}"


def folder_size(path: Path) -> int:
    """Bytes in the files under ``path`` (symlinks not followed, as du does)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def archive(bundle: Path, target_stem: Path) -> Path:
    """Pack the bundle keeping its symlinks (tar.gz on Linux, zip elsewhere)."""
    if sys.platform == "darwin":  # ditto keeps the framework symlinks and extended attributes
        target = target_stem.with_name(target_stem.name + ".zip")
        subprocess.run(["ditto", "-c", "-k", "--keepParent", str(bundle), str(target)], check=True)
        return target
    if sys.platform == "win32":
        return Path(shutil.make_archive(str(target_stem), "zip", bundle.parent, bundle.name))
    target = target_stem.with_name(target_stem.name + ".tar.gz")
    with tarfile.open(target, "w:gz") as tar:
        tar.add(bundle, arcname=bundle.name)
    return target


def build(clean: bool, make_archive: bool) -> int:
    """PyInstaller (icons included), then the archive; prints where everything is."""
    ensure_pyinstaller()
    started = time.monotonic()
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(DIST),
               "--workpath", str(WORK), str(SPEC)]
    if clean:
        command.insert(3, "--clean")
    subprocess.run(command, check=True)
    bundle = DIST / ("LifeOS Desk.app" if sys.platform == "darwin" else "lifeos-desk")
    print(f"\nbundle: {bundle} ({folder_size(bundle) / 1e6:.0f} MB) built in {time.monotonic() - started:.0f} s")
    if make_archive:
        packed = archive(bundle, DIST / f"lifeos-desk-{version('lifeos-desk')}-{platform_tag()}")
        print(f"archive: {packed} ({packed.stat().st_size / 1e6:.0f} MB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: --clean, --no-archive."""
    parser = argparse.ArgumentParser(description="Build the lifeos-desk bundle for this platform.")
    parser.add_argument("--clean", action="store_true", help="discard PyInstaller's cache first")
    parser.add_argument("--no-archive", action="store_true", help="leave the bundle folder unpacked only")
    args = parser.parse_args(argv)
    try:
        return build(args.clean, not args.no_archive)
    except subprocess.CalledProcessError as exc:
        print(f"build.py: {' '.join(map(str, exc.cmd))} failed with exit code {exc.returncode}", file=sys.stderr)
        return exc.returncode or 1


if __name__ == "__main__":
    sys.exit(main())
