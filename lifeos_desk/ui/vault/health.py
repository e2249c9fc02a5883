"""The vault's Health page: what on disk puts the keys at risk, and the fix for each.

Modelled on KeePassXC's Health Check report: findings grouped by severity,
each with an icon, what was found and where, a short explanation and the
fix. The findings come from core/keystores ``check_health`` (run by
``StoresController`` on a worker thread: the weak-passphrase tries cost one
KDF per key, so there is progress and Cancel). A finding holds no secret
value by construction (core/keystores/health.py); the page shows only its
fields, HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.keystores.health import Finding, HealthReport, Severity
from ...core.keystores.model import KeyStore
from .stores import StoresController

SEVERITY_LOOK = {
    Severity.CRITICAL: ("✖", "#d64545", "Critical"),
    Severity.WARNING: ("⚠", "#d9822b", "Warnings"),
    Severity.INFO: ("ℹ", "#2f7fd1", "Notes"),
}


def _finding_html(f: Finding) -> str:
    icon, color, _ = SEVERITY_LOOK[f.severity]
    where = html.escape(f.path)
    store = f" · store <b>{html.escape(f.store)}</b>" if f.store else ""
    return (f"<tr><td valign='top' style='color:{color};font-size:16px;padding-right:6px'>{icon}</td>"
            f"<td><b>{html.escape(f.id)}</b>{store}<br><span style='color:#808080'>{where}</span><br>"
            f"{html.escape(f.explanation)}<br><i>Fix:</i> {html.escape(f.fix)}</td></tr>")


def report_html(report: HealthReport) -> str:
    """The report as HTML: one section per severity, critical first (only the findings' own fields)."""
    if not report.findings:
        return "<p><b>✓ Nothing found.</b> No plaintext key, readable key file or weak passphrase.</p>"
    parts = []
    for severity in Severity:
        found = [f for f in report.findings if f.severity is severity]
        if not found:
            continue
        icon, color, title = SEVERITY_LOOK[severity]
        parts.append(f"<h3 style='color:{color}'>{icon} {title} ({len(found)})</h3>"
                     "<table cellspacing='4'>" + "".join(_finding_html(f) for f in found) + "</table>")
    return "".join(parts)


def summary_text(report: HealthReport) -> str:
    """One line: counts per severity and whether the weak passphrases were tried."""
    counts = {s: sum(f.severity is s for f in report.findings) for s in Severity}
    text = f"{counts[Severity.CRITICAL]} critical, {counts[Severity.WARNING]} warning(s), " \
           f"{counts[Severity.INFO]} note(s)"
    if report.cancelled:
        text += " — cancelled: the weak-passphrase tries did not finish"
    elif not report.tried_weak:
        text += " — \"default\" and empty passphrases not tried"
    return text


def _no_public() -> KeyStore | None:
    return None


class HealthPage(QWidget):
    """The findings, a Re-run button, progress and Cancel.

    Signals:
        runRequested(bool): run the check (True: also try "default" and the empty passphrase).
        cancelRequested(): stop the running check.
    """

    runRequested = Signal(bool)
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vaultHealth")
        self.has_run = False
        self.running = False
        self._stores: StoresController | None = None
        self._public: Callable[[], KeyStore | None] = _no_public
        self.run_button = QPushButton("Re-run")
        self.run_button.setToolTip("Check every store again")
        self.run_button.clicked.connect(self._on_run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.cancel_button.hide()
        self.try_weak = QCheckBox('Try "default" and the empty passphrase (one key derivation per wallet)')
        self.try_weak.setChecked(True)
        self.summary = QLabel("Not run yet.")
        self.summary.setObjectName("vaultHealthSummary")
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m keys")
        self.progress.hide()
        self.report = QTextBrowser()
        self.report.setObjectName("vaultHealthReport")
        self.report.setOpenLinks(False)
        self.report.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        self.report.setHtml("<p>The check reads file names, modes and public keys; with the box ticked it "
                            "also tries the bot's built-in passphrase \"default\" and the empty one.</p>")
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Secrets health</b>"))
        head.addWidget(self.try_weak, 1)
        head.addWidget(self.run_button)
        head.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.report, 1)

    def bind(self, stores: StoresController, public: Callable[[], KeyStore | None]) -> None:
        """Run the check through ``stores`` (its one-job-at-a-time queue); ``public`` gives the public store."""
        self._stores = stores
        self._public = public
        self.runRequested.connect(self.run)
        self.cancelRequested.connect(stores.cancel)
        stores.healthFinished.connect(self.show_report)
        stores.runProgress.connect(self.set_progress)
        stores.busyChanged.connect(self._on_busy)

    @Slot(bool)
    def run(self, try_weak: bool = True) -> None:
        """Run the health check over every store, off the UI thread (progress and Cancel meanwhile)."""
        if self.running or self._stores is None:
            return
        self.set_running("Health check")
        self._stores.start_health(self._public(), try_weak)

    @Slot(str)
    def _on_busy(self, label: str) -> None:
        if label.startswith("Health"):
            self.set_running(label)
        elif not label and self.running and not self._stores_busy():
            self.show_failure("The check stopped before it finished.")

    def _stores_busy(self) -> bool:
        return self._stores is not None and self._stores.busy

    def showEvent(self, event: QShowEvent) -> None:
        """The first time the page is shown, run the check (cancellable)."""
        super().showEvent(event)
        if not self.has_run and not self.running:
            self.run(self.try_weak.isChecked())

    @Slot()
    def _on_run(self) -> None:
        self.runRequested.emit(self.try_weak.isChecked())

    def set_running(self, label: str) -> None:
        """A check started: progress shown, Re-run disabled until it ends."""
        self.running = True
        self.run_button.setEnabled(False)
        self.cancel_button.show()
        self.summary.setText(label + "…")
        self.progress.setRange(0, 0)
        self.progress.show()

    @Slot(int, int)
    def set_progress(self, done: int, total: int) -> None:
        """Keys tried so far (weak-passphrase tries)."""
        if self.running and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def show_report(self, report: HealthReport) -> None:
        """The findings, grouped by severity."""
        self.running = False
        self.has_run = True
        self.run_button.setEnabled(True)
        self.cancel_button.hide()
        self.progress.hide()
        self.summary.setText(summary_text(report))
        self.report.setHtml(report_html(report))
        self.report.verticalScrollBar().setValue(0)

    def show_failure(self, text: str) -> None:
        """The check stopped with an error."""
        self.running = False
        self.run_button.setEnabled(True)
        self.cancel_button.hide()
        self.progress.hide()
        self.summary.setText(text)

    def plain_text(self) -> str:
        """Everything the page shows, as text (tests scan it for secrets)."""
        return "\n".join((self.summary.text(), self.report.toPlainText()))

