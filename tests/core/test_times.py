"""core/times.py: the one formatting for shown and exported times, on both sides of Greenwich."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from lifeos_desk.core.times import display_stored, display_time, json_time, local_naive_as_utc, parse_stored_time


def test_stored_texts_parse_as_utc() -> None:
    expected = datetime(2026, 12, 1, 8, 40, 30, tzinfo=UTC)
    for text in ("2026-12-01T08:40:30", "2026-12-01 08:40:30", "2026-12-01T08:40:30Z", "2026-12-01T09:40:30+01:00"):
        assert parse_stored_time(text) == expected, text
    for junk in ("", "  ", "yesterday", None, 12):
        assert parse_stored_time(junk) is None


def test_display_in_utc_or_the_local_zone(local_zone: str) -> None:
    moment = datetime(2026, 12, 1, 8, 40, 30, tzinfo=UTC)
    assert display_time(moment, True) == "2026-12-01 08:40:30 UTC"
    local = display_time(moment, False)
    expected = {"Asia/Tokyo": "2026-12-01 17:40:30 JST", "America/Los_Angeles": "2026-12-01 00:40:30 PST"}
    assert local == expected[local_zone]
    assert display_time(moment.replace(tzinfo=None), True) == "2026-12-01 08:40:30 UTC"  # naive is UTC
    assert display_time(None, False) == "—"
    assert display_stored("2026-12-01T08:40:30.123456", True) == "2026-12-01 08:40:30 UTC"
    assert display_stored("not a time", True) == "not a time" and display_stored(None, True) == "—"


def test_json_is_iso_8601_in_utc_with_the_zone(local_zone: str) -> None:
    assert json_time(datetime(2026, 12, 1, 17, 40, 30, tzinfo=timezone(timedelta(hours=9)))) \
        == "2026-12-01T08:40:30+00:00"
    assert json_time(None) is None
    # An archive name's date is local time (the ADR script's `date +%Y%m%d_%H%M%S`).
    named = local_naive_as_utc(datetime(2026, 12, 1, 8, 40, 30))
    offset = {"Asia/Tokyo": -9, "America/Los_Angeles": 8}[local_zone]
    assert named == datetime(2026, 12, 1, 8, 40, 30, tzinfo=UTC) + timedelta(hours=offset)
