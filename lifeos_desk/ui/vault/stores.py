"""Every key store besides the public wallets: which are unlocked, their passphrases, their work.

``StoresController`` finds the treasury wallet folders, treasury keypair files
(current and rotated) and plaintext key files of the home and the bot checkout
(core/keystores ``find_key_stores``), holds one ``Secret`` per unlocked store,
and runs every slow step — unlocking, verify-all, the health check — on a
worker thread through ``start_task``. Jobs run one at a time from a queue:
each may run Argon2id at libsodium's moderate limits (256 MiB, ~0.6 s:
docs/architecture.md, 'Argon2id cost'), and one at a time means two never
take 512 MiB together. PyNaCl releases the GIL, so the window keeps painting.

The public users' wallets stay with ``VaultController`` (reveal, rotation and
import write the database); the area asks both. Locking wipes every
passphrase here; every unlock, refusal, verify, health run and lock is
audited with store names and counts, never a secret.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from ...core.audit import AuditWriter
from ...core.keystores.find import FoundKeys, find_key_stores
from ...core.keystores.health import HealthReport
from ...core.keystores.model import KeyStore, StoreKind, UnlockResult, WalletStatus
from ...core.keystores.unlock import DEFAULT_OPTIONS, UnlockOptions, plaintext_results
from ...core.paths import DataPaths
from ...core.secrets import Secret
from ...core.vault import failure_delay_s
from .model import StoreRow, WalletTableModel
from .storework import health_work, open_key_work, unlock_stores_work, verify_stores_work
from .tasks import TaskRelay, safe_message, start_task


def cost_text(store: KeyStore) -> str:
    """What unlocking a store costs, for the busy label ("keypair: Argon2id, 256 MiB, ~1 s")."""
    kdf = store.kdf
    if kdf is None or not store.needs_passphrase:
        return f"{store.name}: no passphrase"
    if kdf.name == "Argon2id":
        seconds = "~1 s" if kdf.memlimit >= 64 << 20 else "under 1 s"
        return f"{store.name}: Argon2id, {kdf.memlimit >> 20} MiB, {seconds}"
    if kdf.per_wallet:
        return f"{store.name}: PBKDF2 {kdf.iterations:,} per wallet"
    return f"{store.name}: PBKDF2 {kdf.iterations:,} once, ~0.3 s"


@dataclass
class _Job:
    """One queued piece of work; ``secrets`` are wiped if the job is dropped before it runs."""

    label: str
    work: Callable[[TaskRelay], Any]
    done: Callable[[Any], None]
    total: int
    secrets: tuple[Secret, ...] = ()
    failed: Callable[[BaseException], None] | None = None  # instead of the generic message


class StoresController(QObject):
    """The non-public stores: lock state per store, passphrases, one background job at a time.

    Signals:
        storesChanged(): the stores or their lock states changed (redraw the store list).
        unlockFinished(object, object, float): stores opened, stores refused (lists of names), hold-off s.
        busyChanged(str): what runs now ("" when idle).
        runProgress(int, int): done, total keys of the running job.
        verifyFinished(object): {store: UnlockResult} after verify-all.
        healthFinished(object): a HealthReport (no secret in it).
        message(str, bool): a line for the admin; True when it is an error.
    """

    storesChanged = Signal()
    unlockFinished = Signal(object, object, float)
    busyChanged = Signal(str)
    runProgress = Signal(int, int)
    verifyFinished = Signal(object)
    healthFinished = Signal(object)
    message = Signal(str, bool)

    def __init__(self, paths: DataPaths, audit: AuditWriter, model: WalletTableModel,
                 options: UnlockOptions = DEFAULT_OPTIONS, delay_policy: Callable[[int], float] = failure_delay_s,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.options = options
        self._audit = audit
        self._model = model
        self._delay_policy = delay_policy
        self.found = FoundKeys()
        self._secrets: dict[str, Secret] = {}
        self._failures: dict[str, int] = {}
        self.last_results: dict[str, UnlockResult] = {}
        self.refusals: dict[str, str] = {}
        self._queue: deque[_Job] = deque()
        self._current: TaskRelay | None = None
        self._current_label = ""
        self._epoch = 0

    # -- the stores ------------------------------------------------------------------
    def reload(self) -> None:
        """Find the stores again (reads key files of a few hundred bytes, never a database)."""
        try:
            self.found = find_key_stores(self.paths.home, self.paths.bot_dir, backups_dir=self.paths.backups,
                                         argon=self.options.argon)
        except OSError as exc:
            self.message.emit(f"The key stores could not be read: {exc.strerror or exc}", True)
            return
        names = {s.name for s in self.found.stores}
        for name in [n for n in self._secrets if n not in names]:
            self._secrets.pop(name).wipe()
        self._model.set_store_rows([StoreRow(s.name, s.kind, w) for s in self.found.stores for w in s.wallets])
        plain = [r for s in self.found.stores if s.kind is StoreKind.PLAINTEXT
                 for r in plaintext_results(s).results]
        self._model.set_store_results(plain)
        self.storesChanged.emit()

    @property
    def stores(self) -> list[KeyStore]:
        """Every non-public store found."""
        return list(self.found.stores)

    def get(self, name: str) -> KeyStore | None:
        """The store of that name."""
        return self.found.get(name)

    def is_unlocked(self, name: str) -> bool:
        """Whether a store's passphrase is held (plaintext stores need none: always open)."""
        store = self.get(name)
        return store is not None and (not store.needs_passphrase or name in self._secrets)

    def locked_names(self) -> list[str]:
        """The encrypted stores with keys whose passphrase is not held."""
        return [s.name for s in self.found.stores if s.needs_passphrase and s.wallets and s.name not in self._secrets]

    def unlocked_names(self) -> list[str]:
        """The encrypted stores whose passphrase is held."""
        return [s.name for s in self.found.stores if s.name in self._secrets]

    @property
    def busy(self) -> bool:
        """Whether a job runs or waits."""
        return self._current is not None or bool(self._queue)

    @property
    def unlocking(self) -> bool:
        """Whether an unlock job runs or waits."""
        jobs = [self._current_label] if self._current is not None else []
        return any(label.startswith("Unlocking") for label in jobs + [j.label for j in self._queue])

    def busy_text_for(self, names: Sequence[str]) -> str:
        """What unlocking these stores costs ("keypair: Argon2id, 256 MiB, ~1 s; ...")."""
        return "; ".join(cost_text(s) for s in self.found.stores if s.name in names)

    # -- the job queue ---------------------------------------------------------------
    def _enqueue(self, job: _Job) -> None:
        self._queue.append(job)
        self._next()

    def _next(self) -> None:
        if self._current is not None or not self._queue:
            if self._current is None:
                self._current_label = ""
                self.busyChanged.emit("")
            return
        job = self._queue.popleft()
        self._current_label = job.label
        epoch = self._epoch
        self._current = start_task(job.work, self, partial(self._on_job_done, job, epoch),
                                   partial(self._on_job_failed, job, epoch), self.runProgress.emit)
        self.runProgress.emit(0, max(1, job.total))
        self.busyChanged.emit(job.label)

    def _finish_job(self) -> None:
        self._current = None
        self._next()

    def _on_job_done(self, job: _Job, epoch: int, result: Any) -> None:
        self._finish_job()
        if epoch == self._epoch:
            job.done(result)
        elif isinstance(result, Secret):  # a key decrypted for a vault that has locked since
            result.wipe()
        for secret in job.secrets:
            secret.wipe()

    def _on_job_failed(self, job: _Job, epoch: int, exc: BaseException) -> None:
        self._finish_job()
        for secret in job.secrets:
            secret.wipe()
        if epoch == self._epoch and job.failed is not None:
            job.failed(exc)
        elif epoch == self._epoch:
            if job.label.startswith("Unlocking"):
                self.unlockFinished.emit([], [], 0.0)
            self.message.emit(f"{job.label.split(':')[0]} stopped: {safe_message(exc)}", True)

    @Slot()
    def cancel(self) -> None:
        """Stop the running job (between keys) and drop the queued ones."""
        if self._current is not None:
            self._current.cancel.set()
        self._drop_queue()

    def _drop_queue(self) -> None:
        while self._queue:
            for secret in self._queue.popleft().secrets:
                secret.wipe()

    # -- unlocking -------------------------------------------------------------------
    def unlock(self, names: Sequence[str], secret: Secret) -> bool:
        """Try one passphrase on these stores (the controller takes ``secret`` over); False if none to try."""
        stores = [s for s in self.found.stores if s.name in names and s.needs_passphrase and s.wallets]
        if not stores:
            secret.wipe()
            return False
        label = "Unlocking: deriving " + "; ".join(cost_text(s) for s in stores) + "…"
        work = partial(unlock_stores_work, stores, secret.copy(), self.options)
        self._enqueue(_Job(label, work, partial(self._on_unlocked, secret), sum(len(s.wallets) for s in stores),
                           (secret,)))
        return True

    def _on_unlocked(self, secret: Secret, results: dict[str, UnlockResult]) -> None:
        opened, refused = [], []
        for name, result in results.items():
            self.last_results[name] = result
            self._model.set_store_results(result.results)
            if result.opened:
                if name in self._secrets:
                    self._secrets[name].wipe()
                self._secrets[name] = secret.copy()
                self._failures[name] = 0
                self.refusals.pop(name, None)
                opened.append(name)
                self._log("vault_store_unlock", store=name, wallets=len(result.results),
                          verified=sum(r.status is WalletStatus.VERIFIED for r in result.results))
            elif not result.cancelled:
                self._failures[name] = self._failures.get(name, 0) + 1
                self.refusals[name] = _refusal(result)
                refused.append(name)
                self._log("vault_store_unlock_failed", store=name, consecutive_failures=self._failures[name])
        delay = max([self._delay_policy(self._failures[n]) for n in refused] or [0.0])
        self.storesChanged.emit()
        self.unlockFinished.emit(opened, refused, max(0.0, delay))

    # -- one key (the key panel) ------------------------------------------------------
    def open_key(self, name: str, key: str, done: Callable[[Secret], None],
                 failed: Callable[[BaseException], None]) -> bool:
        """Decrypt one key of an open store on the job queue (so two KDFs never run at once).

        ``done`` gets a ``Secret`` it must wipe; a job finishing after a lock
        wipes it instead. False when the store is locked or unknown.
        """
        store = self.get(name)
        if store is None or not self.is_unlocked(name):
            return False
        secret = self._secrets[name].copy() if store.needs_passphrase else Secret("")
        work = partial(open_key_work, store, key, secret.copy(), self.options)
        self._enqueue(_Job(f"Decrypting {key} of {name}: {cost_text(store)}", work, done, 1, (secret,), failed))
        return True

    # -- verify-all ------------------------------------------------------------------
    def start_verify(self) -> bool:
        """Check every key of every unlocked store again, with progress and cancel (False: nothing to do)."""
        stores = [s for s in self.found.stores if s.name in self._secrets]
        if not stores:
            return False
        copies = {s.name: self._secrets[s.name].copy() for s in stores}
        work = partial(verify_stores_work, stores, copies, self.options)
        self._enqueue(_Job("Verifying every unlocked store", work, self._on_verified,
                           sum(len(s.wallets) for s in stores), tuple(copies.values())))
        return True

    def _on_verified(self, results: dict[str, UnlockResult]) -> None:
        counts: dict[str, int] = {}
        for name, result in results.items():
            self.last_results[name] = result
            self._model.set_store_results(result.results)
            for r in result.results:
                counts[r.status.name.lower()] = counts.get(r.status.name.lower(), 0) + 1
        cancelled = any(r.cancelled for r in results.values())
        self._log("vault_verify", via="gui", stores=sorted(results), cancelled=cancelled, **counts)
        self.storesChanged.emit()
        self.verifyFinished.emit(results)

    # -- health ----------------------------------------------------------------------
    def start_health(self, public: KeyStore | None, try_weak: bool) -> None:
        """Run the health check over every store (the public one given by the caller) on a thread."""
        found = FoundKeys([s for s in (public,) if s is not None] + self.found.stores,
                          list(self.found.named_secrets), list(self.found.env_files))
        total = sum(len(s.wallets) for s in found.stores if s.needs_passphrase) if try_weak else 0
        label = "Health check" + (": trying \"default\" and the empty passphrase on every store" if try_weak else "")
        work = partial(health_work, found, self.paths.backups, try_weak, self.options)
        self._enqueue(_Job(label, work, self._on_health, total))

    def _on_health(self, report: HealthReport) -> None:
        self._log("vault_health", findings=len(report.findings), problems=len(report.problems),
                  ids=sorted({f.id for f in report.findings}), tried_weak=report.tried_weak,
                  cancelled=report.cancelled)
        self.healthFinished.emit(report)

    # -- locking ---------------------------------------------------------------------
    def lock_all(self, reason: str) -> None:
        """Wipe every passphrase held, stop the running job, forget the stores' statuses."""
        self._epoch += 1
        if self._current is not None:
            self._current.cancel.set()
        self._drop_queue()
        names = self.unlocked_names()
        for secret in self._secrets.values():
            secret.wipe()
        self._secrets.clear()
        self._model.clear_store_results(names)
        if names:
            self._log("vault_lock", reason=reason, stores=names)
            self.storesChanged.emit()

    def forget(self, reason: str) -> None:
        """Lock without signals (the area is being deleted)."""
        if self._current is not None:
            self._current.cancel.set()
        names = self.unlocked_names()
        for secret in self._secrets.values():
            secret.wipe()
        self._secrets.clear()
        while self._queue:
            for secret in self._queue.popleft().secrets:
                secret.wipe()
        if names:
            with contextlib.suppress(OSError):
                self._audit.log("vault_lock", reason=reason, stores=names)

    def _log(self, event: str, **fields: Any) -> None:
        try:
            self._audit.log(event, **fields)
        except OSError as exc:
            self.message.emit(f"The audit log could not be written ({exc.strerror}).", True)


def _refusal(result: UnlockResult) -> str:
    """Why a store stayed locked, from its statuses (never a secret)."""
    statuses = {r.status for r in result.results}
    if statuses <= {WalletStatus.WRONG_PASSPHRASE}:
        return "wrong passphrase"
    return ", ".join(sorted(s.value for s in statuses))
