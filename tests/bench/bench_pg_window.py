"""Benchmark: the PostgreSQL window on a migrated 10,000-user, 1M-trade home, beside the SQLite window (issue 16).

    /work/venv/bin/python -m tests.bench pg_window
    /work/venv/bin/python -m tests.bench.bench_pg_window --runs 3 --trades 1000000 --users 10000

The ADR home is bench_migrate's cached source (/tmp/lifeos-bench-migrate-
adr-<trades>-<users>, made once with ``lifeos-desk demo``); a PostgreSQL
server is started for the run (tests/pg.py) and the home migrated into it
with ``lifeos-desk migrate``. Then, alternating PostgreSQL and SQLite
(``--runs`` each, A B A B, medians reported), a fresh console process opens
the real window and reports:

- first paint of the trades table: from building the window (the
  PostgreSQL connection and its table counts, or the SQLite session and
  the main window) to the trades table shown and painted (target 300 ms);
- Charts click to the first plotted data, ``LOOK_S`` after the first paint
  (the trades are read in the background from a second after start-up in
  both windows), and how long reading the trades took;
- CPU seconds of the console (``resource.getrusage``, all threads) beside
  each wall time; the server's own CPU is not included.

``--fetch`` adds (``--fetch-only`` runs only) the trade read alone, alternating: the bulk reader
(db/pg/trades_live.py ``load_full``), the same fields fetched row by row
through ``QSqlQuery.next()`` (how db/pg/trades.py read them before), and the
SQLite loader (db/trades_query.py). The load average is printed with the
figures: on a shared machine they compare only within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.bench.bench_window import wait  # noqa: E402
from tests.pg import find_bindir, start_server, stop_server  # noqa: E402

PAINT_BUDGET_S = 0.3
LOOK_S = 5.0


def cpu_s() -> float:
    """CPU seconds (user + system) of this process, all threads."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _charts(panel_of: Callable[[], Any], repaint: Callable[[Any], None]) -> dict[str, float]:
    t, c = time.perf_counter(), cpu_s()
    wait(120, lambda: (p := panel_of()) is not None and p.loaded_once and p.figures is not None)
    panel = panel_of()
    repaint(panel)
    return {"charts_s": time.perf_counter() - t, "charts_cpu_s": cpu_s() - c,
            "charts_read_s": panel.last_load_s, "charts_trades": panel.figures.headline.trade_count}


def _repaint_panel(panel: Any) -> None:
    for chart in panel.charts:
        for plot in chart.card.plots:
            plot.viewport().repaint()


def console_pg(url: str) -> dict[str, Any]:
    """The PostgreSQL window (runs in its own process)."""
    from lifeos_desk.app import make_application
    from lifeos_desk.core.pgurl import pg_params
    from lifeos_desk.ui.pg import PgWindow

    app = make_application(["lifeos-desk"])  # noqa: F841 (kept alive for the whole run)
    out: dict[str, Any] = {}
    params = pg_params(url)  # parsed before the window, as app.py does (it imports psycopg's conninfo)
    t, c = time.perf_counter(), cpu_s()
    window = PgWindow(params)
    out["open_s"] = time.perf_counter() - t
    window.resize(1600, 1000)
    window.show()
    assert window.tables is not None and window.charts is not None
    window.tables.show_table("trades")
    tables = window.tables
    wait(10, lambda: tables.model is not None and tables.model.rowCount() > 0)
    tables.view.viewport().repaint()
    out["paint_s"], out["paint_cpu_s"] = time.perf_counter() - t, cpu_s() - c
    out["rows"] = tables.model.rowCount() if tables.model is not None else 0
    wait(LOOK_S)
    charts = window.charts
    window.tabs.setCurrentWidget(charts)
    out.update(_charts(lambda: charts.panel, _repaint_panel))
    window.close()
    return out


def console_sqlite(home: Path) -> dict[str, Any]:
    """The SQLite window on the source file, the same steps (runs in its own process)."""
    from lifeos_desk.app import make_application
    from lifeos_desk.core.paths import AppDirs, DataPaths
    from lifeos_desk.core.settings import Settings, State
    from lifeos_desk.session import open_session
    from lifeos_desk.signals import Prefs
    from lifeos_desk.ui.main_window import MainWindow

    app = make_application(["lifeos-desk"])  # noqa: F841
    scratch = Path(tempfile.mkdtemp(prefix="bench-pg-window-"))
    dirs = AppDirs(config=scratch / "c", state=scratch / "s", data=scratch / "d", log=scratch / "l")
    settings, state = Settings(dirs), State(dirs)
    prefs = Prefs(settings)

    def open_paths(paths: DataPaths) -> Any:
        return open_session(paths, dirs, settings, state, prefs=prefs)

    out: dict[str, Any] = {}
    t, c = time.perf_counter(), cpu_s()
    session = open_paths(DataPaths(home=home, logs=(home / "logs",), backups=home / "backups", read_only=True))
    window = MainWindow(session, open_paths)
    out["open_s"] = time.perf_counter() - t
    window.resize(1600, 1000)
    window.show()
    keys = [s.key for s in window.host.specs]
    window.tabs.setCurrentIndex(keys.index("tables"))
    area: Any = window.tabs.widget(keys.index("tables"))
    pane = area.show_table("trades")
    wait(10, lambda: pane is not None and pane.model.rowCount() > 0)
    if pane is not None:
        pane.view.viewport().repaint()
    out["paint_s"], out["paint_cpu_s"] = time.perf_counter() - t, cpu_s() - c
    out["rows"] = pane.model.rowCount() if pane is not None else 0
    wait(LOOK_S)
    index = keys.index("charts")
    window.tabs.setCurrentIndex(index)
    out.update(_charts(lambda: getattr(window.tabs.widget(index), "trades", None), _repaint_panel))
    window.close()
    shutil.rmtree(scratch, ignore_errors=True)
    return out


