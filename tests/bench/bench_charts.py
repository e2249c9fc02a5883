"""Benchmark: the trade charts at 1,000,000 trades — open the tab, then pan and zoom.

Targets (issue 6): every trade chart computed and painted <= 1 s after the
tab is opened; pan/zoom frames <= 16 ms (downsampling + clip-to-view,
docs/architecture.md, 'Plotting a million points').

    /work/venv/bin/python -m tests.bench.bench_charts [--trades N] [--schema adr|deployed|both] [--workers N]

Demo homes are generated once (50 users, so the wallet keys cost seconds, not
minutes) and kept in the temp folder for the next run. "Opened" is measured
from showing the area (which starts the load) to the end of a synchronous
paint of all six charts; the phases are reported apart. A frame is one view
change (zoom or pan) of a per-trade plot plus its synchronous repaint; the
other time plots follow once the gesture pauses (reported apart). The machine
may be shared: treat figures as upper bounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported once the platform is set (main)
    from lifeos_desk.ui.charts.trades_tab import TradePnlPanel

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OPEN_BUDGET_S = 1.0
FRAME_BUDGET_MS = 16.0


def demo_home(schema: str, trades: int) -> Path:
    """A cached demo home of this size."""
    from lifeos_desk.core.demo import DemoSpec, generate_demo_home

    home = Path(tempfile.gettempdir()) / f"lifeos-bench-charts-{schema}-{trades}"
    if not (home / "public_users.db").exists():
        print(f"generating {trades:,} {schema} trades in {home} …", flush=True)
        generate_demo_home(home, DemoSpec(schema=schema, users=50, trades=trades, log_lines=10, seed=6))
    return home


def _settle(app: object, seconds: float = 0.05) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        QApplication.processEvents()


def measure(home: Path, workers: int) -> dict[str, float]:
    """Open the charts area on a home; time the opening and the frames."""
    from PySide6.QtWidgets import QApplication

    from lifeos_desk.core.paths import AppDirs, DataPaths
    from lifeos_desk.core.settings import Settings, State
    from lifeos_desk.session import open_session
    from lifeos_desk.ui.charts import ChartsArea

    app = QApplication.instance() or QApplication([])
    scratch = Path(tempfile.mkdtemp(prefix="bench-charts-"))
    dirs = AppDirs(config=scratch / "c", state=scratch / "s", data=scratch / "d", log=scratch / "l")
    session = open_session(DataPaths(home=home, logs=(home / "logs",), backups=home / "backups"), dirs,
                           Settings(dirs), State(dirs))
    area = ChartsArea(session)
    panel = area.trades
    assert panel is not None
    panel.loader._workers = workers
    area.resize(1600, 1000)
    started, cpu = time.perf_counter(), time.process_time()
    area.show()
    while not (panel.loaded_once and not panel.loader.busy):
        QApplication.processEvents()
        time.sleep(0.001)
    drawn = time.perf_counter()
    for chart in panel.charts:
        for plot in chart.card.plots:
            plot.viewport().repaint()
    painted, cpu_used = time.perf_counter(), time.process_time() - cpu
    out = {"rows": float(len(panel.trades)), "shown": float(panel.figures.headline.trade_count if panel.figures else 0),
           "load_s": panel.last_load_s, "compute_draw_s": panel.last_compute_s, "paint_s": painted - drawn,
           "open_s": painted - started, "open_cpu_s": cpu_used}
    out.update(frames(app, panel))
    from lifeos_desk.db.trades_query import read_fingerprint

    t = time.perf_counter()
    read_fingerprint(home / "public_users.db", panel.source)
    out["fingerprint_s"] = time.perf_counter() - t
    area.shutdown()
    area.close()
    session.close()
    return out


def _steps(lo: float, hi: float) -> list[tuple[float, float]]:
    """Zoom in step by step around the middle, pan at a mid zoom, then show everything again."""
    spans = [(hi - lo) / (1.6 ** k) for k in range(12)]
    steps = [((lo + hi) / 2 - s / 2, (lo + hi) / 2 + s / 2) for s in spans]
    span = spans[6]
    steps += [(lo + k * (hi - lo - span) / 20, lo + k * (hi - lo - span) / 20 + span) for k in range(20)]
    return steps + [(lo, hi)] * 3


def frames(app: object, panel: TradePnlPanel) -> dict[str, float]:
    """Frames of a gesture on each per-trade plot (a million points each), then the follow-up of the others.

    A frame is one view change of the plot being dragged plus its synchronous
    repaint; the other time plots take the final range once the gesture
    pauses (ui/charts/sync.py), measured apart as "follow-up".
    """
    charts = panel.charts
    fig = panel.figures
    assert fig is not None
    sync = panel.time_sync
    lo, hi = float(fig.wall[0]), float(fig.wall[-1])
    times: list[float] = []
    cpu: list[float] = []
    follow: list[float] = []
    for chart in charts[:2]:  # cumulative PnL and drawdown: one point per trade
        plot = chart.card.plots[0]
        vb = plot.getPlotItem().getViewBox()
        for x0, x1 in _steps(lo, hi):
            t, c = time.perf_counter(), time.thread_time()
            vb.setXRange(x0, x1, padding=0)
            plot.viewport().repaint()
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
        t = time.perf_counter()
        sync.moved(plot)
        sync.apply()
        for other in sync.plots:
            if other is not plot:
                other.viewport().repaint()
        follow.append((time.perf_counter() - t) * 1000)
    times.sort()
    cpu.sort()
    return {"frame_median_ms": statistics.median(times), "frame_p95_ms": times[int(0.95 * (len(times) - 1))],
            "frame_max_ms": times[-1], "frames": float(len(times)), "follow_ms": max(follow),
            "frame_cpu_median_ms": statistics.median(cpu), "frame_cpu_p95_ms": cpu[int(0.95 * (len(cpu) - 1))]}


def report(schema: str, f: dict[str, float]) -> None:
    """A table of figures against the targets."""
    ok = "OK " if f["open_s"] <= OPEN_BUDGET_S else "OVER"
    fr = "OK " if f["frame_p95_ms"] <= FRAME_BUDGET_MS else "OVER"
    print(f"\n{schema}: {int(f['rows']):,} rows, {int(f['shown']):,} closed trades charted")
    print(f"  {'figure':42s} {'measured':>12s} {'target':>10s}")
    print(f"  {'tab opened -> all charts painted':42s} {f['open_s']:>10.3f} s {'<= 1 s':>10s} {ok}")
    print(f"  {'  CPU time used meanwhile (all threads)':42s} {f['open_cpu_s']:>10.3f} s")
    print(f"  {'  of which: read (worker threads)':42s} {f['load_s']:>10.3f} s")
    print(f"  {'  of which: compute + set data':42s} {f['compute_draw_s']:>10.3f} s")
    print(f"  {'  of which: first paint of 8 plots':42s} {f['paint_s']:>10.3f} s")
    print(f"  {'pan/zoom frame, median':42s} {f['frame_median_ms']:>9.2f} ms")
    print(f"  {'pan/zoom frame, 95th percentile':42s} {f['frame_p95_ms']:>9.2f} ms {'<= 16 ms':>10s} {fr}")
    print(f"  {'pan/zoom frame, worst':42s} {f['frame_max_ms']:>9.2f} ms")
    print(f"  {'pan/zoom frame CPU time, median / p95':42s} {f['frame_cpu_median_ms']:>6.2f} / "
          f"{f['frame_cpu_p95_ms']:.2f} ms (UI thread; what a quiet machine would show)")
    print(f"  {'other time plots follow, once per gesture':42s} {f['follow_ms']:>9.2f} ms")
    print(f"  {'live: check of a commit (trades unchanged?)':42s} {f['fingerprint_s']:>10.3f} s "
          "(worker thread; a changed table re-reads as above)")
    print(f"  ({int(f['frames'])} frames of zoom and pan on the cumulative and drawdown plots)")


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=1_000_000)
    parser.add_argument("--schema", choices=("adr", "deployed", "both"), default="both")
    parser.add_argument("--workers", type=int, default=2, help="reader threads (default 2)")
    args = parser.parse_args()
    schemas = ("adr", "deployed") if args.schema == "both" else (args.schema,)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (other processes compete for "
          "the CPUs: wall times include waiting; CPU times do not)")
    for schema in schemas:
        home = demo_home(schema, args.trades)
        measure(home, args.workers)  # warm the page cache and the imports: "opened" means a real, warm open
        report(schema, measure(home, args.workers))


if __name__ == "__main__":
    main()
