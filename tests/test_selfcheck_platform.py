"""Issue 17: ``selfcheck`` checks the display the window would use, not always offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lifeos_desk.commands.selfcheck import window_platform


@pytest.mark.parametrize(("env", "expected"), [
    ({"QT_QPA_PLATFORM": "minimal", "DISPLAY": ":0"}, ("minimal", "QT_QPA_PLATFORM")),
    ({"DISPLAY": ":0"}, ("xcb", "DISPLAY")),
    ({"WAYLAND_DISPLAY": "wayland-0"}, ("wayland", "WAYLAND_DISPLAY")),
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, ("xcb", "DISPLAY")),
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"},
     ("wayland", "WAYLAND_DISPLAY")),
    ({"QT_QPA_PLATFORM": "", "DISPLAY": ":0"}, ("xcb", "DISPLAY")),
])
def test_window_platform_follows_the_environment(env: dict[str, str], expected: tuple[str, str]) -> None:
    assert window_platform(env) == expected


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="one native platform there")
def test_window_platform_without_a_display_is_offscreen() -> None:
    assert window_platform({}) == ("offscreen", "no DISPLAY or WAYLAND_DISPLAY")


def _selfcheck(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run([sys.executable, "-m", "lifeos_desk", "selfcheck", "--no-children"], capture_output=True,
                          text=True, env={**clean, **env}, cwd=tmp_path, timeout=120, check=False)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="X11 displays are a Linux/BSD matter")
def test_selfcheck_with_display_set_tries_that_display(tmp_path: Path) -> None:
    # A DISPLAY no X server answers: the check must try xcb (and fail), not pass on offscreen.
    proc = _selfcheck(tmp_path, DISPLAY=":97")
    assert "platform xcb (from DISPLAY)" in proc.stdout, proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "ok    window" not in proc.stdout


def test_selfcheck_honours_qt_qpa_platform(tmp_path: Path) -> None:
    proc = _selfcheck(tmp_path, QT_QPA_PLATFORM="offscreen", DISPLAY=":97")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "platform offscreen (from QT_QPA_PLATFORM)" in proc.stdout
    assert "ok    window" in proc.stdout and "platform 'offscreen'" in proc.stdout
