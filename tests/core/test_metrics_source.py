"""Algorithm metrics from both JSON files, table rows, and malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lifeos_desk.core.metrics_source import (
    MetricsFormatError,
    metrics_from_home,
    metrics_from_records,
    parse_metrics_json,
    read_metrics_file,
)

GLOBAL = {
    "sentiment": {"algorithm_type": "sentiment", "total_signals": 120, "winning_signals": 78, "losing_signals": 42,
                  "total_pnl": 812.5, "accuracy": 0.65, "avg_win": 20.0, "avg_loss": -8.0, "best_win": 90.0,
                  "worst_loss": -30.0, "confidence_score": 0.71, "last_updated": "2026-01-02T03:04:05"},
    "whale": {"algorithm_type": "whale", "total_signals": 0, "winning_signals": 0, "losing_signals": 0,
              "total_pnl": 0.0, "accuracy": 0.0, "confidence_score": 0.5, "last_updated": None},
}


def _write(home: Path, rel: str, data: object) -> Path:
    path = home / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_deployed_global_metrics_scaled_to_percent(tmp_path: Path) -> None:
    _write(tmp_path, "algorithms/global_metrics.json", GLOBAL)
    src = metrics_from_home(tmp_path)
    assert src.problem is None
    assert "algorithms/global_metrics.json" in src.description
    by_name = {m.algorithm: m for m in src.metrics}
    s = by_name["sentiment"]
    assert (s.accuracy, s.confidence, s.total_signals, s.winning_signals, s.losing_signals) == (65.0, 71.0, 120, 78, 42)
    assert s.win_share == pytest.approx(65.0) and s.total_pnl == 812.5
    assert by_name["whale"].win_share is None


def test_adr_cache_file_used_when_no_global(tmp_path: Path) -> None:
    _write(tmp_path, "trading/algorithm_metrics.json",
           [{"algorithm_type": "momentum", "total_signals": 10, "winning_signals": 4, "accuracy": 40.0,
             "confidence_score": 50.0}])
    src = metrics_from_home(tmp_path)
    assert "trading/algorithm_metrics.json" in src.description
    assert src.metrics[0].accuracy == 40.0 and src.metrics[0].confidence == 50.0


def test_malformed_global_falls_back_and_says_why(tmp_path: Path) -> None:
    _write(tmp_path, "algorithms/global_metrics.json", '{"sentiment": {"total_signals": 3,')
    _write(tmp_path, "trading/algorithm_metrics.json", {"news": {"total_signals": 2, "winning_signals": 1}})
    src = metrics_from_home(tmp_path)
    assert [m.algorithm for m in src.metrics] == ["news"]
    assert src.problem is not None and "global_metrics.json is not valid JSON (line 1" in src.problem


@pytest.mark.parametrize(("content", "message"), [
    ("[1, 2]", "item 0 is a int, expected an object"),
    ('"text"', "top level is a str"),
    ('{"x": {"total_signals": "many"}}', "algorithm 'x': total_signals is 'many', not a number"),
    ('{"x": 5}', "entry 'x' is a int"),
    ("[{}]", "a record has no algorithm_type"),
])
def test_malformed_files_have_clear_messages(tmp_path: Path, content: str, message: str) -> None:
    path = _write(tmp_path, "algorithms/global_metrics.json", content)
    with pytest.raises(MetricsFormatError, match=message.replace("(", r"\(")) as info:
        read_metrics_file(path)
    assert str(path) in str(info.value)
    src = metrics_from_home(tmp_path)
    assert src.metrics == () and src.problem is not None and message in src.problem


def test_not_utf8_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "algorithms" / "global_metrics.json"
    path.parent.mkdir()
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(MetricsFormatError, match="not UTF-8"):
        read_metrics_file(path)
    with pytest.raises(MetricsFormatError, match="cannot read"):
        read_metrics_file(tmp_path / "nope.json")
    empty = metrics_from_home(tmp_path / "elsewhere")
    assert empty.metrics == () and empty.problem is not None and "no algorithm_metrics table" in empty.problem


def test_table_rows_keep_percent_scale() -> None:
    rows = [{"id": 1, "algorithm_type": "technical", "total_signals": 50, "winning_signals": 30, "accuracy": 60.0,
             "confidence_score": 55.5, "last_updated": "2026-01-01 00:00:00"}]
    (m,) = metrics_from_records(rows)
    assert (m.algorithm, m.accuracy, m.confidence, m.win_share) == ("technical", 60.0, 55.5, 60.0)


def test_wrapped_and_nan_values() -> None:
    (m,) = parse_metrics_json({"metrics": {"volume": {"total_signals": 4, "winning_signals": 1,
                                                      "accuracy": float("nan"), "confidence_score": None}}})
    assert m.algorithm == "volume" and m.accuracy is None and m.confidence is None
