"""The console's audit entries take the shape of the file they go into (issue 14, item 19).

The bot's readers are restated here from their published behaviour (core/security/audit_trail.py,
``AuditTrail.query``; core/audit_logger.py, ``verify_chain_integrity``), not imported from the bot.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest

from lifeos_desk.core.audit import OWN_FILE, AuditWriter, console_entries
from lifeos_desk.core.schema import SchemaKind


def bot_trail_query(path: Path, *, since: float = 1.0, until: float = 1e12, kind: str | None = None,
                    actor: str | None = None, resource: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """What the bot's audit-trail query does with each line: only undecodable JSON is skipped; every
    other line is indexed by key (KeyError when absent) and its timestamp compared with numbers
    (TypeError for text)."""
    kept: list[dict[str, Any]] = []
    with path.open() as handle:
        for raw in handle:
            if len(kept) >= limit:
                break
            try:
                event = json.loads(raw)
            except json.JSONDecodeError:
                continue
            checks = [since and event["timestamp"] < since, until and event["timestamp"] > until,
                      kind and event["event_type"] != kind, actor and event["actor_id"] != actor,
                      resource and event["resource_type"] != resource]
            if not any(checks):
                kept.append(event)
    return kept


def bot_trail_line(kind: str, actor: str, when: float) -> str:
    """A line as the bot's audit trail writes it."""
    return json.dumps({"timestamp": when, "event_type": kind, "actor_id": actor, "action": "login",
                       "resource_type": "auth", "resource_id": "session", "ip_address": "", "user_agent": "",
                       "details": None, "success": True, "error_message": "",
                       "timestamp_iso": "2026-09-21T10:00:00"}) + "\n"


def test_item19_console_entries_keep_the_bots_audit_trail_readable(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "audit.jsonl"
    path.parent.mkdir()
    now = time.time()
    path.write_text(bot_trail_line("login", "42", now - 60) + bot_trail_line("trade_execute", "7", now - 30))
    writer = AuditWriter(path)  # no schema hint: the shape comes from the file's lines
    writer.log("vault_verify", via="cli", wallets=3, verified=3)
    writer.log("backup_created", archive=tmp_path / "b.tar.gz", size=123)
    path.write_text(path.read_text() + bot_trail_line("logout", "42", now + 1))
    assert len(bot_trail_query(path)) == 5  # each filter touches every line: none raises
    admin = bot_trail_query(path, kind="admin_action", resource="lifeos-desk")
    assert [e["action"] for e in admin] == ["vault_verify", "backup_created"]
    for entry in admin:
        assert isinstance(entry["timestamp"], float) and now - 5 < entry["timestamp"] < now + 5
        assert isinstance(entry["actor_id"], str) and entry["actor_id"]
        assert isinstance(entry["success"], bool) and isinstance(entry["details"], dict)
        assert entry["details"]["source"] == "lifeos-desk" and "event" not in entry
        assert isinstance(entry["timestamp_iso"], str) and "+" not in entry["timestamp_iso"]
    assert admin[0]["details"]["wallets"] == 3
    assert admin[1]["resource_id"] == str(tmp_path / "b.tar.gz")
    assert bot_trail_query(path, actor=admin[0]["actor_id"], kind="admin_action") == admin
    assert [e["event"] for e in console_entries(path)] == ["vault_verify", "backup_created"]


@pytest.mark.parametrize(("schema", "shape_key"), [(SchemaKind.DEPLOYED, "event_type"), (SchemaKind.ADR, "event"),
                                                   (None, "event")])
def test_item19_an_empty_file_takes_the_homes_schema(tmp_path: Path, schema: SchemaKind | None,
                                                     shape_key: str) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b"")
    AuditWriter(path, schema).log("vault_unlock")
    entry = json.loads(path.read_text())
    assert shape_key in entry
    if schema is SchemaKind.DEPLOYED:
        assert bot_trail_query(path, kind="admin_action")


def test_item19_an_empty_live_file_takes_its_rotated_siblings_shape(tmp_path: Path) -> None:
    (tmp_path / "audit.20260101_000000.jsonl").write_text(bot_trail_line("login", "1", time.time()))
    path = tmp_path / "audit.jsonl"
    AuditWriter(path, SchemaKind.ADR).log("vault_lock", reason="exit")  # the sibling's lines win over the hint
    assert bot_trail_query(path, kind="admin_action")[0]["details"]["reason"] == "exit"


def test_item19_adr_file_gets_adr_lines_even_after_older_console_lines(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text(json.dumps({"timestamp": "2026-09-21T10:00:00+00:00", "event": "trade_opened"}) + "\n")
    AuditWriter(path, SchemaKind.DEPLOYED).log("table_edit", table="users")
    last = json.loads(path.read_text().splitlines()[-1])
    assert last["event"] == "table_edit" and last["timestamp"].endswith("+00:00") and last["table"] == "users"


def bot_chain_valid(path: Path) -> bool:
    """The bot's chain check: each entry names the previous entry's hash, and its own hash is the first
    16 hex digits of SHA-256 over timestamp, category, action, user_id, str(details), previous hash."""
    previous = None
    for raw in path.read_text().splitlines():
        e = json.loads(raw)
        if e["previous_hash"] != previous:
            return False
        text = f"{e['timestamp']}{e['category']}{e['action']}{e['user_id']}{e['details']}{e['previous_hash']}"
        if e["entry_hash"] != hashlib.sha256(text.encode()).hexdigest()[:16]:
            return False
        previous = e["entry_hash"]
    return True


def test_item19_a_hash_chained_file_is_continued(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    first: dict[str, Any] = {"timestamp": "2026-09-21T10:00:00+00:00", "category": "trading", "action": "buy",
                             "user_id": "7", "resource": None, "details": {"amount": 1.5, "token": "SOL"},
                             "severity": "info", "success": True, "ip_address": None, "user_agent": None,
                             "session_id": None, "request_id": None, "previous_hash": None}
    text = (f"{first['timestamp']}{first['category']}{first['action']}{first['user_id']}{first['details']}"
            f"{first['previous_hash']}")
    first["entry_hash"] = hashlib.sha256(text.encode()).hexdigest()[:16]
    path.write_text(json.dumps(first) + "\n")
    assert bot_chain_valid(path)
    AuditWriter(path).log("backup_created", archive=tmp_path / "x.tar.gz", size=10, ok=True)
    AuditWriter(path).log("vault_verify", wallets=2)
    assert len(path.read_text().splitlines()) == 3
    assert bot_chain_valid(path)
    assert [e["event"] for e in console_entries(path)] == ["backup_created", "vault_verify"]


def test_item19_the_treasury_json_array_is_never_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    array = json.dumps([{"timestamp": "2026-09-21T10:00:00", "action": "open", "user_id": 1, "success": True,
                         "details": {}}], indent=2)
    path.write_text(array)
    AuditWriter(path, SchemaKind.DEPLOYED).log("vault_unlock")
    assert path.read_text() == array and isinstance(json.loads(path.read_text()), list)
    own = json.loads((tmp_path / OWN_FILE).read_text())
    assert own["event"] == "vault_unlock" and own["source"] == "lifeos-desk"
    assert [e["event"] for e in console_entries(path)] == ["vault_unlock"]
