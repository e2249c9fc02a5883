"""Issue 14's soak test: backup, verify and restore in a loop while a bot commits 100 rows a second.

The home's one SQLite store (public_users.db) gets a writer child; the
loop runs 10 s on a WAL home and 10 s on a rollback-journal home (20 s in
all; measured 27 s with set-up on this 2-core machine, within the issue's 60 s: several
rounds of each, at about 1,000 committed rows per home). Every row whose
commit returned must be in the live database or in one of the restores'
safety archives; the writer must see no error; integrity_check ok at the end.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from lifeos_desk.core.archive import make_backup, prepare_restore, verify_archive
from lifeos_desk.core.archive.apply import apply_restore

from .archive_helpers import make_home
from .writer_helpers import Writer, archived_ids, ids

SECONDS = 10.0


@pytest.mark.slow
@pytest.mark.parametrize("schema", ["adr", "deployed"])
def test_soak_backup_verify_restore_while_the_bot_writes(tmp_path: Path, schema: str) -> None:
    paths = make_home(tmp_path, schema, trades=5000)
    table = "trades" if schema == "adr" else "transactions"
    bot = Writer(paths.db, table, tmp_path / "bot", rate=100)
    safeties: list[Path] = []
    rounds = 0
    try:
        end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            archive = make_backup(paths).path
            report = verify_archive(archive)
            assert report.ok, report.message
            with prepare_restore(archive, paths) as plan:
                result = apply_restore(plan)
            assert result.safety is not None and result.quick_check == "ok"
            safeties.append(result.safety.path)
            rounds += 1
    finally:
        stats, err = bot.stop()
    assert stats["errors"] == 0, err
    assert rounds >= 3
    committed = bot.committed()
    assert len(committed) >= 100
    kept = ids(paths.db, table)
    for i, safety in enumerate(safeties):
        kept |= archived_ids(safety, table, tmp_path / f"s{i}")
    lost = committed - kept
    assert not lost, f"{len(lost)} of {len(committed)} committed rows are nowhere ({rounds} rounds)"
    with closing(sqlite3.connect(paths.db)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
