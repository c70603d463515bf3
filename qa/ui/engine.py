"""The search engine as the UI uses it: the index (a Searcher), the question encoder and the
reindex, behind one facade that knows nothing of Textual.

Every method may block, so the app calls them from Textual thread workers. Those run on a pool of
threads, so the Searcher is shared between threads: `_lock` lets one caller at a time touch it
(its sqlite connection and the arrays a refresh swaps). The model loads meanwhile without the
lock; until it is ready questions are answered by keywords (BM25) alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qa.config import DEFAULT_MODEL
from qa.ingest.documents import Document, Unreadable, open_regular, parse
from qa.errors import IndexMissing, QAError
from qa.retrieval import local_index
from qa.index.text import ANALYZER
from qa.ui.outside import unreachable

if TYPE_CHECKING:  # imported in a worker, not at start-up (numpy, scipy, faiss)
    from qa.index.changes import Changes
    from qa.index.indexer import SyncReport
    from qa.embedding.encoder import Encoder
    from qa.index.library import Removal, SourceInfo
    from qa.search import Answer, Hit, Searcher
    from qa.index.store import IndexMeta
    from qa.retrieval.speller import Lexicon

#: builds the embedding model from its name (tests inject one that is already loaded)
EmbedderFactory = Callable[[str], "Encoder"]
#: on_progress(phase, done, total), as qa.index.indexer.sync calls it
ProgressCallback = Callable[[str, int, int], None]

#: seconds between two looks at "was the reindex cancelled?" while it waits for the model
_WAIT_STEP = 0.1
#: seconds closing waits for a worker that is using the index
_CLOSE_WAIT = 2.0


def load_embedder(model_name: str) -> Encoder:
    from qa.embedding.embedder import question_encoder

    return question_encoder(model_name)


def display_path(path: str) -> str:
    from qa.search import display_path as shown  # not at start-up: qa.search loads numpy and faiss

    return shown(path)


class Cancelled(QAError):
    """The reindex was called off (the app is quitting); the index is as it was."""


@dataclass(frozen=True)
class IndexStats:
    """What the status line says of a loaded index."""

    documents: int
    passages: int

    def __str__(self) -> str:
        from qa.render import count

        return f"{count(self.documents, 'article')}, {count(self.passages, 'passage')}"


@dataclass(frozen=True)
class Article:
    """An article read for the source view: the parsed document, or why it cannot be shown."""

    doc: Document | None
    problem: str = ""
    #: (passage id, text) of the document's stored passages when its file is not reachable here
    stored: tuple[tuple[int, str], ...] = ()
    #: the file no longer holds the cited passage where the answer says (it changed since)
    changed: bool = False


#: the source view of an answer's passage whose file changed and was reindexed since the answer
REINDEXED_SINCE = ("The file changed after this answer and the index has its new version; here is the passage "
                   "as the answer read it. Ask the question again to read the article as it is now.")


class IndexGone(IndexMissing):
    """The index the app had open is not in its folder now (deleted or moved, or the drive it is
    on unmounted): said as such, never as "no index ... build one", which offered Ctrl+R to index
    seeds/ into the folder of an index that was only away."""


def gone_text(index_dir: Path) -> str:
    return (f"The index in {display_path(str(index_dir))}/ is gone since the app opened it (deleted or moved, "
            "or the drive it is on unmounted): questions are answered again when it is back, and the app "
            "opens it by itself.")


def read_article(path: str, hit: Hit | None = None) -> Article:
    """Read and parse a source file; a file changed since it was indexed is a problem when the
    cited passage is no longer where the index says."""
    try:
        with open_regular(path) as handle:  # a named pipe there now would block the reading worker
            doc = parse(Path(path), handle.read())
    except OSError as exc:
        if hit is not None and hit.available and os.path.isdir(os.path.dirname(path)) and not os.path.lexists(path):
            # its folder is here: the file was deleted or moved since the answer, not unmounted
            return Article(None, f"The file is gone ({display_path(path)}: deleted or moved since it was "
                                 "indexed); here is the passage as indexed.")
        why = unreachable(path)
        if "permission" in why:  # not "unmounted": a folder above it is locked to this user
            shown = "; here is the article as indexed" if hit is not None and not hit.available else ""
            return Article(None, f"The file cannot be read now: {display_path(path)} is {why}{shown}.")
        if hit is not None and (not hit.available or not os.path.exists(path)):
            return Article(None, f"The file cannot be opened now ({display_path(path)}: its folder may be "
                                 "unmounted, renamed or on another machine); here is the article as indexed.")
        return Article(None, f"Cannot read {display_path(path)}: {exc.strerror or exc}")
    except Unreadable as exc:
        return Article(None, f"Cannot read {display_path(path)}: {getattr(exc, 'strerror', None) or exc}")
    if hit and doc.text[hit.start:hit.end] != hit.text:
        return Article(None, "The file changed since it was indexed; here is the passage as indexed. "
                             "Reindex with Ctrl+R.", changed=True)
    return Article(doc)


class Engine:
    def __init__(self, index_dir: Path, embedder_factory: EmbedderFactory = load_embedder) -> None:
        self.index_dir = Path(index_dir)
        self.embedder_factory = embedder_factory
        self.sort = "relevance"  # or "date": answers in date order, for "what happened next" reading
        self.searcher: Searcher | None = None
        self.was_open = False  # an index was opened: its folder missing later is that index gone
        self.embedder: Encoder | None = None
        self.model_error: str | None = None
        self.model_done = threading.Event()  # set when the model is loaded or failed to load
        self._lock = threading.Lock()  # one caller of the Searcher at a time
        self._opened: tuple[int, int] | None = None  # identity of the database file the Searcher opened

    # -- the index -------------------------------------------------------------------------
    def database_identity(self) -> tuple[int, int] | None:
        """(device, inode) of the index folder's database file now; None when there is none."""
        return local_index.database_identity(self.index_dir)

    def replaced(self) -> bool:
        """True when the open index's database is no longer the folder's (deleted, or the folder
        deleted and rebuilt): its open files still answer, from the old index, until reopened."""
        return self.searcher is not None and self.database_identity() != self._opened

    def _open(self, refresh: bool = True) -> Searcher:
        """The Searcher, loaded, refreshed, or reopened when the database file was replaced
        (call with the lock held). refresh=False: the caller's next call refreshes it (a search
        reads the index's meta once, not twice)."""
        identity = self.database_identity()
        if self.searcher is not None and identity != self._opened:
            self.searcher.close()
            self.searcher = None
        if self.searcher is None:
            from qa.search import Searcher

            try:
                self.searcher = Searcher(self.index_dir)
            except IndexMissing as exc:
                if self.was_open:  # not "build one": it is the user's index, away (a drive unplugged)
                    raise IndexGone(gone_text(self.index_dir)) from exc
                raise
            self._opened = identity  # stat'ed before opening: a later swap is seen next time
            self.was_open = True
        elif refresh:
            self.searcher.refresh()
        return self.searcher

    def open(self) -> IndexStats:
        """Load (or reload) the index. Raises QAError when there is none."""
        with self._lock:
            searcher = self._open()
            return IndexStats(len(searcher.documents()), searcher.passage_count)

    def search(self, question: str, query: str, k: int) -> Answer:
        """Filters written at the start of the question ("since:2024-01 source:reuters Who …",
        qa/retrieval/filters.py) apply to it; the rest is searched."""
        from qa.retrieval.filters import split_prefix  # numpy: not at start-up, this runs in a worker

        filters, question = split_prefix(question)
        query = split_prefix(query)[1] or question
        embedder = self.embedder if self.model_done.is_set() else None
        with self._lock:
            answer = self._open(refresh=False).search(question, k=k, embedder=embedder,
                                         mode="hybrid" if embedder is not None else "bm25", query=query,
                                         filters=filters if filters.active else None, sort=self.sort)
        for hit in answer.hits:  # the cards' word marks, made here in the worker, not on the event loop
            ANALYZER.marks(hit.text)
        return answer

    def lexicon(self) -> Lexicon | None:
        """The loaded generation's words, for telling a follow-up (qa/retrieval/context.py);
        None before the index is loaded (the words' rule alone decides then). Read without the
        lock: a generation's lexicon never changes, a refresh replaces it whole."""
        searcher = self.searcher
        return searcher.snapshot.lexicon if searcher is not None else None

    def stored_passages(self, passage_id: int) -> list[tuple[int, str]]:
        """(passage id, text) of every passage of the document holding this one, in document
        order, as the index stores them: the source view of a file not reachable here."""
        with self._lock:
            index = self._open().index
            row = index.citation_rows([passage_id]).get(passage_id)
            if row is None:
                return []
            rows = index.citation_rows(sorted(p.passage_id for p in index.passages_of_documents([row.doc_id])))
        return [(pid, rows[pid].text) for pid in sorted(rows, key=lambda pid: rows[pid].start)]

    def reindexed_since(self, hit: Hit) -> bool:
        """Whether the index holds a newer version of a cited file than the answer read: the
        passage is gone or moved, or its file is as the index recorded it (an automatic sync
        already ran). Then "reindex" is the wrong advice for an article that changed: ask again."""
        from qa.index.integrity import file_state

        with self._lock:
            row = self._open().index.citation_rows([hit.passage_id]).get(hit.passage_id)
        if row is None or (row.start, row.end, row.text) != (hit.start, hit.end, hit.text):
            return True
        return not file_state(row)[1]

    def documents(self) -> list[tuple[str, str, int]]:
        with self._lock:
            return self._open().documents()

    @property
    def generation(self) -> int | None:
        """The generation of the index loaded in memory (None before one is)."""
        return self.searcher.generation if self.searcher is not None else None

    def _disk_meta(self) -> IndexMeta | None:
        """The settings the index folder holds now (None when there is no index yet)."""
        return local_index.stored_meta(self.index_dir)

    def on_disk_generation(self) -> int | None:
        """The generation the index folder holds now (None when there is no index)."""
        meta = self._disk_meta()
        return meta.generation if meta else None

    def pending_changes(self) -> Changes:
        """Files added, changed or removed in the sources since the last sync."""
        from qa.index.changes import pending_changes

        return pending_changes(self.index_dir)

    # -- the library -----------------------------------------------------------------------
    def sources(self) -> list[SourceInfo]:
        """Each source with its documents, passages and state (QAError without an index)."""
        from qa.index.library import list_sources

        return list_sources(self.index_dir)

    def plan_removal(self, path: str) -> Removal:
        """What removing `path` would take out of the index (nothing is changed)."""
        from qa.index.library import plan_removal

        return plan_removal(self.index_dir, path).removal

    def remove_source(self, path: str, on_message: Callable[[str], None] | None = None) -> Removal:
        """Take a source and its documents out of the index (QAError when it holds no such path),
        and out of the engine the index records."""
        from qa.engines.writers import open_writer

        return open_writer(self.index_dir).remove(path, on_message=on_message)

    # -- the model -------------------------------------------------------------------------
    def model_name(self) -> str:
        """The index's model, or the default one for an index yet to be built."""
        meta = self._disk_meta()
        return meta.model if meta else DEFAULT_MODEL

    def load_model(self) -> None:
        """Load the embedding model; failures are kept in model_error, not raised."""
        try:
            self.embedder = self.embedder_factory(self.model_name())
        except QAError as exc:
            self.model_error = str(exc)
        except Exception as exc:  # any failure leaves the app usable by keywords
            self.model_error = f"{type(exc).__name__}: {exc}"
        finally:
            self.model_done.set()

    @property
    def model_ready(self) -> bool:
        return self.model_done.is_set() and self.embedder is not None

    # -- reindexing ------------------------------------------------------------------------
    def reindex(self, add_paths: list[str], *, on_progress: ProgressCallback,
                on_message: Callable[[str], None],
                cancelled: Callable[[], bool] = lambda: False) -> tuple[SyncReport, IndexStats]:
        """Sync the index with its sources (adding add_paths), then reload it. Raises QAError,
        Cancelled when `cancelled()` turns true (checked at every progress step)."""
        from qa.engines.writers import open_writer

        while not self.model_done.wait(_WAIT_STEP):  # one model in memory, not two
            if cancelled():
                raise Cancelled("the reindex was cancelled")

        def progress(phase: str, done: int, total: int) -> None:
            if cancelled():
                raise Cancelled("the reindex was cancelled")
            on_progress(phase, done, total)

        # the sync, then the publish to the engine the index records (qa/engines/writers.py)
        report = open_writer(self.index_dir).sync(add_paths, embedder=self.embedder, on_progress=progress,
                                                  on_message=on_message)
        return report, self.open()

    def close(self) -> None:
        """Close the index, unless a worker still holds it after a moment (quitting must not wait)."""
        if not self._lock.acquire(timeout=_CLOSE_WAIT):
            return
        try:
            if self.searcher is not None:
                self.searcher.close()
                self.searcher = None
        finally:
            self._lock.release()
