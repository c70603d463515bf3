"""Retrieve: the top passages by BM25 and by cosine, each candidate scored by both."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from qa.index.bm25 import best_positive
from qa.retrieval.records import Candidates, Query
from qa.retrieval.snapshot import IndexSnapshot
from qa.settings import DEFAULT_SETTINGS, RetrievalSettings


def retrieve(snapshot: IndexSnapshot, query: Query, mode: str, settings: RetrievalSettings,
             allowed: np.ndarray | None = None, depth: int | None = None,
             vector: Callable[[], np.ndarray] | None = None,
             meanwhile: Callable[[list[int]], object] | None = None) -> Candidates:
    """settings.candidates (or `depth`) passages from each ranking the mode uses (hybrid, bm25 or
    dense). In the hybrid every candidate gets its score in the other ranking too, so that fusion
    sees both. `allowed` (bool per snapshot position; None: all) filters both rankings before
    their top lists are cut (qa/retrieval/filters.py). `vector`: gives the question's vector when
    query.vector is None, asked for only after the BM25 ranking (its encoding runs meanwhile);
    `meanwhile(passage_ids)` is then told the BM25 candidates before the vector is asked for (the
    local index reads their story groups while the encoding runs)."""
    depth = depth or settings.candidates
    bm25: dict[int, float] = {}
    all_bm25 = None
    if mode in ("hybrid", "bm25") and query.tokens:
        all_bm25 = snapshot.bm25.scores(query.tokens)
        if query.aliases:  # other spellings of the question's names, weighed less
            all_bm25 = all_bm25 + settings.name_variant_weight * snapshot.bm25.scores(list(query.aliases))
        if allowed is not None:
            all_bm25 = np.where(allowed, all_bm25, 0.0)
        positions, scores = best_positive(all_bm25, depth)
        bm25 = dict(zip(snapshot.passage_ids[positions].tolist(), scores.tolist()))  # Python ints and floats
    dense: dict[int, float] = {}
    if mode in ("hybrid", "dense"):
        if query.vector is None and vector is not None:
            if meanwhile is not None and bm25:
                meanwhile(list(bm25))
            query = query._replace(vector=vector())
        ids, scores = dense_search(snapshot, query.vector, depth, allowed, settings)
        dense = dict(zip(ids.tolist(), scores.tolist()))
    bm25_ranked, dense_ranked = list(bm25), list(dense)
    if mode == "hybrid":
        missing = [pid for pid in dense if pid not in bm25]
        if missing and all_bm25 is not None:
            bm25.update(zip(missing, all_bm25[snapshot.positions(missing)].tolist()))
        alone = [pid for pid in bm25 if pid not in dense]
        dense.update(zip(alone, snapshot.cosines(alone, query.vector)))
    return Candidates(bm25_ranked, dense_ranked, bm25, dense)


def dense_search(snapshot: IndexSnapshot, vector: np.ndarray, n: int, allowed: np.ndarray | None,
                 settings: RetrievalSettings = DEFAULT_SETTINGS) -> tuple[np.ndarray, np.ndarray]:
    """The n nearest passages; with `allowed` (bool per snapshot position), among those only:
    each segment (qa/index/segments.py) is searched exact or approximate (qa/index/vectors.py), the filter and
    its deleted passages skipped inside faiss's scan, so the cost is at most the unfiltered scan's."""
    return snapshot.vectors.search(vector, n, None if allowed is None else snapshot.passage_ids[allowed], settings)
