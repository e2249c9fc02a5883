"""Base58 (Bitcoin alphabet), as Solana uses for addresses and secret keys.

Small enough to own rather than add a dependency for; tested against known
vectors in tests/core/test_base58_keys.py.
"""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_ALPHABET_SET = frozenset(ALPHABET)
#: Below this many digits the plain loop is faster than splitting.
_DIRECT = 128


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
    """Decode base58 text exactly as given (no stripping); raises Base58Error outside the alphabet.

    Linear-ish in the text's length: the digits are combined by halves
    (value = left * 58**len(right) + right), so big-int multiplication does
    the work instead of one multiply-add per character, which made a
    400 KB text take 26 s. Callers that know what they decode (a key, an
    address) refuse over-long text before calling this.
    """
    if not _ALPHABET_SET.issuperset(text):
        raise Base58Error("not base58 text")
    digits = [_INDEX[ch] for ch in text]
    num = _combine(digits, 0, len(digits), {})
    zeros = len(text) - len(text.lstrip("1"))
    body = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    return b"\0" * zeros + body


def _combine(digits: list[int], lo: int, hi: int, powers: dict[int, int]) -> int:
    """The integer of digits[lo:hi] in base 58."""
    if hi - lo <= _DIRECT:
        num = 0
        for digit in digits[lo:hi]:
            num = num * 58 + digit
        return num
    mid = (lo + hi) // 2
    width = hi - mid
    power = powers.get(width)
    if power is None:
        power = powers[width] = 58 ** width
    return _combine(digits, lo, mid, powers) * power + _combine(digits, mid, hi, powers)
