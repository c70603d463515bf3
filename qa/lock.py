"""One writer at a time per index folder: an advisory lock (flock) that the OS releases when the
process dies, so a killed reindex never leaves a stale lock behind."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from qa.errors import IndexBusy, QAError

LOCK_NAME = "write.lock"


@contextmanager
def write_lock(index_dir: Path, wait: float = 600.0,
               on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's write lock; wait up to `wait` seconds for another writer to finish."""
    path = index_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:  # a full disk, a read-only folder: say so in one line
        raise QAError(f"cannot create the lock file {path}: {exc.strerror}; the index is unchanged") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            if on_wait:
                on_wait(f"another qa index (pid {holder}) is updating {index_dir}; waiting for it to finish")
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexBusy(f"{index_dir} is still being updated by pid {holder}; try again when it is done") from None
                    time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
