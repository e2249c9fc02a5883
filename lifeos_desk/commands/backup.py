"""``lifeos-desk backup``: a consistent tar.gz of the data home, as ADR-005's script lays it out.

With ``--database-url postgresql://…`` (or a PostgreSQL ``DATABASE_URL``,
as ``info`` reads it) the archive also holds ``pg_dump --format=custom`` of
that database (core/archive/pgmember.py); the home's SQLite members stay as
they are, and a home without ``public_users.db`` gives an archive of the
dump, state files and logs. pg_dump missing or older than the server: exit
20 before anything is written.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..core.archive import ArchiveError, BackupOptions, make_backup
from ..core.paths import AppDirs, DataPaths
from ..core.settings import Settings
from ..core.units import human_size
from ..db.errors import DatabaseError, DbProblem
from . import CommandError
from .archive_io import (
    add_check,
    add_json_progress,
    cancel_on_sigterm,
    emit,
    fail,
    finish,
    progress_for,
)

if TYPE_CHECKING:  # psycopg and the migrate package load only for a PostgreSQL backup
    from ..core.archive.pgmember import PgMember

NAME = "backup"
HELP = "make <backups>/<DATE>.tar.gz: database snapshot, trading state, logs, manifest; then apply retention"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """--keep, --no-retention, --level, --json-progress."""
    parser.add_argument("--keep", type=int, metavar="N",
                        help="keep the newest N archives (default: the backup_keep setting, 20)")
    parser.add_argument("--no-retention", action="store_true", help="delete no old archive")
    parser.add_argument("--level", type=int, choices=(0, 1, 2, 3), default=1,
                        help="ISA-L level for logs and state files (default 1); the database is its own gzip "
                             "member at level 3, which keeps the archive within 10%% of gzip -6")
    parser.add_argument("--database-url", metavar="URL",
                        help="also dump this PostgreSQL database with pg_dump --format=custom (default: "
                             "DATABASE_URL when it is a postgresql:// URL); passwords via ~/.pgpass, PGPASSWORD "
                             "or a service file, never in this option")
    add_check(parser)
    add_json_progress(parser)


def _keep(args: argparse.Namespace) -> int | None:
    if args.no_retention:
        return None
    if args.keep is not None:
        return max(1, int(args.keep))
    return int(Settings(AppDirs.default()).get("backup_keep"))


def _require_database(paths: DataPaths) -> None:
    """The documented exit codes, as ``info``: 10 no database (missing home too), 11 a folder in its place."""
    if paths.db.is_dir():
        raise DatabaseError(DbProblem.NOT_SQLITE, f"no database at {paths.db}: it is a folder", paths.db)
    if not paths.db.exists():
        where = "" if paths.home.is_dir() else f" (the data home {paths.home} does not exist)"
        raise DatabaseError(DbProblem.MISSING, f"no database at {paths.db}{where}", paths.db)


def _postgres(args: argparse.Namespace) -> PgMember | None:
    """The dump to add (flag, then DATABASE_URL), checked before anything is written; None without a URL.

    A password is refused in the flag (argv is public, exit 2) and taken from DATABASE_URL into pg_dump's
    environment (core/archive/pgmember.py). pg_dump missing or too old: exit 20, the message says what to install.
    """
    from ..core.pginfo import url_from_env

    url, from_env = args.database_url, False
    if url is None:
        url, from_env = url_from_env(), True
    if url is None:
        return None
    from ..core.archive.pgmember import PgMember, pg_source
    from ..core.migrate.errors import MigrateError

    try:
        return PgMember.prepare(pg_source(url, allow_password=from_env))
    except MigrateError as exc:
        where = "DATABASE_URL: " if from_env else ""
        if args.json_progress:
            emit("error", message=f"{where}{exc}", cancelled=False)
        raise CommandError(f"{where}{exc}", exc.exit_code) from None


def run(args: argparse.Namespace, paths: DataPaths) -> int:
    """Make the archive in this process (the CLI holds no QtSql connection to the file)."""
    pg = _postgres(args)
    if pg is None or paths.db.exists():
        _require_database(paths)
    progress = progress_for(args)
    no_db = pg is not None and not paths.db.exists()  # a PostgreSQL-only home: no SQLite member, said so
    options = BackupOptions(level=args.level, keep=_keep(args), check=args.check, extras=(pg,) if pg else (),
                            raw_fallback=no_db, require_intact=not no_db)
    try:
        result = make_backup(paths, options, progress, cancel_on_sigterm())
    except ArchiveError as exc:
        raise fail(args, exc) from None
    finally:
        finish(progress)
    dump = pg.facts.as_json() if pg is not None and pg.facts is not None else None
    if args.json_progress:
        emit("result", ok=True, **result.as_json(), postgresql=dump)
        return 0
    check = "no public_users.db in the home" if no_db else f"{result.check} ok"
    print(f"backup: {result.path} ({human_size(result.size)} from {human_size(result.input_bytes)}, "
          f"{result.members} members, {result.seconds:.2f} s, {check})")
    if dump is not None:
        print(f"postgresql: {dump['member']} ({human_size(dump['size'])}, pg_dump {dump['pg_dump_version']} of "
              f"{dump['target']}, PostgreSQL {dump['server_version']}, sha256 {dump['sha256'][:16]}…)")
    for path in result.deleted:
        print(f"retention: deleted {path.name}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    return 0
