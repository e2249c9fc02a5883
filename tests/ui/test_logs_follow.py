"""Following a live log: the work per poll grows with the new lines only (issue 18).

New lines reach the table as inserted rows (never a reset), the chart adds
them to its bars without binning the old rows again, an idle poll reads
nothing, and a quiet log is polled less often until it changes.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from lifeos_desk.ui.logs.area import LogsArea
from lifeos_desk.ui.logs.follower import IDLE_POLLS, MAX_POLL_MS, POLL_MS

T0 = 1_780_000_000.0


def lines(path: Path, first: int, n: int) -> None:
    with path.open("a") as f:
        for i in range(first, first + n):
            f.write(json.dumps({"timestamp": T0 + i, "event": "tick", "n": i}) + "\n")


def make(qtbot: QtBot, folder: Path) -> LogsArea:
    area = LogsArea((folder,))
    qtbot.addWidget(area)
    area.resize(1066, 666)
    area.show()
    return area


class Inserts:
    """Rows inserted and resets seen on a model."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.resets = 0

    def inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        self.rows.append(last - first + 1)

    def reset(self) -> None:
        self.resets += 1


def test_new_lines_are_inserted_and_binned_by_themselves(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    lines(folder / "audit.jsonl", 0, 300)
    area = make(qtbot, folder)
    qtbot.waitUntil(lambda: area.model.rowCount() == 300)
    chart = area.workbench.histogram
    area.workbench.refresh_chart()
    qtbot.waitUntil(lambda: chart.bins.total == 300, timeout=5000)
    live = area.workbench.live_bins[id(area.logs.timelines[0])]
    assert live.recomputes == 1
    seen = Inserts()
    area.model.rowsInserted.connect(seen.inserted)
    area.model.modelReset.connect(seen.reset)
    for k in range(5):
        lines(folder / "audit.jsonl", 300 + 10 * k, 10)
    qtbot.waitUntil(lambda: area.model.rowCount() == 350, timeout=5000)
    area.workbench.refresh_chart()
    qtbot.waitUntil(lambda: chart.bins.total == 350, timeout=5000)
    assert sum(seen.rows) == 50 and seen.resets == 0
    assert live.recomputes == 1 and live.added == 50  # the 50 new rows were added to the bars, the 300 not re-binned
    area.shutdown()


def test_idle_polls_read_nothing_and_back_off_until_a_change(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    lines(folder / "audit.jsonl", 0, 20)
    area = make(qtbot, folder)
    qtbot.waitUntil(lambda: area.model.rowCount() == 20)
    area.follower.stop()  # ticks driven by hand below
    live = area.logs.timelines[0].live
    area.follower.tick()
    busy = live.busy_polls
    for _ in range(IDLE_POLLS):
        area.follower.tick()
    assert live.busy_polls == busy  # idle: stat only, no read
    assert area.follower.interval == 2 * POLL_MS
    for _ in range(10 * IDLE_POLLS):
        area.follower.tick()
    assert area.follower.interval == MAX_POLL_MS
    lines(folder / "audit.jsonl", 20, 3)
    area.follower.tick()
    assert live.busy_polls == busy + 1 and area.follower.interval == POLL_MS
    qtbot.waitUntil(lambda: area.model.rowCount() == 23, timeout=5000)
    area.shutdown()
