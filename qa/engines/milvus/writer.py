"""MilvusIndexWriter: qa.interfaces.IndexWriter for an index answered from Milvus. The local sync
does what it does today (reading, hashing and embedding only what changed, committing the
catalogue's new generation); a publish then brings the collection to it (qa/engines/milvus/publish.py).
The engine is reached before anything local changes: an unreachable one is one line naming it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from qa.engines.milvus.collection import connect
from qa.engines.milvus.publish import PublishReport, publish
from qa.engines.uri import record_engine
from qa.errors import QAError
from qa.index.writer import LocalIndexWriter
from qa.settings import DEFAULT_MILVUS, MilvusSettings

if TYPE_CHECKING:
    from qa.embedding.encoder import Encoder
    from qa.index.changes import Changes
    from qa.index.indexer import SyncReport
    from qa.index.inspection import Inspection
    from qa.index.library import Removal, SourceInfo


class MilvusIndexWriter:
    """The catalogue in one folder and its copy in a Milvus collection, as users change them."""

    def __init__(self, index_dir: Path, engine: str, settings: MilvusSettings = DEFAULT_MILVUS) -> None:
        self.index_dir = Path(index_dir)
        self.engine = engine
        self.local = LocalIndexWriter(self.index_dir)
        self.collection = connect(engine, settings)  # unreachable: the error, before any local change
        self.last_publish: PublishReport | None = None

    def sync(self, add_paths: Iterable[str | os.PathLike[str]] = (), *, model: str | None = None,
             rebuild: bool = False, embedder: Encoder | None = None,
             on_progress: Callable[[str, int, int], None] | None = None,
             on_message: Callable[[str], None] | None = None,
             only: Iterable[str | os.PathLike[str]] | None = None) -> SyncReport:
        """The local sync, then the publish of what it committed."""
        report = self.local.sync(add_paths, model=model, rebuild=rebuild, embedder=embedder,
                                 on_progress=on_progress, on_message=on_message, only=only)
        record_engine(self.index_dir, self.engine)
        self.publish(on_progress)
        return report

    def publish(self, on_progress: Callable[[str, int, int], None] | None = None) -> PublishReport:
        try:
            self.last_publish = publish(self.index_dir, self.collection, on_progress)
        except QAError:
            raise
        except Exception as exc:  # the engine went away mid-publish: the catalogue is synced, say so
            reason = " ".join(str(getattr(exc, "message", None) or exc).split())
            raise QAError(f"the index is synced here, but publishing to the engine {self.engine} failed "
                          f"({reason}); run qa index again to publish it") from None
        return self.last_publish

    def pending_changes(self) -> Changes:
        return self.local.pending_changes()

    def sources(self) -> list[SourceInfo]:
        return self.local.sources()

    def remove(self, path: str | os.PathLike[str], on_message: Callable[[str], None] | None = None) -> Removal:
        """Take a source or file out of the catalogue, then out of the collection."""
        removal = self.local.remove(path, on_message=on_message)
        self.publish()
        return removal

    def check(self) -> Inspection:
        """The catalogue's check, then the engine's copy compared with it."""
        from qa.engines.milvus.compare import compare

        found = self.local.check()
        if found.meta is not None and not found.database_damaged:
            found.problems.extend(compare(self.index_dir, self.collection))
        return found

    def close(self) -> None:
        self.collection.close()
