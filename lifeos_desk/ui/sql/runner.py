"""The SQL console's queries run in a ``lifeos-desk query --json`` child, killed to cancel.

Why a child and not a QtSql connection on a worker thread: a long query can
only be stopped from outside by ``sqlite3_interrupt``, and QtSql offers no
way to it (PySide6 does not expose ``QSqlDriver.handle()``, and the QSQLITE
plugin exports none of SQLite's symbols), nor a progress handler. A thread
that cannot be stopped would keep its read transaction open and pin the
bot's WAL (docs/architecture.md, 'Half-read statements pin the WAL') until
the query ended by itself. A child process can always be killed, and the
OS then drops its locks; it also keeps Python's sqlite3 out of the window's
process (docs/architecture.md, 'One SQLite library per process' and
'Threads and child processes'). The SQL goes in on stdin, not argv (other
users can read argv). QProcess is asynchronous: no thread here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, Signal, Slot

from ...core.selfcmd import self_command


def query_argv(store: Path, limit: int) -> list[str]:
    """argv of the child for one statement read from stdin."""
    return self_command("query", "-", "--store", str(store), "--json", "--limit", str(limit))


def schema_argv(store: Path) -> list[str]:
    """argv of the child that describes the schema."""
    return self_command("query", "--schema", "--store", str(store), "--json")


class ChildQuery(QObject):
    """One ``lifeos-desk query`` child at a time; its JSON answer as a signal.

    Signals:
        done(int, dict, str): the exit code (``commands/query.py``), the JSON
            object it printed ({} if none) and its last stderr line. Exit -1:
            it could not start or was cancelled (the dict then holds
            ``"cancelled": True``).
    """

    done = Signal(int, dict, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._proc: QProcess | None = None
        self._cancelled = False

    def busy(self) -> bool:
        """A child is running."""
        return self._proc is not None

    def start(self, argv: list[str], stdin: str = "") -> None:
        """Start the child and hand it ``stdin``."""
        if self._proc is not None:
            raise RuntimeError("a query is already running")
        self._cancelled = False
        proc = QProcess(self)
        proc.setProgram(argv[0])
        proc.setArguments(argv[1:])
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self._proc = proc
        proc.start()
        proc.write(stdin.encode("utf-8"))
        proc.closeWriteChannel()

    def wait_done(self, ms: int) -> None:
        """Block until the running child ended (``done`` is emitted inside): screenshots and closing."""
        if self._proc is not None:
            self._proc.waitForFinished(ms)

    def cancel(self) -> None:
        """Kill the child now: a reader killed mid-query loses nothing, and its locks go with it."""
        proc = self._proc
        if proc is None:
            return
        self._cancelled = True
        proc.kill()
        proc.waitForFinished(5000)

    @Slot(QProcess.ProcessError)
    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._proc is not None:
            program = self._proc.program()
            self._finish(-1, {}, f"could not start {program}")

    @Slot(int, QProcess.ExitStatus)
    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        proc = self._proc
        if proc is None:
            return
        out = bytes(proc.readAllStandardOutput().data()).decode("utf-8", "replace")
        err = bytes(proc.readAllStandardError().data()).decode("utf-8", "replace")
        payload = _last_object(out)
        last = next((ln for ln in reversed(err.splitlines()) if ln.strip()), "")
        if self._cancelled or status == QProcess.ExitStatus.CrashExit:
            payload, code = {"cancelled": self._cancelled}, -1
            last = "cancelled" if self._cancelled else f"the query process stopped ({last or 'crashed'})"
        self._finish(code, payload, last.removeprefix("lifeos-desk query: "))

    def _finish(self, code: int, payload: dict[str, Any], message: str) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.deleteLater()
        self.done.emit(code, payload, message)


def _last_object(text: str) -> dict[str, Any]:
    for line in reversed(text.splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return {}
