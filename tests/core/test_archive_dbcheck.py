"""The two-thread integrity check finds what ``PRAGMA integrity_check`` finds, corruption by corruption.

Each test plants one kind of damage in a small database (1 KiB pages, so
every b-tree has interior pages and the freelist has a trunk) and runs both:
SQLite's full check and ``split_integrity_check``. Page-level damage (a page
in two b-trees, a page nobody uses, a bad freelist trunk) is only visible to
a check that walks the whole file at once; the split's whole-file
``quick_check`` is that pass, and ``test_page_damage_needs_the_whole_file_pass``
shows the per-table parts alone would call these files ok.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from lifeos_desk.core.archive import dbcheck
from lifeos_desk.core.archive.dbcheck import split_integrity_check
from lifeos_desk.core.archive.snapshot import facts

PAGE = 1024


def _build(path: Path, extra_sql: str = "") -> Path:
    with closing(sqlite3.connect(path)) as con:
        con.executescript(f"""
            PRAGMA page_size={PAGE};
            CREATE TABLE trades (id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, token TEXT NOT NULL, note TEXT);
            CREATE INDEX trades_user ON trades(user_id);
            CREATE TABLE users (id INTEGER PRIMARY KEY, telegram_id INTEGER UNIQUE NOT NULL, name TEXT);
            {extra_sql}
        """)
        con.executemany("INSERT INTO trades VALUES (?, ?, ?, ?)",
                        [(f"t{i:05d}", i % 40, f"TOK{i % 7}", "x" * (i % 50)) for i in range(3000)])
        con.executemany("INSERT INTO users VALUES (?, ?, ?)", [(i, 1000 + i, f"user{i}") for i in range(1, 800)])
        con.execute("DELETE FROM trades WHERE rowid % 5 = 0")  # free pages: a freelist with a trunk
        con.commit()
    return path


def _full(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)) as con:
        return [str(r[0]) for r in con.execute("PRAGMA integrity_check(100)")]


def _pages(path: Path, name: str, kind: str) -> list[int]:
    with closing(sqlite3.connect(path)) as con:
        return [int(r[0]) for r in con.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY pageno", (name, kind))]


def _root(path: Path, name: str) -> int:
    with closing(sqlite3.connect(path)) as con:
        return int(con.execute("SELECT rootpage FROM sqlite_schema WHERE name = ?", (name,)).fetchone()[0])


def _patch(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def _rewrite_schema(path: Path, name: str, sql: str) -> None:
    """Change an object's CREATE statement behind SQLite's back (how a forged or damaged file looks)."""
    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA writable_schema=ON")
        con.execute("UPDATE sqlite_schema SET sql = ? WHERE name = ?", (sql, name))
        con.commit()


def _both(path: Path) -> tuple[list[str], list[str]]:
    full, split = _full(path), split_integrity_check(path)
    assert full != ["ok"], "the planted damage must be real"
    return full, split


def _joined(lines: list[str]) -> str:
    return "\n".join(lines)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    yield _build(tmp_path / "public_users.db")


def test_a_sound_database_is_ok_both_ways(db: Path) -> None:
    assert _full(db) == ["ok"]
    assert split_integrity_check(db) == ["ok"]
    assert split_integrity_check(db, workers=1) == ["ok"]
    assert facts(db, "full", workers=2).intact


def test_the_big_table_is_split_into_rowid_ranges(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbcheck, "ROWS_PER_TASK", 500)
    with closing(dbcheck.open_private(db)) as con:
        tables = {t.name: t for t in dbcheck.plan_tables(con)}
        labels = [t.label for t in dbcheck.plan_tasks(con)]
    assert tables["trades"].indexes is not None and tables["users"].indexes is not None
    ranges = [label for label in labels if label.startswith("index trades_user, rowids")]
    assert len(ranges) == 5 and ranges[0].endswith("None..") is False
    assert "rowids None.." in ranges[0] and ranges[-1].endswith("..None")  # open at both ends
    assert split_integrity_check(db) == ["ok"]


def test_a_page_in_two_btrees(db: Path) -> None:
    """The trades table's root points at a leaf of users: a page used twice, and the old child unused."""
    root = _root(db, "trades")
    leaf = _pages(db, "users", "leaf")[0]
    _patch(db, (root - 1) * PAGE + 8, struct.pack(">I", leaf))  # the interior page's right-most child
    full, split = _both(db)
    assert "2nd reference to page" in _joined(full)
    assert "2nd reference to page" in _joined(split)
    assert "never used" in _joined(full) and "never used" in _joined(split)


