"""Finding the article files under the folders and files a user gave to `qa index`.

Sources and files are keyed by their real path (symbolic links resolved), so one file reached
through two paths (a link, a relative and an absolute path, a linked folder) is one document.
Symbolic links inside a source folder are followed only when they point back inside one of the
sources; a link out of them is skipped and reported, never silently followed.

Every file that is not indexed is reported with why (an unsupported type, a name that is not
UTF-8, an export qa wrote). A folder that could not be listed, or is missing, or is empty is
recorded, so that a sync can tell a file deleted from a folder that is there (removed from the
index) from a file of a folder that is away for now (an unmounted drive: its documents are kept).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qa.index import ownership
from qa.config import DOCUMENT_SUFFIXES

#: files the tool writes (the UI's conversation exports): never indexed, even in a source folder
WRITTEN_BY_QA = ("qa-conversation-*.md",)

MISSING, EMPTY, UNREADABLE = "missing", "empty", "unreadable"


@dataclass(frozen=True)
class Unavailable:
    """A source folder (or subfolder, or a source file) that is away for now; its documents are kept."""

    path: str
    state: str  # missing, empty or unreadable
    documents: int = 0

    def as_json(self) -> dict[str, object]:
        return {"path": printable(self.path), "state": self.state, "documents": self.documents}

    def warning(self) -> str:
        why = {MISSING: "is missing (unmounted or renamed?)", EMPTY: "is empty",
               UNREADABLE: "cannot be read"}[self.state]
        kept = (f"its {self.documents} document{'s are' if self.documents != 1 else ' is'} kept" if self.documents
                else "nothing of it is indexed")
        return f"{printable(self.path)} {why}: {kept}; qa remove {printable(self.path)} forgets it"


@dataclass
class Scan:
    files: dict[str, os.stat_result] = field(default_factory=dict)  # real path -> stat
    skipped: dict[str, str] = field(default_factory=dict)  # path -> reason
    missing_sources: list[str] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # the sources' real paths
    listed: dict[str, bool] = field(default_factory=dict)  # folder listed -> it holds something
    unreadable: set[str] = field(default_factory=set)  # folders that could not be listed

    def unavailable_folder(self, path: str) -> Unavailable | None:
        """For an indexed file the scan did not find: the folder that is away (missing, empty or
        unreadable) with it, or None when its folder is there (the file was deleted)."""
        root = _root_of(path, self.roots)
        if root is None:
            return None
        if root == path:  # a source that is one file: its folder says whether it is away
            state = self._state(os.path.dirname(path))
            return Unavailable(path, state) if state else None
        folder = root
        for part in [""] + os.path.relpath(os.path.dirname(path), root).split(os.sep):
            folder = os.path.join(folder, part) if part not in ("", ".") else folder
            state = self._state(folder)
            if state:
                return Unavailable(folder, state)
        return None

    def _state(self, folder: str) -> str | None:
        if folder in self.unreadable:
            return UNREADABLE
        if folder not in self.listed:
            return MISSING
        return None if self.listed[folder] else EMPTY

    def sort_out(self, known: Iterable[str]) -> tuple[list[str], list[Unavailable]]:
        """Indexed paths the scan did not find: (deleted ones, the unavailable folders holding
        the others, with how many documents each keeps)."""
        deleted: list[str] = []
        away: dict[tuple[str, str], int] = {}
        for path in known:
            if path in self.files:
                continue
            folder = self.unavailable_folder(path)
            if folder is None:
                deleted.append(path)
            else:
                away[(folder.path, folder.state)] = away.get((folder.path, folder.state), 0) + 1
        for source in self.missing_sources:
            if not any(path == source for path, _ in away):
                away[(source, MISSING)] = 0
        for root in self.roots:  # a source folder empty or unreadable from the first: said, as a missing one is
            if (self.listed.get(root) is False or root in self.unreadable) and not any(p == root for p, _ in away):
                away[(root, self._state(root))] = 0
        return deleted, [Unavailable(p, s, n) for (p, s), n in sorted(away.items())]


def same_file(row: object, info: os.stat_result) -> bool:
    """True when an indexed file (a row with size, mtime_ns, ctime_ns, inode) still looks as it
    was, by its stat alone: the inode change time and number catch a rewrite that kept the size
    and put the modification time back. Rows of an older qa (ctime_ns None) compare size and
    modification time only."""
    if (row.size, row.mtime_ns) != (info.st_size, info.st_mtime_ns):
        return False
    return row.ctime_ns is None or (row.ctime_ns, row.inode) == (info.st_ctime_ns, info.st_ino)


def absolute(path: str | os.PathLike[str]) -> str:
    """The path as an index records it: absolute, symbolic links resolved."""
    return os.path.realpath(os.path.expanduser(os.fspath(path)))


def printable(path: str) -> str:
    """A path for messages and JSON: bytes that are not UTF-8 shown as \\xNN escapes (the name as
    Python holds it cannot be printed or stored)."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _inside(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def inside(path: str, folders: Iterable[str]) -> bool:
    """True when the path is one of these or inside one of them."""
    return _inside(path, list(folders))


