"""Failures of a migration, each with the exit code the command reports."""

from __future__ import annotations

EXIT_FAILED = 1  # the load failed (target unchanged) or verification found a difference
EXIT_USAGE = 2  # a bad target URL or option (a password on the command line, say)
EXIT_CANCELLED = 3
EXIT_NOT_EMPTY = 4  # the target already has these tables and --replace was not given


class MigrateError(Exception):
    """A migration that cannot go on; the message names what and where (never a password)."""

    exit_code = EXIT_FAILED


class LoadFailed(MigrateError):
    """PostgreSQL refused the load; the store's transaction was rolled back."""


class TargetNotEmpty(MigrateError):
    """The target schema already holds tables we would create."""

    exit_code = EXIT_NOT_EMPTY


class BadTarget(MigrateError):
    """The connection string cannot be used as given."""

    exit_code = EXIT_USAGE
