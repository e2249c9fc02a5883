"""Many slow derivations at once: a thread pool fed a few at a time, so a cancel stops soon.

PBKDF2 and Argon2id release the GIL, so threads use every core. Moved out of
core/vault.py (which re-exports both names) to keep it under 500 lines.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
Item = TypeVar("Item")
Progress = Callable[[int, int], None]


def default_workers() -> int:
    """The cores this process may run on (what the PBKDF2 pool should use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def parallel_map(func: Callable[[Item], T], records: Sequence[Item], workers: int | None,
                 progress: Progress | None, cancel: threading.Event | None,
                 on_result: Callable[[Item, T], None]) -> bool:
    """Run func over records on a thread pool; returns False when cancelled.

    Only ``workers`` tasks are in flight at a time so a cancel stops after at
    most one derivation per worker, and ``progress(done, total)`` is called from
    the calling thread after each wallet.
    """
    workers = workers or default_workers()
    cancel = cancel or threading.Event()
    total, done = len(records), 0
    pending: dict[Future[T], Item] = {}
    queue = iter(records)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vault-kdf") as pool:
        while True:
            while len(pending) < workers and not cancel.is_set():
                record = next(queue, None)
                if record is None:
                    break
                pending[pool.submit(func, record)] = record
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                on_result(pending.pop(fut), fut.result())
                done += 1
                if progress is not None:
                    progress(done, total)
    return not cancel.is_set() or done == total