def within_another(path: str, roots: Iterable[str]) -> bool:
    """True when the path is inside one of these folders, not one of them: naming a file or
    folder of a source again adds no source (its documents are the folder's)."""
    return any(path != root and _inside(path, [root]) for root in roots)


def _root_of(path: str, roots: list[str]) -> str | None:
    """The deepest source holding the path."""
    holding = [r for r in roots if _inside(path, [r])]
    return max(holding, key=len) if holding else None


def scan(sources: list[str], excluded: Iterable[str] = ()) -> Scan:
    """Every document file under the sources, with its stat; what was passed over and why.
    `excluded`: files and folders removed from the index (`qa remove`) that stay where they are."""
    result = Scan(roots=[os.path.realpath(s) for s in sources])
    excluded = set(excluded)
    for root in dict.fromkeys(result.roots):
        if not os.path.lexists(root):
            result.missing_sources.append(root)
            _list_parent(result, root)
        elif not os.path.isdir(root):
            _list_parent(result, root)
            _add_file(result, root, explicit=True)
        else:
            _walk(result, root, excluded)
    result.skipped = {printable(path): reason for path, reason in result.skipped.items()}
    return result


def _list_parent(result: Scan, path: str) -> None:
    """Record whether a file source's folder is there (to tell a deleted file from one away)."""
    _list_folder(result, os.path.dirname(path))


def _walk(result: Scan, root: str, excluded: set[str]) -> None:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except FileNotFoundError:
            continue  # gone since its parent was listed: as missing
        except OSError as exc:
            result.unreadable.add(folder)
            result.skipped[printable(folder)] = f"cannot read folder: {exc.strerror or exc}"
            continue
        visible_entries = [e for e in entries if not e.name.startswith(".")]
        result.listed[folder] = bool(visible_entries)
        own = ownership.is_index_folder(folder)  # a source that is (or holds) the index folder itself
        subfolders = []
        for entry in visible_entries:
            path = entry.path
            if own and ownership.is_own_file(entry.name):
                continue  # qa's own file, never a source file: passed over silently
            if path in excluded:
                result.skipped[printable(path)] = "removed with qa remove (qa index PATH adds it back)"
            elif not is_utf8(entry.name):
                result.skipped[printable(path)] = ("name is not valid UTF-8, so it cannot be indexed; "
                                                   "rename it to index it")
            elif _is_dir(entry):
                if entry.is_symlink():
                    result.skipped[path] = _folder_link(path, result.roots)
                elif not ownership.is_index_folder(path):  # an index folder is passed over silently
                    subfolders.append(path)
            else:
                _add_entry(result, entry)
        stack.extend(reversed(subfolders))


def _folder_link(path: str, roots: list[str]) -> str:
    """Why a link to a folder is skipped, and, when it leads out of the sources (an archive on
    another drive linked into the articles folder), how to index what it points at."""
    target = os.path.realpath(path)
    if _inside(target, roots):
        return "symbolic link to a folder, not followed"
    return f"symbolic link to a folder, not followed; to index it: qa index {printable(target)}"


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _add_entry(result: Scan, entry: os.DirEntry) -> None:
    name = entry.name
    link = entry.is_symlink() if hasattr(entry, "is_symlink") else os.path.islink(entry.path)  # a DirEntry's: no stat
    if link and not os.path.exists(entry.path):  # its target's name, or its type, said nothing
        try:
            target = printable(os.path.join(os.path.dirname(entry.path), os.readlink(entry.path)))
        except OSError:
            target = "?"
        result.skipped[entry.path] = f"broken symbolic link (to {target}: not there, or a loop of links)"
        return
    if any(fnmatch.fnmatch(name, pattern) for pattern in WRITTEN_BY_QA):
        result.skipped[entry.path] = "written by qa (an export), not indexed"
        return
    suffix = Path(name).suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        result.skipped[entry.path] = f"unsupported file type ({suffix or 'no extension'})"
        return
    _add_file(result, entry.path, explicit=False)


