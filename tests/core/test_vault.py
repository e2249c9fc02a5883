"""Vault core: the fixed vector, every stored form, every status, verify-all, unlock checks."""

from __future__ import annotations

import base64
import threading

import pytest

from lifeos_desk.core.keys import BOT_ITERATIONS, StoredForm, keypair_from_seed
from lifeos_desk.core.secrets import Secret
from lifeos_desk.core.vault import (
    UnlockOutcome,
    VerifyStatus,
    WalletRecord,
    check_passphrase,
    failure_delay_s,
    fernet_token_well_formed,
    open_wallet,
    seal_secret,
    verify_all,
    verify_wallet,
)

from .vault_helpers import RFC8032_PUB, RFC8032_SEED, b58, fernet_decrypt, fernet_key, record, stored_value

PASS = "correct horse battery staple"
SALT = bytes(range(100, 116))


@pytest.fixture(scope="module")
def vector() -> tuple[str, str, str]:
    """The fixed vector: RFC 8032 seed, fixed salt/IV/time, sealed by the independent writer."""
    return stored_value(PASS, RFC8032_SEED, SALT)


def test_fixed_vector_is_what_formats_md_describes(vector: tuple[str, str, str]) -> None:
    stored, plain, address = vector
    blob = base64.b64decode(stored)
    assert blob[:16] == SALT and blob[16:22] == b"gAAAAA"
    assert address == b58(RFC8032_PUB)
    assert len(plain) in (87, 88)  # base58 of 64 bytes


@pytest.mark.parametrize("form", list(StoredForm))
def test_fixed_vector_opens_and_verifies_in_every_stored_form(vector: tuple[str, str, str],
                                                              form: StoredForm) -> None:
    stored, plain, address = vector
    raw = base64.b64decode(stored)
    forms: dict[StoredForm, str | bytes] = {StoredForm.BASE64_TEXT: stored,
                                            StoredForm.BASE64_BYTES: stored.encode("ascii"), StoredForm.RAW_BYTES: raw}
    value = forms[form]
    rec = record(1, value, address)
    with open_wallet(rec, Secret(PASS)) as secret:
        assert secret.reveal() == plain
    assert verify_wallet(rec, Secret(PASS)).status is VerifyStatus.VERIFIED


@pytest.mark.parametrize("form", list(StoredForm))
def test_our_sealed_value_opens_with_the_independent_reader(form: StoredForm) -> None:
    secret = keypair_from_seed(RFC8032_SEED)
    value = seal_secret(Secret(b58(secret)), Secret(PASS), BOT_ITERATIONS, form)
    blob = value if form is StoredForm.RAW_BYTES else base64.b64decode(value)
    assert isinstance(blob, bytes)
    salt, token = blob[:16], blob[16:]
    assert fernet_decrypt(fernet_key(PASS, salt), token).decode("ascii") == b58(secret)
    assert isinstance(value, str) == (form is StoredForm.BASE64_TEXT)


def test_wrong_passphrase_is_reported_for_the_wallet(vector: tuple[str, str, str]) -> None:
    stored, _plain, address = vector
    result = verify_wallet(record(1, stored, address), Secret("not it"))
    assert result.status is VerifyStatus.WRONG_PASSPHRASE
    assert "not it" not in result.detail


def _token_of(stored: str) -> tuple[bytes, bytearray]:
    blob = base64.b64decode(stored)
    return blob[:16], bytearray(base64.urlsafe_b64decode(blob[16:]))


def _pack(salt: bytes, token_raw: bytes | bytearray) -> str:
    return base64.b64encode(salt + base64.urlsafe_b64encode(bytes(token_raw))).decode("ascii")


def test_tampered_token_structure_is_tampered(vector: tuple[str, str, str]) -> None:
    stored, _plain, address = vector
    salt, raw = _token_of(stored)
    cut = _pack(salt, raw[:-5])  # ciphertext no longer whole blocks
    assert verify_wallet(record(1, cut, address), Secret(PASS)).status is VerifyStatus.TAMPERED
    raw2 = bytearray(raw)
    raw2.extend(b"x" * 3)
    assert verify_wallet(record(1, _pack(salt, raw2), address), Secret(PASS)).status is VerifyStatus.TAMPERED


def test_a_bit_flipped_inside_a_well_formed_token_is_refused(vector: tuple[str, str, str]) -> None:
    """The HMAC cannot tell a flipped bit from another key: never verified, reported as wrong passphrase."""
    stored, _plain, address = vector
    salt, raw = _token_of(stored)
    raw[40] ^= 0x01
    result = verify_wallet(record(1, _pack(salt, raw), address), Secret(PASS))
    assert result.status is VerifyStatus.WRONG_PASSPHRASE
    assert "altered" in result.detail


@pytest.mark.parametrize("cut", [4, 7, 30])
def test_truncated_values_are_tampered(vector: tuple[str, str, str], cut: int) -> None:
    stored, _plain, address = vector
    assert verify_wallet(record(1, stored[:-cut], address), Secret(PASS)).status is VerifyStatus.TAMPERED


