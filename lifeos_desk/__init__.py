"""lifeos-desk: a desktop admin console for the JARVIS bot's persistence layer."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lifeos-desk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

APP_NAME = "lifeos-desk"
APP_DISPLAY_NAME = "LifeOS Desk"
