"""Retrieve: the top passages by BM25 and by cosine, each candidate scored by both."""

from __future__ import annotations

from qa import vectors
from qa.bm25 import best_positive
from qa.retrieval.records import Candidates, Query
from qa.retrieval.snapshot import IndexSnapshot
from qa.settings import RetrievalSettings


def retrieve(snapshot: IndexSnapshot, query: Query, mode: str, settings: RetrievalSettings) -> Candidates:
    """settings.candidates passages from each ranking the mode uses (hybrid, bm25 or dense). In the
    hybrid every candidate gets its score in the other ranking too, so that fusion sees both."""
    bm25: dict[int, float] = {}
    all_bm25 = None
    if mode in ("hybrid", "bm25") and query.tokens:
        all_bm25 = snapshot.bm25.scores(query.tokens)
        if query.aliases:  # other spellings of the question's names, weighed less
            all_bm25 = all_bm25 + settings.name_variant_weight * snapshot.bm25.scores(list(query.aliases))
        positions, scores = best_positive(all_bm25, settings.candidates)
        bm25 = dict(zip((int(snapshot.passage_ids[p]) for p in positions), map(float, scores)))
    dense: dict[int, float] = {}
    if mode in ("hybrid", "dense"):
        ids, scores = vectors.search(snapshot.vectors, query.vector, settings.candidates)
        dense = dict(zip((int(i) for i in ids), map(float, scores)))
    bm25_ranked, dense_ranked = list(bm25), list(dense)
    if mode == "hybrid":
        missing = [pid for pid in dense if pid not in bm25]
        if missing and all_bm25 is not None:
            bm25.update(zip(missing, map(float, all_bm25[snapshot.positions(missing)])))
        for pid in bm25:
            if pid not in dense:
                dense[pid] = snapshot.cosine(pid, query.vector)
    return Candidates(bm25_ranked, dense_ranked, bm25, dense)
