"""The one rule for stored times: a timestamp written without a zone is UTC.

Both writers of the data home agree (docs/data-formats.md, 'Timestamps'):
ADR-005's ``CURRENT_TIMESTAMP`` defaults are UTC text
(``YYYY-MM-DD HH:MM:SS``), and the deployed bot writes every SQLite and JSON
state timestamp with ``datetime.utcnow().isoformat()`` — naive ISO text that
is UTC. The console once read the latter as local time and shifted every
deployed time by the admin's UTC offset; every reader of stored times now goes
through :func:`as_utc`, so there is one place where the rule lives.

The one exception is not a stored time to read: the deployed audit trail's
``timestamp_iso`` is local, but its ``timestamp`` epoch number is what the
console reads.
"""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken as UTC (never as local time)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def naive_utc_iso(epoch: float) -> str:
    """``datetime.utcnow().isoformat()`` for an epoch: what the deployed bot stores."""
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None).isoformat()
