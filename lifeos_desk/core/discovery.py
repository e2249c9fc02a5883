"""Finding every store under the LifeOS home and the bot checkout, without opening one.

The deployed bot keeps a dozen databases, state files, logs and key files in
two trees (docs/data-formats.md, 'Where things live'). This walks both and
says, for each file, what kind it is, which role its path gives it, and what
is risky about it, so the console can list stores it was never told about.

Safety rules (docs/architecture.md, 'Symlinks and FIFOs'): the walk never
follows a symlink, admits only regular files (``lstat`` + ``S_ISREG``), reads
at most the first 100 bytes of a file through ``O_NONBLOCK | O_NOFOLLOW`` and
checks the opened descriptor is still the same regular file, and is bounded
in depth and file count. SQLite files are recognised by their header and
never opened with a SQLite library; in the window's process the caller passes
the paths its QtSql connections hold as ``no_open`` and those files are not
read at all (docs/architecture.md, 'One SQLite library per process').
Unknown files are reported as unknown, never guessed.

Kinds and roles are ``core/stores.py``'s ``StoreKind``/``StoreRole`` (``Kind``
and ``Role`` here are the same enums); ``FoundStore.ref`` is the ``StoreRef``
the session registers.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

from .stores import StoreKind, StoreRef, StoreRole

SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_BYTES = 100
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


# One vocabulary with the registry (core/stores.py): discovery's names are the same enums.
Kind = StoreKind
Role = StoreRole


class Risk(StrEnum):
    """Something an admin should know before trusting or sharing a file."""

    NOT_ATOMIC = "written without atomic rename"
    PLAINTEXT_SECRET = "plaintext secret"
    WORLD_READABLE = "world-readable"


class Tree(StrEnum):
    """Which of the two roots a store was found under."""

    HOME = "home"
    BOT = "bot"


@dataclass(frozen=True)
class FoundStore:
    """One file found, with everything known about it without opening a database."""

    path: Path
    tree: Tree
    kind: Kind
    role: Role | None
    label: str
    size: int
    mtime: float
    journal: str | None = None  # "wal" / "delete" from header bytes 18/19, as PRAGMA journal_mode answers
    has_wal: bool = False  # a "-wal" file lies beside it
    risks: frozenset[Risk] = frozenset()

    @property
    def ref(self) -> StoreRef:
        """The registry's name for this store (an unknown role is ``StoreRole.UNKNOWN``)."""
        return StoreRef(self.path, self.kind, self.role or StoreRole.UNKNOWN, self.label)


@dataclass(frozen=True)
class Limits:
    """Bounds on the walk: a home is small; a runaway tree must not stall the console."""

    max_depth: int = 6
    max_files: int = 5000


@dataclass
class Discovery:
    """The result: stores, files passed over and why, and whether a bound was hit."""

    stores: list[FoundStore] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    truncated: bool = False

    def by_role(self, role: Role) -> list[FoundStore]:
        """Every store of one role (there may be several: rotated logs, profiles)."""
        return [s for s in self.stores if s.role is role]

    def get(self, path: Path) -> FoundStore | None:
        """The store at ``path``, if found."""
        return next((s for s in self.stores if s.path == path), None)


# ---------------------------------------------------------------- roles by path

