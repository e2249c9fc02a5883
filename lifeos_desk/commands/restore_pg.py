"""``lifeos-desk restore ARCHIVE --database-url URL [--replace]``: the archive's PostgreSQL dump into a database.

Only the dump is restored (the home's SQLite members are not touched: a
plain ``restore`` does those). The archive is checked whole first
(core/archive/verify.py: hostile-archive rules, hashes, ``pg_restore
--list``), then the preview is confirmed, then ``pg_restore`` runs in one
transaction with migrate's refusal rules (core/archive/pgrestore.py). The
URL on argv carries no password (exit 2); ``~/.pgpass``, ``PGPASSWORD``
or a service file apply.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..core.archive import ArchiveError
from ..core.archive.extract import Scan, ScannedMember
from ..core.archive.layout import Kind
from ..core.archive.progress import EXTRACT
from ..core.audit import AuditWriter, audit_log_path
from ..core.migrate.errors import MigrateError
from ..core.paths import DataPaths
from . import CommandError
from .archive_io import EXIT_CANCELLED, cancel_on_sigterm, emit, fail, finish, progress_for, resolve_archive


def _dump_of(scan: Scan) -> ScannedMember:
    dumps = [m for m in scan.members.values() if m.name.kind is Kind.PGDUMP and m.path is not None]
    if not dumps:
        raise ArchiveError("refused: the archive holds no PostgreSQL dump (postgresql/<db>.dump); "
                           "restore it without --database-url")
    if len(dumps) > 1:
        raise ArchiveError("refused: the archive holds several PostgreSQL dumps: " +
                           ", ".join(m.name.rel for m in dumps))
    return dumps[0]


def _confirmed(args: argparse.Namespace, preview: dict[str, Any]) -> bool:
    from .restore import parse_answer

    if args.json_progress:
        emit("preview", **preview)
        return bool(args.yes) or parse_answer(sys.stdin.readline())[0]
    print(f"Restore {preview['member']} of {preview['archive']} into {preview['database_url']} "
          f"(PostgreSQL {preview['server_version']} dump of {preview['database']!r}) with pg_restore, "
          f"in one transaction{'; --replace: its tables are dropped and restored' if args.replace else ''}.")
    if args.yes:
        return True
    try:
        return input("Restore now? [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def run_pg(args: argparse.Namespace, paths: DataPaths) -> int:
    """Exit 0 when pg_restore committed; 4 a non-empty target without --replace; 20 no pg_restore."""
    from ..core.archive.pgmember import pg_source
    from ..core.archive.pgrestore import find_pg_restore, restore_dump
    from ..core.archive.verify import read_checked

    try:
        source = pg_source(args.database_url)  # argv: a password is refused
        find_pg_restore()
    except MigrateError as exc:
        if args.json_progress:
            emit("error", message=str(exc), cancelled=False)
        raise CommandError(str(exc), exc.exit_code) from None
    archive = resolve_archive(args.archive, paths)
    progress = progress_for(args)
    cancel = cancel_on_sigterm()
    try:
        scan, _db, problems = read_checked(archive, None, progress, cancel, keep_all=False, stage=EXTRACT,
                                           check=args.check)
    except ArchiveError as exc:
        raise fail(args, exc) from None
    finally:
        finish(progress)
    try:
        if problems:
            raise ArchiveError("refused: " + "; ".join(problems))
        dump = _dump_of(scan)
        section = next((d for d in (scan.manifest or {}).get("postgresql") or []
                        if isinstance(d, dict) and d.get("member") == dump.name.rel), {})
        preview = {"archive": str(archive), "member": dump.name.rel, "database_url": source.label,
                   "database": section.get("database"), "server_version": section.get("server_version"),
                   "replace": bool(args.replace)}
        if not _confirmed(args, preview):
            raise ArchiveError("not confirmed: nothing changed")
        assert dump.path is not None
        result = restore_dump(dump.path, dump.name.rel, source, bool(args.replace), cancel)
    except ArchiveError as exc:
        err = fail(args, exc)
        if str(exc).startswith("not confirmed"):
            err.exit_code = EXIT_CANCELLED
        raise err from None
    except MigrateError as exc:
        if args.json_progress:
            emit("error", message=str(exc), cancelled=False)
        raise CommandError(str(exc), exc.exit_code) from None
    finally:
        scan.cleanup()
    try:
        AuditWriter(audit_log_path(paths)).log("postgresql_restored", archive=str(archive), member=result.member,
                                               database_url=result.target, replace=bool(args.replace))
    except OSError as exc:
        print(f"warning: could not append to the audit log: {exc}", file=sys.stderr)
    if args.json_progress:
        emit("result", ok=True, **result.as_json())
        return 0
    replaced = f" (replaced {len(result.replaced)})" if result.replaced else ""
    print(f"restored {result.member} into {result.target}: {len(result.tables)} tables{replaced}")
    return 0
