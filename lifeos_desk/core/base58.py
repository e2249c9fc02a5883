"""Base58 (Bitcoin alphabet), as Solana uses for addresses and secret keys.

Small enough to own rather than add a dependency for; tested against known
vectors in tests/core/test_base58.py.
"""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


class Base58Error(ValueError):
    """The text is not base58."""


def b58encode(data: bytes) -> str:
    """Encode bytes; each leading zero byte becomes a leading '1'."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    num = int.from_bytes(data, "big")
    out = []
    while num:
        num, rem = divmod(num, 58)
        out.append(ALPHABET[rem])
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Decode base58 text; raises Base58Error on a character outside the alphabet."""
    text = text.strip()
    num = 0
    for ch in text:
        try:
            num = num * 58 + _INDEX[ch]
        except KeyError:
            raise Base58Error("not base58 text") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    return b"\0" * zeros + body
