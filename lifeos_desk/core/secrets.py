"""Holding a secret in memory without leaking it by accident.

Python strings and bytes are immutable, so a passphrase that passed through a
QLineEdit or a decrypted key that came out of Fernet exists as copies we cannot
overwrite. What we can do (best effort, like KeePassXC's "lock clears memory"):

* keep our own copy in a ``bytearray`` and overwrite it on lock (``wipe``);
* make the holder impossible to print, format, pickle or compare by identity
  leaks: ``repr``/``str``/``format`` show ``Secret(<hidden>)``, pickling raises
  (so a secret cannot travel to a worker process or a cache by mistake);
* hand the bytes to ``hashlib``/``Fernet`` from the buffer, so most copies are
  short-lived temporaries.
"""

from __future__ import annotations

import hmac
from types import TracebackType
from typing import NoReturn


def wipe(buffer: bytearray) -> None:
    """Overwrite a mutable buffer with zeros, in place (same-length slice assignment)."""
    buffer[:] = bytes(len(buffer))


class Secret:
    """A secret value (passphrase or key text) that never shows itself.

    ``reveal()`` returns a ``str`` for the few places that need one (a Qt widget,
    base58 decoding); callers keep that copy as short as they can.
    """

    __slots__ = ("_buf",)

    def __init__(self, value: str | bytes | bytearray) -> None:
        raw = value.encode("utf-8") if isinstance(value, str) else value
        self._buf = bytearray(raw)

    @property
    def buffer(self) -> bytearray:
        """The live UTF-8 buffer (for hashlib); do not keep references to it."""
        return self._buf

    def reveal(self) -> str:
        """The value as text: a copy that cannot be wiped, so keep it short-lived."""
        return self._buf.decode("utf-8")

    def to_bytes(self) -> bytes:
        """An immutable copy of the bytes (what Fernet and hashlib want)."""
        return bytes(self._buf)

    def copy(self) -> Secret:
        """An independent holder of the same value (wiping one leaves the other)."""
        return Secret(self._buf)

    def wipe(self) -> None:
        """Overwrite and drop the value; the holder is empty afterwards."""
        wipe(self._buf)
        self._buf = bytearray()

    @property
    def wiped(self) -> bool:
        """True once the value is gone (or was empty)."""
        return not self._buf

    def __len__(self) -> int:
        return len(self._buf)

    def __bool__(self) -> bool:
        return bool(self._buf)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._buf, other._buf)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value: not hashable

    def __repr__(self) -> str:
        return "Secret(<hidden>)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled (it would leave this process)")

    def __enter__(self) -> Secret:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.wipe()
