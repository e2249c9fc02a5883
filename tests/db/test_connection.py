"""Opening the database through QtSql: modes, facts, and each bad-input case."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtSql import QSqlDatabase
from PySide6.QtWidgets import QApplication

from lifeos_desk.core.schema import ADR_DDL, DEPLOYED_DDL, SchemaKind
from lifeos_desk.db.connection import (
    BUSY_TIMEOUT_MS,
    Database,
    on_short_connection,
    run_exec,
    run_rows,
    sqlite_versions,
)
from lifeos_desk.db.errors import DatabaseError, DbProblem, classify_sqlite_error, sniff_header


def make_db(path: Path, ddl: str = DEPLOYED_DDL, wal: bool = False, rows: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.executescript(ddl)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
    if rows:
        con.executemany("INSERT INTO rate_limits VALUES (?, ?, ?, ?)",
                        ((i, i % 7, i * 1.5, f"2026-01-01T00:00:{i % 60:02d}") for i in range(rows)))
    con.commit()
    con.close()
    return path


# The db_factory fixture: Database(path, read_only=..., busy_timeout_ms=...), closed after the test.
DbFactory = Callable[..., Database]


@pytest.fixture
def db_factory(qapp: QApplication) -> Iterator[DbFactory]:
    opened: list[Database] = []

    def make(path: Path, read_only: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Database:
        db = Database(path, read_only=read_only, busy_timeout_ms=busy_timeout_ms)
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.close()


@pytest.mark.parametrize(("ddl", "kind", "wal"), [(ADR_DDL, SchemaKind.ADR, True),
                                                  (DEPLOYED_DDL, SchemaKind.DEPLOYED, False)])
def test_info_on_both_schemas(tmp_path: Path, db_factory: DbFactory, ddl: str, kind: SchemaKind, wal: bool) -> None:
    path = make_db(tmp_path / "public_users.db", ddl, wal=wal)
    info = db_factory(path).info()
    assert info.schema is kind
    assert info.journal_mode == ("wal" if wal else "delete")
    assert info.quick_check == "ok"
    assert set(info.row_counts) == set(info.tables)


def test_read_only_by_default_and_editing_unlock(tmp_path: Path, db_factory: DbFactory) -> None:
    path = make_db(tmp_path / "public_users.db", rows=3)
    db = db_factory(path)
    with pytest.raises(DatabaseError) as err:
        run_exec(db.connection(), "DELETE FROM rate_limits")
    assert err.value.problem is DbProblem.READ_ONLY
    seen: list[bool] = []
    db.modeChanged.connect(seen.append)
    db.set_read_only(False)
    assert run_exec(db.connection(), "DELETE FROM rate_limits WHERE user_id = 0") == 1
    assert seen == [False]
    assert db.row_count("rate_limits") == 2


def test_journal_mode_is_left_alone_until_asked(tmp_path: Path, db_factory: DbFactory) -> None:
    path = make_db(tmp_path / "public_users.db")
    db = db_factory(path)
    assert db.journal_mode() == "delete"
    db.set_read_only(False)
    assert db.journal_mode() == "delete"
    assert db.switch_to_wal() == "wal"
    assert db.journal_mode() == "wal"


def test_missing_file_is_never_created(tmp_path: Path, db_factory: DbFactory) -> None:
    path = tmp_path / "public_users.db"
    with pytest.raises(DatabaseError) as err:
        db_factory(path, read_only=False).connection()
    assert err.value.problem is DbProblem.MISSING
    assert not path.exists()


@pytest.mark.parametrize(("content", "problem"), [
    (b"just some text, not a database\n" * 10, DbProblem.NOT_SQLITE),
    (bytes((i * 7919 + 13) % 251 for i in range(4096)), DbProblem.ENCRYPTED),
])
def test_not_sqlite_and_encrypted(tmp_path: Path, db_factory: DbFactory, content: bytes, problem: DbProblem) -> None:
    path = tmp_path / "public_users.db"
    path.write_bytes(content)
    with pytest.raises(DatabaseError) as err:
        db_factory(path).info()
    assert err.value.problem is problem
    assert str(path) in str(err.value)


def test_empty_database(tmp_path: Path, db_factory: DbFactory) -> None:
    path = tmp_path / "public_users.db"
    sqlite3.connect(path).close()  # a zero-byte file: a valid database with no tables
    with pytest.raises(DatabaseError) as err:
        db_factory(path).info()
    assert err.value.problem is DbProblem.EMPTY


def test_corrupt_database(tmp_path: Path, db_factory: DbFactory) -> None:
    path = make_db(tmp_path / "public_users.db", rows=5000)
    data = bytearray(path.read_bytes())
    page = 4096
    last_pages = len(data) // page
    for p in range(last_pages - 4, last_pages):  # smash the b-tree pages of rate_limits
        data[p * page: p * page + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseError) as err:
        db_factory(path).info()
    assert err.value.problem is DbProblem.CORRUPT


def test_locked_past_the_timeout(tmp_path: Path, db_factory: DbFactory) -> None:
    path = make_db(tmp_path / "public_users.db", rows=10)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None);"
         "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(DatabaseError) as err:
            db_factory(path, busy_timeout_ms=200).info()
        assert err.value.problem is DbProblem.LOCKED
        assert "locked" in str(err.value)
    finally:
        holder.communicate("")


def test_classification_of_permission_and_codes(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    assert classify_sqlite_error(5, "database is locked", path).problem is DbProblem.LOCKED
    assert classify_sqlite_error(26, "file is not a database", path).problem is DbProblem.NOT_SQLITE
    assert classify_sqlite_error(11, "database disk image is malformed", path).problem is DbProblem.CORRUPT
    assert classify_sqlite_error(8, "attempt to write a readonly database", path).problem is DbProblem.READ_ONLY
    assert sniff_header(b"SQLite format 3\x00" + bytes(84), 4096) is None
    assert sniff_header(b"", 0) is None


def test_permission_denied(tmp_path: Path, db_factory: DbFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads any file, so the OS's answer is simulated; the check itself is real."""
    path = make_db(tmp_path / "public_users.db")
    path.chmod(0)
    real_access = __import__("os").access
    monkeypatch.setattr("lifeos_desk.db.connection.os.access",
                        lambda p, mode: False if Path(p) == path else real_access(p, mode))
    with pytest.raises(DatabaseError) as err:
        db_factory(path).info()
    assert err.value.problem is DbProblem.PERMISSION
    assert "permission denied" in str(err.value)