# (tree, regex on the POSIX path relative to the root, role, label); first match wins.
_RULES: tuple[tuple[Tree, re.Pattern[str], Role, str], ...] = tuple(
    (tree, re.compile(rx), role, label)
    for tree, rx, role, label in (
        (Tree.HOME, r"public_users\.db", Role.USERS_WALLETS, "Users and wallets"),
        (Tree.HOME, r"fees\.db", Role.FEES, "Success fees"),
        (Tree.HOME, r"telegram/jarvis_secure\.db", Role.SUBSCRIBERS, "Bot subscribers"),
        (Tree.HOME, r"permissions/permissions\.db", Role.PERMISSIONS, "Permissions"),
        (Tree.HOME, r"memory/jarvis\.db|memory\.db|jarvis/conversation_memory\.db", Role.MEMORY, "Memory"),
        (Tree.HOME, r"(runs/ledger|usage/tracker|tools/call_log)\.db", Role.OPERATIONS, "Operations"),
        (Tree.HOME, r"(\w+/)?trading/positions\.json", Role.POSITIONS, "Positions (legacy path)"),
        (Tree.HOME, r"(\w+/)?trading/trade_history\.json", Role.TRADE_HISTORY, "Trade history (legacy path)"),
        (Tree.HOME, r"trading/exit_intents\.json", Role.EXIT_INTENTS, "Exit intents"),
        (Tree.HOME, r"trading/emergency_stop\.json", Role.EMERGENCY_STOP, "Emergency stop"),
        (Tree.HOME, r"trading/.+\.json", Role.TRADING_STATE, "Trading state"),
        (Tree.HOME, r"algorithms/global_metrics\.json", Role.ALGORITHM_METRICS, "Algorithm metrics"),
        (Tree.HOME, r"logs/audit\.jsonl", Role.TREASURY_AUDIT, "Treasury audit (JSON array)"),
        (Tree.HOME, r"wallets/[^/]+\.(json|base58)", Role.PLAINTEXT_WALLET, "Plaintext wallet"),
        (Tree.HOME, r"secrets/keys\.json", Role.API_KEYS, "API keys"),
        (Tree.BOT, r"data/jarvis_core\.db", Role.TREASURY, "Treasury trades"),
        (Tree.BOT, r"data/(\w+/)?trader/positions\.json(\.bak)?", Role.POSITIONS, "Positions"),
        (Tree.BOT, r"data/(\w+/)?trader/trade_history\.json(\.bak)?", Role.TRADE_HISTORY, "Trade history"),
        (Tree.BOT, r"data/audit/audit_\d{8}(_\d{6})?\.jsonl", Role.DAILY_AUDIT, "Daily audit"),
        (Tree.BOT, r"data/logs/audit\.jsonl", Role.TREASURY_AUDIT, "Treasury audit (JSON array)"),
        (Tree.BOT, r"logs/audit\.jsonl", Role.SECURITY_AUDIT, "Security audit trail"),
        (Tree.BOT, r"logs/(archive/)?.+-\d{4}-\d{2}-\d{2}\.jsonl(\.gz)?", Role.STRUCTURED_LOG, "Structured log"),
        (Tree.BOT, r"data/(\w+_)?treasury_keypair\.json(\.bak\.\d{8}_\d{6})?", Role.TREASURY_KEYPAIR, "Keypair"),
        (Tree.BOT, r"bots/treasury/\.wallets(-[\w-]+)?/[^/]+", Role.TREASURY_WALLETS, "Treasury wallet folder"),
        (Tree.BOT, r"secrets/keys\.json", Role.API_KEYS, "API keys"),
        (Tree.BOT, r"\.env(\.[\w.-]+)?", Role.ENV_FILE, "Environment file"),
    )
)

# Parts a log leaves behind when it rotates, each with the live name it was rotated from
# (docs/data-formats.md, 'Security audit trail': ``audit.<%Y%m%d_%H%M%S>.jsonl``; 'Structured
# logger': ``<name>-YYYY-MM-DD.jsonl``, gzipped later into ``archive/``; a numbered
# ``audit.jsonl.1`` is what a size-rotating handler or logrotate leaves). A part takes its
# live file's role unless a rule above names the path itself (the structured logger's dated files).
_ROTATED_PARTS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(rx) for rx in (
        r"(?P<stem>.+)\.\d{8}_\d{6}\.jsonl(\.gz)?",
        r"(?P<stem>.+)-\d{4}-\d{2}-\d{2}\.jsonl(\.gz)?",
        r"(?P<stem>.+)\.jsonl\.\d{1,4}(\.gz)?",
    )
)
ROTATED_LABEL = " (rotated)"

_SECRET_ROLES = frozenset({Role.PLAINTEXT_WALLET, Role.API_KEYS, Role.ENV_FILE})
_KEY_ROLES = _SECRET_ROLES | {Role.TREASURY_KEYPAIR}
# Writers that rewrite in place (docs/data-formats.md, 'Trading state files', 'Treasury audit array').
_IN_PLACE = frozenset({Role.EXIT_INTENTS, Role.EMERGENCY_STOP, Role.TREASURY_AUDIT})
# Files whose contents guard money, so a world-readable mode matters.
_SENSITIVE = _KEY_ROLES | {Role.USERS_WALLETS, Role.TREASURY_WALLETS}


def role_for(tree: Tree, rel: PurePosixPath) -> tuple[Role, str] | None:
    """The role a path relative to its root gives a file, or None when the path says nothing."""
    text = rel.as_posix()
    for rule_tree, rx, role, label in _RULES:
        if rule_tree is tree and rx.fullmatch(text):
            return role, label
    return None


