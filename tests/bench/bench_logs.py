"""Benchmark: the Audit log viewer on a 1,000,000-line, ~300 MB audit log (issue 5).

Targets on the 2-core machine, file in the page cache (the window is measured in
a fresh process whose viewer code was warmed on a ten-line log first):
  first screen <= 150 ms; whole file indexed (exact count, scrollable) <= 0.5 s;
  free-text filter over the whole file <= 1 s; RSS for the indexed file < 100 MB
  above the empty window; with a separate process appending 2,000 lines/s:
  95th-percentile write -> display delay <= 300 ms and no event-loop gap > 50 ms.

The log is generated once in the deployed audit trail's shape under
/tmp/lifeos-bench-logs/ and reused.

    /work/venv/bin/python -m tests.bench.bench_logs [--lines N] [--live-seconds S]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from lifeos_desk.core.jsonl.filtering import FilterSpec, filter_timeline
from lifeos_desk.core.jsonl.timeline import LogSet

ROOT = Path("/tmp/lifeos-bench-logs")
EVENTS = ["login", "logout", "login_failed", "api_access", "data_access", "data_modify", "data_delete",
          "config_change", "permission_change", "secret_access", "secret_rotate", "admin_action",
          "security_alert", "trade_execute", "wallet_access"]
RARE = "permission_denied_by_policy"
TEMPLATE = ('{"timestamp": %.6f, "event_type": "%s", "actor_id": "%d", "action": "%s", "resource_type": "%s", '
            '"resource_id": %s, "ip_address": null, "user_agent": %s, '
            '"details": %s, "success": %s, "error_message": %s, "timestamp_iso": "%s"}\n')
AGENTS = ('"python-telegram-bot/21.6"', "null")
DETAILS = [f'{{"symbol": "{s}"}}' for s in ("SOL", "BONK", "JUP", "WIF")]
ACTIONS = ["bot_start", "bot_stop", "bot_start", "jupiter_quote", "view_portfolio", "update_settings", "clear_alerts",
           "set_risk_level", "grant", "decrypt_wallet_key", "rotate", "broadcast", "rate_limit", "buy", "view_balance"]


def resource(kind: int, actor: int, rnd: random.Random) -> tuple[str, str]:
    """(resource_type, resource_id JSON) as the deployed trail writes them for each event type."""
    if kind < 3:
        return "session", f'"{actor}"'
    if kind == 3:
        return "api", "null"
    if kind in (9, 14):
        return "wallet", f'"wallet_{actor}_{rnd.getrandbits(64):016x}"'
    if kind == 13:
        return "transaction", f'"tx_{actor}_{rnd.getrandbits(64):016x}"'
    return "user", f'"{actor}"'


def generate(path: Path, lines: int) -> None:
    """The deployed audit trail's shape, ~300 bytes a line; one line in 50,000 holds RARE."""
    rnd = random.Random(5)
    start = time.time() - lines * 0.05
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8") as out:
        batch: list[str] = []
        for i in range(lines):
            ts = start + i * 0.05
            ok = rnd.random() > 0.03
            actor = rnd.randint(100_000_000, 999_999_999)
            batch.append(TEMPLATE % (
                ts, EVENTS[i % 15], actor, RARE if i % 50_000 == 7 else ACTIONS[i % 15], *resource(i % 15, actor, rnd),
                AGENTS[i % 2], "null" if i % 3 else DETAILS[i % 4],
                "true" if ok else "false", "null" if ok else '"denied"',
                time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(ts)) + f".{int(ts % 1 * 1e6):06d}"))
            if len(batch) == 20_000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
    tmp.replace(path)


def rss_mb() -> float:
    """Resident memory of this process (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def warm(path: Path) -> None:
    with open(path, "rb", buffering=0) as f:
        while f.read(16 << 20):
            pass


def core_figures(folder: Path) -> dict[str, float]:
    """Index time (best of 3) and free-text filters, without Qt."""
    best = float("inf")
    count = 0
    for _ in range(3):
        logs = LogSet([folder])
        t0 = time.perf_counter()
        while not logs.poll(1 << 40).caught_up:
            pass
        best = min(best, time.perf_counter() - t0)
        count = logs.timelines[0].count
        timeline = logs.timelines[0]
    size = (folder / "audit.jsonl").stat().st_size
    figures = {"lines": count, "mb": size / 1e6, "index_s": best, "index_mbps": size / 1e6 / best}
    for name, text in (("filter_common_s", "security_alert"), ("filter_rare_s", RARE)):
        t0 = time.perf_counter()
        hits = filter_timeline(timeline, FilterSpec(text=text))
        figures[name] = time.perf_counter() - t0
        figures[name.replace("_s", "_hits")] = len(hits)
    t0 = time.perf_counter()
    filter_timeline(timeline, FilterSpec(actor="123456789"))
    figures["filter_actor_s"] = time.perf_counter() - t0
    logs.close()
    return figures


WRITER = r"""
import json, os, sys, time
path, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
fd = os.open(path, os.O_WRONLY | os.O_APPEND)
start = time.time(); n = 0
while time.time() - start < seconds:
    due = int((time.time() - start) * rate) - n
    if due > 0:
        now = time.time()
        os.write(fd, b"".join(json.dumps({"timestamp": now, "event_type": "api_access", "actor_id": "bench",
                 "written_at": now, "n": n + k}).encode() + b"\n" for k in range(due)))
        n += due
    time.sleep(0.002)
