"""A write that fails (disk full, read-only, I/O error) said in one line, naming that the previous
index is unchanged (nothing is visible before a commit); busy is IndexBusy, damage IndexCorrupt
(store.database_error). Shared by the sync and qa remove."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qa.errors import QAError
from qa.index import store


@contextmanager
def write_errors(index_dir: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as exc:
        if store.is_busy(exc):
            raise store.database_error(exc, index_dir) from exc
        raise write_failed(index_dir, exc) from exc
    except sqlite3.DatabaseError as exc:
        raise store.database_error(exc, index_dir) from exc
    except OSError as exc:
        raise write_failed(index_dir, exc) from exc


def write_failed(index_dir: Path, exc: Exception) -> QAError:
    if getattr(exc, "errno", None) == errno.ENOSPC or "full" in str(exc):
        reason = "the disk is full"
    else:
        reason = getattr(exc, "strerror", None) or str(exc)
    return QAError(f"could not update the index in {index_dir}/: {reason}; the previous index is unchanged")
