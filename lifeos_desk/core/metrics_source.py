"""Algorithm metrics from the database table or the bot's JSON files, without Qt.

ADR-005 keeps them in the ``algorithm_metrics`` table (with a JSON cache at
``trading/algorithm_metrics.json``); the deployed bot has no table and writes
``algorithms/global_metrics.json`` (docs/data-formats.md, 'Where things live').
This module turns any of those into one list of ``AlgorithmMetric`` and says
where it came from, so the chart can tell the admin which source is shown.

Scales: accuracy and confidence are shown as percentages. A source whose
values are all within 0..1 stores fractions (the deployed bot's accuracy is
winning / total); those are multiplied by 100.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

JSON_SOURCES = (Path("algorithms") / "global_metrics.json", Path("trading") / "algorithm_metrics.json")
MAX_JSON_BYTES = 16 * 1024 * 1024


class MetricsFormatError(ValueError):
    """A metrics file that cannot be read as metrics; the message names the file and the problem."""


@dataclass(frozen=True)
class AlgorithmMetric:
    """One algorithm's record. Percentages are 0..100; missing numbers are None."""

    algorithm: str
    total_signals: int
    winning_signals: int
    accuracy: float | None
    confidence: float | None
    losing_signals: int | None = None
    total_pnl: float | None = None
    last_updated: str | None = None

    @property
    def win_share(self) -> float | None:
        """Winning / total signals in percent (None without signals)."""
        return 100.0 * self.winning_signals / self.total_signals if self.total_signals else None


@dataclass(frozen=True)
class MetricsSource:
    """Metrics and a human description of where they came from."""

    metrics: tuple[AlgorithmMetric, ...]
    description: str
    problem: str | None = None


def _number(value: Any, what: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise MetricsFormatError(f"{what} is {value!r}, not a number") from None
    return number if math.isfinite(number) else None


def _count(value: Any, what: str) -> int:
    number = _number(value, what)
    return int(number) if number is not None else 0


def metric_from_mapping(record: Mapping[str, Any], fallback_name: str = "") -> AlgorithmMetric:
    """One metric from a JSON object or a table row (column name -> value)."""
    name = str(record.get("algorithm_type") or record.get("algorithm") or fallback_name or "").strip()
    if not name:
        raise MetricsFormatError("a record has no algorithm_type")
    where = f"algorithm {name!r}"
    losing = record.get("losing_signals")
    return AlgorithmMetric(
        algorithm=name,
        total_signals=_count(record.get("total_signals"), f"{where}: total_signals"),
        winning_signals=_count(record.get("winning_signals"), f"{where}: winning_signals"),
        accuracy=_number(record.get("accuracy"), f"{where}: accuracy"),
        confidence=_number(record.get("confidence_score", record.get("confidence")), f"{where}: confidence_score"),
        losing_signals=None if losing is None else _count(losing, f"{where}: losing_signals"),
        total_pnl=_number(record.get("total_pnl"), f"{where}: total_pnl"),
        last_updated=None if record.get("last_updated") is None else str(record.get("last_updated")),
    )


def _as_percent(metrics: Sequence[AlgorithmMetric]) -> tuple[AlgorithmMetric, ...]:
    """Scale fractions to percent, per field, when every value of that field is within 0..1."""
    acc = [m.accuracy for m in metrics if m.accuracy is not None]
    conf = [m.confidence for m in metrics if m.confidence is not None]
    acc_scale = 100.0 if acc and all(0 <= v <= 1 for v in acc) else 1.0
    conf_scale = 100.0 if conf and all(0 <= v <= 1 for v in conf) else 1.0
    return tuple(
        replace(m, accuracy=None if m.accuracy is None else m.accuracy * acc_scale,
                confidence=None if m.confidence is None else m.confidence * conf_scale)
        for m in metrics
    )


def metrics_from_records(records: Iterable[Mapping[str, Any]]) -> tuple[AlgorithmMetric, ...]:
    """Metrics from table rows (as dicts), scaled to percent."""
    return _as_percent([metric_from_mapping(r) for r in records])


def parse_metrics_json(data: Any) -> tuple[AlgorithmMetric, ...]:
    """Metrics from decoded JSON: ``{algo: {...}}`` (the bot's file) or a list of records."""
    if isinstance(data, Mapping):
        if isinstance(data.get("metrics"), (Mapping, list)):
            return parse_metrics_json(data["metrics"])
        items: list[AlgorithmMetric] = []
        for key, value in data.items():
            if not isinstance(value, Mapping):
                raise MetricsFormatError(f"entry {key!r} is a {type(value).__name__}, expected an object")
            items.append(metric_from_mapping(value, fallback_name=str(key)))
        return _as_percent(items)
    if isinstance(data, list):
        for i, value in enumerate(data):
            if not isinstance(value, Mapping):
                raise MetricsFormatError(f"item {i} is a {type(value).__name__}, expected an object")
        return _as_percent([metric_from_mapping(v) for v in data])
    raise MetricsFormatError(f"top level is a {type(data).__name__}, expected an object keyed by algorithm")


def read_metrics_file(path: Path) -> tuple[AlgorithmMetric, ...]:
    """Read one metrics JSON file; MetricsFormatError names the file and what is wrong."""
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise MetricsFormatError(f"{path} is {size:,} bytes; larger than a metrics file can be")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise MetricsFormatError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise MetricsFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MetricsFormatError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") \
            from None
    try:
        return parse_metrics_json(data)
    except MetricsFormatError as exc:
        raise MetricsFormatError(f"{path}: {exc}") from None


def json_candidates(home: Path) -> list[Path]:
    """The metrics files that exist in a data home, deployed bot's first."""
    return [home / rel for rel in JSON_SOURCES if (home / rel).is_file()]


def metrics_from_home(home: Path) -> MetricsSource:
    """The first readable metrics file of the home; a malformed one is reported, not hidden."""
    problems = []
    for path in json_candidates(home):
        rel = path.relative_to(home)
        try:
            metrics = read_metrics_file(path)
        except MetricsFormatError as exc:
            problems.append(str(exc))
            continue
        return MetricsSource(metrics, f"file {rel} in {home}", "; ".join(problems) or None)
    if problems:
        return MetricsSource((), "no readable metrics file", "; ".join(problems))
    wanted = " or ".join(str(p) for p in JSON_SOURCES)
    return MetricsSource((), "no metrics", f"no algorithm_metrics table and no {wanted} in {home}")
