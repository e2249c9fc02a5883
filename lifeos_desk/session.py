"""What the window knows about the open data home, passed to each area.

An area takes the pieces it needs from this (TagStudio's rule: pass only the
necessary components); nothing here is a global.
"""

from __future__ import annotations

from dataclasses import dataclass

from .core.audit import AuditWriter, audit_log_path
from .core.paths import AppDirs, DataPaths
from .core.schema import Domain, SchemaKind, domain_for
from .core.settings import Settings, State
from .core.stores import StoreRole, users_store
from .db.connection import Database, DbInfo, opened_info
from .db.errors import DatabaseError
from .db.watcher import ChangeWatcher
from .signals import Navigator, Prefs
from .stores import StoreRegistry


@dataclass
class Session:
    """One opened data home: its stores, what the window shows of them, and shared signals."""

    paths: DataPaths
    dirs: AppDirs
    settings: Settings
    state: State
    stores: StoreRegistry
    info: DbInfo | None
    error: DatabaseError | None
    watcher: ChangeWatcher | None
    audit: AuditWriter
    prefs: Prefs
    nav: Navigator
    demo_passphrase: str | None = None

    @property
    def database(self) -> Database | None:
        """The users store (public_users.db), None when it could not be opened.

        Kept for the areas written before the registry; new code asks
        ``stores.database(StoreRole.USERS)`` or ``stores.open(role)``.
        """
        return self.stores.database(StoreRole.USERS)

    @property
    def schema(self) -> SchemaKind:
        """The detected schema kind (UNKNOWN when not opened)."""
        return self.info.schema if self.info else SchemaKind.UNKNOWN

    @property
    def domain(self) -> Domain | None:
        """Table/column names of the known schema, or None."""
        return domain_for(self.schema)

    def close(self) -> None:
        """Stop watching and close every connection."""
        if self.watcher is not None:
            self.watcher.stop()
        self.stores.close()


def open_session(paths: DataPaths, dirs: AppDirs, settings: Settings, state: State,
                 demo_passphrase: str | None = None, prefs: Prefs | None = None) -> Session:
    """Open the users database (or record why not) and start watching it."""
    stores = StoreRegistry([users_store(paths)])
    info, error, watcher = None, None, None
    try:
        opened = stores.open(StoreRole.USERS, write=not paths.read_only)
        info = opened_info(opened)
    except DatabaseError as exc:
        error = exc
        stores.close_store(StoreRole.USERS)
    else:
        watcher = ChangeWatcher(opened)
        watcher.start()
    audit = AuditWriter(audit_log_path(paths), info.schema if info else None)  # an empty file takes the home's shape
    return Session(paths=paths, dirs=dirs, settings=settings, state=state, stores=stores, info=info,
                   error=error, watcher=watcher, audit=audit,
                   prefs=prefs or Prefs(settings), nav=Navigator(), demo_passphrase=demo_passphrase)
