"""``lifeos-desk audit --json`` and ``lifeos-desk inspect ID --json`` as child processes of the window.

docs/architecture.md, 'One SQLite library per process': the window holds
QtSql connections to the bot's databases, and the checks read them with
Python's sqlite3, so they run in a child (``core/selfcmd.self_command``), the
way ui/backups/runner.py runs backups. QProcess is asynchronous: no thread.
The child prints one JSON document on stdout and its progress, one line at a
time, on stderr. Cancel kills it (it only reads, so there is nothing to clean).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QObject, QProcess, Signal, Slot

from ...core.paths import DataPaths
from ...core.selfcmd import self_command

MAX_STDOUT = 256 << 20  # a document larger than this is refused, not parsed


def child_argv(paths: DataPaths, command: str, *args: str) -> list[str]:
    """argv running ``lifeos-desk <global options> <command> <args>`` on this session's paths."""
    argv = ["--home", str(paths.home), "--backups", str(paths.backups)]
    for folder in paths.logs:
        argv += ["--logs", str(folder)]
    if paths.bot_dir is not None:
        argv += ["--bot-dir", str(paths.bot_dir)]
    return self_command(*argv, command, *args)


class JsonChild(QObject):
    """One child at a time whose stdout is one JSON document.

    ``ok_codes`` are the exit codes that still carry a document (audit exits 1
    when it found errors; inspect exits 1 for an unknown id).

    Signals:
        progress(str): a line the child wrote on stderr.
        finished(object, int): the parsed document and the exit code.
        failed(str): it could not start, crashed, printed no document, or was cancelled.
    """

    progress = Signal(str)
    finished = Signal(object, int)
    failed = Signal(str)

    def __init__(self, paths: DataPaths, ok_codes: tuple[int, ...] = (0, 1), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self._ok = ok_codes
        self._proc: QProcess | None = None
        self._out = bytearray()
        self._err = b""
        self._last_err = ""
        self._cancelled = False

    def busy(self) -> bool:
        """Whether a child is running."""
        return self._proc is not None

    def pid(self) -> int:
        """The running child's process id (0 when none)."""
        return int(self._proc.processId()) if self._proc is not None else 0

    def start(self, command: str, *args: str) -> None:
        """Run ``lifeos-desk <command> <args>``; a running child is killed first."""
        self.cancel()
        self._out, self._err, self._last_err, self._cancelled = bytearray(), b"", "", False
        argv = child_argv(self._paths, command, *args)
        proc = QProcess(self)
        proc.setProgram(argv[0])
        proc.setArguments(argv[1:])
        proc.readyReadStandardOutput.connect(self._on_stdout)
        proc.readyReadStandardError.connect(self._on_stderr)
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self._proc = proc
        proc.start()

    def cancel(self) -> None:
        """Kill the running child and wait for it (it only reads: nothing to clean up)."""
        proc = self._proc
        if proc is None:
            return
        self._cancelled = True
        proc.kill()
        proc.waitForFinished(5000)
        if self._proc is proc:  # finished was not delivered while waiting
            self._done()
            self.failed.emit("cancelled")

    @Slot()
    def _on_stdout(self) -> None:
        if self._proc is not None:
            self._out += bytes(self._proc.readAllStandardOutput().data())
            if len(self._out) > MAX_STDOUT:
                self._last_err = "the child's output is larger than the bound; stopped"
                self._proc.kill()

    @Slot()
    def _on_stderr(self) -> None:
        if self._proc is None:
            return
        self._err += bytes(self._proc.readAllStandardError().data())
        *lines, self._err = self._err.split(b"\n")
        for raw in lines:
            text = raw.decode("utf-8", "replace").strip()
            if text:
                self._last_err = text
                self.progress.emit(text)

    @Slot(QProcess.ProcessError)
    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._proc is not None:
            program = self._proc.program()
            self._done()
            self.failed.emit(f"could not start {program}")

    @Slot(int, QProcess.ExitStatus)
    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        if self._proc is None:
            return
        self._on_stdout()
        self._on_stderr()
        out = bytes(self._out)
        cancelled = self._cancelled
        self._done()
        if cancelled:
            self.failed.emit("cancelled")
            return
        doc: Any = None
        if status == QProcess.ExitStatus.NormalExit and code in self._ok:
            try:
                doc = json.loads(out)
            except ValueError:
                doc = None
        if isinstance(doc, dict):
            self.finished.emit(doc, code)
        else:
            self.failed.emit(self._last_err or f"stopped (exit code {code})")

    def _done(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.deleteLater()