def test_a_page_never_used(db: Path) -> None:
    """One more page in the file (and in the header's page count) that no b-tree nor the freelist holds."""
    with open(db, "rb") as f:
        head = f.read(100)
    count, change = struct.unpack(">I", head[28:32])[0], head[24:28]
    with open(db, "ab") as f:
        f.write(bytes(PAGE))
    _patch(db, 28, struct.pack(">I", count + 1))
    _patch(db, 92, change)  # the header's page count is trusted when "version-valid-for" matches
    full, split = _both(db)
    assert f"Page {count + 1} is never used" in _joined(full)
    assert f"Page {count + 1} is never used" in _joined(split)


def test_a_corrupted_freelist_trunk(db: Path) -> None:
    """The freelist trunk names page 2 (in use) as a free leaf."""
    with open(db, "rb") as f:
        head = f.read(100)
    trunk = struct.unpack(">I", head[32:36])[0]
    assert trunk and struct.unpack(">I", head[36:40])[0] > 1
    _patch(db, (trunk - 1) * PAGE + 8, struct.pack(">I", _root(db, "users")))
    full, split = _both(db)
    assert "2nd reference to page" in _joined(full) and "2nd reference to page" in _joined(split)


def test_a_freelist_trunk_with_a_leaf_count_too_big(db: Path) -> None:
    with open(db, "rb") as f:
        head = f.read(100)
    trunk = struct.unpack(">I", head[32:36])[0]
    _patch(db, (trunk - 1) * PAGE + 4, struct.pack(">I", 100_000))
    full, split = _both(db)
    assert split != ["ok"]
    assert ("freelist" in _joined(full).lower()) == ("freelist" in _joined(split).lower())


def test_an_index_entry_missing_for_a_row(tmp_path: Path) -> None:
    """The index was built without row 7 (a partial index renamed into a full one)."""
    db = _build(tmp_path / "x.db", "CREATE INDEX trades_token ON trades(token) WHERE rowid <> 7;")
    _rewrite_schema(db, "trades_token", "CREATE INDEX trades_token ON trades(token)")
    full, split = _both(db)
    assert "missing from index trades_token" in _joined(full)
    assert "rowid 7 missing from index trades_token" in split
    assert "wrong # of entries in index trades_token" in full and "wrong # of entries in index trades_token" in split


def test_a_unique_index_holding_a_key_twice(tmp_path: Path) -> None:
    db = _build(tmp_path / "x.db", "CREATE INDEX trades_note ON trades(note);")
    _rewrite_schema(db, "trades_note", "CREATE UNIQUE INDEX trades_note ON trades(note)")
    full, split = _both(db)
    assert "non-unique entry in index trades_note" in full
    assert "non-unique entry in index trades_note" in split


def test_an_index_entry_with_the_wrong_key(tmp_path: Path) -> None:
    """Row values changed under an index (the index kept the old ones): found by the seek, not the count."""
    db = _build(tmp_path / "x.db")
    with closing(sqlite3.connect(db)) as con:
        con.execute("PRAGMA writable_schema=ON")
        con.execute("UPDATE sqlite_schema SET sql = 'CREATE INDEX trades_user ON trades(token)' "
                    "WHERE name = 'trades_user'")
        con.commit()
    full, split = _both(db)
    assert "missing from index trades_user" in _joined(full)
    assert "missing from index trades_user" in _joined(split)


