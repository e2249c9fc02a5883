"""Entry normalisation for every writer shape in docs/data-formats.md, 'JSONL logs', and malformed lines."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from lifeos_desk.core.jsonl.entry import MAX_PARSE_BYTES, parse_line, parse_time, pretty

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()


def line(obj: object) -> bytes:
    return json.dumps(obj).encode()


def test_adr_audit_shape() -> None:
    e = parse_line(line({"timestamp": "2026-01-02T03:04:05+00:00", "event": "wallet_created", "user_id": 7}))
    assert (e.time, e.event, e.actor, e.level, e.problem) == (T0, "wallet_created", "7", "", None)


def test_deployed_audit_shape() -> None:
    obj = {"timestamp": T0, "event_type": "wallet_access", "actor_id": "42", "action": "decrypt",
           "resource_type": "wallet", "resource_id": "wallet_42_ab", "ip_address": None, "user_agent": None,
           "details": {"why": "export"}, "success": False, "error_message": "denied",
           "timestamp_iso": "2026-01-02T04:04:05"}
    e = parse_line(line(obj))
    assert e.time == T0
    assert e.event == "wallet_access"  # event_type wins over action
    assert e.actor == "42"
    assert e.resource == "wallet/wallet_42_ab"
    assert e.level == "ERROR"  # success false
    assert "action=decrypt" in e.summary and "error_message=denied" in e.summary
    assert set(e.extra) >= {"action", "details", "error_message"}


def test_structured_logger_shape() -> None:
    e = parse_line(line({"timestamp": "2026-01-02T03:04:05Z", "level": "warning", "logger": "jarvis.trade",
                         "message": "slippage high", "correlation_id": "c1", "user_id": 9}))
    assert (e.time, e.level, e.event, e.actor) == (T0, "WARNING", "slippage high", "9")
    e2 = parse_line(line({"timestamp": "2026-01-02T03:04:05Z", "level": "INFO", "message": "m",
                          "event_name": "order_filled"}))
    assert e2.event == "order_filled"  # event_name comes before message


def test_trading_shape_and_timestamp_iso_fallback() -> None:
    e = parse_line(line({"timestamp": "2026-01-02T03:04:05.500+00:00", "event": "TRADE_EXECUTED",
                         "token": "SOL", "pnl_usd": 1.5}))
    assert (e.time, e.event) == (T0 + 0.5, "TRADE_EXECUTED")
    assert "token=SOL" in e.summary
    local = datetime(2026, 1, 2, 3, 4, 5).timestamp()  # naive ISO = local time, as the bot's isoformat()
    assert parse_line(line({"timestamp_iso": "2026-01-02T03:04:05", "action": "x"})).time == local


def test_parse_time_variants() -> None:
    assert parse_time(T0) == T0
    assert parse_time(T0 * 1000) == T0
    assert parse_time(str(T0)) == T0
    assert parse_time("2026-01-02 03:04:05+00:00") == T0
    for bad in (None, True, "", "yesterday", float("nan"), [1]):
        assert parse_time(bad) is None


def test_malformed_lines_are_entries_not_errors() -> None:
    cases = {
        b"not json at all": "not JSON",
        b"[1, 2]": "not a JSON object",
        b'"text"': "not a JSON object",
        b'{"a": "\xff\xfe"}': "invalid UTF-8",
        b'{"timestamp": 1, "event": "cut': "not JSON",
        b"   ": "empty line",
    }
    for raw, problem in cases.items():
        e = parse_line(raw)
        assert e.malformed and e.problem is not None and problem in e.problem, raw
        assert "Malformed line" in pretty(e)
    huge = b'{"a": "' + b"x" * (MAX_PARSE_BYTES + 10) + b'"}'
    e = parse_line(huge[:1000], len(huge))
    assert e.malformed and "MB" in (e.problem or "")


def test_crlf_line_parses() -> None:
    assert not parse_line(b'{"event": "x"}\r').malformed


def test_pretty_json() -> None:
    e = parse_line(line({"event": "x", "details": {"a": 1}}))
    assert pretty(e) == json.dumps({"event": "x", "details": {"a": 1}}, indent=2)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    e = parse_line(raw)
    assert e.malformed or e.data is not None


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["timestamp", "timestamp_iso", "event", "event_type", "event_name",
                                        "action", "message", "level", "success", "actor_id", "user_id",
                                        "resource_type", "resource_id", "other"]), json_values, max_size=8))
def test_arbitrary_objects_never_raise(obj: dict[str, object]) -> None:
    e = parse_line(json.dumps(obj).encode())
    assert e.data == obj or not e.malformed
    assert isinstance(e.event, str) and isinstance(e.level, str) and isinstance(e.actor, str)


def test_each_shape_maps_its_own_level_and_actor() -> None:
    def parsed(obj: Mapping[str, object]) -> tuple[str, str]:
        e = parse_line(json.dumps(obj).encode())
        return e.level, e.actor

    trail = {"timestamp": T0, "event_type": "wallet_access", "actor_id": "42", "action": "decrypt"}
    assert parsed({**trail, "success": True}) == ("INFO", "42")
    assert parsed({**trail, "success": False}) == ("ERROR", "42")
    assert parsed({**trail, "event_type": "login_failed", "success": False}) == ("WARNING", "42")
    assert parsed({**trail, "event_type": "security_alert", "success": True}) == ("WARNING", "42")
    daily = {"timestamp": "2026-01-02T03:04:05+00:00", "category": "trading", "action": "buy", "user_id": "7",
             "severity": "warning", "success": True}
    assert parsed(daily) == ("WARNING", "7")
    treasury = {"timestamp": "2026-01-02T03:04:05", "action": "OPEN_POSITION", "user_id": "9", "success": False}
    assert parsed(treasury) == ("ERROR", "9")
    console = {"timestamp": "2026-01-02T03:04:05+00:00", "event": "backup_made", "os_user": "ops",
               "source": "lifeos-desk"}
    assert parsed(console) == ("", "ops")
    assert "os_user" not in parse_line(json.dumps(console).encode()).summary
