"""The console's own log: where it goes, how it rotates, and that no secret reaches it."""

from __future__ import annotations

import logging
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from pytestqt.qtbot import QtBot

from lifeos_desk.core.paths import AppDirs
from lifeos_desk.diagnostics import (
    LOG_FILENAME,
    REDACTED,
    Diagnostics,
    ExceptionReporter,
    one_line,
    redact,
    setup_logging,
)

PASSPHRASE = "demo-1-river-tundra-falcon"
FERNET = "gAAAAABnX2k3Q9vZ8W1qR4tY6uI0oP3aS5dF7gH9jK2lZ4xC6vB8nM1qW3eR5tY7uI9oP0aS2dF4gH6jK8lZ0xC=="
BASE58_SECRET = "4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi3H5wzTbKcEbpZYDTk5tyf4EKK1FZbNa4RCUFtB7sHUqkG"
HEX_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
ADDRESS = "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV"  # a public key: useful, not secret


@pytest.fixture
def diagnostics(tmp_path: Path) -> Iterator[Diagnostics]:
    diag = setup_logging(tmp_path / "log", max_bytes=4000, backup_count=2)
    yield diag
    diag.close()


def _read(diag: Diagnostics) -> str:
    diag.handler.flush()
    return diag.path.read_text(encoding="utf-8")


def test_log_file_in_the_isolated_log_folder(diagnostics: Diagnostics, tmp_path: Path) -> None:
    logging.getLogger("lifeos_desk.test").info("opened %s", "/srv/lifeos")
    assert diagnostics.path == tmp_path / "log" / LOG_FILENAME
    assert diagnostics.folder == tmp_path / "log"
    assert "INFO    lifeos_desk.test: opened /srv/lifeos" in _read(diagnostics)
    if sys.platform != "win32":
        assert stat.S_IMODE(diagnostics.path.stat().st_mode) == 0o600


def test_default_log_folder_is_platformdirs(isolated_dirs: Path) -> None:
    assert AppDirs.default().log.is_relative_to(isolated_dirs)


def test_rotation_keeps_a_bounded_number_of_files(diagnostics: Diagnostics) -> None:
    log = logging.getLogger("lifeos_desk.test")
    for i in range(400):
        log.info("line %04d %s", i, "x" * 40)
    diagnostics.handler.flush()
    files = sorted(p.name for p in diagnostics.folder.iterdir())
    assert files == [LOG_FILENAME, f"{LOG_FILENAME}.1", f"{LOG_FILENAME}.2"]
    assert all(p.stat().st_size <= 4000 for p in diagnostics.folder.iterdir())
    assert "line 0399" in _read(diagnostics)
    if sys.platform != "win32":
        assert stat.S_IMODE((diagnostics.folder / f"{LOG_FILENAME}.1").stat().st_mode) == 0o600


def test_no_secret_reaches_the_file(diagnostics: Diagnostics) -> None:
    log = logging.getLogger("lifeos_desk.test")
    log.warning("unlock failed with passphrase=%s", PASSPHRASE)
    log.warning("password: %s", PASSPHRASE)
    log.info("envelope %s", FERNET)
    log.info("key %s seed %s for %s", BASE58_SECRET, HEX_SEED, ADDRESS)
    try:
        raise ValueError(f"could not decrypt {FERNET} with passphrase {PASSPHRASE}")
    except ValueError:
        log.exception("vault error")
    text = _read(diagnostics)
    for secret in (PASSPHRASE, FERNET, BASE58_SECRET, HEX_SEED, FERNET[:30]):
        assert secret not in text
    assert text.count(REDACTED) >= 7
    assert ADDRESS in text and "Traceback" in text and "ValueError" in text


@pytest.mark.parametrize("kept", [
    "/tmp/pytest-of-root/pytest-12/test_rotation0/home/logs/audit.jsonl",
    "C:\\Users\\admin\\AppData\\Local\\lifeos-desk\\Logs",
    "table transactions: 5,000 rows, journal mode wal",
    "QSqlError: database is locked (busy timeout 30000 ms)",
    ADDRESS,
])
def test_ordinary_diagnostics_are_not_redacted(kept: str) -> None:
    assert redact(kept) == kept


def test_one_line_is_short_and_redacted() -> None:
    exc = RuntimeError(f"decrypt failed: passphrase={PASSPHRASE}\nsecond line")
    line = one_line(exc)
    assert line == f"RuntimeError: decrypt failed: passphrase={REDACTED}"
    assert one_line(KeyError()) == "KeyError"
    assert len(one_line(ValueError("x" * 1000))) <= 300


def test_reporter_logs_traceback_and_shows_one_line(diagnostics: Diagnostics) -> None:
    shown: list[str] = []
    reporter = ExceptionReporter(shown.append)
    try:
        raise ZeroDivisionError(f"boom {HEX_SEED}")
    except ZeroDivisionError as exc:
        reporter(type(exc), exc, exc.__traceback__)
    assert shown == [f"ZeroDivisionError: boom {REDACTED}"]
    text = _read(diagnostics)
    assert "unhandled exception" in text and "raise ZeroDivisionError" in text and HEX_SEED not in text


def test_reporter_survives_a_failing_message_box(diagnostics: Diagnostics) -> None:
    def broken_show(line: str) -> None:
        raise RuntimeError("no display")

    reporter = ExceptionReporter(broken_show)
    exc = ValueError("first")
    reporter(ValueError, exc, None)  # must not raise
    assert "could not show the error" in _read(diagnostics)


class _Emitter(QObject):
    fire = Signal()


class _BrokenSlot(QObject):
    @Slot()
    def explode(self) -> None:
        raise LookupError("raised in a slot")


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_reaches_the_reporter(qtbot: QtBot, diagnostics: Diagnostics) -> None:
    shown: list[str] = []
    reporter = ExceptionReporter(shown.append)
    reporter.install()
    try:
        emitter, target = _Emitter(), _BrokenSlot()
        emitter.fire.connect(target.explode)
        QTimer.singleShot(0, emitter.fire.emit)
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    finally:
        reporter.uninstall()
    assert shown == ["LookupError: raised in a slot"]
    assert sys.excepthook is not reporter
    assert "raised in a slot" in _read(diagnostics)
