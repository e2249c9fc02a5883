"""Issue 17: a wrong passphrase stops ``vault verify`` after the first few wallets, unless asked to go on."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lifeos_desk.core.secrets import Secret
from lifeos_desk.core.vault import VerifyStatus, WalletRecord, verify_all

from .vault_helpers import record, stored_value

PASS = "right passphrase"
ITER = 1000


@pytest.fixture(scope="module")
def twelve() -> list[WalletRecord]:
    out = []
    for i in range(12):
        stored, _p, address = stored_value(PASS, bytes([i + 1]) * 32, bytes([i]) * 16, iterations=ITER)
        out.append(record(i, stored, address))
    return out


def test_wrong_passphrase_gives_up_after_the_first_few(twelve: list[WalletRecord]) -> None:
    report = verify_all(twelve, Secret("wrong"), iterations=ITER, workers=1, give_up_after=3)
    assert report.gave_up and not report.cancelled
    assert len(report.results) == 3
    assert all(r.status is VerifyStatus.WRONG_PASSPHRASE for r in report.results.values())


def test_without_a_limit_every_wallet_is_tried(twelve: list[WalletRecord]) -> None:
    report = verify_all(twelve, Secret("wrong"), iterations=ITER, workers=2)
    assert not report.gave_up and len(report.results) == 12


def test_once_one_opens_every_wallet_is_checked(twelve: list[WalletRecord]) -> None:
    # Three wallets sealed under an old passphrase come first; with a limit of 4 the fourth opens, and from
    # then on every wallet is checked (one stale wallet must not hide the rest).
    old = []
    for i in range(3):
        stored, _p, address = stored_value("old", bytes([50 + i]) * 32, bytes([50 + i]) * 16, iterations=ITER)
        old.append(record(100 + i, stored, address))
    report = verify_all(old + twelve, Secret(PASS), iterations=ITER, workers=1, give_up_after=4)
    assert not report.gave_up and len(report.results) == 15
    assert sum(r.status is VerifyStatus.VERIFIED for r in report.results.values()) == 12


def test_a_cancel_is_still_a_cancel(twelve: list[WalletRecord]) -> None:
    cancel = threading.Event()
    cancel.set()
    report = verify_all(twelve, Secret(PASS), iterations=ITER, workers=1, cancel=cancel, give_up_after=3)
    assert report.cancelled and not report.gave_up and not report.results


def _vault_verify(home: Path, passphrase: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lifeos_desk", "vault", "verify", "--home", str(home), "--quiet",
                           *extra], input=passphrase + "\n", capture_output=True, text=True, env=dict(os.environ),
                          timeout=300, check=False)


def test_cli_stops_early_and_all_goes_on(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    from tests.db.vault_homes import demo_copy

    home, _passphrase = demo_copy(tmp_path_factory, tmp_path / "home", "deployed", users=16)
    early = _vault_verify(home, "certainly not it", "--workers", "1")
    assert early.returncode == 4, early.stdout + early.stderr
    assert "none of the" in early.stderr and "wallets tried (--all tries every one)" in early.stderr
    total = int(early.stdout.split()[0])
    tried = int(early.stderr.split("none of the ")[1].split()[0])
    assert tried == 3 and total > tried  # one worker: exactly the limit
    assert "not checked" in early.stdout
    full = _vault_verify(home, "certainly not it", "--all")
    assert full.returncode == 4 and "opened none of the wallets:" in full.stderr
    assert f"{total} wrong passphrase" in full.stdout
