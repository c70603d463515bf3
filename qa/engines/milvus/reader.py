"""MilvusIndexReader: qa.interfaces.IndexReader over a Milvus collection and the index folder's
catalogue. The engine supplies the candidates (BM25 as a sparse inner product over the project's
own term weights, qa/engines/milvus/rows.py; dense by inner product), each candidate's score in
the other ranking, the filters as engine expressions, and the citation rows; the catalogue
supplies the term statistics the later stages weigh words by, the story groups and the document
lists. Everything after the candidates is the project's own pipeline, unchanged.

Readers search rows of generation <= the collection's qa.generation and drop ids their catalogue
does not hold (qa/engines/milvus/publish.py: one generation even while a publish runs).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from qa.engines.milvus.collection import FUNCTION_FIELD, connect, dense_query
from qa.engines.milvus.rows import citation_of, date_key, query_weights
from qa.index import store
from qa.index.store import CitationRow, DocumentDetails, DocumentListing, DocumentPassage, IndexMeta, StoryMember
from qa.retrieval.filters import FilterMask, Filters
from qa.retrieval.local_index import LocalIndexReader
from qa.retrieval.records import Candidates, Query
from qa.settings import DEFAULT_MILVUS, BM25Params, MilvusSettings, RetrievalSettings


class MilvusIndexReader:
    """One index answered from its Milvus collection (qa.interfaces.IndexReader)."""

    def __init__(self, index_dir: Path, engine: str, bm25_params: BM25Params | None = None,
                 settings: MilvusSettings = DEFAULT_MILVUS) -> None:
        self.index_dir = Path(index_dir)
        self.engine = engine
        self.collection = connect(engine, settings)
        self.local = LocalIndexReader(self.index_dir, bm25_params)
        self.published = self.collection.published().generation
        self.bm25_source = self.collection.bm25_source()
        self._expression: tuple[np.ndarray, str] | None = None  # the last filter's mask and expression

    def refresh(self) -> bool:
        moved = self.local.refresh()
        published = self.collection.published().generation
        if published != self.published:
            self.published, moved = published, True
        return moved

    @property
    def meta(self) -> IndexMeta:
        return self.local.meta

    @property
    def generation(self) -> int:
        return self.local.generation

    @property
    def passage_ids(self) -> np.ndarray:
        return self.local.passage_ids

    @property
    def terms(self):  # the catalogue's term statistics (qa.interfaces.TermStatistics)
        return self.local.terms

    def candidates(self, query: Query, mode: str, settings: RetrievalSettings,
                   allowed: np.ndarray | None = None, vector: Callable[[], np.ndarray] | None = None) -> Candidates:
        """Both rankings from the engine, each candidate completed with its score in the other (as
        qa/retrieval/candidates.py does locally); `vector` as qa.interfaces.IndexReader says."""
        depth = settings.candidates
        where = self._where(allowed)
        field, weights = self._bm25_query(query, settings) if mode in ("hybrid", "bm25") and query.tokens else ("", None)
        bm25 = dict(self._search(field, weights, depth, where)) if weights else {}
        dense: dict[int, float] = {}
        if query.vector is None and vector is not None and mode in ("hybrid", "dense"):
            query = query._replace(vector=vector())
        if mode in ("hybrid", "dense"):
            dense = dict(self._search("vector", dense_query(query.vector), depth, where))
        bm25_ranked, dense_ranked = list(bm25), list(dense)
        if mode == "hybrid":
            missing = [pid for pid in dense if pid not in bm25]
            if missing and query.tokens:
                found = self._scores(field, weights, missing) if weights else {}
                bm25.update((pid, found.get(pid, 0.0)) for pid in missing)
            lacking = [pid for pid in bm25 if pid not in dense]
            dense.update(self._scores("vector", dense_query(query.vector), lacking))
        return Candidates(bm25_ranked, dense_ranked, bm25, dense)

    def _bm25_query(self, query: Query, settings: RetrievalSettings) -> tuple[str, object]:
        """The BM25 field and its query: the project's term weights (IDF from the catalogue), or
        for Milvus's BM25 function the question's text."""
        if self.bm25_source == "function":
            return FUNCTION_FIELD, query.text
        return "sparse", query_weights(query.tokens, list(query.aliases), self.terms.idf, settings.name_variant_weight)

    def _search(self, field: str, query: object, depth: int, where: str) -> list[tuple[int, float]]:
        """The depth best rows the catalogue holds (a few more asked for: rows a publish has yet
        to delete are dropped); BM25's with a positive score only, as the local engine's."""
        asked = depth + math.ceil(depth * self.collection.settings.over_fetch)
        found = [(pid, score) for pid, score in self.collection.search(field, query, asked, where)
                 if field == "vector" or score > 0]
        return [hit for hit, held in zip(found, self._held([pid for pid, _ in found])) if held][:depth]

    def _scores(self, field: str, query: object, ids: list[int]) -> dict[int, float]:
        """The score of each of these rows in a ranking (a search limited to them)."""
        if not ids:
            return {}
        where = f"{self._visible()} and id in {sorted(ids)}"
        return dict(self.collection.search(field, query, len(ids), where))

    def _visible(self) -> str:
        """The rows of the published generation (a publish under way inserts above it)."""
        return f"gen <= {self.published}"

    def _held(self, ids: Sequence[int]) -> np.ndarray:
        """Which ids the catalogue's generation holds."""
        known = self.local.passage_ids
        at = np.minimum(np.searchsorted(known, ids), max(known.size - 1, 0))
        return known[at] == np.asarray(ids, dtype=np.int64) if known.size else np.zeros(len(ids), bool)

    def _where(self, allowed: np.ndarray | None) -> str:
        where = self._visible()
        if allowed is None:
            return where
        if self._expression is not None and self._expression[0] is allowed:
            return f"{where} and {self._expression[1]}"
        return f"{where} and id in {self.local.passage_ids[allowed].tolist()}"  # a mask made elsewhere

    def filter_mask(self, filters: Filters) -> FilterMask:
        """The catalogue's mask (the pipeline's count of undated documents), and the engine
        expression the searches filter by: date bounds on the date field, a source as its documents."""
        mask = self.local.filter_mask(filters)
        parts = []
        if filters.since:
            parts.append(f"date >= {date_key(filters.since.isoformat())}")
        if filters.until:
            parts.append(f"date > 0 and date <= {date_key(filters.until.isoformat())}")
        if filters.source:
            parts.append(f"doc_id in {self._documents_of(mask.allowed)}")
        self._expression = (mask.allowed, " and ".join(parts) or "id >= 0")
        return mask

    def _documents_of(self, allowed: np.ndarray) -> list[int]:
        conn = store.connect(self.index_dir)
        try:
            passage_ids, doc_ids = store.passage_documents(conn)
        finally:
            conn.close()
        wanted = self.local.passage_ids[allowed]
        return np.unique(doc_ids[np.isin(passage_ids, wanted)]).tolist()

    def citation_rows(self, passage_ids: Sequence[int]) -> dict[int, CitationRow]:
        """From the engine: text, title, date and offsets with no source file at hand."""
        rows = self.collection.rows(list(passage_ids), ["id", "doc_id", "text", "cite"], self.published)
        return {cite.passage_id: cite for cite in map(citation_of, rows)}

    def passages_of_documents(self, doc_ids: Iterable[int]) -> list[DocumentPassage]:
        return self.local.passages_of_documents(doc_ids)

    def same_document(self, passage_ids: Sequence[int]) -> bool:
        return self.local.same_document(passage_ids)

    def stories_of(self, passage_ids: Sequence[int]) -> dict[int, int]:
        return self.local.stories_of(passage_ids)

    def story_members(self, story_ids: Sequence[int]) -> list[StoryMember]:
        return self.local.story_members(story_ids)

    def documents(self) -> list[DocumentListing]:
        return self.local.documents()

    def document_details(self) -> list[DocumentDetails]:
        return self.local.document_details()

    def close(self) -> None:
        self.local.close()
        self.collection.close()
