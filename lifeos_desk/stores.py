"""The stores of the open data home, and the one way the console opens them.

``core/stores.py`` describes a store (``StoreRef``); the registry here holds
the refs of one session and opens the SQLite ones as ``db.connection.Database``
objects, cached per store and closed with the session. Asking for a store to
write to reopens that same Database writable, so every area sharing it sees
one mode (its ``modeChanged`` signal), as the status bar shows.

Registering a store is one call (``add``); discovery of every deployed store
does exactly that for each file it finds.
"""

from __future__ import annotations

from collections.abc import Iterable

from .core.stores import StoreRef, StoreRole
from .db.connection import BUSY_TIMEOUT_MS, Database
from .db.errors import DatabaseError, DbProblem


class UnknownStore(LookupError):
    """No store of that role (or that ref) is registered in this home."""


class StoreRegistry:
    """The StoreRefs of one home and their open databases."""

    def __init__(self, refs: Iterable[StoreRef] = (), busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self._refs: list[StoreRef] = []
        self.busy_timeout_ms = busy_timeout_ms  # the busy_timeout_ms setting (File ▸ Preferences)
        self._open: dict[StoreRef, Database] = {}
        for ref in refs:
            self.add(ref)

    # -- the refs ------------------------------------------------------------
    def add(self, ref: StoreRef) -> StoreRef:
        """Register a store (again registering the same path is ignored)."""
        if all(known.path != ref.path for known in self._refs):
            self._refs.append(ref)
        return ref

    def refs(self, role: StoreRole | None = None) -> list[StoreRef]:
        """Every registered store, or those of one role, in registration order."""
        return [r for r in self._refs if role is None or r.role is role]

    def ref(self, role_or_ref: StoreRole | StoreRef) -> StoreRef:
        """The registered ref itself, or the first one of a role."""
        if isinstance(role_or_ref, StoreRef):
            if role_or_ref not in self._refs:
                raise UnknownStore(f"{role_or_ref.label} ({role_or_ref.path}) is not a store of this home")
            return role_or_ref
        for ref in self._refs:
            if ref.role is role_or_ref:
                return ref
        raise UnknownStore(f"this home has no {role_or_ref.value} store")

    # -- opening -------------------------------------------------------------
    def open(self, role_or_ref: StoreRole | StoreRef, write: bool = False) -> Database:
        """The store's Database, opened on first use and cached.

        ``write=True`` makes it writable (reopening the cached connections);
        ``write=False`` only asks to read, so an already writable store stays
        as it is. Raises UnknownStore, or DatabaseError with the reason.
        """
        ref = self.ref(role_or_ref)
        if not ref.is_database:
            raise DatabaseError(DbProblem.NOT_SQLITE, f"{ref.label} ({ref.path}) is a {ref.kind.value} store, "
                                "not a SQLite database", ref.path)
        database = self._open.get(ref)
        if database is None:
            database = self._connect(ref, write)
            self._open[ref] = database
        elif write and database.read_only:
            database.set_read_only(False)
        return database

    def _connect(self, ref: StoreRef, write: bool) -> Database:
        database = Database(ref.path, read_only=not write, busy_timeout_ms=self.busy_timeout_ms)
        try:
            database.connection()
        except DatabaseError as exc:
            # Without its traceback: those frames hold QSqlDatabase handles,
            # and Qt will not remove a connection while one is alive.
            error = exc.with_traceback(None)
        else:
            return database
        database.close()
        raise error

    def database(self, role: StoreRole) -> Database | None:
        """The open Database of a role, or None when none is open (``open`` says why)."""
        for ref in self.refs(role):
            if ref in self._open:
                return self._open[ref]
        return None

    def close_store(self, role_or_ref: StoreRole | StoreRef) -> None:
        """Close one store's connections (it stays registered and can be opened again)."""
        database = self._open.pop(self.ref(role_or_ref), None)
        if database is not None:
            database.close()

    def close(self) -> None:
        """Close every open store (the session is closing)."""
        while self._open:
            _ref, database = self._open.popitem()
            database.close()
