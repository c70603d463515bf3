"""Finding the article files under the folders and files a user gave to `qa index`.

Paths are kept absolute but not resolved, so they read as the user wrote them. Symbolic links
inside a source folder are followed only when they point back inside one of the sources; a link
out of them is skipped and reported, never silently followed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from qa.config import DOCUMENT_SUFFIXES


@dataclass
class Scan:
    files: dict[str, os.stat_result] = field(default_factory=dict)  # absolute path -> stat
    skipped: dict[str, str] = field(default_factory=dict)  # path -> reason
    missing_sources: list[str] = field(default_factory=list)


def absolute(path: str | os.PathLike[str]) -> str:
    return os.path.abspath(os.path.expanduser(os.fspath(path)))


def _inside(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def scan(sources: list[str]) -> Scan:
    """Every document file under the sources, with its stat; what was passed over and why."""
    result = Scan()
    real_roots = [os.path.realpath(s) for s in sources]
    for source in sources:
        if not os.path.lexists(source):
            result.missing_sources.append(source)
            continue
        if not os.path.isdir(source):
            _add_file(result, source, real_roots, explicit=True)
            continue
        for folder, dirs, files in os.walk(source, onerror=lambda e: result.skipped.setdefault(
                getattr(e, "filename", "?") or "?", f"cannot read folder: {e.strerror}")):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or Path(name).suffix.lower() not in DOCUMENT_SUFFIXES:
                    continue
                _add_file(result, os.path.join(folder, name), real_roots, explicit=False)
            for name in dirs:
                link = os.path.join(folder, name)
                if os.path.islink(link):  # os.walk does not follow them; say so
                    result.skipped[link] = "symbolic link to a folder, not followed"
    return result


def _add_file(result: Scan, path: str, real_roots: list[str], explicit: bool) -> None:
    if path in result.files:
        return
    if os.path.islink(path) and not explicit:
        target = os.path.realpath(path)
        if not _inside(target, real_roots):
            result.skipped[path] = f"symbolic link out of the source folders (to {target}), not followed"
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
