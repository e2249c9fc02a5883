"""core/strength.py: the estimator orders passphrases as a guesser would, and the generator is strong."""

from __future__ import annotations

import math

import pytest

from lifeos_desk.core.strength import (
    GENERATED_LENGTH,
    READABLE_ALPHABET,
    estimate,
    generate,
    generated_bits,
    verdict_for,
)


def test_weak_ones_score_below_strong_ones() -> None:
    ladder = ["", "password", "aaaaaaaaaaaaaaaaaaaa", "P@ssw0rd2024", "Summer-garden", "Tr0ub4dor&3x",
              "k7#Qm2vX!p9Lw4zR@t6Yn8"]
    bits = [estimate(p).bits for p in ladder]
    assert bits == sorted(bits), list(zip(ladder, bits, strict=True))
    assert estimate(ladder[0]).verdict == estimate(ladder[1]).verdict == "weak"
    assert estimate(ladder[-1]).verdict == "strong"


@pytest.mark.parametrize("weak", ["123456", "password", "p@ssw0rd", "Password1", "default", "jarvis",
                                  "abcdefghijklmnop", "qwertyuiopasdfgh", "aaaaaaaaaaaaaaaaaaaaaaaa",
                                  "abcabcabcabcabcabc", "1234567890123456"])
def test_common_passwords_repeats_and_sequences_are_weak(weak: str) -> None:
    assert estimate(weak).verdict == "weak", (weak, estimate(weak))


def test_a_common_password_inside_costs_its_run_not_its_length() -> None:
    assert estimate("password123!").bits < estimate("xkdjqmzv123!").bits
    assert "contains a common password" in estimate("mypasswordisgood").notes


def test_verdict_bounds() -> None:
    assert [verdict_for(b) for b in (0, 39.9, 40, 59.9, 60, 79.9, 80, 200)] == \
        ["weak", "weak", "fair", "fair", "good", "good", "strong", "strong"]


def test_generated_passphrases_are_long_random_and_strong() -> None:
    seen = set()
    for _ in range(50):
        with generate() as secret:
            text = secret.reveal()
        assert len(text) == GENERATED_LENGTH and set(text) <= set(READABLE_ALPHABET)
        assert estimate(text).verdict == "strong"
        seen.add(text)
    assert len(seen) == 50
    assert generated_bits() == pytest.approx(24 * math.log2(56)) and round(generated_bits()) == 139
    assert not set(READABLE_ALPHABET) & set("0O1lI")
