"""Copying a key to the clipboard as a secret, and taking it back.

Marked the way KeePassXC marks what it copies (src/gui/Clipboard.cpp), so
clipboard managers skip it: ``x-kde-passwordManagerHint: secret`` (Klipper,
CopyQ, wl-clip-persist and others on Linux), the concealed pasteboard type on
macOS, and on Windows the formats that keep it out of clipboard history
(Win+V), cloud clipboard sync and monitoring tools.

It is cleared after a timeout, on lock and on exit — but only if the
clipboard still holds our value: what the admin copied meanwhile is theirs.
To tell, we keep a salted digest of the value, not the value.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import sys
import time

from PySide6.QtCore import QByteArray, QMimeData, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QClipboard, QGuiApplication


def secret_markers(platform: str = sys.platform) -> dict[str, bytes]:
    """The MIME formats (and values) that mark clipboard data as a secret on this OS."""
    if platform == "win32":
        return {
            "ExcludeClipboardContentFromMonitorProcessing": b"1",
            "CanIncludeInClipboardHistory": b"\x00\x00\x00\x00",  # DWORD 0
            "CanUploadToCloudClipboard": b"\x00\x00\x00\x00",  # DWORD 0
        }
    if platform == "darwin":
        return {"application/x-nspasteboard-concealed-type": b"secret"}
    return {"x-kde-passwordManagerHint": b"secret"}


def secret_mime_data(text: str, platform: str = sys.platform) -> QMimeData:
    """QMimeData with the text and this OS's "do not record" markers."""
    mime = QMimeData()
    mime.setText(text)
    for fmt, value in secret_markers(platform).items():
        mime.setData(fmt, QByteArray(value))
    return mime


class SecretClipboard(QObject):
    """Puts one secret on the clipboard and clears it after a countdown.

    Signals:
        countdown(int): seconds left before the clipboard is cleared.
        cleared(bool): the countdown ended or was cut short; True if our value
            was removed, False if the clipboard held something else by then.
    """

    countdown = Signal(int)
    cleared = Signal(bool)

    def __init__(self, clipboard: QClipboard | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clipboard = clipboard or QGuiApplication.clipboard()
        self._salt = os.urandom(16)
        self._digest: bytes | None = None
        self._deadline = 0.0
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._on_tick)

    @property
    def holding(self) -> bool:
        """Whether a copy is pending clearance."""
        return self._digest is not None

    def _digest_of(self, text: str) -> bytes:
        return hmac.new(self._salt, text.encode("utf-8"), hashlib.sha256).digest()

    def copy(self, text: str, clear_after_ms: int) -> None:
        """Put the secret on the clipboard and start the countdown."""
        self._clipboard.setMimeData(secret_mime_data(text))
        self._digest = self._digest_of(text)
        self._deadline = time.monotonic() + max(0, clear_after_ms) / 1000
        self._tick.setInterval(max(10, min(250, clear_after_ms // 4)))
        self._tick.start()
        self.countdown.emit(self.seconds_left())

    def seconds_left(self) -> int:
        """Whole seconds left, rounded up (0 when nothing is pending)."""
        if self._digest is None:
            return 0
        return max(0, math.ceil(self._deadline - time.monotonic()))

    @Slot()
    def _on_tick(self) -> None:
        if time.monotonic() >= self._deadline:
            self.clear_now()
            return
        self.countdown.emit(self.seconds_left())

    def still_ours(self) -> bool:
        """Whether the clipboard still holds the value we copied."""
        if self._digest is None:
            return False
        current = self._clipboard.text()
        return bool(current) and hmac.compare_digest(self._digest_of(current), self._digest)

    @Slot()
    def clear_now(self) -> None:
        """End the countdown: clear the clipboard if it still holds our value."""
        if self._digest is None:
            return
        self._tick.stop()
        ours = self.still_ours()
        if ours:
            self._clipboard.clear()
        self._digest = None
        self.cleared.emit(ours)
