"""Store discovery on a home laid out like the deployed bot's (tests/deployed_home.py)."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from lifeos_desk.core.discovery import Kind, Limits, Risk, Role, Tree, discover, sqlite_journal
from tests.deployed_home import DeployedHome, build_deployed_home, daily_audit_hash


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> DeployedHome:
    return build_deployed_home(tmp_path_factory.mktemp("deployed"))


EXPECTED = {
    # path relative to home or bot: (kind, role)
    ("home", "public_users.db"): (Kind.SQLITE, Role.USERS_WALLETS),
    ("home", "fees.db"): (Kind.SQLITE, Role.FEES),
    ("home", "telegram/jarvis_secure.db"): (Kind.SQLITE, Role.SUBSCRIBERS),
    ("home", "permissions/permissions.db"): (Kind.SQLITE, Role.PERMISSIONS),
    ("home", "trading/exit_intents.json"): (Kind.JSON, Role.EXIT_INTENTS),
    ("home", "trading/emergency_stop.json"): (Kind.JSON, Role.EMERGENCY_STOP),
    ("home", "logs/audit.jsonl"): (Kind.JSON, Role.TREASURY_AUDIT),
    ("home", "wallets/phantom_trading_wallet.json"): (Kind.KEYS, Role.PLAINTEXT_WALLET),
    ("home", "secrets/keys.json"): (Kind.KEYS, Role.API_KEYS),
    ("bot", "data/jarvis_core.db"): (Kind.SQLITE, Role.TREASURY),
    ("bot", "data/trader/positions.json"): (Kind.JSON, Role.POSITIONS),
    ("bot", "data/trader/positions.json.bak"): (Kind.JSON, Role.POSITIONS),
    ("bot", "data/trader/trade_history.json"): (Kind.JSON, Role.TRADE_HISTORY),
    ("bot", "data/audit/audit_20260301.jsonl"): (Kind.JSONL, Role.DAILY_AUDIT),
    ("bot", "logs/audit.jsonl"): (Kind.JSONL, Role.SECURITY_AUDIT),
    ("bot", "data/treasury_keypair.json"): (Kind.KEYS, Role.TREASURY_KEYPAIR),
    ("bot", "bots/treasury/.wallets/.salt"): (Kind.KEYS, Role.TREASURY_WALLETS),
    ("bot", "bots/treasury/.wallets/registry.json"): (Kind.JSON, Role.TREASURY_WALLETS),
    ("bot", ".env"): (Kind.KEYS, Role.ENV_FILE),
}


def _root(d: DeployedHome, tree: str) -> Path:
    return d.home if tree == "home" else d.bot_dir


def test_every_deployed_store_is_found_with_kind_and_role(deployed: DeployedHome) -> None:
    found = discover(deployed.home, deployed.bot_dir)
    for (tree, rel), (kind, role) in EXPECTED.items():
        store = found.get(_root(deployed, tree) / rel)
        assert store is not None, rel
        assert (store.kind, store.role) == (kind, role), rel
        assert store.tree is (Tree.HOME if tree == "home" else Tree.BOT)
    keys = [s for s in found.by_role(Role.TREASURY_WALLETS) if s.path.suffix == ".key"]
    assert len(keys) == 1 and keys[0].kind is Kind.KEYS
    assert not found.truncated


def test_journal_mode_from_header_and_wal_file(deployed: DeployedHome) -> None:
    found = discover(deployed.home, deployed.bot_dir)
    core = found.get(deployed.wal_db)
    users = found.get(deployed.home / "public_users.db")
    assert core is not None and users is not None
    assert (core.journal, core.has_wal) == ("wal", True)
    assert (users.journal, users.has_wal) == ("delete", False)
    # the -wal itself is a companion, not a store
    assert found.get(deployed.wal_db.with_name("jarvis_core.db-wal")) is None


def test_wal_fixture_rows_live_only_in_the_wal(deployed: DeployedHome, tmp_path: Path) -> None:
    """The fixture is what it claims: the main file alone has no rows, with its -wal it has five."""
    import shutil
    import sqlite3

    alone = tmp_path / "alone.db"
    shutil.copyfile(deployed.wal_db, alone)
    with_wal = tmp_path / "with.db"
    shutil.copyfile(deployed.wal_db, with_wal)
    shutil.copyfile(deployed.wal_db.with_name("jarvis_core.db-wal"), tmp_path / "with.db-wal")
    counts = []
    for path in (alone, with_wal):
        conn = sqlite3.connect(path)
        counts.append(conn.execute("SELECT COUNT(*) FROM trades").fetchone()[0])
        conn.close()
    assert counts == [0, 5]


def test_risk_flags(deployed: DeployedHome) -> None:
    found = discover(deployed.home, deployed.bot_dir)
    intents = found.get(deployed.home / "trading" / "exit_intents.json")
    positions = found.get(deployed.bot_dir / "data" / "trader" / "positions.json")
    secrets = found.get(deployed.home / "secrets" / "keys.json")
    assert intents is not None and Risk.NOT_ATOMIC in intents.risks
    assert positions is not None and Risk.NOT_ATOMIC not in positions.risks
    assert secrets is not None and Risk.PLAINTEXT_SECRET in secrets.risks
    os.chmod(secrets.path, 0o644)
    assert Risk.WORLD_READABLE in (discover(deployed.home).get(secrets.path) or secrets).risks
    os.chmod(secrets.path, 0o600)
    again = discover(deployed.home).get(secrets.path)
    assert again is not None and Risk.WORLD_READABLE not in again.risks


def test_unknown_file_is_listed_as_unknown(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "trading").mkdir(parents=True)
    (home / "mystery.bin").write_bytes(b"\x00\x01 not a database")
    (home / "notes.db").write_bytes(b"named like a database but is not one")
    found = discover(home)
    for name in ("mystery.bin", "notes.db"):
        store = found.get(home / name)
        assert store is not None and (store.kind, store.role) == (Kind.UNKNOWN, None)


def test_lock_tmp_and_backups_are_skipped(tmp_path: Path) -> None:
    home, backups = tmp_path / "home", tmp_path / "home" / "backups"
    backups.mkdir(parents=True)
    (backups / "20260101_000000.tar.gz").write_bytes(b"x")
    (home / "positions.json.lock").write_text("")
    (home / "positions.json.tmp").write_text("[]")
    found = discover(home, backups_dir=backups)
    assert found.stores == []
    assert {p.name for p, _ in found.skipped} == {"positions.json.lock", "positions.json.tmp"}


def test_symlink_out_of_the_home_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.db").write_bytes(b"SQLite format 3\x00" + bytes(84))
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    os.symlink(outside, home / "linked_dir")
    os.symlink(outside / "secret.db", home / "logs" / "audit.jsonl")
    found = discover(home)
    assert found.stores == []
    assert {p.name for p, reason in found.skipped if "symlink" in reason} == {"linked_dir", "audit.jsonl"}


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_fifo_is_skipped_without_blocking(tmp_path: Path) -> None:
    """A FIFO named like a log would block a plain open() forever; discovery never opens it."""
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    os.mkfifo(home / "logs" / "audit.jsonl")
    os.mkfifo(home / "public_users.db")
    found = discover(home)  # returns at all: a blocking open would hang this test
    assert found.stores == []
    assert {p.name for p, reason in found.skipped if reason == "not a regular file"} == {
        "audit.jsonl",
        "public_users.db",
    }


def test_no_open_paths_are_reported_unread(deployed: DeployedHome, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database the window holds through QtSql is listed without one descriptor opened on it."""
    opened: list[str] = []
    real_open = os.open

    def spy(path: str | os.PathLike[str], *args: int) -> int:
        opened.append(os.fspath(path))
        return real_open(path, *args)

    monkeypatch.setattr(os, "open", spy)
    found = discover(deployed.home, deployed.bot_dir, no_open={deployed.wal_db})
    store = found.get(deployed.wal_db)
    assert store is not None and (store.kind, store.journal) == (Kind.SQLITE, "wal")
    assert os.fspath(deployed.wal_db) not in opened
    assert os.fspath(deployed.home / "public_users.db") in opened


