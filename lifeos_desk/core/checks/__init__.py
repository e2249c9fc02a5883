"""The trade audit: Qt-free checks that reconcile every store the bot keeps (issue 15).

Each check is a small named unit (``runner.CHECKS``) taking an
``AuditContext`` and returning ``Finding``s. ``lifeos-desk audit`` runs them
in its own process; the window runs that command as a child
(docs/architecture.md, 'Threads and child processes').
"""

from .context import AuditContext, AuditError
from .finding import Finding, Severity
from .runner import CHECK_IDS, CHECKS, Check, run_checks, select

__all__ = ["CHECKS", "CHECK_IDS", "AuditContext", "AuditError", "Check", "Finding", "Severity", "run_checks",
           "select"]
