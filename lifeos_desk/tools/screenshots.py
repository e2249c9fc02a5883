"""Render the README's screenshots from the real window on a demo home.

    python -m lifeos_desk.tools.screenshots [OUTDIR]   (default resources/screenshots)

Offscreen, no display needed. Makes a deployed-schema demo home in a temp
folder (child process, as the window never writes with sqlite3), runs the
live writer while shooting, grabs the window once per area, or once per
named state the area lists in ``screenshot_states()`` (ui/areas.py, the
``Area`` contract) after setting that state. Pending edits a state made are
discarded, editing is locked again and work a state started is cancelled
before the next area.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ..ui.areas import Area, ScreenshotState
from ..ui.busy import app_registry
from ..ui.main_window import MainWindow
from ..ui.pump import settle

SIZE = (1360, 860)


def shoot_areas(window: MainWindow, save: Callable[[str], None]) -> None:
    """Each tab in turn: its named states (one grab after setting each), or one plain grab."""
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        widget = window.tabs.widget(index)
        settle(1.0)
        states: list[ScreenshotState] = list(widget.screenshot_states()) if isinstance(widget, Area) else []
        for name, enter in states:
            enter()
            save(name)
        if not states:
            save(f"area-{window.tabs.tabText(index).lower().replace(' ', '-')}")
        # Leave the next area (and the close) as found: no staged edit, editing
        # locked, no work a state started (a restore waiting at its preview).
        window.host.discard_all()
        window.set_editable(False)
        app_registry().cancel_all()


def main(argv: list[str] | None = None) -> int:
    """Write one PNG per area (and per extra state) into OUTDIR."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "resources/screenshots").absolute()
    out.mkdir(parents=True, exist_ok=True)
    from ..app import DemoHome, make_application
    from ..core.paths import AppDirs, DataPaths
    from ..core.settings import Settings, State
    from ..session import Session, open_session

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
        shoot_areas(window, save)
        window.close()
        demo.stop()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
