"""The built wheel carries every module and the packaged resources (not just an editable install)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_package_and_resources(tmp_path: Path) -> None:
    src = tmp_path / "src"  # build from a copy: setuptools writes build/ and egg-info into the tree
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "screenshots")
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("lifeos_desk", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src), "-w", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("lifeos_desk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "lifeos_desk").rglob("*.py")}
    assert modules <= names, sorted(modules - names)
    assert "lifeos_desk/resources/lifeos-desk.svg" in names
    assert not any(n.startswith("lifeos_desk/resources/screenshots/") for n in names)
    assert any(n.endswith("entry_points.txt") for n in names)
