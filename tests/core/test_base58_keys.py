"""Base58 vectors and the envelope's basic round trips (the vault's tests go deeper)."""

from __future__ import annotations

import base64

import pytest

from lifeos_desk.core.base58 import Base58Error, b58decode, b58encode
from lifeos_desk.core.keys import (
    DecryptError,
    EnvelopeFormatError,
    KeyCheck,
    StoredForm,
    check_secret,
    keypair_from_seed,
    open_envelope,
    parse_envelope,
    seal,
)


@pytest.mark.parametrize(("raw", "text"), [
    (b"", ""),
    (b"\0", "1"),
    (b"\0\0\x01", "112"),
    (b"hello world", "StV1DL6CwTryKyV"),
    (bytes(32), "11111111111111111111111111111111"),  # Solana's system program id
])
def test_base58_vectors(raw: bytes, text: str) -> None:
    assert b58encode(raw) == text
    assert b58decode(text) == raw


def test_base58_rejects_bad_chars() -> None:
    with pytest.raises(Base58Error):
        b58decode("0OIl")


@pytest.mark.parametrize("form", list(StoredForm))
def test_envelope_round_trip_every_form(form: StoredForm) -> None:
    secret = keypair_from_seed(bytes(range(32)))
    plain = b58encode(secret)
    stored = seal(plain, "pass phrase", iterations=1000, form=form)
    env = parse_envelope(stored)
    assert env.form is form
    assert open_envelope(env, "pass phrase", iterations=1000) == plain
    with pytest.raises(DecryptError):
        open_envelope(env, "wrong", iterations=1000)
    assert check_secret(plain, b58encode(secret[32:])) is KeyCheck.VERIFIED
    assert check_secret(plain, "1111") is KeyCheck.ADDRESS_MISMATCH


@pytest.mark.parametrize("bad", ["not base64!!", base64.b64encode(b"short").decode(), b"\xff\xfe", 12])
def test_unrecognised_envelopes(bad: object) -> None:
    with pytest.raises(EnvelopeFormatError):
        parse_envelope(bad)  # type: ignore[arg-type]
