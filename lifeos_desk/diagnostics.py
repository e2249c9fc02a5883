"""The console's own diagnostics: a rotating log file that never holds a secret.

What goes there: start-up facts (versions, platform, frozen or not), which
data home was opened, single-instance decisions, Qt's own warnings, and every
unhandled exception (with its traceback) that would otherwise have been lost
in a terminal nobody looks at. It lives in the platformdirs log folder
(``AppDirs.log``), which Help ▸ "Open diagnostics folder" opens.

Secrets: the code never logs one (passphrases and decrypted keys are never
passed to a logger), and as a second line of defence every formatted record,
traceback included, goes through :func:`redact`, which blanks anything shaped
like a secret (``passphrase=...``, Fernet tokens, long base58/hex/base64
runs). An exception's message can carry user input, which is why the
redaction runs on the formatted text and not only on the message.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
import platform
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

LOGGER_NAME = "lifeos_desk"
LOG_FILENAME = "lifeos-desk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
REDACTED = "[redacted]"

log = logging.getLogger(LOGGER_NAME)

# Words that introduce a secret, followed by "=", ":" or a space, then the value.
_KEYWORD = re.compile(
    r"(?i)\b(pass ?phrase|password|passwd|secret(?:[_ ]key)?|private[_ ]?key|seed|mnemonic|token|api[_-]?key)"
    r"(\s*[=:]\s*|\s+)(['\"]?)([^\s'\",;]+)"
)
_FERNET = re.compile(r"gAAAAA[0-9A-Za-z_\-]{20,}={0,2}")
# 64-byte ed25519 secret keys are ~87-88 base58 characters; 32-byte public keys
# (wallet addresses, useful in diagnostics) are 32-44, so only long runs go.
_BASE58 = re.compile(r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{60,}(?![0-9A-Za-z])")
_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{64,}(?![0-9A-Za-z])")
_BASE64 = re.compile(r"(?<![0-9A-Za-z+/_\-])[0-9A-Za-z+/_\-]{40,}={0,2}")


def _looks_random(token: str) -> bool:
    """A base64-ish run with upper, lower and digits and few slashes (so not a path)."""
    return (any(c.isupper() for c in token) and any(c.islower() for c in token)
            and any(c.isdigit() for c in token) and token.count("/") <= len(token) // 12)


def _keyword_sub(match: re.Match[str]) -> str:
    return f"{match.group(1)}{match.group(2)}{match.group(3)}{REDACTED}"


_BASE58_ALPHABET = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")


def _base64_sub(match: re.Match[str]) -> str:
    token = match.group(0)
    if len(token) <= 44 and set(token) <= _BASE58_ALPHABET:
        return token  # a base58 public key (wallet address): diagnostics need those
    return REDACTED if _looks_random(token) else token


def redact(text: str) -> str:
    """``text`` with everything shaped like a secret replaced by ``[redacted]``."""
    text = _KEYWORD.sub(_keyword_sub, text)
    text = _FERNET.sub(REDACTED, text)
    text = _BASE58.sub(REDACTED, text)
    text = _HEX.sub(REDACTED, text)
    return _BASE64.sub(_base64_sub, text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the whole text (message and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        """The redacted line(s) for this record."""
        return redact(super().format(record))


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are readable by their owner only (0600)."""

    def _open(self) -> io.TextIOWrapper:
        def opener(path: str, flags: int) -> int:
            return os.open(path, flags, 0o600)

        stream = open(  # noqa: SIM115 - the handler owns and closes the stream
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=opener)
        assert isinstance(stream, io.TextIOWrapper)  # text mode always gives one
        return stream


@dataclass
class Diagnostics:
    """The installed log file; ``close()`` detaches it (tests, shutdown)."""

    path: Path
    handler: logging.Handler

    @property
    def folder(self) -> Path:
        """The folder Help ▸ "Open diagnostics folder" opens."""
        return self.path.parent

    def close(self) -> None:
        """Flush, close and detach the handler."""
        logging.getLogger(LOGGER_NAME).removeHandler(self.handler)
        self.handler.close()


def setup_logging(log_dir: Path, level: int = logging.INFO, max_bytes: int = MAX_BYTES,
                  backup_count: int = BACKUP_COUNT) -> Diagnostics:
    """Send the ``lifeos_desk`` loggers to ``log_dir/lifeos-desk.log``, rotated by size."""
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = log_dir / LOG_FILENAME
    handler = PrivateRotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    return Diagnostics(path=path, handler=handler)


def log_startup(version: str, qt_version: str, pyside_version: str) -> None:
    """One line of facts that every bug report needs."""
    log.info("lifeos-desk %s starting: Python %s, Qt %s, PySide6 %s, %s, frozen=%s",
             version, platform.python_version(), qt_version, pyside_version, platform.platform(),
             bool(getattr(sys, "frozen", False)))


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, redacted and shortened for a message box."""
    first = (str(exc).strip().splitlines() or [""])[0]
    text = redact(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)
    return text if len(text) <= 300 else text[:297] + "…"


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class ExceptionReporter:
    """``sys.excepthook`` for the window: log the traceback, show one line, keep running.

    PySide6 hands an exception raised in a slot or a virtual override to
    ``sys.excepthook`` and carries on, so the window survives; this hook makes
    sure the admin hears about it and that the details reach the log file.
    ``show`` gets the one-line text; it is not called again while it runs
    (a failing message box must not recurse).
    """

    def __init__(self, show: Callable[[str], None], logger: logging.Logger | None = None) -> None:
        self._show = show
        self._log = logger or logging.getLogger(f"{LOGGER_NAME}.crash")
        self._showing = False
        self._previous: Callable[..., Any] | None = None

    def __call__(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """Handle one unhandled exception."""
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self._log.error("unhandled exception", exc_info=(exc_type, exc, tb))
        if self._showing:
            return
        self._showing = True
        try:
            self._show(one_line(exc))
        except Exception:  # the reporter itself must never raise
            self._log.error("could not show the error:\n%s", traceback.format_exc())
        finally:
            self._showing = False

    def install(self) -> None:
        """Become ``sys.excepthook`` (the previous one is restored by ``uninstall``)."""
        self._previous = sys.excepthook
        sys.excepthook = self

    def uninstall(self) -> None:
        """Put back the hook that was there before ``install``."""
        if sys.excepthook is self:
            sys.excepthook = self._previous or sys.__excepthook__


_QT_LEVELS = {"QtDebugMsg": logging.DEBUG, "QtInfoMsg": logging.INFO, "QtWarningMsg": logging.WARNING,
              "QtCriticalMsg": logging.ERROR, "QtFatalMsg": logging.CRITICAL}


def _qt_message(mode: Any, context: Any, message: str) -> None:
    name = getattr(mode, "name", str(mode)).rsplit(".", 1)[-1]
    logging.getLogger(f"{LOGGER_NAME}.qt").log(_QT_LEVELS.get(name, logging.WARNING), "%s", message)
    if _QT_LEVELS.get(name, logging.WARNING) >= logging.WARNING and sys.stderr is not None:
        print(message, file=sys.stderr)  # a windowed (frozen) app on Windows has no stderr


def install_qt_message_handler() -> None:
    """Route Qt's own warnings (plugins, platform, SQL driver) into the log file too."""
    from PySide6.QtCore import qInstallMessageHandler

    qInstallMessageHandler(_qt_message)
