"""Render the README's screenshots from the real window on a demo home.

    python -m lifeos_desk.tools.screenshots [OUTDIR]   (default resources/screenshots)

Offscreen, no display needed. Makes a deployed-schema demo home in a temp
folder (child process, as the window never writes with sqlite3), runs the
live writer while shooting, grabs the window once per area, then lets each
area put itself into the states its README shots show, through an optional
``demo_screenshots(widget, save)`` in the area's module or package.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QWidget

from ..ui.pump import settle

SIZE = (1360, 860)



def _area_modules(widget: QWidget) -> list[ModuleType]:
    name = type(widget).__module__
    mods = [sys.modules[name]]
    if "." in name:
        mods.append(importlib.import_module(name.rsplit(".", 1)[0]))
    return mods


def main(argv: list[str] | None = None) -> int:
    """Write one PNG per area (and per extra state) into OUTDIR."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "resources/screenshots").absolute()
    out.mkdir(parents=True, exist_ok=True)
    from ..app import DemoHome, make_application
    from ..core.paths import AppDirs, DataPaths
    from ..core.settings import Settings, State
    from ..session import Session, open_session
    from ..ui.main_window import MainWindow

    with tempfile.TemporaryDirectory(prefix="lifeos-shots-") as tmp:
        root = Path(tmp)
        dirs = AppDirs(config=root / "config", state=root / "state", data=root / "data", log=root / "log")
        app = make_application([sys.argv[0]])
        demo = DemoHome(dirs)
        paths = demo.start()
        settings, state = Settings(dirs), State(dirs)

        def opener(p: DataPaths) -> Session:
            return open_session(p, dirs, settings, state, demo_passphrase=demo.passphrase_for(p.home))

        window = MainWindow(opener(paths), opener)
        window.resize(*SIZE)
        window.show()
        settle(1.5)

        def save(name: str) -> None:
            settle(0.3)
            path = out / f"{name}.png"
            window.grab().save(str(path))
            print(f"wrote {path}")

        save("main-window")
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            widget = window.tabs.widget(index)
            assert widget is not None
            settle(1.0)
            hooks = [getattr(m, "demo_screenshots", None) for m in _area_modules(widget)]
            hook: Callable[[QWidget, Callable[[str], None]], None] | None = next(filter(None, hooks), None)
            if hook is not None:
                hook(widget, save)
            else:
                save(f"area-{window.tabs.tabText(index).lower().replace(' ', '-')}")
        window.close()
        demo.stop()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
