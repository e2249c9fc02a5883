"""The two ways archive work stops early (a named failure, or the admin's cancel), and file privacy."""

from __future__ import annotations

import os


class ArchiveError(Exception):
    """Archive work failed; the message names what (shown to the admin as is)."""


class Cancelled(ArchiveError):
    """The admin cancelled; everything temporary has been removed."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)


def make_private(fd: int) -> None:
    """Owner-only permissions (0600) on an open file: archives and copies hold encrypted wallet keys.

    ``os.fchmod`` is POSIX-only before Python 3.13; elsewhere the folder's ACLs apply.
    """
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)