os.close(fd)
print(n)
"""


def ui_figures(folder: Path, live_seconds: float, rate: float) -> dict[str, float]:
    """First screen, UI indexing, RSS, live delay and event-loop gaps, in one window."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from lifeos_desk.ui.logs.area import LogsArea

    app = QApplication.instance() or QApplication([])
    # "The empty window": the viewer's code loaded and drawn once over a 100-line log of the same
    # shape (as in the console, where Qt's enums, fonts and the area's modules are warm before a
    # big log is opened), then closed. Its RSS is the baseline; what follows is the big log's cost.
    with tempfile.TemporaryDirectory() as tiny:
        generate(Path(tiny, "audit.jsonl"), 100)
        empty = LogsArea((Path(tiny),))
        empty.resize(1280, 800)
        empty.show()
        for _ in range(20):
            app.processEvents()
        empty.close()
        empty.deleteLater()
        for _ in range(20):
            app.processEvents()
    base_rss = rss_mb()
    # Wall-clock gaps between ticks, and the UI thread's own CPU time in each gap: on a shared
    # machine a long wall gap with little CPU is the OS running someone else, not the viewer blocking.
    gaps: list[float] = []
    busy: list[float] = []
    last = [time.perf_counter(), time.thread_time()]

    def tick() -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        gaps.append(now - last[0])
        busy.append(cpu - last[1])
        last[0], last[1] = now, cpu

    ticker = QTimer()
    ticker.setInterval(5)
    ticker.timeout.connect(tick)

    painted: list[float] = []

    class FirstPaint(QObject):
        """Notes the table viewport's first paint with rows in it."""

        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not painted and area.model.rowCount():
                painted.append(time.perf_counter())
            return False

    spy = FirstPaint()
    t0 = time.perf_counter()
    area = LogsArea((folder,))
    area.table.viewport().installEventFilter(spy)
    area.resize(1280, 800)
    area.show()
    first_screen = float("nan")
    while time.perf_counter() - t0 < 10:
        app.processEvents()
        if painted:  # the paint event that showed rows has been handled by now
            first_screen = time.perf_counter() - t0
            break
    shown_first = area.model.rowCount()
    ticker.start()
    last[0], last[1] = time.perf_counter(), time.thread_time()
    total = area.logs.timelines[0]
    while not total.live.segments or not _caught_up(area):
        app.processEvents()
    ui_index = time.perf_counter() - t0
    index_gap = max(gaps) if gaps else 0.0
    index_busy = max(busy) if busy else 0.0
    for _ in range(20):
        app.processEvents()
    rss_after = rss_mb()

    delays: list[float] = []

    def on_rows(_parent: object, first: int, last_row: int) -> None:
        now = time.time()
        for row in range(first, last_row + 1):
            data = area.model.entry(row).data
            if data and "written_at" in data:
                delays.append(now - float(data["written_at"]))

    area.model.rowsInserted.connect(on_rows)
    gaps.clear()
    busy.clear()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder / "audit.jsonl"), str(rate), str(live_seconds)],
                              stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + live_seconds + 5
    while writer.poll() is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)
    written = int((writer.communicate(timeout=10)[0] or "0").strip() or 0)
    settle = time.monotonic() + 1.0
    while len(delays) < written and time.monotonic() < settle:
        app.processEvents()
        time.sleep(0.001)
    ticker.stop()
    delays.sort()
    p95 = delays[int(len(delays) * 0.95) - 1] if delays else float("nan")
    return {"first_screen_s": first_screen, "first_rows": shown_first, "ui_index_s": ui_index,
            "index_gap_s": index_gap, "index_busy_s": index_busy,
            "live_busy_s": max(busy) if busy else float("nan"),
            "rss_above_empty_mb": rss_after - base_rss, "live_written": written,
            "live_seen": len(delays), "live_p95_s": p95, "live_max_s": delays[-1] if delays else float("nan"),
            "live_gap_s": max(gaps) if gaps else float("nan")}


