"""One writer at a time per index folder: an advisory lock (flock) that the OS releases when the
process dies, so a killed reindex never leaves a stale lock behind.

The lock that counts is taken on the index folder itself (its open file descriptor), which a
user cannot delete while the folder is in use: deleting `write.lock` mid-reindex no longer lets a
second writer in. `write.lock` is still locked too (a qa from before this change locks only it)
and holds the writer's pid, for messages. It is opened without following links (O_NOFOLLOW): a
link put in its place is an error, never a file elsewhere truncated through it.

`holder` names the process holding the index (the writer lock, or sqlite's own lock on the
database when some other program holds it), read from /proc/locks where there is one.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from qa.errors import IndexBusy, QAError
from qa.index.ownership import open_own

LOCK_NAME = "write.lock"
PROC_LOCKS = Path("/proc/locks")


def require_writable(index_dir: Path) -> None:
    """Refuse to update an index whose folder is read-only before anything is tried: sqlite would
    open the database and fail only at its first write ("attempt to write a readonly database"),
    the lock file being there already."""
    if not os.access(index_dir, os.W_OK):
        raise QAError(f"the index folder {index_dir} is not writable: it can be searched, not updated; "
                      "make it writable, or choose another with --index DIR")


@contextmanager
def write_lock(index_dir: Path, wait: float = 600.0,
               on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's write lock; wait up to `wait` seconds for another writer to finish."""
    path = index_dir / LOCK_NAME
    with ExitStack() as stack:
        try:
            folder_fd = os.open(index_dir, os.O_RDONLY | os.O_DIRECTORY)
            stack.callback(os.close, folder_fd)
            fd = open_own(path, os.O_RDWR | os.O_CREAT)  # never through a link
            stack.callback(os.close, fd)
        except OSError as exc:  # a full disk, a read-only folder: say so in one line
            raise QAError(f"cannot create the lock file {path}: {exc.strerror}; the index is unchanged") from exc
        deadline = time.monotonic() + wait
        told = False
        for lock_fd in (folder_fd, fd):  # the folder first: it cannot be deleted under us
            told = _take(lock_fd, index_dir, deadline, None if told else on_wait) or told
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            fcntl.flock(folder_fd, fcntl.LOCK_UN)


def _take(fd: int, index_dir: Path, deadline: float, on_wait: Callable[[str], None] | None) -> bool:
    """flock `fd`, polling until `deadline`; True when it had to wait (and said so)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        pass
    who = holder(index_dir)
    if on_wait:
        on_wait(f"another qa index ({who}) is updating {index_dir}; waiting for it to finish")
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise IndexBusy(f"{index_dir} is still being updated by {who}; try again when it is done") from None
            time.sleep(0.2)


def holder(index_dir: Path, database: Path | None = None) -> str:
    """Who holds the index: "pid N: program" of the writer lock's holder or of the holder of
    sqlite's lock on `database`, else the pid written in write.lock, else "another process"."""
    pids = _lock_holders(index_dir, "FLOCK") or (_lock_holders(database, "POSIX") if database else [])
    if not pids:
        try:
            fd = open_own(index_dir / LOCK_NAME, os.O_RDONLY | os.O_NONBLOCK)
            try:
                written = os.read(fd, 32).decode(errors="replace").strip()
            finally:
                os.close(fd)
        except (OSError, QAError):
            written = ""
        pids = [int(written)] if written.isdigit() else []
    if not pids:
        return "another process"
    return ", ".join(f"pid {pid}{_program(pid)}" for pid in pids)


def _lock_holders(path: Path, kind: str) -> list[int]:
    """Pids (other than ours) holding a write lock of `kind` (FLOCK or POSIX) on `path`."""
    try:
        st = os.stat(path)
        lines = PROC_LOCKS.read_text().splitlines()
    except OSError:
        return []
    pids: list[int] = []
    for line in lines:
        fields = line.split()
        if "->" in fields:  # a process waiting for the lock, not holding it
            continue
        try:
            lock_kind, mode, pid, device = fields[1], fields[3], int(fields[4]), fields[5]
            inode = int(device.rsplit(":", 1)[1])
        except (IndexError, ValueError):
            continue
        if lock_kind == kind and mode == "WRITE" and inode == st.st_ino and pid not in (os.getpid(), -1) \
                and pid not in pids:
            pids.append(pid)
    return pids


def _program(pid: int) -> str:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return ""
    words = [" ".join(w.decode(errors="replace").split()) for w in cmdline if w]
    if len(words) >= 3 and words[1] == "-m" and words[2] == "qa":
        words = ["qa", *words[3:]]
    elif words:
        words[0] = os.path.basename(words[0])
    shown = " ".join(words[:2])
    shown = "".join(c if c.isprintable() else "?" for c in shown)
    return f": {shown[:40]}" if shown else ""