def fetch(url: str, home: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    """The trade read alone, alternating bulk, row by row and SQLite (in this process)."""
    from PySide6.QtCore import QCoreApplication

    from lifeos_desk.core.pgurl import pg_params
    from lifeos_desk.db.pg import PgDatabase
    from lifeos_desk.db.pg.trades import page_ranges, pg_trade_source, trades_table
    from lifeos_desk.db.pg.trades_live import load_full
    from lifeos_desk.db.trades_query import load_trades, trade_source

    app = QCoreApplication.instance() or QCoreApplication([])  # noqa: F841
    params = pg_params(url)
    db = PgDatabase(params)
    found = trades_table(db, db.tables())
    assert found is not None
    domain, table = found
    source = pg_trade_source(domain, table)
    file_source = trade_source(domain, [n for n, _t in table.columns])
    fields = source.record_sql.split(" || ")

    def rowwise() -> int:  # the same fields, one QSqlQuery.next() per row, in bounded page ranges
        return sum(len(db.rows(f"SELECT {', '.join(fields)} FROM {table.sql} WHERE {w}"))
                   for w in page_ranges(db, table, parts=20))

    tools: dict[str, Callable[[], object]] = {
        "PostgreSQL bulk (2 connections)": lambda: load_full(params, source, workers=2),
        "PostgreSQL row by row": rowwise,
        "SQLite loader (2 connections)": lambda: load_trades(home / "public_users.db", file_source, workers=2),
    }
    out: dict[str, list[tuple[float, float]]] = {k: [] for k in tools}
    for _ in range(runs):
        for name, tool in tools.items():
            t, c = time.perf_counter(), cpu_s()
            tool()
            out[name].append((time.perf_counter() - t, cpu_s() - c))
            print(f"  {name:34s} {out[name][-1][0]:6.2f} s wall, {out[name][-1][1]:5.2f} s CPU "
                  f"(load {os.getloadavg()[0]:.2f})", flush=True)
    db.close()
    return out


def _child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "tests.bench.bench_pg_window", *args], cwd=ROOT,
                          stdout=subprocess.PIPE, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in rows)


def _report(runs: dict[str, list[dict[str, Any]]]) -> bool:
    ok = True
    for name, rows in runs.items():
        paint = _median(rows, "paint_s")
        ok &= name != "PostgreSQL" or paint <= PAINT_BUDGET_S
        print(f"\n{name} (median of {len(rows)}): {rows[0]['rows']:,} trades in the table")
        print(f"  first paint of the trades table  {paint:6.3f} s wall, {_median(rows, 'paint_cpu_s'):5.2f} s CPU "
              f"(target {PAINT_BUDGET_S} s; of it building the window {_median(rows, 'open_s'):.3f} s)")
        print(f"  Charts click to plotted data     {_median(rows, 'charts_s'):6.3f} s wall, "
              f"{_median(rows, 'charts_cpu_s'):5.2f} s CPU ({rows[0]['charts_trades']:,} trades; clicked {LOOK_S:g} s"
              f" after the first paint, reading them took {_median(rows, 'charts_read_s'):.2f} s)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trades", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fetch", action="store_true", help="also time the trade read alone")
    parser.add_argument("--fetch-only", action="store_true", help="only time the trade read alone")
    parser.add_argument("--pg", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pg:
        print(json.dumps(console_pg(args.pg)), flush=True)
        return 0
    if args.sqlite:
        print(json.dumps(console_sqlite(args.sqlite)), flush=True)
        return 0
    from tests.bench.bench_migrate import _home

    bindir = find_bindir()
    if bindir is None:
        print("needs postgresql: apt-get install -y postgresql", file=sys.stderr)
        return 2
    home = _home(argparse.Namespace(schema="adr", trades=args.trades, users=args.users))
    server = start_server(bindir)
    try:
        url = server.create_database("bench_pg_window")
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lifeos_desk", "--home", str(home), "migrate", "--to", url],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
        print(f"migrated {home} in {time.perf_counter() - t:.1f} s; load average {os.getloadavg()[0]:.2f}",
              flush=True)
        subprocess.run(["cat", str(home / "public_users.db")], stdout=subprocess.DEVNULL, check=True)
        runs: dict[str, list[dict[str, Any]]] = {"PostgreSQL": [], "SQLite": []}
        for run in range(0 if args.fetch_only else args.runs):
            for name, child in (("PostgreSQL", ["--pg", url]), ("SQLite", ["--sqlite", str(home)])):
                runs[name].append(_child(child))
                r = runs[name][-1]
                print(f"{name:10s} run {run + 1}: paint {r['paint_s']:.3f} s, charts {r['charts_s']:.3f} s "
                      f"(read {r['charts_read_s']:.2f} s)  load {os.getloadavg()[0]:.2f}", flush=True)
        ok = _report(runs) if not args.fetch_only else True
        if args.fetch or args.fetch_only:
            print("\nreading the 1M trades alone (alternating):")
            for name, rows in fetch(url, home, args.runs).items():
                print(f"  median {name:34s} {statistics.median(w for w, _ in rows):6.2f} s wall, "
                      f"{statistics.median(c for _, c in rows):5.2f} s CPU")
    finally:
        stop_server(server)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