def _caught_up(area: object) -> bool:
    from lifeos_desk.ui.logs.area import LogsArea

    assert isinstance(area, LogsArea)
    timeline = area.logs.timelines[0]
    return area.follower.caught_up and area.model.rowCount() == timeline.count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--live-seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--ui-only", type=Path, help=argparse.SUPPRESS)  # the child that measures the window
    args = parser.parse_args()
    if args.ui_only:
        print(json.dumps(ui_figures(args.ui_only, args.live_seconds, args.rate)))
        return 0
    folder = ROOT / f"v2-{args.lines}"
    path = folder / "audit.jsonl"
    pristine = folder / "audit.pristine"
    if not pristine.exists():
        print(f"generating {args.lines:,} lines in {pristine} ...", flush=True)
        generate(pristine, args.lines)
    # the live run appends: start every run from the same bytes
    subprocess.run(["cp", "--reflink=auto", str(pristine), str(path)], check=True)
    warm(path)
    core = core_figures(folder)
    # The window is measured in a fresh process, so its RSS baseline holds nothing of the core runs.
    child = subprocess.run([sys.executable, "-m", "tests.bench.bench_logs", "--ui-only", str(folder),
                            "--live-seconds", str(args.live_seconds), "--rate", str(args.rate)],
                           capture_output=True, text=True, check=True)
    ui = json.loads(child.stdout.strip().splitlines()[-1])
    rows = [
        ("lines / size", f"{core['lines']:,.0f} / {core['mb']:.0f} MB", "1,000,000 / ~300 MB", None),
        ("index whole file (core, best of 3)", f"{core['index_s'] * 1000:.0f} ms ({core['index_mbps']:,.0f} MB/s)",
         "<= 500 ms (lnav ~540 MB/s)", core["index_s"] <= 0.5),
        ("first screen in the window", f"{ui['first_screen_s'] * 1000:.0f} ms ({ui['first_rows']:,.0f} rows)",
         "<= 150 ms", ui["first_screen_s"] <= 0.15),
        ("whole file indexed in the window", f"{ui['ui_index_s'] * 1000:.0f} ms", "<= 500 ms",
         ui["ui_index_s"] <= 0.5),
        ("longest event-loop gap while indexing", f"{ui['index_gap_s'] * 1000:.0f} ms "
         f"(UI thread CPU {ui['index_busy_s'] * 1000:.0f} ms)", "<= 50 ms", ui["index_gap_s"] <= 0.05),
        ("free-text filter, common word", f"{core['filter_common_s'] * 1000:.0f} ms "
         f"({core['filter_common_hits']:,.0f} hits)", "<= 1000 ms", core["filter_common_s"] <= 1.0),
        ("free-text filter, rare word", f"{core['filter_rare_s'] * 1000:.0f} ms ({core['filter_rare_hits']:,.0f} hits)",
         "<= 1000 ms", core["filter_rare_s"] <= 1.0),
        ("actor filter (prefilter + parse)", f"{core['filter_actor_s'] * 1000:.0f} ms", "(no target)", None),
        ("RSS above the empty window", f"{ui['rss_above_empty_mb']:.0f} MB", "< 100 MB",
         ui["rss_above_empty_mb"] < 100),
        (f"live {args.rate:,.0f} lines/s: seen / written", f"{ui['live_seen']:,.0f} / {ui['live_written']:,.0f}",
         "all", ui["live_seen"] == ui["live_written"]),
        ("live: write -> display p95 (max)", f"{ui['live_p95_s'] * 1000:.0f} ms ({ui['live_max_s'] * 1000:.0f} ms)",
         "<= 300 ms", ui["live_p95_s"] <= 0.3),
        ("live: longest event-loop gap", f"{ui['live_gap_s'] * 1000:.0f} ms (UI thread CPU "
         f"{ui['live_busy_s'] * 1000:.0f} ms)", "<= 50 ms", ui["live_gap_s"] <= 0.05),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure'.ljust(width)}  {'figure':<34} {'target':<26} ok")
    for name, figure, target, ok in rows:
        mark = "" if ok is None else ("yes" if ok else "NO")
        print(f"{name.ljust(width)}  {figure:<34} {target:<26} {mark}")
    print(f"\n(load average now: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
