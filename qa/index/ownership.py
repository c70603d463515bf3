"""An index folder is qa's own, and qa touches nothing else in it (issue 22).

qa deletes files in its index folder (segment files a commit no longer names, temporary files of
interrupted runs) and rewrites others (`write.lock`, `checked.json`). So it makes an index only in
a folder it created or found empty, and marks it (MARKER): a non-empty folder that is not an index
is refused with one line, never taken over. An index made before the marker (a folder holding
qa.sqlite) is adopted: its next writer marks it. Even in its own folder qa deletes only the exact
names it writes, of generations it has reached (`segment_generation`), never a user's
`vectors.best.faiss` or `vectors.1.faiss.bak`.

qa's own files are opened without following symbolic links: a link where one of them should be is
a one-line error, never a file elsewhere truncated or overwritten through it.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from qa.errors import QAError

#: the file that makes a folder a qa index (written when qa creates or adopts it)
MARKER = "qa-index"
MARKER_TEXT = ("This folder is a qa index. qa writes and deletes its own files here (qa.sqlite, "
               "vectors.N.faiss, terms.N.npz, write.lock, checked.json); keep nothing else in it.\n")
#: the files qa keeps in an index folder under fixed names: store.DB_NAME, lock.LOCK_NAME,
#: integrity.MARK_NAME and the marker (named here, not imported: those modules use this one)
DATABASE = "qa.sqlite"
FIXED_FILES = (DATABASE, "write.lock", "checked.json", MARKER)
#: a segment file of generation N, or the temporary file it is written to: the only files qa deletes
_SEGMENT_FILE = re.compile(r"(?:vectors\.([0-9]+)\.faiss|terms\.([0-9]+)\.npz)(?:\.tmp)?")
#: every name qa writes in an index folder: never a source file, even when the folder is a source
_OWN_FILE = re.compile(r"qa\.sqlite(?:-journal|-wal|-shm|\.damaged-.*)?|write\.lock|checked\.json(?:\.tmp)?|"
                       + re.escape(MARKER) + "|" + _SEGMENT_FILE.pattern)


def segment_generation(name: str) -> int | None:
    """The generation N of a vector or term file qa writes (`vectors.N.faiss`, `terms.N.npz`, or
    their `.tmp` while written); None for any other name."""
    match = _SEGMENT_FILE.fullmatch(name)
    return None if match is None else int(match.group(1) or match.group(2))


def is_own_file(name: str) -> bool:
    """True for a name qa writes in an index folder (a scan passes such files over silently)."""
    return _OWN_FILE.fullmatch(name) is not None


def is_index_folder(folder: str | os.PathLike[str]) -> bool:
    """A folder qa made an index of: marked, or holding qa.sqlite (made before the marker)."""
    return any(os.path.lexists(os.path.join(folder, name)) for name in (MARKER, DATABASE))


def link_error(path: Path) -> QAError:
    return QAError(f"{path} is a symbolic link where qa keeps its own file; qa never follows links in "
                   "its index folder: remove the link")


def open_own(path: Path, flags: int, mode: int = 0o644) -> int:
    """os.open of one of qa's own files, never through a symbolic link (a link: QAError; other
    failures: the OSError, for the caller to word)."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise link_error(path) from exc
        raise


def _check_regular(path: Path) -> None:
    """One of qa's own files, if it exists, is a regular file: not a link, a FIFO or a device."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise QAError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if stat.S_ISLNK(info.st_mode):
        raise link_error(path)
    if not stat.S_ISREG(info.st_mode):
        raise QAError(f"{path} is not a regular file where qa keeps its own file: remove it")


def claim(index_dir: Path) -> None:
    """Make the existing folder `index_dir` qa's own before writing in it: marked already, or
    an index made before the marker, or empty (hidden files such as .gitkeep aside); else a
    QAError saying why qa will not write there. A link where qa's own file should be is refused."""
    for name in FIXED_FILES:
        _check_regular(index_dir / name)
    if (index_dir / MARKER).exists():
        return
    if not (index_dir / DATABASE).exists():
        try:
            with os.scandir(index_dir) as entries:
                held = sorted(e.name for e in entries if not e.name.startswith("."))
        except OSError as exc:
            raise QAError(f"cannot read the index folder {index_dir}: {exc.strerror or exc}") from exc
        if held:
            shown = ", ".join(held[:3]) + (", ..." if len(held) > 3 else "")
            raise QAError(f"{index_dir} is not a qa index and is not empty (it holds {shown}); qa makes an "
                          "index only in a new or empty folder: choose one with --index DIR")
    _mark(index_dir)


def _mark(index_dir: Path) -> None:
    """Write the marker (an index made before it is adopted; failing that, it stays an index by
    its qa.sqlite, so only a new folder's marker must be written)."""
    try:
        fd = open_own(index_dir / MARKER, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            os.write(fd, MARKER_TEXT.encode())
        finally:
            os.close(fd)
    except OSError as exc:
        if (index_dir / DATABASE).exists():
            return
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        raise QAError(f"cannot make an index in {index_dir}: {reason}") from exc
