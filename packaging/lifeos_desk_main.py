"""Entry point of the frozen bundle (PyInstaller runs this file as ``__main__``).

``lifeos_desk/__main__.py`` uses a relative import, which a top-level script
cannot, hence this file. ``freeze_support()`` must run before anything else:
a multiprocessing "spawn" child of a frozen app is this same executable,
started with multiprocessing's own arguments, and must not parse them as
the console's command line.
"""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    # A windowed executable (Windows, macOS .app) may start without stdout or
    # stderr; the CLI prints, so give it somewhere harmless to print to.
    for _name in ("stdout", "stderr"):
        if getattr(sys, _name) is None:
            setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process
    # Code that re-runs the console as ``[sys.executable, "-m", "lifeos_desk", ...]``
    # (right for a Python install) reaches this executable with those two
    # words first; drop them so both spellings work frozen.
    # lifeos_desk.core.selfcmd.self_command() is the spelling that needs no help.
    argv = sys.argv[1:]
    if argv[:2] == ["-m", "lifeos_desk"]:
        argv = argv[2:]
    from lifeos_desk.cli import main

    sys.exit(main(argv))
