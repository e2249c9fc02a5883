"""Benchmark: the real main window on a 10,000-user, 1,000,000-trade home, as the admin feels it (issue 18).

    /work/venv/bin/python -m tests.bench window          # both schemas
    /work/venv/bin/python -m tests.bench.bench_window --schema deployed --seconds 30
    /work/venv/bin/python -m tests.bench.bench_window --schema adr --area charts --seconds 20
    /work/venv/bin/python -m tests.bench.bench_window --startup-only --runs 5   # start-up medians

For each schema a fresh process (the console) starts, builds the window as
app.py does (``MainWindow`` with every area of ``default_areas()``) and
reports, against these targets:

- start-up: process launch to the window shown and the first table painted
  (<= 1 s), split into interpreter + imports, the Qt application, opening
  the session, building the window (the areas), and the first table;
- Charts: clicking the Charts tab, ``LOOK_S`` after start-up, to the first
  plotted data (<= 1 s); the trades are read in the background from a second
  after start-up, and how long that took is reported too;
- live: a bot child (``lifeos-desk demo HOME --live --rate 2``) writes 2
  transactions a second; the console shows each area in turn and its CPU
  time (``resource.getrusage``) over ``--seconds`` is reported as a share of
  one core (<= 5 % on every area).

Waits run a real event loop (``QEventLoop`` quit by a ``QTimer``), never a
``processEvents`` loop, which would burn a core by itself
(docs/architecture.md, 'Measuring CPU in benchmarks'). Homes are generated
once with ``lifeos-desk demo DIR --users 10000 --trades 1000000 --schema S``
(sealing 10,000 wallet keys takes minutes) into /tmp/bench-homes and copied
before each run, since the live writer changes them. The machine may be
shared: the load average is printed with the figures.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()  # the interpreter is up; everything before this line is its own start-up

import argparse  # noqa: E402
import cProfile  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

USERS, TRADES = 10_000, 1_000_000
CACHE = Path("/tmp/bench-homes")
START_BUDGET_S = 1.0
CHARTS_BUDGET_S = 1.0
LIVE_BUDGET = 0.05  # of one core
RATE = 2.0
PROFILE = bool(os.environ.get("BENCH_WINDOW_PROFILE"))  # set by --profile for the console process
PROFILE_LINES = 30
LOOK_S = 5.0  # seconds on the first table before the Charts click


def cached_home(schema: str) -> Path:
    """The generated home for this schema (made once; minutes for the wallet keys)."""
    home = CACHE / f"{schema}-{USERS}-{TRADES}"
    if not (home / "public_users.db").exists():
        tmp = home.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"generating {home} (10,000 wallet keys take minutes) …", flush=True)
        subprocess.run([sys.executable, "-m", "lifeos_desk", "demo", str(tmp), "--users", str(USERS), "--trades",
                        str(TRADES), "--schema", schema], check=True, stdout=subprocess.DEVNULL)
        tmp.rename(home)
    return home


def installed_env() -> dict[str, str]:
    """The console child's environment, with our package's bytecode compiled as an installed console has it.

    pip compiles a wheel's modules at install (and the bundle ships bytecode); a
    checkout run with PYTHONDONTWRITEBYTECODE (this machine sets it) compiles
    some 150 modules at every launch instead, ~0.18 s of start-up that no
    admin pays. compileall writes them (into the git-ignored __pycache__
    folders) whatever that variable says, and the interpreter reads them.
    """
    package = Path(__file__).resolve().parents[2] / "lifeos_desk"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, stdout=subprocess.DEVNULL)
    return dict(os.environ)


def cpu_s() -> float:
    """CPU seconds (user + system) of this process, all threads."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def wait(seconds: float, until: Callable[[], bool] | None = None, poll_ms: int = 20) -> bool:
    """Run the event loop for ``seconds`` (or until ``until()``), idle between polls; True if ``until`` held."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    loop = QEventLoop()
    deadline = time.perf_counter() + seconds
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire 5 % early
    timer.setInterval(poll_ms if until is not None else max(1, int(seconds * 1000)))  # a plain wait: one wake-up

    def check() -> None:
        left = deadline - time.perf_counter()
        if (until is not None and until()) or left <= 0:
            loop.quit()
        elif until is None:
            timer.setInterval(max(1, int(left * 1000) + 1))

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    return bool(until()) if until is not None else True


# -- the console process ----------------------------------------------------------------
def first_rows(area: Any) -> Callable[[], int]:
    """How many rows the area in front shows: the Tables pane's model, or Home's list of stores."""
    def rows() -> int:
        pane = getattr(area, "current_pane", lambda: None)()
        if pane is not None:
            return int(pane.model.rowCount())
        tree = getattr(area, "tree", None)
        return int(tree.topLevelItemCount()) if tree is not None else 0
    return rows


def console(home: Path, seconds: float, launched: float, areas: list[str] | None = None,
            startup_only: bool = False, open_on: str = "tables") -> dict[str, Any]:
    """Start the window on ``home`` and measure it (runs in its own process)."""
    out: dict[str, Any] = {}
    t = time.perf_counter()
    from PySide6.QtWidgets import QApplication  # noqa: F401

    from lifeos_desk.app import make_application
    from lifeos_desk.core.paths import AppDirs, DataPaths
    from lifeos_desk.core.settings import Settings, State
    from lifeos_desk.session import open_session
    from lifeos_desk.signals import Prefs
    from lifeos_desk.ui.main_window import MainWindow
    from lifeos_desk.ui.memory import LAST_AREA
    out["imports_s"] = time.perf_counter() - t
    t = time.perf_counter()
    app = make_application(["lifeos-desk"])  # noqa: F841 (kept alive for the whole run)
    out["qt_app_s"] = time.perf_counter() - t
    scratch = Path(tempfile.mkdtemp(prefix="bench-window-"))
    dirs = AppDirs(config=scratch / "c", state=scratch / "s", data=scratch / "d", log=scratch / "l")
    settings, state = Settings(dirs), State(dirs)
    state.update({LAST_AREA: open_on})  # a relaunch returns to the area the admin left (ui/memory.py)
    prefs = Prefs(settings)

    # app.py's window leaves quick_check for after the first paint (ui/startup_check.py); older trees had no choice
    defer: dict[str, Any] = {"defer_quick_check": True} \
        if "defer_quick_check" in inspect.signature(open_session).parameters else {}

    def open_paths(paths: DataPaths) -> Any:
        return open_session(paths, dirs, settings, state, prefs=prefs, **defer)  # as app.py

    t = time.perf_counter()
    session = open_paths(DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=True))
    out["session_s"] = time.perf_counter() - t
    t = time.perf_counter()
    window = MainWindow(session, open_paths)
    out["window_s"] = time.perf_counter() - t
    t = time.perf_counter()
    window.resize(1600, 1000)
    window.show()
    rows = first_rows(window.tabs.currentWidget())
    painted = wait(10, lambda: rows() > 0)
    window.tabs.currentWidget().repaint()
    out["first_table_s"] = time.perf_counter() - t
    out["first_table_rows"] = rows() if painted else 0
    out["open_on"] = window.host.specs[window.tabs.currentIndex()].key
    out["startup_s"] = time.time() - launched
    out["startup_cpu_s"] = cpu_s()
    info = session.info
    wait(10, lambda: info is None or info.quick_check != "not run")  # after the first paint (ui/startup_check.py)
    out["quick_check_s"] = time.time() - launched
    if startup_only:
        window.close()
        return out
    wait(LOOK_S)  # the admin looks at the first table; the charts read their trades meanwhile (AreaSpec.warm)

    index = [s.key for s in window.host.specs].index("charts")
    t = time.perf_counter()
    window.tabs.setCurrentIndex(index)
    charts = window.tabs.widget(index)
    panel = getattr(charts, "trades", None)
    wait(60, lambda: panel is None or (panel.loaded_once and panel.figures is not None))
    if panel is not None:
        for chart in panel.charts:
            for plot in chart.card.plots:
                plot.viewport().repaint()
    out["charts_s"] = time.perf_counter() - t
    out["charts_read_s"] = panel.last_load_s if panel is not None else 0.0
    out["charts_trades"] = panel.figures.headline.trade_count if panel is not None and panel.figures else 0
    out["live"] = live(window, home, seconds, areas)
    window.close()
    return out


def live(window: Any, home: Path, seconds: float, areas: list[str] | None = None) -> list[dict[str, Any]]:
    """Each area (or those keyed in ``areas``) shown in turn while the bot writes RATE tx/s: the console's CPU."""
    bot = subprocess.Popen([sys.executable, "-m", "lifeos_desk", "demo", str(home), "--live", "--rate", str(RATE)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    try:
        wait(3.0)  # the bot opens its connection and starts committing
        for i, spec in enumerate(window.host.specs):
            if areas and spec.key not in areas:
                continue
            window.tabs.setCurrentIndex(i)
            wait(3.0)  # the area catches up (first loads) before it is measured
            profile = cProfile.Profile() if PROFILE else None
            c0, w0, u0 = cpu_s(), time.perf_counter(), time.thread_time()
            if profile is not None:
                profile.enable()
            wait(seconds)
            if profile is not None:
                profile.disable()
            cpu, wall, ui = cpu_s() - c0, time.perf_counter() - w0, time.thread_time() - u0
            rows.append({"area": spec.title, "cpu_s": cpu, "wall_s": wall, "core_share": cpu / wall, "ui_cpu_s": ui})
            print(f"    {spec.title:16s} {cpu:6.2f} CPU-s in {wall:4.1f} s = {100 * cpu / wall:5.1f} % of a core "
                  f"(UI thread {ui:.2f} CPU-s)", file=sys.stderr, flush=True)
            if profile is not None:  # where the UI thread's time went (worker threads are not profiled)
                pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(PROFILE_LINES)
    finally:
        bot.terminate()
        bot.wait(30)
    return rows


# -- the driver -------------------------------------------------------------------------
def run(schema: str, seconds: float, extra: list[str]) -> dict[str, Any]:
    """Copy the cached home, start a console process on it (``extra``: its options), collect its figures."""
    src = cached_home(schema)
    work = Path(tempfile.mkdtemp(prefix=f"bench-window-{schema}-"))
    home = work / "home"
    shutil.copytree(src, home)
    try:
        subprocess.run(["cat", str(home / "public_users.db")], stdout=subprocess.DEVNULL, check=True)  # warm cache
        env = installed_env()
        launched = time.time()
        child = subprocess.run([sys.executable, "-m", "tests.bench.bench_window", "--console", str(home),
                                "--seconds", str(seconds), "--launched", repr(launched), *extra],
                               stdout=subprocess.PIPE, text=True, check=True, env=env)
        return dict(json.loads(child.stdout.strip().splitlines()[-1]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


STAGES = {"imports_s": "imports (PySide6, lifeos_desk)", "qt_app_s": "Qt application",
          "session_s": "open session (info, counts)", "window_s": "window + areas",
          "first_table_s": "show + first table painted"}


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-figure medians of several start-up runs (the start-up figures only)."""
    keys = ("startup_s", "startup_cpu_s", "first_table_rows", "quick_check_s", *STAGES)
    return {k: statistics.median(r[k] for r in runs) for k in keys}


def report(schema: str, f: dict[str, Any]) -> None:
    """Print one schema's figures against the targets."""
    def mark(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"\n{schema}: {USERS:,} users, {TRADES:,} trades (load average {os.getloadavg()[0]:.2f})")
    print(f"  start-up to window + first table   {f['startup_s']:6.2f} s  (target {START_BUDGET_S} s) "
          f"{mark(f['startup_s'] <= START_BUDGET_S)}; CPU {f['startup_cpu_s']:.2f} s")
    launch = f["startup_s"] - sum(f[k] for k in STAGES)
    for key, label in STAGES.items():
        print(f"    {label:32s} {f[key]:6.3f} s")
    print(f"    {'interpreter start (rest)':32s} {launch:6.3f} s")
    print(f"  quick_check answered (status bar)  {f['quick_check_s']:6.2f} s after launch")
    if "live" not in f:
        return
    print(f"  Charts click to first plotted data {f['charts_s']:6.2f} s  (target {CHARTS_BUDGET_S} s) "
          f"{mark(f['charts_s'] <= CHARTS_BUDGET_S)}; {f['charts_trades']:,} trades shown")
    print(f"    clicked {LOOK_S:g} s after start-up; reading the trades (in the background) took "
          f"{f['charts_read_s']:.2f} s")
    for row in f["live"]:
        print(f"  live {RATE:g} tx/s on {row['area']:18s} {100 * row['core_share']:5.1f} % of a core "
              f"({row['cpu_s']:.2f} CPU-s in {row['wall_s']:.0f} s) {mark(row['core_share'] <= LIVE_BUDGET)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schema", choices=("adr", "deployed", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per area while the bot writes")
    parser.add_argument("--area", action="append", metavar="KEY",
                        help="measure only this area live (a key of ui/areas.py: tables, charts, vault…; repeatable)")
    parser.add_argument("--startup-only", action="store_true", help="measure start-up only (no Charts, no bot)")
    parser.add_argument("--runs", type=int, default=1, help="start-up runs per schema (medians; with --startup-only)")
    parser.add_argument("--open-on", default="tables", choices=("tables", "home"),
                        help="the area the window opens on (remembered from the last session): its first rows count")
    parser.add_argument("--profile", action="store_true",
                        help="profile the UI thread while each area follows the bot (cProfile, to stderr)")
    parser.add_argument("--console", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile:
        os.environ["BENCH_WINDOW_PROFILE"] = "1"  # the console child reads it
    if args.console is not None:
        print(json.dumps(console(args.console, args.seconds, args.launched or time.time(), args.area,
                                 args.startup_only, args.open_on)), flush=True)
        return 0
    extra = [a for key in args.area or () for a in ("--area", key)] + (["--startup-only"] if args.startup_only else [])
    extra += ["--open-on", args.open_on]
    schemas = ("deployed", "adr") if args.schema == "both" else (args.schema,)
    if args.startup_only:
        runs: dict[str, list[dict[str, Any]]] = {s: [] for s in schemas}
        for _ in range(max(1, args.runs)):  # schemas alternate, so load drift hits both alike
            for schema in schemas:
                runs[schema].append(run(schema, args.seconds, extra))
        for schema in schemas:
            report(schema, median_of(runs[schema]))
        return 0
    for schema in schemas:
        report(schema, run(schema, args.seconds, extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
