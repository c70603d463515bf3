"""What a reindex would do, found cheaply: the index's sources and how their files moved since.

Only file names and stats are compared (the same size and modification time test `qa index`
uses to skip unchanged files), nothing is read, so a UI can poll this every few seconds.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from qa import sources as source_scan
from qa import store
from qa.errors import IndexMissing


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        return f"{len(self.added)} new, {len(self.changed)} changed, {len(self.removed)} removed"


def list_sources(index_dir: Path) -> list[str]:
    """The files and folders the index syncs ([] when there is no index yet)."""
    try:
        conn = store.connect(Path(index_dir))
    except IndexMissing:
        return []
    try:
        return [row[0] for row in conn.execute("SELECT path FROM sources ORDER BY path")]
    finally:
        conn.close()


def pending_changes(index_dir: Path) -> Changes:
    """Files added, changed or removed in the sources since the last sync. Skipped files (not
    articles, unreadable) are not reported as new: syncing would skip them again."""
    try:
        conn = store.connect(Path(index_dir))
    except IndexMissing:
        return Changes()
    try:
        sources = [row[0] for row in conn.execute("SELECT path FROM sources")]
        known = {path: (size, mtime) for path, size, mtime in
                 conn.execute("SELECT path, size, mtime_ns FROM documents")}
        skipped = {row[0] for row in conn.execute("SELECT path FROM skipped")}
    except sqlite3.DatabaseError:
        return Changes()
    finally:
        conn.close()
    scan = source_scan.scan(sources)
    out = Changes()
    for path, info in scan.files.items():
        if path not in known:
            if path not in skipped:
                out.added.append(path)
        elif known[path] != (info.st_size, info.st_mtime_ns):
            out.changed.append(path)
    out.removed = sorted(p for p in known if p not in scan.files)
    return out
