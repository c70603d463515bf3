"""Today's engine behind qa.interfaces.IndexWriter: the index folder's sync (qa/index/indexer.py), the
library's removals (qa/index/library.py) and the full check (qa/index/inspection.py), one object per folder.

The command line and `qa index --watch` change an index through it; each method imports its
module when called (the sync's imports cost ~0.3 s, the model's more), as they did before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.index.changes import Changes
    from qa.index.indexer import SyncReport
    from qa.index.inspection import Inspection
    from qa.embedding.encoder import Encoder
    from qa.index.library import Removal, SourceInfo


class LocalIndexWriter:
    """The index in one folder, as its users change it (qa.interfaces.IndexWriter)."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)

    def sync(self, add_paths: Iterable[str | os.PathLike[str]] = (), *, model: str | None = None,
             rebuild: bool = False, embedder: Encoder | None = None,
             on_progress: Callable[[str, int, int], None] | None = None,
             on_message: Callable[[str], None] | None = None,
             only: Iterable[str | os.PathLike[str]] | None = None) -> SyncReport:
        """Add `add_paths` to the sources and sync them (qa.index.indexer.sync, which says more)."""
        from qa.index import indexer

        return indexer.sync(self.index_dir, add_paths, model=model, rebuild=rebuild, embedder=embedder,
                            on_progress=on_progress, on_message=on_message, only=only)

    def pending_changes(self) -> Changes:
        """Files added, changed or removed in the sources since the last sync."""
        from qa.index.changes import pending_changes

        return pending_changes(self.index_dir)

    def sources(self) -> list[SourceInfo]:
        """Each source with its documents, passages and state (IndexMissing without an index)."""
        from qa.index.library import list_sources

        return list_sources(self.index_dir)

    def remove(self, path: str | os.PathLike[str], on_message: Callable[[str], None] | None = None) -> Removal:
        """Take a source, or a file or folder of one, out of the index (qa.index.library.remove)."""
        from qa.index.library import remove

        return remove(self.index_dir, path, on_message=on_message)

    def check(self) -> Inspection:
        """`qa index --check`: everything the index records about itself, verified; nothing changed."""
        from qa.index.inspection import check_index

        return check_index(self.index_dir)
