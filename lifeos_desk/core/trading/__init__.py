"""The treasury's trading state files, read without Qt: positions, history, exit intents, emergency stop.

``jsonfile`` reads one file safely (complete JSON or a reason), ``records``
turns the bot's JSON into typed values, ``state`` knows where the files are
and keeps the last good read when a file is caught mid-write
(docs/data-formats.md, 'Trading state files').
"""

from __future__ import annotations

from .jsonfile import JsonDocument, JsonProblem, Problem, read_json
from .records import (
    EmergencyStop,
    ExitIntent,
    Position,
    StopLevel,
    StopLoss,
    TakeProfit,
    TimeStop,
    TrailingStop,
)
from .state import (
    EMERGENCY_LIMIT,
    INTENTS_LIMIT,
    POSITIONS_LIMIT,
    Snapshot,
    StateFile,
    TradingPaths,
    active_stop,
    emergency_file,
    history_file,
    intents_file,
    open_positions,
    positions_file,
)

__all__ = [
    "EMERGENCY_LIMIT", "INTENTS_LIMIT", "POSITIONS_LIMIT", "EmergencyStop", "ExitIntent", "JsonDocument",
    "JsonProblem", "Position", "Problem", "Snapshot", "StateFile", "StopLevel", "StopLoss", "TakeProfit",
    "TimeStop", "TradingPaths", "TrailingStop", "active_stop", "emergency_file", "history_file",
    "intents_file", "open_positions", "positions_file", "read_json",
]
