"""The emergency-stop banner: an active kill switch shown in the status bar, whatever area is open.

``~/.lifeos/trading/emergency_stop.json`` (docs/data-formats.md, 'Emergency
stop') is rewritten in place without a lock, so a read can meet it half
written; the banner then keeps what it showed (the ``StateFile`` keeps the
last complete read) and says in its tooltip that it may be stale. The file
is one small object, bounded at ``EMERGENCY_LIMIT``, so it is read on the UI
thread; the poll is ``FilePoller``'s.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from ...core.trading import EMERGENCY_LIMIT, EmergencyStop, StateFile, StopLevel, active_stop
from ...core.trading.state import parse_emergency_document
from .models import TimeFormat
from .watch import FilePoller

_COLOURS = {
    StopLevel.TOKEN_PAUSE: "#f9a825",
    StopLevel.SOFT_STOP: "#ef6c00",
    StopLevel.HARD_STOP: "#c62828",
    StopLevel.KILL_SWITCH: "#7f0000",
}
_WORDS = {
    StopLevel.TOKEN_PAUSE: "tokens paused",
    StopLevel.SOFT_STOP: "no new positions",
    StopLevel.HARD_STOP: "closing all positions",
    StopLevel.KILL_SWITCH: "all trading halted",
}
MAX_TOKENS_SHOWN = 2
MAX_REASON = 48


def _short(mint: str) -> str:
    return mint if len(mint) <= 12 else f"{mint[:4]}…{mint[-4:]}"


def banner_text(stop: EmergencyStop, compact: bool = False) -> str:
    """Level, what it means, reason, paused tokens; ``compact`` for the status bar (the tooltip has it all)."""
    parts = [f"EMERGENCY STOP: {stop.raw_level}", "" if compact else _WORDS.get(stop.level, "")]
    limit = MAX_REASON // 2 if compact else MAX_REASON
    if stop.reason:
        reason = stop.reason if len(stop.reason) <= limit else stop.reason[: limit - 1] + "…"
        parts.append(f"“{reason}”")
    tokens = stop.paused_tokens
    if tokens:
        shown = 1 if compact else MAX_TOKENS_SHOWN
        more = len(tokens) - shown
        parts.append("paused: " + ", ".join(_short(t) for t in tokens[:shown]) + (f" +{more}" if more > 0 else ""))
    return " — ".join(p for p in parts if p)


class EmergencyStopBanner(QWidget):
    """Hidden while trading runs; a coloured label while an emergency stop is in force.

    Signals:
        activeChanged(bool): an emergency stop came into force (True) or was lifted.
    """

    activeChanged = Signal(bool)

    def __init__(self, fmt: TimeFormat, parent: QWidget | None = None, *, poll_ms: int = 500) -> None:
        super().__init__(parent)
        self.setObjectName("emergencyBanner")
        self._fmt = fmt
        self._file: StateFile[EmergencyStop] | None = None
        self._stop: EmergencyStop | None = None
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        # Never squeezed by the status bar's other labels: this is the one that matters most.
        self.label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self._poller = FilePoller(poll_ms, self)
        self._poller.changed.connect(self._on_changed)
        self.hide()

    def watch(self, path: Path, root: Path | None = None) -> None:
        """Follow this ``emergency_stop.json`` (``root``: the folder it must stay in, the home)."""
        self._poller.clear()
        self._file = StateFile(path, root or path.parent, EMERGENCY_LIMIT, parse_emergency_document)
        self._poller.watch(path)
        self.reload()

    def stop_watching(self) -> None:
        """Stop polling and hide (the home is closing)."""
        self._poller.stop()
        self._file = None
        self._show(None, "")

    def stop(self) -> EmergencyStop | None:
        """The emergency stop in force, or None."""
        return self._stop

    @Slot()
    def reload(self) -> None:
        """Read the file now and show what it says."""
        if self._file is None:
            return
        snap = self._file.read()
        self._show(active_stop(snap), snap.notice if snap.stale else "")

    @Slot(str)
    def _on_changed(self, _path: str) -> None:
        self.reload()

    def _show(self, stop: EmergencyStop | None, stale: str) -> None:
        was = self._stop is not None
        self._stop = stop
        if stop is None:
            self.hide()
        else:
            self.label.setText(" " + banner_text(stop, compact=True) + (" (may be stale)" if stale else "") + " ")
            colour = _COLOURS.get(stop.level, "#7f0000")
            self.label.setStyleSheet(f"background:{colour};color:white;font-weight:bold;padding:1px 6px;")
            self.setToolTip(self._tooltip(stop, stale))
            self.show()
        if was != (stop is not None):
            self.activeChanged.emit(stop is not None)

    def _tooltip(self, stop: EmergencyStop, stale: str) -> str:
        path = self._file.path if self._file else ""
        rows = [
            ("Level", stop.raw_level), ("Reason", stop.reason or "—"),
            ("Activated", f"{self._fmt(stop.activated_at)} by {stop.activated_by or 'unknown'}"),
            ("Unwind", stop.unwind_strategy), ("Auto-resume", self._fmt(stop.auto_resume_at)),
            ("Paused tokens", "<br>".join(escape(t) for t in stop.paused_tokens) or "—"), ("File", str(path)),
        ]
        body = "".join(f"<tr><td><b>{k}</b></td><td>{v if k == 'Paused tokens' else escape(v)}</td></tr>"
                       for k, v in rows)
        note = f"<p>{escape(stale)}</p>" if stale else ""
        return f"<table>{body}</table>{note}"
