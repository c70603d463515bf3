"""The seams between the layers, as protocols: what the retrieval pipeline needs of an index
(IndexReader), and what the command line and `--watch` need to change one (IndexWriter); what
both need of a model is qa/embedding/encoder.py's Encoder.

Today's implementations: qa/retrieval/local_index.py's `LocalIndexReader`
(sqlite + segment files, one generation in memory) and qa/index/writer.py's `LocalIndexWriter`
(qa/index/indexer.py's sync, qa/index/library.py's removal, qa/index/inspection.py's check). Another engine (a vector
database server, say) plugs in by implementing the index protocols; the layers above call only
these methods. Nothing here is imported at run time but typing: the records are the existing ones.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

    from qa.index.changes import Changes
    from qa.embedding.encoder import Encoder
    from qa.index.inspection import Inspection
    from qa.index.indexer import SyncReport
    from qa.index.library import Removal, SourceInfo
    from qa.retrieval.filters import FilterMask, Filters
    from qa.retrieval.records import Candidates, Query
    from qa.settings import RetrievalSettings
    from qa.retrieval.speller import Lexicon
    from qa.index.store import (CitationRow, DocumentDetails, DocumentListing, DocumentPassage, IndexMeta,
                          StoryMember)


class TermStatistics(Protocol):
    """The lexical statistics of one generation the stages after retrieval weigh words by
    (qa/retrieval/rerank.py, verdict.py, spelling.py): IDF, the question's weight, the vocabulary,
    and each term's postings over the generation's passage positions."""

    passage_ids: np.ndarray  # ascending: position i is passage passage_ids[i]

    @property
    def lexicon(self) -> Lexicon: ...

    def idf(self, token: str) -> float: ...

    def question_weight(self, tokens: list[str], missing: Mapping[str, float] | None = None) -> float: ...

    def positions(self, passage_ids: list[int] | np.ndarray) -> np.ndarray: ...


@runtime_checkable
class IndexReader(Protocol):
    """One index as the retrieval pipeline reads it: one whole generation at a time (`refresh`
    moves to the latest commit), candidates of BM25 and dense search with both scores, the rows
    cited, the passages of documents, story groups, filters and the document lists. Damage is
    IndexCorrupt, never a wrong answer (qa/index/integrity.py)."""

    index_dir: Path

    @property
    def meta(self) -> IndexMeta: ...

    @property
    def generation(self) -> int: ...

    @property
    def passage_ids(self) -> np.ndarray: ...

    @property
    def terms(self) -> TermStatistics: ...

    def refresh(self) -> bool: ...

    def candidates(self, query: Query, mode: str, settings: RetrievalSettings,
                   allowed: np.ndarray | None = None, vector: Callable[[], np.ndarray] | None = None) -> Candidates:
        """Both rankings' candidates (qa/retrieval/records.py). `vector`, when query.vector is
        None, gives the question's vector: asked for once the keyword ranking is done, as the
        question's encoding may still be running (qa/retrieval/retriever.py)."""
        ...

    def filter_mask(self, filters: Filters) -> FilterMask: ...

    def citation_rows(self, passage_ids: Sequence[int]) -> dict[int, CitationRow]: ...

    def passages_of_documents(self, doc_ids: Iterable[int]) -> list[DocumentPassage]: ...

    def same_document(self, passage_ids: Sequence[int]) -> bool: ...

    def stories_of(self, passage_ids: Sequence[int]) -> dict[int, int]: ...

    def story_members(self, story_ids: Sequence[int]) -> list[StoryMember]: ...

    def documents(self) -> list[DocumentListing]: ...

    def document_details(self) -> list[DocumentDetails]: ...

    def close(self) -> None: ...


@runtime_checkable
class IndexWriter(Protocol):
    """One index as its users change it: a sync of its sources (adding paths), taking a source or
    a file out, the check of everything it records. One writer at a time (qa/index/lock.py); a reader
    sees the old generation until the commit."""

    index_dir: Path

    def sync(self, add_paths: Iterable[str | os.PathLike[str]] = (), *, model: str | None = None,
             rebuild: bool = False, embedder: Encoder | None = None,
             on_progress: Callable[[str, int, int], None] | None = None,
             on_message: Callable[[str], None] | None = None,
             only: Iterable[str | os.PathLike[str]] | None = None) -> SyncReport: ...

    def pending_changes(self) -> Changes: ...

    def sources(self) -> list[SourceInfo]: ...

    def remove(self, path: str | os.PathLike[str], on_message: Callable[[str], None] | None = None) -> Removal: ...

    def check(self) -> Inspection: ...
