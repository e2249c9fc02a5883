"""Access to packaged assets (the repo's top-level resources/ folder)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_path(name: str) -> Path:
    """Filesystem path of a packaged asset (all installs unpack to real files)."""
    return Path(str(resources.files("lifeos_desk.resources").joinpath(name)))


def app_icon_path() -> Path:
    """The application icon, drawn once as SVG."""
    return resource_path("lifeos-desk.svg")