def test_bot_source_code_is_not_walked(deployed: DeployedHome) -> None:
    src = deployed.bot_dir / "core"
    src.mkdir(exist_ok=True)
    (src / "cache.db").write_bytes(b"SQLite format 3\x00" + bytes(84))
    found = discover(deployed.home, deployed.bot_dir)
    assert found.get(src / "cache.db") is None


def test_walk_is_bounded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    deep = home.joinpath(*["d"] * 10)
    deep.mkdir(parents=True)
    (deep / "x.json").write_text("{}")
    for n in range(20):
        (home / f"f{n}.json").write_text("{}")
    assert discover(home, limits=Limits(max_depth=3)).truncated
    few = discover(home, limits=Limits(max_files=5))
    assert few.truncated and len(few.stores) == 5


def test_header_journal_bytes() -> None:
    head = bytearray(b"SQLite format 3\x00" + bytes(84))
    head[18] = head[19] = 2
    assert sqlite_journal(bytes(head)) == "wal"
    head[18] = head[19] = 1
    assert sqlite_journal(bytes(head)) == "delete"
    assert sqlite_journal(b"not sqlite") is None


@pytest.mark.parametrize("mode", ["delete", "truncate", "persist", "memory", "off", "wal"])
def test_header_journal_is_what_pragma_journal_mode_answers(tmp_path: Path, mode: str) -> None:
    """Whatever mode the writer used, the header names what a new connection's PRAGMA says (the status bar's word)."""
    path = tmp_path / f"{mode}.db"
    writer = sqlite3.connect(path)
    writer.execute(f"PRAGMA journal_mode={mode}")
    writer.execute("CREATE TABLE t(x)")
    writer.execute("INSERT INTO t VALUES (1)")
    writer.commit()
    writer.close()
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        answer = str(reader.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    finally:
        reader.close()
    assert sqlite_journal(path.read_bytes()[:100]) == answer


def test_daily_audit_chain_is_valid(deployed: DeployedHome) -> None:
    """The fixture's chain follows the writer: each hash over str() of the fields, linked to the last."""
    previous = None
    for line in deployed.audit_day.read_text().splitlines():
        entry = json.loads(line)
        assert entry["previous_hash"] == previous
        assert entry["entry_hash"] == daily_audit_hash(entry)
        previous = entry["entry_hash"]
    assert previous is not None


_TRAIL_LINE = b'{"timestamp": 1764495000.5, "event_type": "admin_action", "actor_id": "ops"}\n'
_ARRAY = b'[\n  {"timestamp": "2026-11-30T10:00:00", "action": "OPEN_POSITION"}\n]\n'
_GZIP = b"\x1f\x8b\x08\x00" + bytes(20)


@pytest.mark.parametrize(("tree", "rel", "content", "role", "kind"), [
    # the security trail's own rotation (docs/data-formats.md, 'Security audit trail'), in either tree
    ("bot", "logs/audit.20261130_101010.jsonl", _TRAIL_LINE, Role.SECURITY_AUDIT, Kind.JSONL),
    ("home", "logs/audit.20261130_101010.jsonl", _TRAIL_LINE, Role.SECURITY_AUDIT, Kind.JSONL),
    # numbered parts a size-rotating handler or logrotate leaves, plain or gzipped
    ("bot", "logs/audit.jsonl.1", _TRAIL_LINE, Role.SECURITY_AUDIT, Kind.JSONL),
    ("bot", "logs/audit.jsonl.2.gz", _GZIP, Role.SECURITY_AUDIT, Kind.JSONL),
    ("home", "logs/audit.jsonl.1", _ARRAY, Role.TREASURY_AUDIT, Kind.JSON),  # the array, copied aside
    ("home", "logs/audit-2026-11-30.jsonl", _TRAIL_LINE, Role.SECURITY_AUDIT, Kind.JSONL),
    # a dated name in the checkout's logs/ is the structured logger's (its namer), live or archived
    ("bot", "logs/audit-2026-11-30.jsonl", _TRAIL_LINE, Role.STRUCTURED_LOG, Kind.JSONL),
    ("bot", "logs/archive/jarvis-2026-11-20.jsonl.gz", _GZIP, Role.STRUCTURED_LOG, Kind.JSONL),
    # the daily files: the comprehensive logger's size rotation, and a numbered copy of a day
    ("bot", "data/audit/audit_20261130_101010.jsonl", _TRAIL_LINE, Role.DAILY_AUDIT, Kind.JSONL),
    ("bot", "data/audit/audit_20261130.jsonl.1", _TRAIL_LINE, Role.DAILY_AUDIT, Kind.JSONL),
])
def test_rotated_and_dated_logs_take_their_live_files_role(tmp_path: Path, tree: str, rel: str, content: bytes,
                                                           role: Role, kind: Kind) -> None:
    home, bot = tmp_path / "home", tmp_path / "bot"
    path = (home if tree == "home" else bot) / rel
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    (bot / "data").mkdir(parents=True, exist_ok=True)
    store = discover(home, bot).get(path)
    assert store is not None and (store.role, store.kind) == (role, kind), store
    if role not in (Role.STRUCTURED_LOG, Role.DAILY_AUDIT) or rel.endswith(".1"):
        assert store.label.endswith("(rotated)")
    assert Risk.NOT_ATOMIC not in store.risks  # nobody rewrites a rotated part


def test_a_name_that_only_looks_rotated_stays_unknown(tmp_path: Path) -> None:
    """A rotated part of a log no rule knows is no audit log: the role stays unknown, never guessed."""
    home = tmp_path / "home"
    (home / "logs").mkdir(parents=True)
    for name in ("mystery.20261130_101010.jsonl", "mystery.jsonl.1", "audit.jsonl.backup"):
        (home / "logs" / name).write_bytes(_TRAIL_LINE)
    found = discover(home)
    assert [(s.path.name, s.role) for s in found.stores] == [
        ("audit.jsonl.backup", None), ("mystery.20261130_101010.jsonl", None), ("mystery.jsonl.1", None)]
