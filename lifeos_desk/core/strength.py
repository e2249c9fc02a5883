"""How hard a passphrase is to guess, and a generator of strong ones (the rotation dialog, issue 17).

The estimate is deliberately simple and dependency-free (zxcvbn's Python port
would add a 2 MB dictionary for a meter the admin sees in one dialog): each
character is worth log2 of the pool its classes span (lower, upper, digits,
symbols, other), except where guessers start — a character that repeats the
previous one, continues a sequence (abc, 321) or a keyboard row (qwe, asd) is
worth a bit or two, a run of the most common passwords (the built-in list,
with leetspeak undone: p@ssw0rd) is worth ~7 bits for the whole run, and a
string that is one unit repeated (abcabcabc) is worth the unit. It is an upper
bound for passphrases made of dictionary words: it knows no dictionary.

Verdicts, in bits: weak < 40 ≤ fair < 60 ≤ good < 80 ≤ strong. A passphrase
of the bot's public wallets is guarded by only 100,000 PBKDF2 iterations
(docs/data-formats.md, 'Public wallet envelope'), so "strong" asks for 80.
"""

from __future__ import annotations

import math
import secrets
import string
from dataclasses import dataclass

from .secrets import Secret

#: Characters without look-alikes (no 0/O, 1/l/I): 56 of them, 5.81 bits each.
READABLE_ALPHABET = "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
GENERATED_LENGTH = 24
VERDICTS = ((40.0, "weak"), (60.0, "fair"), (80.0, "good"))  # below the bound: that word; else "strong"
STRONG_BITS = 80.0

# The most common passwords of the public breach lists, and the words of this bot's world.
COMMON = frozenset("""
123456 password 123456789 12345678 12345 qwerty 1234567 111111 1234567890 123123 abc123 1234 password1
iloveyou 1q2w3e4r 000000 qwerty123 zaq12wsx dragon sunshine princess letmein 654321 monkey 1qaz2wsx
123321 qwertyuiop superman asdfghjkl trustno1 football baseball welcome admin master shadow michael
jennifer hunter2 hello freedom whatever qazwsx login passw0rd starwars 666666 121212 7777777 charlie
donald mustang access flower batman ninja azerty secret changeme default test test123 root toor pass
guest welcome1 admin123 letmein1 password123 11111111 987654321 qwe123 1qazxsw2 aa123456 123qwe lovely
888888 zxcvbnm asdf zxcvbn killer pokemon computer internet soccer hockey ranger thomas robert jordan
harley matrix cheese summer winter spring autumn jarvis solana bitcoin crypto wallet treasury lifeos
phantom telegram moon lambo
""".split())  # noqa: SIM905 - a word block reads better than 110 quoted strings
_COMMON_BITS = math.log2(len(COMMON))
_DELEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")


@dataclass(frozen=True)
class Strength:
    """An estimate: bits of guessing work, the verdict word, and why it is not higher."""

    bits: float
    verdict: str  # "weak" / "fair" / "good" / "strong"
    notes: tuple[str, ...] = ()


def verdict_for(bits: float) -> str:
    """The word for a number of bits."""
    for bound, word in VERDICTS:
        if bits < bound:
            return word
    return "strong"


def _pool(text: str) -> int:
    pool = 0
    if any(c in string.ascii_lowercase for c in text):
        pool += 26
    if any(c in string.ascii_uppercase for c in text):
        pool += 26
    if any(c in string.digits for c in text):
        pool += 10
    if any(c in string.punctuation or c == " " for c in text):
        pool += 33
    if any(ord(c) > 127 for c in text):
        pool += 100
    return max(pool, 1)


def _common_spans(low: str) -> tuple[list[bool], int]:
    """Which characters belong to a common password (longest first), and how many such runs there are."""
    covered = [False] * len(low)
    runs = 0
    for word in sorted((w for w in COMMON if len(w) >= 4), key=len, reverse=True):
        start = low.find(word)
        while start >= 0:
            span = range(start, start + len(word))
            if not any(covered[i] for i in span):
                for i in span:
                    covered[i] = True
                runs += 1
            start = low.find(word, start + 1)
    return covered, runs


def _cheap(prev: str, ch: str) -> float | None:
    """Bits for ``ch`` after ``prev`` when it is a step a guesser tries first; None when it is not."""
    a, b = prev.lower(), ch.lower()
    if a == b:
        return 1.0
    if a.isalnum() and b.isalnum() and abs(ord(a) - ord(b)) == 1:
        return 1.0
    for row in _ROWS:
        if a in row and b in row and abs(row.index(a) - row.index(b)) == 1:
            return 2.0
    return None


def _unit(text: str) -> str:
    """The shortest unit whose repetition is the whole text (the text itself when none)."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def estimate(text: str) -> Strength:
    """Estimate a passphrase's strength (see the module docstring); cheap enough for every keystroke."""
    if not text:
        return Strength(0.0, "weak", ("empty",))
    low = text.lower().translate(_DELEET)
    if text.lower() in COMMON or low in COMMON:
        return Strength(_COMMON_BITS, "weak", ("one of the most common passwords",))
    unit = _unit(text)
    if unit != text:
        bits = estimate(unit).bits + math.log2(len(text) // len(unit))
        what = "one character" if len(unit) == 1 else f"the same {len(unit)} characters"
        return Strength(bits, verdict_for(bits), (f"{what} repeated",))
    per_char = math.log2(_pool(text))
    covered, runs = _common_spans(low)
    bits = runs * _COMMON_BITS
    cheap = 0
    for i, ch in enumerate(text):
        if covered[i]:
            continue
        step = _cheap(text[i - 1], ch) if i > 0 else None
        cheap += step is not None
        bits += per_char if step is None else step
    notes = []
    if runs:
        notes.append("contains a common password")
    if cheap > len(text) // 4:
        notes.append("repeats, sequences or keyboard runs")
    if len(text) < 12:
        notes.append("short")
    return Strength(bits, verdict_for(bits), tuple(notes))


def generate(length: int = GENERATED_LENGTH, alphabet: str = READABLE_ALPHABET) -> Secret:
    """A random passphrase from the OS's CSPRNG (``secrets``), as a Secret; see ``generated_bits``."""
    return Secret("".join(secrets.choice(alphabet) for _ in range(length)))


def generated_bits(length: int = GENERATED_LENGTH, alphabet: str = READABLE_ALPHABET) -> float:
    """The true entropy of ``generate``: length × log2(alphabet size) — 139 bits by default."""
    return length * math.log2(len(set(alphabet)))
