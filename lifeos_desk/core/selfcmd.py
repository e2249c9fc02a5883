"""The argv that runs this console's CLI again, as a child process.

Qt-free so every layer can start a child the same way: the window's demo
writer (app), the backup/verify/restore runner (ui.backups) and selfcheck
(commands). A frozen bundle is its own interpreter and takes the CLI's
arguments directly; a Python install runs the package with ``-m``
(packaging/lifeos_desk_main.py accepts both spellings).
"""

from __future__ import annotations

import sys


def self_command(*args: str) -> list[str]:
    """argv that runs this console's CLI again with ``args`` (works frozen or from Python)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "lifeos_desk", *args]
