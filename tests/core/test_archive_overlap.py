"""Restore with the safety backup made beside the archive's reading (``prepare_restore(early_safety=True)``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lifeos_desk.core.archive import CancelFlag, Cancelled, apply_restore, make_backup, prepare_restore
from lifeos_desk.core.archive.catalog import last_safety
from lifeos_desk.core.archive.progress import Progress
from lifeos_desk.core.audit import audit_log_path

from .archive_helpers import counts, make_home, tree


def _events(paths_audit: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in paths_audit.read_text().splitlines() if line.strip()]


def test_early_safety_is_recorded_only_when_the_restore_goes_ahead(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    archive = make_backup(paths).path
    archived_counts = counts(paths.db)
    (paths.home / "trading" / "exit_intents.json").write_text("{}\n")  # a change the restore undoes
    audit = audit_log_path(paths)
    entries_before = len(_events(audit))

    with prepare_restore(archive, paths, early_safety=True) as plan:
        assert plan.safety is not None
        result = apply_restore(plan)

    assert result.safety is not None and result.safety.path.is_file()
    assert last_safety(paths.backups) == result.safety.path.name
    new = [e.get("event", e.get("action")) for e in _events(audit)[entries_before:]]  # ADR or audit-trail shape
    assert new == ["backup_created", "backup_restored"]  # the safety backup first, as without the overlap
    assert counts(paths.db) == archived_counts
    assert (paths.home / "trading" / "exit_intents.json").read_text() != "{}\n"


def test_a_plan_not_applied_deletes_its_early_safety(tmp_path: Path) -> None:
    """The admin said no after all (or the preview failed): no safety archive, no audit entry."""
    paths = make_home(tmp_path)
    archive = make_backup(paths).path
    before = tree(paths.home)
    with prepare_restore(archive, paths, early_safety=True) as plan:
        assert plan.safety is not None
    assert tree(paths.home) == before


def test_cancel_while_reading_stops_the_early_safety_too(tmp_path: Path) -> None:
    paths = make_home(tmp_path, log_lines=3000)
    archive = make_backup(paths).path
    before = tree(paths.home)
    cancel = CancelFlag()

    def stop_in_extract(p: Progress) -> None:
        if p.stage == "extract" and p.done > 0:
            cancel.set()

    with pytest.raises(Cancelled):
        prepare_restore(archive, paths, progress=stop_in_extract, cancel=cancel, early_safety=True)
    assert tree(paths.home) == before


def test_cancel_after_reading_is_honoured_until_the_safety_backup_is_complete(tmp_path: Path) -> None:
    paths = make_home(tmp_path)
    archive = make_backup(paths).path
    before = tree(paths.home)
    cancel = CancelFlag()
    with prepare_restore(archive, paths, cancel=cancel, early_safety=True) as plan:
        cancel.set()
        with pytest.raises(Cancelled):
            apply_restore(plan, cancel=cancel)
    # The safety archive may have been finished (and then recorded) before the cancel; nothing else changed.
    after = tree(paths.home)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert all(k.startswith("backups/") or k == "logs/audit.jsonl" for k in changed), changed


def test_backup_streams_at_lower_priority_and_leaves_the_caller_alone(tmp_path: Path) -> None:
    """The full check keeps its core: the streaming (and its compressor threads) run niced, in their own thread."""
    import os
    import threading

    paths = make_home(tmp_path)
    seen: dict[str, int] = {}

    def note(p: Progress) -> None:
        if p.stage == "compress":
            seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    make_backup(paths, progress=note)
    assert seen["nice"] > own
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own
