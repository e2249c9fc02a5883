"""Writing staged edits: one short transaction, checked, audited.

Edits wait in memory (``TableWindowModel``) holding no lock. On Save they are
written here through a QSqlTableModel (OnManualSubmit) restricted to the
edited rows — few enough that it reads them to the end — inside
``BEGIN IMMEDIATE ... COMMIT``. Inside that transaction each cell is first
compared with the value the admin saw: if the bot changed or deleted the row
meanwhile, nothing is written and the edits stay pending. The one-default-
wallet-per-user rule is checked before COMMIT. Each written cell then gets one
AuditLog entry (``core.audit``: one O_APPEND write per line).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtSql import QSqlDatabase, QSqlTableModel

from ...core.audit import AuditWriter
from ...core.filters import Clause
from ...core.schema import Domain
from ..connection import Database, run_exec, run_rows
from ..errors import DatabaseError
from .info import TableInfo
from .window import Edit, TableWindowModel

AUDIT_EVENT = "table_edit"


class SaveError(Exception):
    """Saving failed; nothing was written and the edits are still pending."""


def save_edits(database: Database, info: TableInfo, edits: list[Edit], audit: AuditWriter,
               domain: Domain | None = None, role: str = "tables") -> int:
    """Write the edits in one transaction; returns how many cells were written.

    Raises SaveError with a message for the admin; on error nothing is written.
    """
    if not edits:
        return 0
    if database.read_only:
        raise SaveError("Editing is locked: unlock it with Database ▸ Allow editing, then Save again.")
    if not info.identity.rowid:  # edits address rows by rowid (db/tables/keys.py)
        raise SaveError(f"{info.name} has no rowid; the console does not edit such tables.")
    db = database.connection(role)
    try:
        run_exec(db, "BEGIN IMMEDIATE")
    except DatabaseError as exc:
        raise SaveError(f"Could not start saving: {exc}. Nothing was written; your edits are still pending.") from None
    try:
        _apply(db, info, edits)
        _check_single_default(db, info, edits, domain)
        run_exec(db, "COMMIT")
    except (SaveError, DatabaseError) as exc:
        _rollback(db)
        raise SaveError(f"{exc} Nothing was written; your edits are still pending.") from None
    for e in edits:
        spec = info.specs[e.column]
        audit.log(AUDIT_EVENT, table=info.name, key=dict(e.pk), column=spec.name, old=e.old, new=e.new)
    return len(edits)


def _rollback(db: QSqlDatabase) -> None:
    with contextlib.suppress(DatabaseError):  # SQLite may have rolled it back itself
        run_exec(db, "ROLLBACK")


def _describe(pk: tuple[tuple[str, Any], ...]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in pk)


def _apply(db: QSqlDatabase, info: TableInfo, edits: list[Edit]) -> None:
    model = QSqlTableModel(None, db)
    try:
        model.setTable(info.name)
        model.setEditStrategy(QSqlTableModel.EditStrategy.OnManualSubmit)
        keys = sorted({int(e.key) for e in edits})  # rowids are integers: safe as filter text
        model.setFilter(f"{info.key} IN ({', '.join(str(k) for k in keys)})")  # the real rowid, never a user column
        if not model.select():
            raise SaveError(f"Could not read the rows to save: {model.lastError().text()}.")
        while model.canFetchMore():  # a handful of rows: read to the end (fact 2)
            model.fetchMore()
        rows = _rows_by_pk(model, edits)
        for e in edits:
            _set_checked(model, info, rows, e)
        if not model.submitAll():
            raise SaveError(_explain(model.lastError().databaseText() or model.lastError().text()))
    finally:
        # Deleted now, not later: the window may close the connection right after
        # saving (Save from the quit prompt), and a live model keeps it "in use".
        model.clear()
        shiboken6.delete(model)


def _rows_by_pk(model: QSqlTableModel, edits: list[Edit]) -> dict[tuple[Any, ...], int]:
    names = [k for k, _ in edits[0].pk]
    out = {}
    for r in range(model.rowCount()):
        rec = model.record(r)
        out[tuple(None if rec.isNull(n) else rec.value(n) for n in names)] = r
    return out


def _set_checked(model: QSqlTableModel, info: TableInfo, rows: dict[tuple[Any, ...], int], e: Edit) -> None:
    spec = info.specs[e.column]
    r = rows.get(tuple(v for _, v in e.pk))
    if r is None:
        raise SaveError(f"The {info.name} row {_describe(e.pk)} was deleted meanwhile.")
    field = model.record().indexOf(spec.name)
    rec = model.record(r)
    current = None if rec.isNull(field) else rec.value(field)
    if current != e.old:
        raise SaveError(f"{spec.header} of {info.name} row {_describe(e.pk)} changed meanwhile "
                        f"(now {current!r}, you edited {e.old!r}); Revert and edit it again.")
    if not model.setData(model.index(r, field), e.new):
        raise SaveError(f"Could not stage {spec.header} = {e.new!r}: {model.lastError().text()}.")


def _explain(text: str) -> str:
    low = text.lower()
    if "unique" in low:
        return f"Another row already has this value ({text.strip()})."
    if "not null" in low:
        return f"This column cannot be empty ({text.strip()})."
    if "locked" in low or "busy" in low:
        return "The database is locked by another program (the bot?) past the busy timeout; try again."
    if "readonly" in low:
        return "The database is open read-only: unlock editing (Database ▸ Allow editing)."
    return f"Could not save: {text.strip() or 'unknown error'}."


def _check_single_default(db: QSqlDatabase, info: TableInfo, edits: list[Edit], domain: Domain | None) -> None:
    """At most one default wallet per user, checked before COMMIT."""
    if domain is None or info.name != domain.wallets:
        return
    col = info.index_of(domain.wallet_default)
    if not any(e.column == col for e in edits):
        return
    keys = json.dumps(sorted({int(e.key) for e in edits}))
    w, u, d = (f'"{n}"' for n in (domain.wallets, domain.wallet_user, domain.wallet_default))
    bad = run_rows(db, f"SELECT {u}, count(*) FROM {w} WHERE {d} = 1 AND {u} IN "
                       f"(SELECT {u} FROM {w} WHERE {info.key} IN (SELECT value FROM json_each(?)))"
                       f" GROUP BY {u} HAVING count(*) > 1", (keys,))
    if bad:
        who = ", ".join(f"user {r[0]} ({r[1]} defaults)" for r in bad)
        raise SaveError(f"At most one default wallet per user: {who}.")


def single_default_rule(domain: Domain | None) -> Callable[[TableWindowModel, int, int, Any], None]:
    """After a wallet is made default, stage the user's other default wallets as not default."""

    def rule(model: TableWindowModel, r: int, column: int, value: Any) -> None:
        if domain is None or model.info.name != domain.wallets or not value:
            return
        if model.info.specs[column].name != domain.wallet_default:
            return
        row = model.row(r)
        user_col = model.info.index_of(domain.wallet_user)
        if row is None or user_col < 0:
            return
        u, d = f'"{domain.wallet_user}"', f'"{domain.wallet_default}"'
        k = model.info.key
        others = model.fetch_rows(Clause(f"{u} = ? AND {d} = 1 AND {k} <> ?", (row[1 + user_col], row[0])))
        for other in others:
            model.stage_row(other, column, 0)

    return rule
