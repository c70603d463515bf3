"""What a reindex would do, found cheaply: the index's sources and how their files moved since.

Only file names and stats are compared (the same size, modification time, inode change time and
inode test `qa index` uses to skip unchanged files), nothing is read, so a UI can poll this every few seconds.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from qa.ingest import sources as source_scan
from qa.errors import IndexMissing
from qa.ingest.sources import Unavailable
from qa.index.store import IndexStore


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: folders away for now: their documents are kept, not removed (not a change to sync)
    unavailable: list[Unavailable] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        return f"{len(self.added)} new, {len(self.changed)} changed, {len(self.removed)} removed"


def list_sources(index_dir: Path) -> list[str]:
    """The files and folders the index syncs ([] when there is no index yet)."""
    try:
        db = IndexStore.open(Path(index_dir))
    except IndexMissing:
        return []
    with db:
        return db.sources()


def pending_changes(index_dir: Path) -> Changes:
    """Files added, changed or removed in the sources since the last sync. Skipped files (not
    articles, unreadable) are not reported as new: syncing would skip them again. Files of a
    folder that is away for now (unmounted, renamed, unreadable) are not reported as removed: a
    sync keeps them (`unavailable` lists those folders)."""
    try:
        db = IndexStore.open(Path(index_dir))
    except IndexMissing:
        return Changes()
    with db:
        try:
            sources = db.sources()
            known = {d.path: d for d in db.documents()}
            skipped = db.skipped_paths()
            held = db.held_skips()
            excluded = db.excluded()
        except sqlite3.DatabaseError:
            return Changes()
    scan = source_scan.scan(sources, excluded)
    out = Changes()
    for path, info in scan.files.items():
        if path not in known:
            if path not in skipped or (path in held and not source_scan.same_file(held[path], info)):
                out.added.append(path)  # new, or a file skipped over budget that changed since
        elif not source_scan.same_file(known[path], info):
            out.changed.append(path)
    deleted, out.unavailable = scan.sort_out(known)
    out.removed = sorted(deleted)
    return out