def rotated_from(rel: PurePosixPath) -> PurePosixPath | None:
    """The live log a rotated or dated part was rotated from (same folder, or the one above
    ``archive/``), or None when the name is no rotated part."""
    for rx in _ROTATED_PARTS:
        match = rx.fullmatch(rel.name)
        if match:
            folder = rel.parent.parent if rel.parent.name == "archive" else rel.parent
            return folder / f"{match['stem']}.jsonl"
    return None


def _role_of(tree: Tree, rel: PurePosixPath) -> tuple[Role | None, str, PurePosixPath | None]:
    """(role, label, live path) from the path: its own rule, else its live log's (``live`` None: not rotated)."""
    found = role_for(tree, rel)
    if found:
        return found[0], found[1], None
    live = rotated_from(rel)
    found = role_for(tree, live) if live is not None else None
    if found and live is not None:
        return found[0], found[1], live
    return None, "", None


# ---------------------------------------------------------------- safe reads


def _read_head(path: Path, expected: os.stat_result) -> bytes | None:
    """The first bytes of a regular file, or None if it changed under us or cannot be read.

    ``O_NONBLOCK`` keeps a FIFO swapped in after the ``lstat`` from blocking;
    ``O_NOFOLLOW`` refuses a symlink swapped in; the ``fstat`` check refuses
    anything that is no longer the file that was looked at.
    """
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (expected.st_dev, expected.st_ino):
            return None
        return os.read(fd, _HEADER_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)


def sqlite_journal(head: bytes) -> str | None:
    """The journal mode a fresh connection's ``PRAGMA journal_mode`` answers, from a SQLite header.

    Bytes 18 and 19 are 2 in WAL mode, 1 in rollback mode. Only WAL is kept
    in the file; every rollback mode (DELETE, TRUNCATE, PERSIST, …) is a
    connection's own choice and a new connection starts at DELETE, so a
    rollback header reads "delete", the word the status bar shows for the
    same file (docs/data-formats.md, 'Other SQLite stores').
    """
    if len(head) < 20 or not head.startswith(SQLITE_MAGIC):
        return None
    if head[18] == 2 and head[19] == 2:
        return "wal"
    if head[18] == 1 and head[19] == 1:
        return "delete"
    return None


def _exists_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


# ---------------------------------------------------------------- kinds


def _kind_from_name(name: str, head: bytes | None) -> Kind:
    """Kind of a non-SQLite file from its name, refined by its first byte where the name lies."""
    if name.endswith((".jsonl", ".jsonl.gz")):
        # The treasury engine's "audit.jsonl" is one JSON array (docs/data-formats.md, 'Treasury audit array').
        return Kind.JSON if head is not None and head.lstrip()[:1] == b"[" else Kind.JSONL
    if name.endswith((".json", ".json.bak")):
        return Kind.JSON
    if re.search(r"\.log(\.\d+)?$", name):
        return Kind.TEXT_LOG
    return Kind.UNKNOWN


def _audit_by_shape(role: Role | None, label: str, kind: Kind) -> tuple[Role | None, str]:
    """``audit.jsonl`` is the treasury's JSON array or the security trail's JSONL: the content decides."""
    if role is Role.TREASURY_AUDIT and kind is Kind.JSONL:
        return Role.SECURITY_AUDIT, "Security audit trail"
    if role is Role.SECURITY_AUDIT and kind is Kind.JSON:
        return Role.TREASURY_AUDIT, "Treasury audit (JSON array)"
    return role, label


def _classify(
    path: Path, tree: Tree, rel: PurePosixPath, st: os.stat_result, no_open: Collection[Path]
) -> FoundStore:
    role, label, live = _role_of(tree, rel)
    held_open = path in no_open
    head = None if held_open else _read_head(path, st)
    journal = None
    if held_open:
        kind = Kind.SQLITE  # the caller holds it through QtSql: it is a database we must not read
    elif head is not None and head.startswith(SQLITE_MAGIC):
        kind, journal = Kind.SQLITE, sqlite_journal(head)
    elif role in _KEY_ROLES or (role is Role.TREASURY_WALLETS and path.name != "registry.json"):
        kind = Kind.KEYS
    else:
        kind = _kind_from_name(path.name if live is None else live.name, head)
    role, label = _audit_by_shape(role, label, kind)
    if live is not None:
        label += ROTATED_LABEL
    has_wal = kind is Kind.SQLITE and _exists_regular(path.with_name(path.name + "-wal"))
    if held_open and has_wal:
        journal = "wal"
    risks: set[Risk] = set()
    if (role in _IN_PLACE and live is None) or (role is Role.TREASURY_WALLETS and path.name == "registry.json"):
        risks.add(Risk.NOT_ATOMIC)
    if role in _SECRET_ROLES:
        risks.add(Risk.PLAINTEXT_SECRET)
    if (role in _SENSITIVE or kind is Kind.KEYS) and st.st_mode & stat.S_IROTH:
        risks.add(Risk.WORLD_READABLE)
    return FoundStore(
        path=path, tree=tree, kind=kind, role=role, label=label or path.name,
        size=st.st_size, mtime=st.st_mtime, journal=journal, has_wal=has_wal, risks=frozenset(risks),
    )


