"""``lifeos-desk logs``: a log's lines in the terminal, filtered as in the window's filter bar.

The filter text has the window's syntax (``core/jsonl/filtering.py``): free
words match the raw line, ``field=value`` terms match a key (or a dotted path,
or a column: ``event``, ``level``, ``actor``, ``resource``). Files are opened as
the window opens them (``core/jsonl/safeopen.py``): a link out of the log
folders or a FIFO is refused. ``--follow`` keeps reading through rotation and
truncation (``core/jsonl/tail.py``) until SIGINT or SIGTERM.

Exit codes: 0 done (or stopped by a signal while following), 1 no such log or a
refused file, 2 a filter or time that cannot be read.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from types import FrameType

from ..core.jsonl.discovery import log_folders
from ..core.jsonl.entry import Entry
from ..core.jsonl.export import moment
from ..core.jsonl.filtering import FilterSpec, filter_timeline, parse_terms
from ..core.jsonl.safeopen import check
from ..core.jsonl.timeline import LogSet, Timeline
from ..core.paths import DataPaths

NAME = "logs"
HELP = "print a log's lines (the audit log by default), filtered like the window; --follow to keep reading"
BUDGET = 64 << 20
FOLLOW_EVERY_S = 0.25
_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """LOG, --filter, --since, --follow, --json, --utc."""
    parser.add_argument("log", nargs="?", metavar="LOG",
                        help="a log name (audit, trading, audit_20260102) or a file in the log folders; "
                             "default: the audit log")
    parser.add_argument("--filter", default="", metavar="EXPR",
                        help="words and field=value terms, as in the window's filter bar "
                             '(e.g. level=ERROR actor_id=42 "order filled")')
    parser.add_argument("--since", metavar="T",
                        help="only lines at or after T: 2026-01-02 14:30 (local time, or with a zone) or 10m, 2h, 3d")
    parser.add_argument("--follow", "-f", action="store_true",
                        help="keep printing new lines (through rotation) until Ctrl+C or SIGTERM")
    parser.add_argument("--json", action="store_true", help="print each entry as one JSON object per line")
    parser.add_argument("--utc", action="store_true", help="print times in UTC (default: local time)")


def parse_since(text: str, now: float | None = None) -> float:
    """Epoch seconds from ISO text (zone-less: local time) or a span back from now (``15m``)."""
    text = text.strip()
    found = _RELATIVE.match(text)
    if found:
        return (time.time() if now is None else now) - float(found[1]) * _UNITS[found[2]]
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since '{text}' is not a time; write 2026-01-02 14:30 or 2h") from None
    return value.timestamp()


def _spec(args: argparse.Namespace) -> FilterSpec:
    terms, words = parse_terms(args.filter)
    since = parse_since(args.since) if args.since else None
    return FilterSpec(text=words, terms=terms, since=since)


def _pick(logs: LogSet, wanted: str | None) -> Timeline | str:
    """The timeline asked for, or why there is none."""
    timelines = logs.timelines
    if not timelines:
        folders = ", ".join(str(f) for f in logs.folders)
        return f"no logs in the log folders ({folders})"
    if wanted is None:
        names = [t.name for t in timelines]
        return timelines[names.index("audit") if "audit" in names else 0]
    path = Path(wanted)
    if path.suffix in (".jsonl", ".gz") or "/" in wanted:
        reason = check(path, logs.folders)
        if reason is not None:
            return reason.replace("skipped", "refused", 1)
    for timeline in timelines:
        files = [p.path for p in timeline.spec.parts]
        if timeline.name == wanted or any(_same(path, f) for f in files):
            return timeline
    refused = [s for s in logs.skipped if wanted in s]
    if refused:
        return refused[0]
    known = ", ".join(dict.fromkeys(t.name for t in timelines))
    return f"no log named {wanted} (known: {known})"


def _same(a: Path, b: Path) -> bool:
    try:
        return a.absolute() == b.absolute() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _line(entry: Entry, utc: bool) -> str:
    if entry.data is None:
        return f"MALFORMED  {entry.problem}: {entry.summary}"
    when = moment(entry.time, utc)
    stamp = when.strftime("%Y-%m-%d %H:%M:%S") if when else "-"
    fields = [stamp, entry.level or "-", entry.event or "-", entry.actor, entry.summary]
    return "  ".join(f for f in fields if f)


def _json(entry: Entry) -> str:
    if entry.data is None:
        return json.dumps({"malformed": entry.problem, "raw": entry.raw}, ensure_ascii=False)
    return json.dumps(entry.data, ensure_ascii=False, default=str)


def _print_rows(timeline: Timeline, spec: FilterSpec, first: int, last: int, as_json: bool, utc: bool) -> None:
    rows = filter_timeline(timeline, spec, first, last)
    out = sys.stdout
    for row in rows:
        entry = timeline.entry(int(row))
        out.write((_json(entry) if as_json else _line(entry, utc)) + "\n")
    out.flush()


def _catch_up(timeline: Timeline) -> None:
    while not timeline.poll(BUDGET).caught_up:
        pass


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Print the matching lines; with --follow, keep printing new ones until a signal."""
    try:
        spec = _spec(args)
    except ValueError as exc:
        print(f"lifeos-desk logs: {exc}", file=sys.stderr)
        return 2
    logs = LogSet(log_folders(paths.logs, paths.home, paths.bot_dir))
    try:
        picked = _pick(logs, args.log)
        if isinstance(picked, str):
            print(f"lifeos-desk logs: {picked}", file=sys.stderr)
            return 1
        _catch_up(picked)
        problems = [p for p in picked.problems if p.startswith("skipped")]
        if problems and picked.count == 0:
            print(f"lifeos-desk logs: {problems[0]}", file=sys.stderr)
            return 1
        for problem in picked.problems:
            print(f"lifeos-desk logs: {problem}", file=sys.stderr)
        return _emit(picked, spec, args)
    except BrokenPipeError:
        return 0  # `| head` closed the pipe: not an error
    finally:
        logs.close()


def _emit(timeline: Timeline, spec: FilterSpec, args: argparse.Namespace) -> int:
    utc = bool(args.utc)
    shown = timeline.count
    _print_rows(timeline, spec, 0, shown, args.json, utc)
    if not args.follow:
        return 0
    stop = threading.Event()
    _stop_on_signals(stop)
    while not stop.wait(FOLLOW_EVERY_S):
        timeline.poll(BUDGET)
        if timeline.count > shown:
            _print_rows(timeline, spec, shown, timeline.count, args.json, utc)
            shown = timeline.count
    return 0



