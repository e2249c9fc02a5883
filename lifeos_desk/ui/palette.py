"""Follow the system's light or dark colour scheme.

Qt 6.5+ reports the scheme (``QStyleHints.colorScheme``) and signals changes.
The native styles of macOS and of Windows 11 (Qt 6.7+, "windows11") draw dark
mode themselves; elsewhere (Linux styles, the older Windows style) a dark
scheme would give dark window frames around light widgets, so there the
console switches to the Fusion style with a dark palette, and back when the
scheme turns light. ``LIFEOS_DESK_COLOR_SCHEME=dark|light`` overrides the
system (for desktops that report no scheme, and for screenshots).
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

log = logging.getLogger("lifeos_desk.palette")

ENV_SCHEME = "LIFEOS_DESK_COLOR_SCHEME"
_SELF_DARKENING_STYLES = {"macos", "windows11"}


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style, with readable disabled text and links."""
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colors = {
        role.Window: "#2b2d30", role.WindowText: "#e6e6e6", role.Base: "#1e1f22",
        role.AlternateBase: "#26282b", role.ToolTipBase: "#3c3f41", role.ToolTipText: "#e6e6e6",
        role.PlaceholderText: "#8c8c8c", role.Text: "#e6e6e6", role.Button: "#36383b",
        role.ButtonText: "#e6e6e6", role.BrightText: "#ff6b6b", role.Link: "#6cb4ff",
        role.LinkVisited: "#b392f0", role.Highlight: "#2f65ca", role.HighlightedText: "#ffffff",
        role.Light: "#4a4d50", role.Midlight: "#3c3f41", role.Mid: "#2f3134", role.Dark: "#1a1b1d",
        role.Shadow: "#000000",
    }
    for r, c in colors.items():
        p.setColor(r, QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7a7a7a"))
    p.setColor(group.Disabled, role.Highlight, QColor("#3a3d41"))
    return p


def requested_scheme(app: QGuiApplication) -> Qt.ColorScheme:
    """The environment override, else what the platform reports."""
    forced = os.environ.get(ENV_SCHEME, "").strip().lower()
    if forced == "dark":
        return Qt.ColorScheme.Dark
    if forced == "light":
        return Qt.ColorScheme.Light
    return app.styleHints().colorScheme()


class SchemeFollower(QObject):
    """Applies the scheme now and whenever the system changes it."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._native_style = app.style().name()
        self._native_palette = app.palette()
        self.dark_applied = False
        app.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        self.apply(requested_scheme(app))

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        self.apply(requested_scheme(self._app) if os.environ.get(ENV_SCHEME) else scheme)

    def apply(self, scheme: Qt.ColorScheme) -> None:
        """Fusion + dark palette for a dark scheme (unless the native style does it)."""
        dark = scheme == Qt.ColorScheme.Dark
        if dark and self._native_style.lower() not in _SELF_DARKENING_STYLES:
            self._app.setStyle("Fusion")
            self._app.setPalette(dark_palette())
            self.dark_applied = True
        elif not dark and self.dark_applied:
            self._app.setStyle(self._native_style)
            self._app.setPalette(self._native_palette)
            self.dark_applied = False
        log.info("colour scheme %s (style %s)", scheme.name, self._app.style().name())