# ---------------------------------------------------------------- the walk


def _skip_reason(name: str) -> str | None:
    """Files that are part of another file or of a writer's protocol, not stores."""
    if name.endswith(_SQLITE_COMPANIONS):
        return "SQLite companion file"
    if name.endswith((".lock", ".tmp")):
        return "lock or temporary file"
    return None


class _Walker:
    """One bounded, symlink-free walk that fills a Discovery."""

    def __init__(self, result: Discovery, limits: Limits, excluded: Collection[Path], no_open: Collection[Path]):
        self.result = result
        self.limits = limits
        self.excluded = {os.path.normcase(os.path.abspath(p)) for p in excluded}
        self.no_open = no_open
        self.seen = 0

    def walk(self, tree: Tree, root: Path, start: Path, depth: int = 0) -> None:
        """Walk ``start`` (a folder inside ``root``), classifying every regular file."""
        for entry in self._entries(start):
            if self.seen >= self.limits.max_files:
                self.result.truncated = True
                return
            path = Path(entry.path)
            if os.path.normcase(os.path.abspath(path)) in self.excluded:
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                self.result.skipped.append((path, "symlink (not followed)"))
            elif stat.S_ISDIR(st.st_mode):
                if depth + 1 >= self.limits.max_depth:
                    self.result.truncated = True
                else:
                    self.walk(tree, root, path, depth + 1)
            elif not stat.S_ISREG(st.st_mode):
                self.result.skipped.append((path, "not a regular file"))
            else:
                self.file(tree, root, path, st)

    def file(self, tree: Tree, root: Path, path: Path, st: os.stat_result) -> None:
        """Classify one regular file unless it is a companion, lock or temporary file."""
        reason = _skip_reason(path.name)
        if reason:
            self.result.skipped.append((path, reason))
            return
        self.seen += 1
        rel = PurePosixPath(path.relative_to(root).as_posix())
        self.result.stores.append(_classify(path, tree, rel, st, self.no_open))

    def _entries(self, folder: Path) -> Iterator[os.DirEntry[str]]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            return iter(())
        return iter(entries)


def _real_dir(path: Path) -> bool:
    """A folder that is itself no symlink (lstat), so the walk cannot be led out through it."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _bot_starts(bot_dir: Path) -> tuple[list[Path], list[Path]]:
    """The checkout's data folders and loose files; its source code is never walked."""
    folders = [bot_dir / "data", bot_dir / "logs", bot_dir / "secrets"]
    treasury = bot_dir / "bots" / "treasury"
    if _real_dir(bot_dir / "bots") and _real_dir(treasury):
        folders += sorted(p for p in treasury.iterdir() if p.name.startswith(".wallets"))
    files = sorted(p for p in bot_dir.iterdir() if re.fullmatch(r"\.env(\.[\w.-]+)?", p.name))
    return [f for f in folders if _real_dir(f)], files


def discover(
    home: Path,
    bot_dir: Path | None = None,
    *,
    backups_dir: Path | None = None,
    no_open: Collection[Path] = (),
    limits: Limits | None = None,
) -> Discovery:
    """Every store under ``home`` and the data folders of ``bot_dir``.

    ``backups_dir`` (the console's own archives) is left out wherever it lies;
    ``no_open`` lists SQLite files the caller holds open through QtSql, which
    are reported without a byte of them being read.
    """
    result = Discovery()
    walker = _Walker(result, limits or Limits(), [backups_dir] if backups_dir else [], set(no_open))
    if _real_dir(home):
        walker.walk(Tree.HOME, home, home)
    if bot_dir is not None and _real_dir(bot_dir):
        folders, files = _bot_starts(bot_dir)
        for folder in folders:
            walker.walk(Tree.BOT, bot_dir, folder, depth=1)
        for path in files:
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                walker.file(Tree.BOT, bot_dir, path, st)
            else:
                result.skipped.append((path, "not a regular file"))
    return result