def test_blob_parameters_round_trip(tmp_path: Path, db_factory: DbFactory) -> None:
    """PySide binds bare bytes as empty TEXT; the helpers must store the bytes."""
    from lifeos_desk.db.connection import run_rows

    path = make_db(tmp_path / "public_users.db", ADR_DDL)
    db = db_factory(path, read_only=False)
    blob = bytes(range(256))
    run_exec(db.connection(), "INSERT INTO users (id, telegram_id) VALUES (1, 1)")
    run_exec(db.connection(), "INSERT INTO wallets (user_id, address, encrypted_key) VALUES (1, 'a', ?)", (blob,))
    assert run_rows(db.connection(), "SELECT typeof(encrypted_key), length(encrypted_key) FROM wallets") == [
        ("blob", 256)]


def test_null_stays_none(tmp_path: Path, db_factory: DbFactory) -> None:
    from lifeos_desk.db.connection import run_rows, run_scalar

    db = db_factory(make_db(tmp_path / "public_users.db"))
    assert run_rows(db.connection(), "SELECT NULL, '', 0") == [(None, "", 0)]
    assert run_scalar(db.connection(), "SELECT NULL") is None


def _sum(db: QSqlDatabase) -> object:
    run_exec(db, "CREATE TABLE t (x INTEGER)")
    run_exec(db, "INSERT INTO t VALUES (41), (1)")
    return run_rows(db, "SELECT sum(x) FROM t")[0][0]


def test_short_connection_runs_the_work_and_leaves_no_connection(qapp: object) -> None:
    before = set(QSqlDatabase.connectionNames())
    assert on_short_connection(_sum) == 42
    assert set(QSqlDatabase.connectionNames()) == before
    qt_sqlite, py_sqlite = sqlite_versions()  # QtSql's own SQLite, through the same helper
    assert re.fullmatch(r"\d+\.\d+\.\d+", qt_sqlite) and py_sqlite == sqlite3.sqlite_version


def test_short_connection_that_cannot_open_raises_and_creates_nothing(tmp_path: Path, qapp: object) -> None:
    before = set(QSqlDatabase.connectionNames())
    missing = tmp_path / "missing.db"
    with pytest.raises(DatabaseError):
        on_short_connection(_sum, str(missing), "QSQLITE_OPEN_READONLY")
    assert not missing.exists()
    assert set(QSqlDatabase.connectionNames()) == before
