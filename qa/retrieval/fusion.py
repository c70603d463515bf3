"""Fuse: one score per candidate from its BM25 score and its cosine (a pure function)."""

from __future__ import annotations

from qa.retrieval.records import Candidates
from qa.settings import RetrievalSettings


def fuse_convex(bm25_scores: dict[int, float], dense_scores: dict[int, float], bm25_share: float) -> dict[int, float]:
    """share * BM25 / best BM25 + (1 - share) * cosine, over the ids of either dict.

    Unlike rank fusion this keeps how far apart the scores are: a passage far ahead on one
    signal is not pulled level with one that merely ranks next to it (Bruch et al. 2023,
    "An analysis of fusion functions for hybrid retrieval"). An id missing from a dict scores 0
    there. Ids come in a fixed order (BM25's, then the dense-only ones), so ties rank alike
    whatever the order of the inputs' construction.
    """
    best = max(bm25_scores.values(), default=0.0)
    scale = bm25_share / best if best > 0 else 0.0
    ids = list(bm25_scores) + [pid for pid in dense_scores if pid not in bm25_scores]
    rest, lexical, dense = 1 - bm25_share, bm25_scores.get, dense_scores.get  # (looked up once, not per id)
    return {pid: scale * lexical(pid, 0.0) + rest * dense(pid, 0.0) for pid in ids}


def fusion_share(mode: str, settings: RetrievalSettings) -> float:
    """The BM25 share of the mode: the settings' in the hybrid; BM25 alone (score = BM25 / best)
    or the cosine alone otherwise."""
    return settings.bm25_share if mode == "hybrid" else 1.0 if mode == "bm25" else 0.0


def fuse(candidates: Candidates, mode: str, settings: RetrievalSettings) -> dict[int, float]:
    return fuse_convex(candidates.bm25, candidates.dense, fusion_share(mode, settings))


def rank(scores: dict[int, float]) -> list[int]:
    """Ids best first; ties keep the order of the dict."""
    return sorted(scores, key=scores.__getitem__, reverse=True)  # a stable sort: ties keep their order
