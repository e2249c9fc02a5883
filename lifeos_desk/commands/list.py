"""``lifeos-desk list``: the archives in the backups folder, newest first."""

from __future__ import annotations

import argparse
import json

from ..core.archive import list_archives
from ..core.paths import DataPaths
from ..core.units import human_size

NAME = "list"
HELP = "list the archives in the backups folder: date, size, made by the console or the script, last verify"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--json for scripts."""
    parser.add_argument("--json", action="store_true", help="print a JSON array instead of a table")


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Print the table (or JSON); an empty or missing folder is not an error."""
    entries = list_archives(paths.backups)
    if args.json:
        print(json.dumps([e.as_json() for e in entries], indent=2))
        return 0
    if not entries:
        print(f"no archives in {paths.backups}")
        return 0
    # "+ PostgreSQL": the archive holds a pg_dump member (core/archive/pgmember.py); the column widens for it.
    origins = [e.origin + (" (safety)" if e.purpose == "safety" else "") + (" + PostgreSQL" if e.postgresql else "")
               for e in entries]
    width = max([16, *(len(o) for o in origins)])
    print(f"{'archive':<24} {'date':<19} {'size':>10}  {'made by':<{width}} last verify")
    for e, origin in zip(entries, origins, strict=True):
        check = "never" if e.check is None else ("OK" if e.check.get("ok") else "FAILED")
        when = f"{e.when:%Y-%m-%d %H:%M:%S}" if e.when else "(unrecognised name)"
        print(f"{e.path.name:<24} {when:<19} {human_size(e.size):>10}  {origin:<{width}} {check}")
    return 0