@pytest.mark.parametrize("value", ["not base64 at all!", "", None, b"\xff\xfe\x00", "QUJD", 42])
def test_values_that_are_not_envelopes_are_unrecognised(value: object) -> None:
    # 42 is outside the declared type on purpose: a SQLite column can hold a value of any type.
    result = verify_wallet(record(1, value, "x"), Secret(PASS))  # type: ignore[arg-type]
    assert result.status is VerifyStatus.UNRECOGNISED


def test_address_mismatch_names_the_real_owner(vector: tuple[str, str, str]) -> None:
    stored, _plain, address = vector
    other = b58(keypair_from_seed(bytes(32))[32:])
    result = verify_wallet(record(1, stored, other), Secret(PASS))
    assert result.status is VerifyStatus.ADDRESS_MISMATCH
    assert address in result.detail


def test_key_whose_halves_disagree_is_an_address_mismatch() -> None:
    bad = RFC8032_SEED + bytes(32)
    stored, _plain, _address = stored_value(PASS, RFC8032_SEED, SALT, secret64=bad)
    result = verify_wallet(record(1, stored, b58(RFC8032_PUB)), Secret(PASS))
    assert result.status is VerifyStatus.ADDRESS_MISMATCH and "seed" in result.detail


def test_plaintext_that_is_not_a_key_is_corrupt() -> None:
    stored, _plain, _address = stored_value(PASS, RFC8032_SEED, SALT, secret64=b"short")
    assert verify_wallet(record(1, stored, "x"), Secret(PASS)).status is VerifyStatus.TAMPERED


def test_well_formed_check() -> None:
    good = base64.b64decode(stored_value(PASS, RFC8032_SEED, SALT, iterations=1000)[0])[16:]
    assert fernet_token_well_formed(good)
    assert not fernet_token_well_formed(good[:-4])
    assert not fernet_token_well_formed(b"gAAAAA" + b"!" * 90)


@pytest.fixture(scope="module")
def mixed() -> list[WalletRecord]:
    """Six wallets: 3 good, one under another passphrase, one mismatched, one unrecognised."""
    out: list[WalletRecord] = []
    for i in range(3):
        stored, _p, address = stored_value(PASS, bytes([i + 1]) * 32, bytes([i]) * 16)
        out.append(record(i, stored, address))
    stored, _p, address = stored_value("old passphrase", bytes([9]) * 32, bytes([9]) * 16)
    out.append(record(3, stored, address))
    stored, _p, _address = stored_value(PASS, bytes([7]) * 32, bytes([7]) * 16)
    out.append(record(4, stored, b58(RFC8032_PUB)))
    out.append(record(5, "garbage", "x"))
    return out


def test_verify_all_reports_each_status_and_progress(mixed: list[WalletRecord]) -> None:
    seen: list[tuple[int, int]] = []
    report = verify_all(mixed, Secret(PASS), workers=2, progress=lambda d, t: seen.append((d, t)))
    statuses = {k: r.status for k, r in report.results.items()}
    assert statuses == {0: VerifyStatus.VERIFIED, 1: VerifyStatus.VERIFIED, 2: VerifyStatus.VERIFIED,
                        3: VerifyStatus.WRONG_PASSPHRASE, 4: VerifyStatus.ADDRESS_MISMATCH,
                        5: VerifyStatus.UNRECOGNISED}
    assert [d for d, _ in seen] == list(range(1, 7)) and {t for _, t in seen} == {6}
    assert not report.all_verified and not report.cancelled
    assert report.summary().startswith("6 wallets: 3 verified")


def test_verify_all_can_be_cancelled(mixed: list[WalletRecord]) -> None:
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if done == 1:
            cancel.set()

    report = verify_all(mixed, Secret(PASS), workers=1, progress=progress, cancel=cancel)
    assert report.cancelled and len(report.results) < len(mixed)
    assert "cancelled" in report.summary()


def test_verify_all_honours_a_non_default_iteration_count() -> None:
    stored, _p, address = stored_value(PASS, RFC8032_SEED, SALT, iterations=1000)
    recs = [record(1, stored, address)]
    assert verify_all(recs, Secret(PASS), iterations=1000).all_verified
    assert verify_all(recs, Secret(PASS), iterations=2000).results[1].status is VerifyStatus.WRONG_PASSPHRASE


def test_check_passphrase_skips_a_wallet_under_another_passphrase(mixed: list[WalletRecord]) -> None:
    first_foreign = [mixed[3], mixed[5], *mixed[:3]]
    assert check_passphrase(first_foreign, Secret(PASS)) is UnlockOutcome.OPENED
    assert check_passphrase(mixed[:3], Secret("nope"), attempts=2) is UnlockOutcome.WRONG
    assert check_passphrase([mixed[5]], Secret(PASS)) is UnlockOutcome.NOTHING_TO_CHECK
    assert check_passphrase([], Secret(PASS)) is UnlockOutcome.NOTHING_TO_CHECK


def test_failure_delay_grows_and_is_capped() -> None:
    delays = [failure_delay_s(n) for n in range(1, 10)]
    assert delays[0] == 0 and delays[1] > 0
    assert delays == sorted(delays) and delays[-1] == 30