def test_a_not_null_violation(tmp_path: Path) -> None:
    db = _build(tmp_path / "x.db")
    with closing(sqlite3.connect(db)) as con:
        con.execute("UPDATE trades SET note = NULL WHERE rowid = 3")
        con.commit()
    _rewrite_schema(db, "trades", "CREATE TABLE trades (id TEXT PRIMARY KEY, user_id INTEGER NOT NULL, "
                                  "token TEXT NOT NULL, note TEXT NOT NULL)")
    full, split = _both(db)
    assert "NULL value in trades.note" in full and "NULL value in trades.note" in split


def test_tables_the_split_cannot_mirror_get_sqlites_own_check(tmp_path: Path) -> None:
    """WITHOUT ROWID and expression indexes: integrity_check(TABLE) runs for them, and finds the damage."""
    db = _build(tmp_path / "x.db", """
        CREATE TABLE pairs (a TEXT, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID;
        CREATE INDEX pairs_b ON pairs(b) WHERE a <> 'k3';
        CREATE TABLE exprs (id INTEGER PRIMARY KEY, s TEXT);
        CREATE INDEX exprs_lower ON exprs(lower(s));
    """)
    with closing(sqlite3.connect(db)) as con:
        con.executemany("INSERT INTO pairs VALUES (?, ?)", [(f"k{i}", i) for i in range(300)])
        con.executemany("INSERT INTO exprs VALUES (?, ?)", [(i, f"S{i}") for i in range(300)])
        con.commit()
    with closing(dbcheck.open_private(db)) as con:
        fallback = {t.name for t in dbcheck.plan_tables(con) if t.indexes is None}
    assert fallback == {"pairs", "exprs"}
    assert split_integrity_check(db) == ["ok"] == _full(db)
    _rewrite_schema(db, "pairs_b", "CREATE INDEX pairs_b ON pairs(b)")
    full, split = _both(db)
    assert "missing from index pairs_b" in _joined(full) and "missing from index pairs_b" in _joined(split)


def test_page_damage_needs_the_whole_file_pass(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the whole-file quick_check the split would call a file with a page in two b-trees ok."""
    root = _root(db, "trades")
    _patch(db, (root - 1) * PAGE + 8, struct.pack(">I", _pages(db, "users", "leaf")[0]))
    everything = dbcheck.plan_tasks

    def without_quick_check(con: sqlite3.Connection) -> Iterator[dbcheck.Task]:
        return (t for t in everything(con) if not t.label.startswith("quick_check"))

    assert split_integrity_check(db) != ["ok"]
    monkeypatch.setattr(dbcheck, "plan_tasks", without_quick_check)
    assert not any("reference" in line or "never used" in line for line in split_integrity_check(db))


def test_a_stop_interrupts_the_split_check(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbcheck, "PROGRESS_OPS", 100)  # this small file is checked in fewer steps than 100,000
    with pytest.raises(sqlite3.OperationalError, match="interrupt"):
        split_integrity_check(db, stop=lambda: True)
    stopped = facts(db, "full", stop=lambda: True, workers=2)
    assert not stopped.intact and "interrupt" in " ".join(stopped.integrity)


def test_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        split_integrity_check(junk)
    assert not facts(junk, "full", workers=2).intact


def test_names_that_need_quoting(tmp_path: Path) -> None:
    """Quotes, braces and spaces in table, column and index names, and a NOCASE index."""
    db = _build(tmp_path / "x.db", """
        CREATE TABLE "odd ""t{0}" ("c{x}" TEXT, "we""ird" INTEGER NOT NULL);
        CREATE UNIQUE INDEX "ix {1}" ON "odd ""t{0}"("c{x}" COLLATE NOCASE, "we""ird" DESC);
    """)
    with closing(sqlite3.connect(db)) as con:
        con.executemany('INSERT INTO "odd ""t{0}" VALUES (?, ?)', [(f"N{i}", i) for i in range(500)])
        con.commit()
    with closing(dbcheck.open_private(db)) as con:
        assert all(t.indexes is not None for t in dbcheck.plan_tables(con))  # the split, not the fallback
    assert split_integrity_check(db) == ["ok"] == _full(db)
