"""Run every benchmark: ``python -m tests.bench [NAME ...]``.

Each ``bench_*.py`` runs in its own process, one after the other (these
machines are noisy; never run two at once). Benchmarks are not collected by
the default test run (pyproject's ``--ignore=tests/bench``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    wanted = set(sys.argv[1:])
    failed = 0
    for path in sorted(here.glob("bench_*.py")):
        name = path.stem
        if wanted and name not in wanted and name.removeprefix("bench_") not in wanted:
            continue
        print(f"\n=== {name} ===", flush=True)
        rc = subprocess.call([sys.executable, "-m", f"tests.bench.{name}"], cwd=here.parent.parent)
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
