"""Backup, verify and restore run in a child process; this reads its progress.

docs/architecture.md, 'One SQLite library per process': the window holds QtSql connections to the bot's
database, so Python's sqlite3 (the online backup API) must not touch that
file in this process. The child is ``python -m lifeos_desk <command> ...
--json-progress``: one JSON object per stdout line (see
``commands/archive_io.py``). QProcess is asynchronous (qutebrowser's way):
no thread here. Cancel sends SIGTERM; the child stops at its next chunk and
deletes its temporary files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from ...core.paths import DataPaths
from ...core.selfcmd import self_command

CANCEL_GRACE_MS = 5000


def child_command(paths: DataPaths, command: str, *args: str) -> list[str]:
    """argv running ``lifeos-desk <command>`` on these paths as a child (works frozen too)."""
    argv = ["--home", str(paths.home), "--backups", str(paths.backups)]
    for folder in paths.logs:
        argv += ["--logs", str(folder)]
    return self_command(*argv, command, *args, "--json-progress")


class ArchiveRunner(QObject):
    """One child process at a time, its JSON lines turned into signals.

    Signals:
        started(str): the command (backup, verify, restore) began.
        progress(str, int, int, str): stage, bytes done, total (0 = unknown), detail.
        preview(dict): restore only: what would change; answer with ``confirm``.
        finished(bool, dict, str): ok, the result object (or {}), a one-line message. When the child
            stopped on a cancel (the preview declined, Cancel), the dict holds ``"cancelled": True``.
    """

    started = Signal(str)
    progress = Signal(str, int, int, str)
    preview = Signal(dict)
    finished = Signal(bool, dict, str)

    def __init__(self, paths: DataPaths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self._proc: QProcess | None = None
        self._buffer = b""
        self._result: dict[str, Any] = {}
        self._error = ""
        self._cancelled = False
        self.command = ""
        self.exit_code: int | None = None  # the last child's exit code (None: it did not start or was killed)

    def busy(self) -> bool:
        """Whether a child is running."""
        return self._proc is not None

    def start(self, command: str, *args: str, env: Mapping[str, str] | None = None) -> None:
        """Run ``lifeos-desk <command> <args> --json-progress`` as a child.

        ``env``: variables added to the child's environment only (the migrate dialog's PGPASSWORD: a
        secret goes there, never on argv, docs/architecture.md, 'PostgreSQL').
        """
        if self._proc is not None:
            raise RuntimeError("an archive command is already running")
        self.command, self._buffer, self._result, self._error = command, b"", {}, ""
        self._cancelled, self.exit_code = False, None
        proc = QProcess(self)
        argv = child_command(self._paths, command, *args)
        proc.setProgram(argv[0])
        proc.setArguments(argv[1:])
        if env:
            environment = QProcessEnvironment.systemEnvironment()
            for name, value in env.items():
                environment.insert(name, value)
            proc.setProcessEnvironment(environment)
        proc.readyReadStandardOutput.connect(self._on_output)
        proc.finished.connect(self._on_finished)
        proc.errorOccurred.connect(self._on_error)
        self._proc = proc
        proc.start()
        self.started.emit(command)

    def confirm(self, yes: bool, accept_schema: bool = False, only: list[str] | None = None) -> None:
        """Answer a restore preview: ``yes`` goes on, anything else cancels with nothing changed.

        ``accept_schema``: the admin also accepted the schema objects that differ; ``only``: the stores
        ticked in the preview (None: all), sent as ``only <JSON list>`` (commands/restore.py, parse_answer).
        """
        if self._proc is not None:
            answer = b"yes accept-schema" if yes and accept_schema else b"yes" if yes else b"no"
            if yes and only is not None:
                answer += b" only " + json.dumps(only).encode("utf-8")
            answer += b"\n"
            self._proc.write(answer)
            self._proc.closeWriteChannel()

    def cancel(self) -> None:
        """Stop the child (SIGTERM, then kill after a grace period); synchronous."""
        proc = self._proc
        if proc is None:
            return
        proc.terminate()
        if not proc.waitForFinished(CANCEL_GRACE_MS):
            proc.kill()
            proc.waitForFinished(CANCEL_GRACE_MS)

    def wait(self, ms: int) -> None:
        """Wait up to ``ms`` for the running child to end by itself (the window is closing)."""
        if self._proc is not None:
            self._proc.waitForFinished(ms)

    def _on_output(self) -> None:
        assert self._proc is not None
        self._buffer += bytes(self._proc.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            self._handle(line)

    def _handle(self, line: bytes) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            return
        if not isinstance(event, dict):
            return
        kind = event.pop("event", "")
        if kind == "progress":
            self.progress.emit(str(event.get("stage", "")), int(event.get("done", 0)), int(event.get("total", 0)),
                               str(event.get("detail", "")))
        elif kind == "preview":
            self.preview.emit(event)
        elif kind == "result":
            self._result = event
        elif kind == "error":
            self._error = str(event.get("message", ""))
            self._cancelled = bool(event.get("cancelled"))

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            program = self._proc.program() if self._proc is not None else "the archive command"
            self._error = f"could not start {program}"
            self._done(False)

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self.exit_code = code if status == QProcess.ExitStatus.NormalExit else None
        if self._proc is not None and self._buffer:
            self._handle(self._buffer)
        stderr = bytes(self._proc.readAllStandardError().data()).decode(errors="replace") if self._proc else ""
        if not self._error and code != 0:
            last = [ln for ln in stderr.splitlines() if ln.strip()]
            self._error = last[-1] if last else f"stopped (exit code {code})"
        self._done(code == 0 and bool(self._result))

    def _done(self, ok: bool) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.deleteLater()
        message = str(self._result.get("message", "")) if ok else (self._error or "failed")
        if not ok and self._result.get("message"):
            message = str(self._result["message"])
        result = dict(self._result)
        if not ok and self._cancelled:
            result["cancelled"] = True
        self.finished.emit(ok, result, message)
