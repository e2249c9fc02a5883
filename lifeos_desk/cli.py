"""Command line: global options, headless subcommands, or the window.

Global options are accepted before or after a subcommand
(``lifeos-desk info --home X`` == ``lifeos-desk --home X info``): they are
declared on a parent parser shared by the main parser and every subparser,
with SUPPRESS defaults on the subparsers so a later default never overwrites
an earlier value.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from . import __version__
from .commands import CommandError
from .core.paths import AppDirs, DataPaths, Overrides, resolve_paths
from .core.settings import Settings

if TYPE_CHECKING:  # the URL parser loads psycopg and core.migrate: only when a URL is given
    from .core.pgurl import PgParams

COMMAND_MODULES = (
    "lifeos_desk.commands.info",
    "lifeos_desk.commands.demo",
    "lifeos_desk.commands.selfcheck",
    "lifeos_desk.commands.vault",
    "lifeos_desk.commands.backup",
    "lifeos_desk.commands.verify",
    "lifeos_desk.commands.restore",
    "lifeos_desk.commands.list",
    "lifeos_desk.commands.migrate",
    "lifeos_desk.commands.logs",
    "lifeos_desk.commands.audit",
    "lifeos_desk.commands.inspect",
    "lifeos_desk.commands.query",
    "lifeos_desk.commands.diff",
)


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    g = parser.add_argument_group("data locations")
    g.add_argument("--home", type=Path, default=default, metavar="DIR",
                   help="the folder that plays ~/.lifeos (env LIFEOS_HOME)")
    g.add_argument("--logs", type=Path, action="append", default=default, metavar="DIR",
                   help="a log folder; repeatable (env LIFEOS_LOGS, os.pathsep-separated)")
    g.add_argument("--backups", type=Path, default=default, metavar="DIR",
                   help="the backups folder (default <home>/backups)")
    g.add_argument("--bot-dir", type=Path, default=default, metavar="DIR",
                   help="the bot's checkout, whose data/ and logs/ hold half its state (env LIFEOS_BOT_DIR; "
                        "default: the current folder when it has bots/treasury, or data/ beside core/)")
    g.add_argument("--read-only", action="store_true", default=default,
                   help="never write to the database, whatever the settings say")


_VALUED = ("--home", "--logs", "--backups", "--bot-dir", "--database-url")  # global options that take a value


def _modules(only: str | None = None) -> list[ModuleType]:
    return [importlib.import_module(m) for m in COMMAND_MODULES if only is None or m.rsplit(".", 1)[1] == only]


def command_of(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, found without importing any command module; None if unsure.

    Importing all fourteen command modules costs about 0.25 s (numpy, the
    vault, the checks): a ``lifeos-desk backup`` need not pay for them. The
    command is the first word that is neither an option nor the value of a
    global option; anything unusual (``--home=X`` aside) gets the full parser.
    """
    names = {m.rsplit(".", 1)[1] for m in COMMAND_MODULES}
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in _VALUED:
            skip = True
        elif token == "--":
            return None
        elif not token.startswith("-"):
            return token if token in names else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser (exposed for tests and the README's CLI reference); ``only``: that subcommand alone."""
    parser = argparse.ArgumentParser(
        prog="lifeos-desk",
        description="Admin console for the JARVIS bot's data home. With no subcommand, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"lifeos-desk {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="open the window on a demo home with a live writer (created on first use)")
    parser.add_argument("--database-url", dest="gui_database_url", metavar="URL",
                        help="open the window on a PostgreSQL database (postgresql://USER@HOST:PORT/DB; default: "
                             "DATABASE_URL when it is a postgresql:// URL) instead of public_users.db, read-only; "
                             "passwords via ~/.pgpass, PGPASSWORD or a service file, never in this URL")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _modules(only):
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        _global_options(p, suppress=True)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def resolve_from_args(args: argparse.Namespace, settings: Settings) -> DataPaths:
    """Paths for these arguments: flags > environment > settings > defaults."""
    flags = Overrides(
        home=args.home,
        logs=tuple(args.logs or ()),
        backups=args.backups,
        bot_dir=getattr(args, "bot_dir", None),
        read_only=True if args.read_only else None,
    )
    return resolve_paths(flags, os.environ, settings.overrides(), Path.cwd())


def _postgres_target(args: argparse.Namespace) -> PgParams | int | None:
    """The PostgreSQL database the window should open (flag, then DATABASE_URL), None for SQLite, 2 if unusable.

    A password is refused in the flag (argv is public) and tolerated in DATABASE_URL, as core/pgurl.py explains.
    """
    url, from_env = args.gui_database_url, False
    if url is None:
        env = os.environ.get("DATABASE_URL", "").strip()  # as core/pginfo.url_from_env reads it
        if not env.startswith(("postgresql://", "postgres://")):
            return None  # unset, or a SQLite URL: the default store
        url, from_env = env, True
    from .core.migrate.errors import MigrateError
    from .core.pgurl import pg_params

    try:
        return pg_params(url, allow_password=from_env)
    except MigrateError as exc:
        print(f"lifeos-desk: {'DATABASE_URL' if from_env else '--database-url'}: {exc}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lifeos-desk`` command."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_of(words))
    args = parser.parse_args(words)
    run = getattr(args, "_run", None)
    if run is None:
        from .app import run_gui  # imported late: headless commands never load widgets

        pg = _postgres_target(args)
        if isinstance(pg, int):
            return pg
        if pg is not None:
            from .app import run_pg_gui

            return run_pg_gui(pg)
        dirs = AppDirs.default()
        settings = Settings(dirs)
        return run_gui(resolve_from_args(args, settings), demo=args.demo, dirs=dirs, settings=settings)
    from .db.errors import DatabaseError

    try:
        paths = resolve_from_args(args, Settings(AppDirs.default()))
        return int(run(args, paths))
    except DatabaseError as exc:
        print(f"lifeos-desk {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except CommandError as exc:
        print(f"lifeos-desk {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"lifeos-desk {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"lifeos-desk {args.command}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
