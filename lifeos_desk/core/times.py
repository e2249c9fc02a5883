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


# -- one formatting for every shown and exported time (issue 17) ---------------
DISPLAY_FORMAT = "%Y-%m-%d %H:%M:%S"


def parse_stored_time(value: object) -> datetime | None:
    """A stored timestamp text as aware UTC, or None when it is none.

    Takes ISO text with ``T`` or a space (``CURRENT_TIMESTAMP``), fractions,
    an offset or ``Z``; naive text is UTC (the rule above).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def display_time(moment: datetime | None, utc: bool) -> str:
    """A time as the window shows it: in UTC or the admin's zone (View ▸ Times in UTC), zone named; "—" for none.

    A naive moment is UTC, as everywhere in the console.
    """
    if moment is None:
        return "—"
    if utc:
        return as_utc(moment).strftime(f"{DISPLAY_FORMAT} UTC")
    return as_utc(moment).astimezone().strftime(f"{DISPLAY_FORMAT} %Z")


def display_stored(value: object, utc: bool) -> str:
    """A stored timestamp text shown as ``display_time`` does; text that is no time is shown as it is."""
    moment = parse_stored_time(value)
    if moment is not None:
        return display_time(moment, utc)
    return str(value) if isinstance(value, str) and value else "—"


def json_time(moment: datetime | None) -> str | None:
    """A time for JSON output: ISO-8601 in UTC with its zone (``2026-12-01T08:40:30+00:00``); None for none."""
    if moment is None:
        return None
    return as_utc(moment).isoformat(timespec="seconds")


def local_naive_as_utc(moment: datetime) -> datetime:
    """A naive *local* time (an archive's ``date +%Y%m%d_%H%M%S`` name) as aware UTC.

    The one kind of naive time that is not UTC (docs/data-formats.md,
    'Timestamps', and the ADR script's archive names).
    """
    return moment.astimezone(UTC)  # astimezone reads a naive moment as local time
