"""Finding every key store of a home and a bot checkout, without a passphrase.

File enumeration is ``core/discovery.py``'s (bounded, symlink-free; see
docs/architecture.md, 'Store discovery'); this groups what it found into
stores. Besides the checkout's ``bots/treasury/.wallets*`` folders, a folder
named by a ``WALLET_DIR`` / ``<PROFILE>_WALLET_DIR`` setting in the
checkout's ``.env`` files is read too (docs/data-formats.md, 'Treasury wallet
folders'). The public users' database is not read here: the caller passes its
rows (the CLI reads them through QtSql, as ``vault verify`` always has).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..discovery import Role, discover
from ..keys import BOT_ITERATIONS
from ..vault import WalletRecord
from .files import real_dir
from .keypair import BOT_LIMITS, ArgonLimits, read_keypair_file
from .model import Kdf, KeyStore, StoreKind, public_record
from .plaintext import NamedSecret, env_secrets, env_settings, read_keys_json, read_wallet_file
from .treasury import read_treasury_dir

PUBLIC_STORE = "public"
PUBLIC_KDF = Kdf("PBKDF2-HMAC-SHA256", iterations=BOT_ITERATIONS, per_wallet=True)
# _get_public_wallet_password's order (docs/data-formats.md, 'Wallet passphrases').
PUBLIC_ENV = ("JARVIS_PUBLIC_WALLET_PASSWORD", "PUBLIC_WALLET_PASSWORD", "JARVIS_WALLET_PASSWORD")
_WALLET_DIR = re.compile(r"(?:([A-Z0-9]+)_)?WALLET_DIR")
_ROTATED = re.compile(r"(?:(\w+)_)?treasury_keypair\.json(?:\.bak\.(\d{8}_\d{6}))?")


@dataclass
class FoundKeys:
    """Every store found, plus the names of plaintext non-wallet secrets (for the health check)."""

    stores: list[KeyStore] = field(default_factory=list)
    named_secrets: list[NamedSecret] = field(default_factory=list)
    env_files: list[Path] = field(default_factory=list)

    def get(self, name: str) -> KeyStore | None:
        """The store of that name."""
        return next((s for s in self.stores if s.name == name), None)


def public_store(db: Path, records: Sequence[WalletRecord]) -> KeyStore:
    """The public users' wallets (rows read by the caller) as a store."""
    return KeyStore(PUBLIC_STORE, StoreKind.PUBLIC_DB, db, tuple(public_record(r, db) for r in records),
                    kdf=PUBLIC_KDF, env_vars=PUBLIC_ENV)


def _keypair_name(path: Path) -> str:
    m = _ROTATED.fullmatch(path.name)
    profile, stamp = (m.group(1), m.group(2)) if m else (None, None)
    name = "keypair" + (f"-{profile}" if profile else "")
    return name + (f"-bak-{stamp}" if stamp else "")


def _dir_name(folder: Path) -> tuple[str, str]:
    """(store name, env prefix) of a ``.wallets[-profile]`` folder."""
    profile = folder.name.removeprefix(".wallets").removeprefix("-")
    return ("treasury" + (f"-{profile}" if profile else "")), (f"{profile.upper()}_" if profile else "")


def _rel(path: Path, roots: Sequence[Path]) -> str:
    for root in roots:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            continue
    return path.name


def find_key_stores(home: Path, bot_dir: Path | None, *, backups_dir: Path | None = None,
                    public: KeyStore | None = None, argon: ArgonLimits = BOT_LIMITS) -> FoundKeys:
    """Every key store under ``home`` and ``bot_dir``: treasury folders, keypairs, plaintext keys.

    ``public`` (from ``public_store``) is put first when given. Reads key
    files (a few hundred bytes each), never a database.
    """
    found = FoundKeys()
    if public is not None:
        found.stores.append(public)
    disc = discover(home, bot_dir, backups_dir=backups_dir)
    roots = [r for r in (bot_dir, home) if r is not None]
    folders: dict[Path, tuple[str, str]] = {}
    for s in disc.stores:
        if s.role is Role.TREASURY_WALLETS:
            folders.setdefault(s.path.parent, _dir_name(s.path.parent))
    for s in disc.by_role(Role.ENV_FILE):
        found.env_files.append(s.path)
        found.named_secrets += env_secrets(s.path)
        for key, value in env_settings(s.path).items():
            m = _WALLET_DIR.fullmatch(key)
            if m and value and bot_dir is not None:
                folder = (bot_dir / os.path.expanduser(value)).absolute()
                if real_dir(folder) and folder not in folders:
                    folders[folder] = (key.lower().replace("_", "-"), f"{m.group(1)}_" if m.group(1) else "")
    for folder, (name, prefix) in sorted(folders.items(), key=lambda kv: kv[1][0]):
        found.stores.append(read_treasury_dir(folder, name, prefix))
    for s in sorted(disc.by_role(Role.TREASURY_KEYPAIR), key=lambda s: s.path.name):
        found.stores.append(read_keypair_file(s.path, _keypair_name(s.path), argon))
    for s in disc.by_role(Role.PLAINTEXT_WALLET):
        found.stores.append(read_wallet_file(s.path, f"plain:{_rel(s.path, roots)}"))
    for s in disc.by_role(Role.API_KEYS):
        store, others = read_keys_json(s.path, f"plain:{_rel(s.path, roots)}")
        found.named_secrets += others
        if store.wallets or store.problems:
            found.stores.append(store)
    return found
