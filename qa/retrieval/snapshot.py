"""One generation of the index in memory: its meta, BM25 over its term postings, vectors and
passage ids (its segments read together: qa/index/segments.py).

A snapshot never changes; a reindex commits a new generation and the Retriever loads a new
snapshot. Passage texts and citations stay in the database (read for the few passages shown).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from qa.index import store
from qa.index.bm25 import BM25Index
from qa.errors import IndexCorrupt, no_documents
from qa.index.integrity import suspect, verify_loaded
from qa.index.segments import LoadedSegments, SegmentedVectors, load_segments
from qa.settings import DEFAULT_SETTINGS, BM25Params
from qa.retrieval.speller import Lexicon


#: the row-by-row dot product of numpy 2 (None before it)
_VECDOT = getattr(np, "vecdot", None)


@dataclass(frozen=True)
class IndexSnapshot:
    meta: store.IndexMeta
    passage_ids: np.ndarray  # ascending; BM25 position i is passage passage_ids[i]
    bm25: BM25Index
    vectors: SegmentedVectors  # every segment's vectors, searched as one (qa/index/segments.py)

    @classmethod
    def load(cls, conn: sqlite3.Connection, index_dir: Path,
             bm25_params: BM25Params | None = None) -> "IndexSnapshot":
        """The current generation, its BM25 scored with bm25_params (None: the ones the index
        records it was built with)."""
        meta, loaded = _whole_generation(conn, index_dir)
        if bm25_params is None:
            bm25_params = BM25Params(**meta.bm25)
        bm25 = BM25Index.from_segments(loaded.postings, loaded.deleted, *bm25_params)
        dense = SegmentedVectors(loaded.vectors, loaded.segments, meta.dim, bm25.passage_ids, loaded.deleted)
        return cls(meta, bm25.passage_ids, bm25, dense)

    @property
    def generation(self) -> int:
        return self.meta.generation

    @cached_property
    def lexicon(self) -> Lexicon:
        """The speller over this generation's vocabulary (its look-ups built on first use)."""
        return Lexicon(self.bm25.vocabulary, self.bm25.document_frequency, self.bm25)

    @cached_property
    def article_counts(self) -> dict[tuple[int, str], tuple[int, int]]:
        """(document, term) -> (its live passages, how many hold the term), filled as questions
        ask (qa/retrieval/rerank.py article_weights): a generation never changes, nor do they."""
        return {}

    @cached_property
    def unknown_idf(self) -> float:
        """The weight of a question word no passage holds: as rare as the rarest known word (the
        maximum over the vocabulary taken once, not at each question)."""
        return float(self.bm25.idf.max()) if self.bm25.idf.size else 1.0

    def idf(self, token: str) -> float:
        return self.bm25.idf_of(token)

    def question_weight(self, tokens: list[str], missing: Mapping[str, float] | None = None) -> float:
        """The IDF weight of the question's distinct terms, a word no passage has counting as the
        rarest, or as `missing` weighs it when there (qa/retrieval/pipeline.py missing_weights)."""
        unknown = self.unknown_idf
        if not missing:
            return sum(self.idf(t) or unknown for t in set(tokens))
        return sum(self.idf(t) or missing.get(t, unknown) for t in set(tokens))

    def positions(self, passage_ids: list[int] | np.ndarray) -> np.ndarray:
        """BM25 positions of passages of this generation."""
        return np.searchsorted(self.passage_ids, passage_ids)

    def cosine(self, passage_id: int, vector: np.ndarray) -> float:
        return float(self.vectors.reconstruct(passage_id) @ vector)

    def cosines(self, passage_ids: list[int], vector: np.ndarray) -> list[float]:
        """cosine() of each passage, its vectors read in one call per segment; each product taken
        row by row as cosine() takes it (one matrix product can differ in the last bit): numpy's
        vecdot (numpy 2) is that dot product row by row in one call (~0.2 ms less for a
        question's ~60 BM25-only candidates)."""
        rows = self.vectors.reconstruct_many(passage_ids)
        if _VECDOT is None:
            return [float(row @ vector) for row in rows]
        return _VECDOT(rows, vector).tolist()


def _whole_generation(conn: sqlite3.Connection, index_dir: Path) -> tuple[store.IndexMeta, LoadedSegments]:
    """The current generation's meta and segments, checked whole against what their commits
    recorded (qa/index/integrity.py: damage is one IndexCorrupt line naming the file)."""
    db = store.IndexStore(conn)
    for attempt in range(3):
        meta, deleted = db.read_manifest()
        if meta is None:
            raise no_documents(index_dir, len(db.sources()))
        store.check_format(meta, index_dir)
        try:
            loaded = load_segments(db, index_dir, meta, deleted)
            verify_loaded(conn, meta, index_dir, loaded)
            return meta, loaded
        except IndexCorrupt:
            # a reindex or merge may have switched generations while they were read: read them again
            if attempt == 2 or store.read_meta(conn) == meta:
                suspect(index_dir)  # the `qa index` the error names inspects everything
                raise
    raise AssertionError("unreachable")
