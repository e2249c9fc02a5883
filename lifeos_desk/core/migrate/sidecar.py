"""The source checksums in a second process, computed while the load runs (issue 16, "Speed").

Hashing every row in Python holds the GIL, so a thread would only take
turns with the COPY loop; a child process gets the second core. It reads
the private snapshot copy (opened immutable: no locks, the same bytes the
load reads), so the two never wait for each other. It is started with
``subprocess`` rather than ``multiprocessing``: spawn's bootstrap re-imports
the parent's main module, and ``python -m lifeos_desk``'s main module runs
the command line (docs/architecture.md, 'Threads and child processes').

Protocol, all of it between this process and its own child: on stdin one
JSON line (the parent's ``sys.path``, so the child imports the same code)
and a pickle of the jobs ``[(store key, snapshot path, plans)]``; on stdout
one JSON line per table, ``{"store", "table", "rows", "total", "seconds"}``
or ``{"store", "table", "refuted": message}``.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from types import TracebackType
from typing import Any

from ..archive.progress import CancelFlag
from .errors import MigrateError
from .translate import TablePlan
from .verify import Checksum, Refuted, sqlite_checksum

Job = tuple[str, Path, Sequence[TablePlan]]
_BOOT = ("import json, sys; sys.path[:0] = json.loads(sys.stdin.buffer.readline()); "
         "from lifeos_desk.core.migrate.sidecar import serve; serve()")
_WAIT_S = 0.1  # how often a wait looks at the cancel flag


class SourceChecksums:
    """A running child computing the SQLite side of every job's tables; ``get`` waits for one."""

    def __init__(self, jobs: Sequence[Job]) -> None:
        self._results: dict[tuple[str, str], Checksum | str] = {}
        self._seconds = 0.0
        self._done = False
        self._cond = threading.Condition()
        self._proc = subprocess.Popen([sys.executable, "-c", _BOOT], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        payload = [(key, str(path), list(plans)) for key, path, plans in jobs]
        assert self._proc.stdin is not None
        try:
            with self._proc.stdin as stdin:
                stdin.write(json.dumps(sys.path).encode() + b"\n" + pickle.dumps(payload))
        except BrokenPipeError:  # it died at start; get() reports its stderr
            pass
        self._reader = threading.Thread(target=self._read, name="source-checksums", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            msg = json.loads(line)
            key = (str(msg["store"]), str(msg["table"]))
            value = str(msg["refuted"]) if "refuted" in msg else Checksum(int(msg["rows"]), int(msg["total"]))
            with self._cond:
                self._results[key] = value
                self._seconds += float(msg.get("seconds", 0.0))
                self._cond.notify_all()
        with self._cond:
            self._done = True
            self._cond.notify_all()

    @property
    def seconds(self) -> float:
        """The child's time so far on the tables it finished (it ran beside the load)."""
        with self._cond:
            return self._seconds

    def refuted(self, store: str) -> str | None:
        """A refutation already reported for one of ``store``'s tables (never waits)."""
        with self._cond:
            return next((v for (s, _t), v in self._results.items() if s == store and isinstance(v, str)), None)

    def get(self, store: str, table: str, cancel: CancelFlag) -> Checksum:
        """The table's checksum, waiting for it; Refuted, Cancelled, or MigrateError if the child failed."""
        key = (store, table)
        with self._cond:
            while key not in self._results and not self._done:
                self._cond.wait(_WAIT_S)
                cancel.check()
            value = self._results.get(key)
        if value is None:
            raise MigrateError(f"the source checksum of {table} failed: {self._failure()}")
        if isinstance(value, str):
            raise Refuted(value)
        return value

    def _failure(self) -> str:
        self._proc.wait()
        assert self._proc.stderr is not None
        lines = self._proc.stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"the checksum process exited with {self._proc.returncode}"

    def close(self) -> None:
        """Stop the child if it is still working (a cancel, a failure, a refuted plan)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._reader.join()
        for pipe in (self._proc.stdout, self._proc.stderr):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> SourceChecksums:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def serve() -> None:
    """The child: checksum every job's tables and report each as it is done."""
    from ..archive.snapshot import open_copy

    jobs: list[tuple[str, str, list[TablePlan]]] = pickle.load(sys.stdin.buffer)
    for key, path, plans in jobs:
        with closing(open_copy(Path(path))) as con:
            con.execute("PRAGMA mmap_size=1099511627776")
            for plan in plans:
                t0 = time.perf_counter()
                msg: dict[str, Any] = {"store": key, "table": plan.name}
                try:
                    found = sqlite_checksum(con, plan)
                except Refuted as exc:
                    msg["refuted"] = str(exc)
                else:
                    msg.update(rows=found.rows, total=found.total, seconds=time.perf_counter() - t0)
                sys.stdout.write(json.dumps(msg) + "\n")
                sys.stdout.flush()
