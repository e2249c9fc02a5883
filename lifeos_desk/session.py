"""What the window knows about the open data home, passed to each area.

An area takes the pieces it needs from this (TagStudio's rule: pass only the
necessary components); nothing here is a global.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from .core.audit import AuditWriter, audit_log_path
from .core.discovery import Discovery, discover
from .core.paths import AppDirs, DataPaths
from .core.schema import Domain, SchemaKind, domain_for
from .core.settings import Settings, State
from .core.stores import StoreKind, StoreRole, users_store
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
    discovery: Discovery = field(default_factory=Discovery)

    # -- the stores of the home (docs/architecture.md, 'Store discovery') -----
    def held_open(self) -> set[Path]:
        """Every registered SQLite file: discovery must not read a byte of them.

        Conservatively all of them, not only those open now: a worker-thread
        discovery must not race the UI thread opening one (closing any
        descriptor on a file drops this process's locks on it,
        docs/architecture.md, 'One SQLite library per process').
        """
        return {ref.path for ref in self.stores.refs() if ref.kind is StoreKind.SQLITE}

    def discover_stores(self) -> Discovery:
        """Walk the home and the bot checkout again (safe on a worker thread: reads only files)."""
        return discover(self.paths.home, self.paths.bot_dir, backups_dir=self.paths.backups,
                        no_open=self.held_open())

    def adopt(self, found: Discovery) -> list[Path]:
        """Take a new discovery: register the stores not known yet; returns their paths.

        A store left unread (held open) keeps the journal mode an earlier walk read from its header.
        """
        before = {s.path: s for s in self.discovery.stores}
        stores = []
        for store in found.stores:
            old = before.get(store.path)
            if store.journal is None and old is not None and old.journal is not None and old.kind is store.kind:
                store = dataclasses.replace(store, journal=old.journal)
            stores.append(store)
        self.discovery = Discovery(stores, list(found.skipped), found.truncated)
        known = {ref.path for ref in self.stores.refs()}
        added = [s.path for s in stores if s.path not in known]
        for store in stores:
            self.stores.add(store.ref)
        return added

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
                 demo_passphrase: str | None = None, prefs: Prefs | None = None,
                 defer_quick_check: bool = False) -> Session:
    """Find every store (before any is open, so every header is read), open the users database and watch it.

    ``defer_quick_check``: the window's way (app.py): the database's
    quick_check is left "not run" and runs after the window's first paint
    (ui/startup_check.py), so a corrupt file is reported there instead of
    failing the opening.

    Discovery on the deployed test home takes about 2 ms (docs/architecture.md,
    'Store discovery': bounded walk, headers only), so it runs here on the
    UI thread; the Home area's later refreshes run it through ``run_task``.
    """
    stores = StoreRegistry([users_store(paths)], busy_timeout_ms=int(settings.get("busy_timeout_ms")))
    found = discover(paths.home, paths.bot_dir, backups_dir=paths.backups)
    info, error, watcher = None, None, None
    try:
        opened = stores.open(StoreRole.USERS, write=not paths.read_only)
        info = opened_info(opened, with_quick_check=not defer_quick_check)
    except DatabaseError as exc:
        error = exc
        stores.close_store(StoreRole.USERS)
    else:
        watcher = ChangeWatcher(opened)
        watcher.start()
    audit = AuditWriter(audit_log_path(paths), info.schema if info else None)  # an empty file takes the home's shape
    session = Session(paths=paths, dirs=dirs, settings=settings, state=state, stores=stores, info=info,
                      error=error, watcher=watcher, audit=audit,
                      prefs=prefs or Prefs(settings), nav=Navigator(), demo_passphrase=demo_passphrase)
    session.adopt(found)
    return session