def _add_file(result: Scan, path: str, explicit: bool) -> None:
    if os.path.islink(path):
        target = os.path.realpath(path)
        if not explicit and not _inside(target, result.roots):
            result.skipped[path] = f"symbolic link out of the source folders (to {printable(target)}), not followed"
            return
        path = target
    if path in result.files:
        return  # the same file reached through a link
    if not is_utf8(path):
        result.skipped[printable(path)] = "name is not valid UTF-8, so it cannot be indexed; rename it to index it"
        return
    try:
        info = os.stat(path)
    except OSError as exc:
        result.skipped[path] = f"cannot read: {exc.strerror}"
        return
    if not os.path.isfile(path):
        result.skipped[path] = "not a regular file"
        return
    result.files[path] = info


def scan_within(paths: list[str], sources: list[str], excluded: Iterable[str] = ()) -> Scan | None:
    """The scan of `paths` only (real paths of files or folders inside the sources, as a watcher
    reports them), judged as the full scan would judge them: links are followed only back inside
    the sources. The folders from each path's source down to it are listed too, so that
    `Scan.sort_out` tells a deleted file from one whose folder is away. A path under a hidden
    name is passed over (the full scan never looks there either). None when a path is one the
    full scan should handle: outside every source, under a removed name, a link, a qa index
    folder, not UTF-8, or of a source that is away."""
    result = Scan(roots=[os.path.realpath(s) for s in sources])
    excluded = set(excluded)
    for path in dict.fromkeys(paths):
        root = _root_of(path, result.roots)
        if root is None or not is_utf8(path) or _inside(path, list(excluded)) or not os.path.lexists(root):
            return None
        if any(part.startswith(".") for part in os.path.relpath(path, root).split(os.sep) if part != "."):
            continue
        chain = _folders_between(root, path)
        if chain is None:
            return None
        for folder in chain:
            _list_folder(result, folder)
        if os.path.islink(path):
            return None
        if os.path.isdir(path):
            if ownership.is_index_folder(path):
                return None
            _walk(result, path, excluded)
        elif ownership.is_own_file(os.path.basename(path)) and ownership.is_index_folder(os.path.dirname(path)):
            continue  # qa's own file in an index folder that is a source: passed over, as _walk does
        elif os.path.lexists(path):
            if path == root:
                _add_file(result, path, explicit=True)
            else:
                _add_entry(result, _Entry(os.path.basename(path), path))
    result.skipped = {printable(path): reason for path, reason in result.skipped.items()}
    return result


@dataclass(frozen=True)
class _Entry:
    """What `_add_entry` reads of an os.DirEntry, for a path given by name."""

    name: str
    path: str


def _folders_between(root: str, path: str) -> list[str] | None:
    """The folders from the source `root` down to the one holding `path` (for a source that is
    a file, its folder); None when one of them is a link or a qa index folder."""
    if root == path:
        return [os.path.dirname(path)]
    folders, folder = [root], root
    for part in os.path.relpath(path, root).split(os.sep):
        folder = os.path.join(folder, part)
        if folder != path:
            folders.append(folder)
    for folder in folders[1:]:
        if os.path.islink(folder) or ownership.is_index_folder(folder):
            return None
    return folders


def _list_folder(result: Scan, folder: str) -> None:
    """Record whether a folder is there and holds something, as `_walk` would."""
    if folder in result.listed or folder in result.unreadable:
        return
    try:
        with os.scandir(folder) as entries:
            result.listed[folder] = any(not e.name.startswith(".") for e in entries)
    except FileNotFoundError:
        pass
    except OSError:
        result.unreadable.add(folder)
