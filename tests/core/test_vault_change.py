"""Vault core: rotation planning (checked before any write), key import, the Secret holder."""

from __future__ import annotations

import base64
import pickle
import threading

import pytest

from lifeos_desk.core import vault
from lifeos_desk.core.keys import StoredForm, keypair_from_seed, parse_envelope
from lifeos_desk.core.secrets import Secret, wipe
from lifeos_desk.core.vault import (
    ImportKeyError,
    RotationError,
    VerifyStatus,
    WalletRecord,
    open_wallet,
    parse_import_key,
    plan_rotation,
    seal_for_import,
    verify_wallet,
)

from .vault_helpers import RFC8032_PUB, RFC8032_SEED, b58, record, stored_value

OLD, NEW = "old passphrase", "new passphrase"


@pytest.fixture(scope="module")
def wallets() -> list[WalletRecord]:
    """Three wallets in three stored forms, sealed under OLD."""
    out: list[WalletRecord] = []
    for i, form in enumerate(StoredForm):
        text, _plain, address = stored_value(OLD, bytes([i + 1]) * 32, bytes([i + 1]) * 16)
        raw = base64.b64decode(text)
        value: dict[StoredForm, str | bytes] = {StoredForm.BASE64_TEXT: text, StoredForm.BASE64_BYTES: text.encode(),
                                                StoredForm.RAW_BYTES: raw}
        out.append(record(i, value[form], address))
    return out


def test_rotation_reencrypts_with_fresh_salts_in_the_same_form(wallets: list[WalletRecord]) -> None:
    plan = plan_rotation(wallets, Secret(OLD), Secret(NEW), workers=2)
    assert [i.key for i in plan.items] == [0, 1, 2]
    for rec, item in zip(wallets, plan.items, strict=True):
        assert rec.stored is not None
        assert parse_envelope(item.new_stored).form is parse_envelope(rec.stored).form
        assert parse_envelope(item.new_stored).salt != parse_envelope(rec.stored).salt
        assert item.old_stored == rec.stored
        new_rec = record(rec.key, item.new_stored, rec.address)
        assert verify_wallet(new_rec, Secret(NEW)).status is VerifyStatus.VERIFIED
        assert verify_wallet(new_rec, Secret(OLD)).status is VerifyStatus.WRONG_PASSPHRASE
    assert "new passphrase" not in repr(plan)


def test_rotation_with_a_non_default_count_needs_that_count_to_open(wallets: list[WalletRecord]) -> None:
    plan = plan_rotation(wallets[:1], Secret(OLD), Secret(NEW), new_iterations=1000)
    new_rec = record(0, plan.items[0].new_stored, wallets[0].address)
    assert plan.iterations == 1000
    assert verify_wallet(new_rec, Secret(NEW), iterations=1000).status is VerifyStatus.VERIFIED
    assert verify_wallet(new_rec, Secret(NEW)).status is VerifyStatus.WRONG_PASSPHRASE


def test_rotation_refuses_when_any_wallet_does_not_open(wallets: list[WalletRecord]) -> None:
    foreign = stored_value("someone else's", bytes([8]) * 32, bytes([8]) * 16)
    with pytest.raises(RotationError) as info:
        plan_rotation([*wallets, record(9, foreign[0], foreign[2])], Secret(OLD), Secret(NEW))
    assert [f.key for f in info.value.failures] == [9]
    assert info.value.failures[0].status is VerifyStatus.WRONG_PASSPHRASE


def test_rotation_fails_whole_when_a_new_value_does_not_decrypt_back(wallets: list[WalletRecord],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    real_seal = vault.seal_secret
    calls = []

    def faulty_seal(plain: Secret, passphrase: Secret, iterations: int, form: StoredForm,
                    salt: bytes | None = None) -> str | bytes:
        calls.append(1)
        if len(calls) == 2:  # the failure injected mid-way: the second wallet's new value is sealed wrongly
            return real_seal(plain, Secret("not the new one"), iterations, form, salt)
        return real_seal(plain, passphrase, iterations, form, salt)

    monkeypatch.setattr(vault, "seal_secret", faulty_seal)
    with pytest.raises(RotationError) as info:
        plan_rotation(wallets, Secret(OLD), Secret(NEW), workers=1)
    assert len(info.value.failures) == 1 and "nothing was written" in str(info.value)


def test_rotation_cancelled_raises(wallets: list[WalletRecord]) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RotationError, match="cancelled"):
        plan_rotation(wallets, Secret(OLD), Secret(NEW), cancel=cancel)


def test_rotation_rejects_an_empty_passphrase_or_absurd_counts(wallets: list[WalletRecord]) -> None:
    with pytest.raises(RotationError):
        plan_rotation(wallets, Secret(OLD), Secret(""))
    with pytest.raises(RotationError):
        plan_rotation(wallets, Secret(OLD), Secret(NEW), new_iterations=0)


def test_import_accepts_a_64_byte_key_and_a_32_byte_seed() -> None:
    full = keypair_from_seed(RFC8032_SEED)
    assert parse_import_key(b58(full)).reveal() == b58(full)
    assert parse_import_key("  " + b58(RFC8032_SEED) + "\n").reveal() == b58(full)
    assert vault.address_of(parse_import_key(b58(RFC8032_SEED))) == b58(RFC8032_PUB)


@pytest.mark.parametrize(("text", "message"), [
    ("0OIl-not-base58", "not base58"),
    (b58(bytes(range(1, 49))), "48 bytes"),
    (b58(RFC8032_SEED + bytes(32)), "public half"),
])
def test_import_rejects_bad_keys_without_repeating_them(text: str, message: str) -> None:
    with pytest.raises(ImportKeyError, match=message) as info:
        parse_import_key(text)
    assert text not in str(info.value)


@pytest.mark.parametrize("form", list(StoredForm))
def test_seal_for_import_round_trips(form: StoredForm) -> None:
    secret = parse_import_key(b58(RFC8032_SEED))
    plan = seal_for_import(secret, Secret(OLD), user_id=7, label="imported", form=form)
    assert plan.address == b58(RFC8032_PUB) and plan.user_id == 7
    assert parse_envelope(plan.stored).form is form
    with open_wallet(record(1, plan.stored, plan.address), Secret(OLD)) as opened:
        assert opened == secret


def test_secret_never_shows_and_wipes_its_buffer() -> None:
    s = Secret("hunter2-passphrase")
    assert "hunter2" not in repr(s) + str(s) + f"{s}" + f"{s!r:>40}"
    with pytest.raises(TypeError):
        pickle.dumps(s)
    buf = s.buffer
    s.wipe()
    assert buf == bytearray(len(buf)) and s.wiped and not s
    b = bytearray(b"abc")
    wipe(b)
    assert b == bytearray(3)
    assert Secret("x") == Secret("x") and Secret("x") != Secret("y")
