"""Base58 vectors and the envelope's basic round trips (the vault's tests go deeper)."""

from __future__ import annotations

import base64
import binascii
import time

import pytest

from lifeos_desk.core.base58 import ALPHABET, Base58Error, b58decode, b58encode
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
from lifeos_desk.core.secrets import Secret
from lifeos_desk.core.vault import ImportKeyError, VerifyStatus, parse_import_key, verify_wallet

from .vault_helpers import record


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
        # 12 is outside the declared type on purpose: a SQLite column can hold a value of any type.
        parse_envelope(bad)  # type: ignore[arg-type]


# -- issue 14, item 18 -----------------------------------------------------------------------------
def _sealed(plain: str, passphrase: str = "pp") -> str:
    value = seal(plain, passphrase, iterations=1000)
    assert isinstance(value, str)
    return value


def _verify(stored: str, address: str) -> tuple[VerifyStatus, str]:
    result = verify_wallet(record(1, stored, address), Secret("pp"), iterations=1000)
    return result.status, result.detail


def test_item18_base58_decoding_is_not_quadratic() -> None:
    text = "z" * 400_000
    started = time.perf_counter()
    raw = b58decode(text)
    assert time.perf_counter() - started < 5.0  # 26 s before (one multiply-add per character)
    assert b58encode(raw[:8]) and len(raw) == 292_900
    for size in (0, 1, 31, 64, 200, 3000):  # the split-by-halves decoder agrees with the encoder
        data = b"\0\0" + bytes((i * 37 + 11) % 256 for i in range(size))
        assert b58decode(b58encode(data)) == data
    started = time.perf_counter()
    assert check_secret(text, "x") is KeyCheck.TOO_LONG  # a key is refused by its length, before decoding
    assert time.perf_counter() - started < 0.5
    status, detail = _verify(_sealed(text[:5000]), "x")
    assert status is VerifyStatus.TAMPERED and "too long to be a key" in detail
    with pytest.raises(ImportKeyError, match="too long"):
        parse_import_key(text)


def _bot_loads(plain: str) -> bytes | None:
    """The bot's key loading, re-stated from its behaviour (core/wallet_service.py and the ``base58``
    package): trailing whitespace dropped, anything else outside the alphabet refused, 64 bytes or a
    32-byte seed."""
    body = plain.rstrip()
    if not body or any(ch not in ALPHABET for ch in body):
        return None
    raw = b58decode(body)
    return raw if len(raw) in (32, 64) else None


@pytest.mark.parametrize("pad", [" {k}", "{k} ", "{k}\n", "\n{k}", "{k}\r\n", "\t{k}\t", "{k}\u00a0", "{k} {k}"])
def test_item18_padded_key_is_judged_as_the_bot_loads_it(pad: str) -> None:
    secret = keypair_from_seed(bytes(range(32)))
    key, address = b58encode(secret), b58encode(secret[32:])
    plain = pad.format(k=key)
    status, detail = _verify(_sealed(plain), address)
    bot = _bot_loads(plain)
    if bot is not None and bot == secret:
        assert status is VerifyStatus.VERIFIED and "whitespace after the key" in detail
    else:
        assert status is VerifyStatus.TAMPERED, (pad, status, detail)
    if plain[:1].isspace():
        assert "starts with whitespace" in detail


def test_item18_seed_only_key_verifies_as_the_bot_expands_it() -> None:
    secret = keypair_from_seed(bytes(range(32)))
    status, detail = _verify(_sealed(b58encode(secret[:32])), b58encode(secret[32:]))
    assert status is VerifyStatus.VERIFIED and "32-byte seed" in detail


def _bot_envelope(stored: str) -> bytes | None:
    """The bot's envelope decoding: ``base64.b64decode(text.encode())``, not validated."""
    try:
        return base64.b64decode(stored.encode())
    except (ValueError, binascii.Error):
        return None


def test_item18_mime_wrapped_base64_is_accepted_where_the_bot_accepts_it() -> None:
    secret = keypair_from_seed(bytes(range(32)))
    address = b58encode(secret[32:])
    canonical = _sealed(b58encode(secret))
    mime = base64.encodebytes(base64.b64decode(canonical)).decode()  # a line break every 76 characters
    assert "\n" in mime.strip()
    variants = [mime, mime.replace("\n", "\r\n"), f"  {canonical}  ", canonical[:40] + " " + canonical[40:],
                canonical[:-1], canonical + "!", canonical[:-4], "\ud800" + canonical]
    for value in variants:
        blob = _bot_envelope(value) if "\ud800" not in value else None
        status, _ = _verify(value, address)
        if blob is not None and blob[16:22] == b"gAAAAA":  # the bot would open it
            assert parse_envelope(value).salt == blob[:16]
            assert status is VerifyStatus.VERIFIED or status is VerifyStatus.TAMPERED, value
        else:
            assert status in (VerifyStatus.UNRECOGNISED, VerifyStatus.TAMPERED), value
    assert _verify(mime, address)[0] is VerifyStatus.VERIFIED
    assert _verify(mime.replace("\n", "\r\n"), address)[0] is VerifyStatus.VERIFIED
    assert _verify("\ud800" + canonical, address)[0] is not VerifyStatus.VERIFIED  # the bot cannot encode it
    assert _verify(canonical + "!", address)[0] is VerifyStatus.VERIFIED  # the bot drops the "!"
