"""A watchdog for tests over FIFOs: if the code under test blocks opening one, unblock it and say so.

Without it a regression would hang the test run instead of failing it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def fifo_watchdog(fifo: Path, after_s: float = 5.0) -> Iterator[list[bool]]:
    """Yields a one-item list that turns ``[True]`` when the watchdog had to open the FIFO's other end."""
    done = threading.Event()
    fired = [False]

    def guard() -> None:
        while not done.wait(after_s):
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                continue  # nobody is blocked on it (yet)
            fired[0] = True
            os.close(fd)

    thread = threading.Thread(target=guard, name="fifo-watchdog", daemon=True)
    thread.start()
    try:
        yield fired
    finally:
        done.set()
        thread.join(10)
